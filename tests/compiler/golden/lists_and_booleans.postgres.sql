SELECT
  "t0"."contact_id"
FROM "contact" AS "t0"
WHERE
  (
    CAST("t0"."interests" AS VARCHAR[]) @> ARRAY[CAST('running' AS VARCHAR)]
    OR CAST("t0"."interests" AS VARCHAR[]) @> ARRAY[CAST('yoga' AS VARCHAR)]
  )
  AND "t0"."opt_in" = TRUE
