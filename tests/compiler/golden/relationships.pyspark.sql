SELECT
  `t11`.`contact_id`
FROM (
  SELECT
    *
  FROM `contact` AS `t0`
  WHERE
    `t0`.`account_id` IN (
      SELECT
        `t7`.`account_id`
      FROM (
        SELECT
          *
        FROM `account` AS `t1`
        WHERE
          `t1`.`region_id` IN (
            SELECT
              `t3`.`region_id`
            FROM `region` AS `t3`
            WHERE
              `t3`.`name` = 'West'
          )
      ) AS `t7`
    )
    AND NOT (
      (
        `t0`.`account_id` IS NOT NULL
      )
      AND `t0`.`account_id` IN (
        SELECT
          `t1`.`account_id`
        FROM `account` AS `t1`
        WHERE
          NOT (
            (
              `t1`.`industry` IS NULL
            ) OR (
              `t1`.`industry` = ''
            )
          )
      )
    )
    AND `t0`.`contact_id` IN (
      SELECT
        `t9`.`contact_id`
      FROM (
        SELECT
          `t4`.`contact_id`,
          BOOL_AND(
            NOT (
              (
                `t4`.`status` IS NULL
              ) OR (
                `t4`.`status` = ''
              )
            )
            AND (
              `t4`.`status` = 'delivered'
            )
          ) AS `v0`,
          COUNT(*) AS `v1`
        FROM (
          SELECT
            *
          FROM `order` AS `t2`
          WHERE
            `t2`.`contact_id` IS NOT NULL
        ) AS `t4`
        GROUP BY
          1
      ) AS `t9`
      WHERE
        `t9`.`v0` AND NOT (
          `t9`.`v1` IS NULL
        ) AND `t9`.`v1` < 3
    )
) AS `t11`
