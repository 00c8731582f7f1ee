"""Values stay values: attack strings in definitions never become SQL, identifiers must be known."""

from __future__ import annotations

import pytest

from fixtures import shop
from segmint.definition.check import check_definition
from segmint.engines.duckdb import DuckDBEngine
from segmint.errors import DefinitionError

ATTACKS = [
    "'; DROP TABLE contact; --",
    "Seattle' OR '1'='1",
    '" OR 1=1 --',
    "%",
    "_",
    "\\",
    "\\%",
    "100%_\\",
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    'Robert\'); DELETE FROM "order";--',
    "\x00",
]


@pytest.fixture(scope="module")
def engine() -> DuckDBEngine:
    return DuckDBEngine.in_memory(shop.catalog(), shop.tables())


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("op", ["eq", "contains", "starts_with", "ends_with", "not_contains"])
def test_attack_values_are_compared_literally(engine: DuckDBEngine, attack: str, op: str) -> None:
    d = shop.definition({"type": "attribute", "field": "city", "op": op, "value": attack})
    cities = {"c1": "Seattle", "c4": "Zürich 100%_\\"}
    tests = {
        "eq": lambda c: c == attack,
        "contains": lambda c: attack in c,
        "starts_with": lambda c: c.startswith(attack),
        "ends_with": lambda c: c.endswith(attack),
        "not_contains": lambda c: attack not in c,
    }
    expected = {k for k, c in cities.items() if tests[op](c)}
    assert engine.member_keys(d, as_of=shop.AS_OF) == expected
    # The tables are intact.
    assert (
        engine.count(
            shop.definition("{type: attribute, field: contact_id, op: is_not_empty}"),
            as_of=shop.AS_OF,
        )
        == 4
    )


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_values_in_lists_and_related_tables(engine: DuckDBEngine, attack: str) -> None:
    d = shop.definition(
        {
            "type": "related",
            "relationship": "orders",
            "where": {
                "type": "attribute",
                "field": "status",
                "op": "in",
                "value": [attack, "returned"],
            },
        }
    )
    assert engine.member_keys(d, as_of=shop.AS_OF) == {"c1"}
    d = shop.definition({"type": "attribute", "field": "interests", "op": "has", "value": attack})
    assert engine.member_keys(d, as_of=shop.AS_OF) == set()


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_identifiers_and_operators_are_rejected(attack: str) -> None:
    catalog = shop.catalog()
    for condition in (
        {"type": "attribute", "field": attack, "op": "eq", "value": "x"},
        {"type": "attribute", "field": "city", "op": attack, "value": "x"},
        {"type": "related", "relationship": attack},
        {"type": "behavior", "interaction": attack},
        {"type": "in_segment", "segment": attack},
        {
            "type": "behavior",
            "interaction": "purchase",
            "aggregate": {"fn": "sum", "field": attack, "op": "gt", "value": 1},
        },
    ):
        problems = check_definition(catalog, shop.definition(condition))
        assert problems, condition


@pytest.mark.parametrize("field", ["fn", "which", "match", "unit"])
def test_attack_enum_values_are_rejected_by_the_schema(field: str) -> None:
    attack = "sum); DROP TABLE contact; --"
    node = {
        "fn": {
            "type": "behavior",
            "interaction": "purchase",
            "aggregate": {"fn": attack, "field": "amount", "op": "gt", "value": 1},
        },
        "which": {
            "type": "behavior",
            "interaction": "purchase",
            "occurrence": {"which": attack, "op": "is_empty"},
        },
        "match": {"type": "related", "relationship": "orders", "match": attack},
        "unit": {
            "type": "attribute",
            "field": "last_login",
            "op": "in_last",
            "value": 1,
            "unit": attack,
        },
    }[field]
    with pytest.raises(DefinitionError):
        shop.definition(node)


def test_audience_and_timezone_are_rejected() -> None:
    from segmint.definition.nodes import Definition

    d = Definition.model_validate(
        {
            "audience": "contact; DROP TABLE x",
            "timezone": "'; --",
            "condition": {"type": "attribute", "field": "city", "op": "is_empty"},
        }
    )
    assert len(check_definition(shop.catalog(), d)) == 2
