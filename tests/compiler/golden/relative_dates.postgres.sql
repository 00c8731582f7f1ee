SELECT
  "t0"."contact_id"
FROM "contact" AS "t0"
WHERE
  (
    (
      "t0"."last_login" >= CAST('2026-10-03T07:00:00' AS TIMESTAMP)
    )
    AND (
      "t0"."last_login" <= CAST('2026-11-02T12:00:00' AS TIMESTAMP)
    )
  )
  OR (
    CASE
      WHEN MAKE_DATE(
        CAST(2026 AS INT),
        CAST(EXTRACT(month FROM "t0"."birthday") AS INT),
        CAST(CASE
          WHEN (
            EXTRACT(month FROM "t0"."birthday") = 2
          )
          AND (
            EXTRACT(day FROM "t0"."birthday") = 29
          )
          THEN 28
          ELSE EXTRACT(day FROM "t0"."birthday")
        END AS INT)
      ) >= MAKE_DATE(2026, 11, 2)
      THEN MAKE_DATE(
        CAST(2026 AS INT),
        CAST(EXTRACT(month FROM "t0"."birthday") AS INT),
        CAST(CASE
          WHEN (
            EXTRACT(month FROM "t0"."birthday") = 2
          )
          AND (
            EXTRACT(day FROM "t0"."birthday") = 29
          )
          THEN 28
          ELSE EXTRACT(day FROM "t0"."birthday")
        END AS INT)
      )
      ELSE MAKE_DATE(
        CAST(2027 AS INT),
        CAST(EXTRACT(month FROM "t0"."birthday") AS INT),
        CAST(CASE
          WHEN (
            EXTRACT(month FROM "t0"."birthday") = 2
          )
          AND (
            EXTRACT(day FROM "t0"."birthday") = 29
          )
          THEN 28
          ELSE EXTRACT(day FROM "t0"."birthday")
        END AS INT)
      )
    END <= MAKE_DATE(2026, 11, 9)
  )
  OR (
    "t0"."last_login" < CAST('2026-09-02T07:00:00' AS TIMESTAMP)
  )
