SELECT
  "t0"."contact_id"
FROM "contact" AS "t0"
WHERE
  NOT (
    (
      "t0"."interests" IS NULL
    ) OR (
      CARDINALITY("t0"."interests") = 0
    )
  )
  AND (
    CAST("t0"."interests" AS VARCHAR[]) @> ARRAY[CAST('running' AS VARCHAR)]
    OR CAST("t0"."interests" AS VARCHAR[]) @> ARRAY[CAST('yoga' AS VARCHAR)]
  )
  AND NOT (
    "t0"."opt_in" IS NULL
  )
  AND "t0"."opt_in" = TRUE
