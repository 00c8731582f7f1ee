SELECT
  `t0`.`contact_id`
FROM `contact` AS `t0`
WHERE
  NOT (
    (
      `t0`.`interests` IS NULL
    ) OR (
      SIZE(`t0`.`interests`) = 0
    )
  )
  AND (
    IF(
      `t0`.`interests` IS NULL,
      NULL,
      COALESCE(ARRAY_CONTAINS(`t0`.`interests`, 'running'), FALSE)
    )
    OR IF(
      `t0`.`interests` IS NULL,
      NULL,
      COALESCE(ARRAY_CONTAINS(`t0`.`interests`, 'yoga'), FALSE)
    )
  )
  AND NOT (
    `t0`.`opt_in` IS NULL
  )
  AND `t0`.`opt_in` = TRUE
