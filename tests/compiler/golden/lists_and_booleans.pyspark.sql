SELECT
  `t0`.`contact_id`
FROM `contact` AS `t0`
WHERE
  (
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
  AND `t0`.`opt_in` = TRUE
