SELECT
  "t0"."contact_id"
FROM "contact" AS "t0"
WHERE
  NOT (
    (
      "t0"."interests" IS NULL
    ) OR (
      ARRAY_LENGTH("t0"."interests") = 0
    )
  )
  AND (
    ARRAY_CONTAINS("t0"."interests", 'running')
    OR ARRAY_CONTAINS("t0"."interests", 'yoga')
  )
  AND NOT (
    "t0"."opt_in" IS NULL
  )
  AND "t0"."opt_in" = TRUE
