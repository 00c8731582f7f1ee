SELECT
  `t10`.`contact_id`
FROM (
  SELECT
    *
  FROM `contact` AS `t0`
  WHERE
    `t0`.`contact_id` IN (
      SELECT
        `t7`.`contact_id`
      FROM (
        SELECT
          `t4`.`contact_id`,
          COALESCE(SUM(`t4`.`amount`), 0) AS `v`
        FROM (
          SELECT
            *
          FROM `purchase` AS `t1`
          WHERE
            `t1`.`contact_id` IS NOT NULL
            AND `t1`.`at` <= CAST('2026-11-02T12:00:00' AS TIMESTAMP)
            AND `t1`.`at` >= CAST('2026-08-04T07:00:00' AS TIMESTAMP)
            AND `t1`.`category` = 'Shoes'
        ) AS `t4`
        GROUP BY
          1
      ) AS `t7`
      WHERE
        `t7`.`v` >= 100.0
    )
    AND NOT (
      (
        `t0`.`contact_id` IS NOT NULL
      )
      AND `t0`.`contact_id` IN (
        SELECT
          `t2`.`contact_id`
        FROM `email_opened` AS `t2`
        WHERE
          `t2`.`contact_id` IS NOT NULL
          AND `t2`.`at` <= CAST('2026-11-02T12:00:00' AS TIMESTAMP)
      )
    )
    AND `t0`.`contact_id` IN (
      SELECT
        `t6`.`contact_id`
      FROM (
        SELECT
          `t3`.`contact_id`,
          MAX(`t3`.`at`) AS `v`
        FROM (
          SELECT
            *
          FROM `purchase` AS `t1`
          WHERE
            `t1`.`contact_id` IS NOT NULL
            AND `t1`.`at` <= CAST('2026-11-02T12:00:00' AS TIMESTAMP)
        ) AS `t3`
        GROUP BY
          1
      ) AS `t6`
      WHERE
        `t6`.`v` < CAST('2026-10-19T07:00:00' AS TIMESTAMP)
    )
) AS `t10`
