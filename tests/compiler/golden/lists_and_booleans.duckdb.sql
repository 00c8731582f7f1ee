SELECT
  "t0"."contact_id"
FROM "contact" AS "t0"
WHERE
  (
    ARRAY_CONTAINS("t0"."interests", 'running')
    OR ARRAY_CONTAINS("t0"."interests", 'yoga')
  )
  AND "t0"."opt_in" = TRUE
