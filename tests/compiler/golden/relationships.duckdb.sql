SELECT
  "t13"."contact_id"
FROM (
  SELECT
    *
  FROM "contact" AS "t0"
  WHERE
    "t0"."account_id" IS NOT NULL
    AND "t0"."account_id" IN (
      SELECT
        "t10"."account_id"
      FROM (
        SELECT
          *
        FROM "account" AS "t2"
        WHERE
          "t2"."region_id" IS NOT NULL
          AND "t2"."region_id" IN (
            SELECT
              "t3"."region_id"
            FROM "region" AS "t3"
            WHERE
              NOT (
                (
                  "t3"."name" IS NULL
                ) OR (
                  "t3"."name" = ''
                )
              )
              AND "t3"."name" = 'West'
          )
      ) AS "t10"
    )
    AND NOT (
      (
        "t0"."account_id" IS NOT NULL
      )
      AND "t0"."account_id" IN (
        SELECT
          "t2"."account_id"
        FROM "account" AS "t2"
        WHERE
          NOT (
            (
              "t2"."industry" IS NULL
            ) OR (
              "t2"."industry" = ''
            )
          )
      )
    )
    AND "t0"."contact_id" IS NOT NULL
    AND "t0"."contact_id" IN (
      SELECT
        "t1"."contact_id"
      FROM "order" AS "t1"
      WHERE
        "t1"."contact_id" IS NOT NULL
    )
    AND NOT (
      (
        "t0"."contact_id" IS NOT NULL
      )
      AND "t0"."contact_id" IN (
        SELECT
          "t1"."contact_id"
        FROM "order" AS "t1"
        WHERE
          "t1"."contact_id" IS NOT NULL
          AND NOT (
            NOT (
              (
                "t1"."status" IS NULL
              ) OR (
                "t1"."status" = ''
              )
            )
            AND (
              "t1"."status" = 'delivered'
            )
          )
      )
    )
    AND NOT (
      (
        "t0"."contact_id" IS NOT NULL
      )
      AND "t0"."contact_id" IN (
        SELECT
          "t6"."contact_id"
        FROM (
          SELECT
            "t5"."contact_id",
            COUNT(*) AS "n"
          FROM (
            SELECT
              *
            FROM "order" AS "t1"
            WHERE
              "t1"."contact_id" IS NOT NULL AND TRUE
          ) AS "t5"
          GROUP BY
            1
        ) AS "t6"
        WHERE
          NOT (
            NOT (
              "t6"."n" IS NULL
            ) AND (
              "t6"."n" < 3
            )
          )
      )
    )
) AS "t13"
