"""Every definition reads as one sentence."""

from __future__ import annotations

import pytest

from fixtures import shop
from segmint.definition.describe import describe

CATALOG = shop.catalog()


@pytest.mark.parametrize(
    ("condition", "sentence"),
    [
        ("{type: attribute, field: city, op: eq, value: Seattle}", 'City is "Seattle"'),
        ("{type: attribute, field: age, op: between, value: [18, 30]}", "Age is between 18 and 30"),
        (
            "{type: attribute, field: account.industry, op: in, value: [Retail, Apparel]}",
            'Account\'s industry is one of "Retail", "Apparel"',
        ),
        (
            "{type: attribute, field: last_login, op: in_last, value: 30, unit: day}",
            "Last login is in the last 30 days",
        ),
        (
            "{type: attribute, field: last_login, op: more_than_ago, value: 1, unit: month}",
            "Last login is more than 1 month ago",
        ),
        (
            "{type: attribute, field: birthday, op: anniversary_within, value: 7}",
            "Birthday has its anniversary within 7 days",
        ),
        ("{type: attribute, field: opt_in, op: is_true}", "Opt in is true"),
        ("{type: related, relationship: orders, match: none}", "Has no orders"),
        (
            "{type: related, relationship: orders, count: {op: gte, value: 3}}",
            "Number of orders ≥ 3",
        ),
        (
            "{type: behavior, interaction: email_opened, count: {op: gte, value: 2}, "
            "window: {last: 30, unit: day}, where: {type: attribute, field: email_name, "
            "op: contains, value: dress}}",
            'Has Email opened at least 2 times in the last 30 days where email name contains "dress"',
        ),
        (
            "{type: behavior, interaction: purchase, aggregate: {fn: sum, field: amount, op: gt, "
            "value: 100}}",
            "Total amount of Purchase > 100",
        ),
        (
            "{type: behavior, interaction: purchase, occurrence: {which: last, op: more_than_ago, "
            "value: 90, unit: day}}",
            "Last Purchase is more than 90 days ago",
        ),
        (
            "{type: and, conditions: [{type: or, conditions: [{type: attribute, field: city, "
            "op: eq, value: A}, {type: attribute, field: city, op: eq, value: B}]}, "
            "{type: not, condition: {type: in_segment, segment: churn}}]}",
            '(city is "A" or city is "B") and not in segment churn',
        ),
    ],
)
def test_sentences(condition: str, sentence: str) -> None:
    assert describe(shop.definition(condition), CATALOG) == sentence


def test_describe_without_a_catalog_still_reads() -> None:
    d = shop.definition("{type: attribute, field: city, op: eq, value: Seattle}")
    assert describe(d) == 'City is "Seattle"'
