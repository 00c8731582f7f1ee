SELECT
  "t0"."contact_id"
FROM "contact" AS "t0"
WHERE
  (
    (
      "t0"."last_login" >= MAKE_TIMESTAMP(2026, 10, 3, 7, 0, 0.0)
    )
    AND (
      "t0"."last_login" <= MAKE_TIMESTAMP(2026, 11, 2, 12, 0, 0.0)
    )
  )
  OR (
    CASE
      WHEN MAKE_DATE(
        2026,
        EXTRACT(month FROM "t0"."birthday"),
        CASE
          WHEN (
            EXTRACT(month FROM "t0"."birthday") = 2
          )
          AND (
            EXTRACT(day FROM "t0"."birthday") = 29
          )
          THEN 28
          ELSE EXTRACT(day FROM "t0"."birthday")
        END
      ) >= MAKE_DATE(2026, 11, 2)
      THEN MAKE_DATE(
        2026,
        EXTRACT(month FROM "t0"."birthday"),
        CASE
          WHEN (
            EXTRACT(month FROM "t0"."birthday") = 2
          )
          AND (
            EXTRACT(day FROM "t0"."birthday") = 29
          )
          THEN 28
          ELSE EXTRACT(day FROM "t0"."birthday")
        END
      )
      ELSE MAKE_DATE(
        2027,
        EXTRACT(month FROM "t0"."birthday"),
        CASE
          WHEN (
            EXTRACT(month FROM "t0"."birthday") = 2
          )
          AND (
            EXTRACT(day FROM "t0"."birthday") = 29
          )
          THEN 28
          ELSE EXTRACT(day FROM "t0"."birthday")
        END
      )
    END <= MAKE_DATE(2026, 11, 9)
  )
  OR (
    "t0"."last_login" < MAKE_TIMESTAMP(2026, 9, 2, 7, 0, 0.0)
  )
