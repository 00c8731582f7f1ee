SELECT
  `t0`.`contact_id`
FROM `contact` AS `t0`
WHERE
  `t0`.`city` IN ('Seattle', 'Zürich')
  AND `t0`.`age` >= 18
  AND `t0`.`age` <= 65
  AND NOT (
    NOT (
      (
        `t0`.`city` IS NULL
      ) OR (
        `t0`.`city` = ''
      )
    )
    AND CONTAINS(`t0`.`city`, 'x%_')
  )
