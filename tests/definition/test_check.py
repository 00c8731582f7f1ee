"""The checker reports every problem of a definition, each with its path."""

from __future__ import annotations

import pytest

from fixtures import shop
from segmint.definition.check import Limits, check_definition, ensure_valid
from segmint.definition.nodes import Definition
from segmint.errors import DefinitionError

CATALOG = shop.catalog()


def problems(condition: str, **kwargs: object) -> list[str]:
    definition = shop.definition(condition)
    return [str(p) for p in check_definition(CATALOG, definition, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (
            "{type: attribute, field: citty, op: eq, value: x}",
            "condition.field: contact has no attribute named 'citty'",
        ),
        (
            "{type: attribute, field: account.nope, op: eq, value: x}",
            "condition.field: account has no attribute named 'nope'",
        ),
        (
            "{type: attribute, field: orders.status, op: eq, value: x}",
            "condition.field: contact.orders is one-to-many",
        ),
        (
            "{type: attribute, field: city, op: gt, value: x}",
            "condition.op: 'gt' is not an operator for string",
        ),
        ("{type: attribute, field: age, op: eq, value: '30'}", "condition.value: must be a whole"),
        ("{type: attribute, field: age, op: eq, value: 1.5}", "condition.value: must be a whole"),
        ("{type: attribute, field: age, op: eq, value: true}", "condition.value: must be a whole"),
        (
            "{type: attribute, field: score, op: between, value: [3, 1]}",
            "condition.value: low is greater than high",
        ),
        (
            "{type: attribute, field: score, op: between, value: [3]}",
            "condition.value: must be a list of two values",
        ),
        (
            "{type: attribute, field: city, op: in, value: []}",
            "condition.value: must be a non-empty",
        ),
        (
            "{type: attribute, field: city, op: in, value: [a, 3]}",
            "condition.value[1]: must be text",
        ),
        ("{type: attribute, field: city, op: eq, value: ''}", "condition.value: must not be empty"),
        (
            "{type: attribute, field: city, op: is_empty, value: x}",
            "condition.value: is_empty takes",
        ),
        (
            "{type: attribute, field: birthday, op: on, value: 2026-02-30}",
            "condition.value: must be a date",
        ),
        ("{type: attribute, field: birthday, op: in_last, value: 3}", "condition.unit: required"),
        (
            "{type: attribute, field: birthday, op: in_last, value: 3, unit: hour}",
            "condition.unit: hour applies to timestamps only",
        ),
        (
            "{type: attribute, field: last_login, op: in_last, value: -1, unit: day}",
            "condition.value: must be a whole number from 0",
        ),
        (
            "{type: attribute, field: last_login, op: anniversary_within, value: 3}",
            "condition.op: 'anniversary_within' is not an operator for timestamp",
        ),
        (
            "{type: attribute, field: city, op: eq, value: x, unit: day}",
            "condition.unit: eq takes no unit",
        ),
        (
            "{type: related, relationship: account}",
            "condition.relationship: contact.account is many-to-one",
        ),
        (
            "{type: related, relationship: nope}",
            "condition.relationship: contact has no relationship",
        ),
        (
            "{type: related, relationship: orders, match: all, count: {op: gt, value: 1}}",
            "condition.match: give either match or count",
        ),
        (
            "{type: related, relationship: orders, where: {type: attribute, field: city, op: is_empty}}",
            "condition.where.field: order has no attribute named 'city'",
        ),
        (
            "{type: behavior, interaction: visit}",
            "condition.interaction: contact has no interaction",
        ),
        (
            "{type: behavior, interaction: purchase, count: {op: is_empty}}",
            "condition.count.op: 'is_empty' is not an operator for integer",
        ),
        (
            "{type: behavior, interaction: purchase, aggregate: {fn: sum, field: category, op: gt, value: 1}}",
            "condition.aggregate.field: sum needs a number",
        ),
        (
            "{type: behavior, interaction: purchase, aggregate: {fn: sum, field: amount, op: is_empty}}",
            "condition.aggregate.op: 'is_empty' is not an operator",
        ),
        (
            "{type: behavior, interaction: purchase, window: {last: 3}}",
            "condition.window: last and unit",
        ),
        (
            "{type: behavior, interaction: purchase, window: {from: 2026-02-01, to: 2026-01-01}}",
            "condition.window: from is after to",
        ),
        (
            "{type: behavior, interaction: purchase, window: {last: 3, unit: day, from: 2026-01-01}}",
            "condition.window: give either",
        ),
        (
            "{type: behavior, interaction: purchase, count: {op: gt, value: 1}, "
            "occurrence: {which: last, op: is_empty}}",
            "condition: give at most one",
        ),
        (
            "{type: behavior, interaction: purchase, where: {type: behavior, interaction: purchase}}",
            "condition.where: behavior conditions are not available",
        ),
        ("{type: in_segment, segment: ghost}", "condition.segment: unknown segment 'ghost'"),
    ],
)
def test_each_bad_input_is_reported_with_its_path(condition: str, expected: str) -> None:
    found = problems(condition)
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_not_just_the_first() -> None:
    found = problems(
        """
        type: and
        conditions:
          - {type: attribute, field: citty, op: eq, value: x}
          - {type: attribute, field: city, op: gt, value: x}
          - {type: behavior, interaction: purchase, window: {last: 100001, unit: day}}
        """
    )
    assert [p.split(":")[0] for p in found] == [
        "condition.conditions[0].field",
        "condition.conditions[1].op",
        "condition.conditions[2].window.last",
    ]


def test_audience_and_time_zone_are_checked() -> None:
    d = Definition.model_validate(
        {
            "audience": "order",
            "timezone": "Mars/Olympus",
            "condition": {"type": "attribute", "field": "status", "op": "is_empty"},
        }
    )
    found = [str(p) for p in check_definition(CATALOG, d)]
    assert found[0].startswith("audience: 'order' is not an audience")
    assert found[1].startswith("timezone: unknown time zone 'Mars/Olympus'")


def test_segment_audience_must_match() -> None:
    account_segment = shop.definition("{type: attribute, field: industry, op: is_empty}", "account")
    found = problems("{type: in_segment, segment: accts}", segments={"accts": account_segment}.get)
    assert found == ["condition.segment: segment 'accts' is about account, not contact"]


def test_reference_cycles_are_rejected() -> None:
    a = shop.definition("{type: in_segment, segment: b}")
    b = shop.definition("{type: not, condition: {type: in_segment, segment: a}}")
    segments = {"a": a, "b": b}.get
    found = [str(p) for p in check_definition(CATALOG, a, key="a", segments=segments)]
    assert found == ["condition: reference cycle: a → b → a"]
    self_ref = [str(p) for p in check_definition(CATALOG, a, key="b", segments={"b": a}.get)]
    assert self_ref == ["condition: reference cycle: b → b"]


def test_limits_on_depth_count_and_size() -> None:
    leaf = "{type: attribute, field: city, op: is_empty}"
    deep = leaf
    for _ in range(5):
        deep = f"{{type: not, condition: {deep}}}"
    limits = Limits(max_depth=5, max_conditions=3, max_list_values=2, max_text_length=5)
    assert problems(deep, limits=limits) == [
        "condition" + ".condition" * 5 + ": nested deeper than the limit of 5",
        "condition: 6 conditions; the limit is 3",
    ]
    flat = "{type: or, conditions: [" + ", ".join([leaf] * 3) + "]}"
    assert problems(flat, limits=limits) == ["condition: 4 conditions; the limit is 3"]
    found = problems("{type: attribute, field: city, op: in, value: [a, b, c]}", limits=limits)
    assert found == ["condition.value: more than 2 values"]
    found = problems("{type: attribute, field: city, op: eq, value: abcdef}", limits=limits)
    assert found == ["condition.value: longer than 5 characters"]


def test_ensure_valid_raises_with_all_problems() -> None:
    d = shop.definition(
        "{type: and, conditions: [{type: attribute, field: a, op: eq, value: 1},"
        " {type: attribute, field: b, op: eq, value: 1}]}"
    )
    with pytest.raises(DefinitionError) as info:
        ensure_valid(CATALOG, d, where="x.yaml")
    assert info.value.message == "x.yaml is not a valid definition"
    assert len(info.value.problems) == 2


def test_valid_definitions_have_no_problems() -> None:
    assert (
        problems(
            "{type: behavior, interaction: purchase, window: {last: 2, unit: hour}, "
            "aggregate: {fn: max, field: at, op: in_last, value: 1, unit: day}}"
        )
        == []
    )
