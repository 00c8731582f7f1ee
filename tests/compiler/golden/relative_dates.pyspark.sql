SELECT
  `t0`.`contact_id`
FROM `contact` AS `t0`
WHERE
  (
    (
      `t0`.`last_login` >= CAST('2026-10-03T07:00:00' AS TIMESTAMP)
    )
    AND (
      `t0`.`last_login` <= CAST('2026-11-02T12:00:00' AS TIMESTAMP)
    )
  )
  OR (
    IF(
      MAKE_DATE(
        2026,
        EXTRACT(month FROM `t0`.`birthday`),
        IF(
          (
            EXTRACT(month FROM `t0`.`birthday`) = 2
          )
          AND (
            EXTRACT(day FROM `t0`.`birthday`) = 29
          ),
          28,
          EXTRACT(day FROM `t0`.`birthday`)
        )
      ) >= MAKE_DATE(2026, 11, 2),
      MAKE_DATE(
        2026,
        EXTRACT(month FROM `t0`.`birthday`),
        IF(
          (
            EXTRACT(month FROM `t0`.`birthday`) = 2
          )
          AND (
            EXTRACT(day FROM `t0`.`birthday`) = 29
          ),
          28,
          EXTRACT(day FROM `t0`.`birthday`)
        )
      ),
      MAKE_DATE(
        2027,
        EXTRACT(month FROM `t0`.`birthday`),
        IF(
          (
            EXTRACT(month FROM `t0`.`birthday`) = 2
          )
          AND (
            EXTRACT(day FROM `t0`.`birthday`) = 29
          ),
          28,
          EXTRACT(day FROM `t0`.`birthday`)
        )
      )
    ) <= MAKE_DATE(2026, 11, 9)
  )
  OR (
    `t0`.`last_login` < CAST('2026-09-02T07:00:00' AS TIMESTAMP)
  )
