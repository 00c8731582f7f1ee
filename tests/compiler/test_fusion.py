"""Property test: conjunctions whose conditions read the same rows, which the compiler fuses
into one subquery (segmint.compiler.fusion), select exactly what the reference selects."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings

from reference.evaluator import evaluate
from reference.strategies import CATALOG, make_dataset, resolve_segment, shared_row_cases
from segmint.definition import nodes as n
from segmint.engines.duckdb import DuckDBEngine

SEED = 20251102  # the day New York falls back
DATASET = make_dataset(seed=SEED)


@pytest.fixture(scope="module")
def engine() -> DuckDBEngine:
    return DuckDBEngine.in_memory(CATALOG, DATASET.tables)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=shared_row_cases(CATALOG, DATASET.rows))
def test_fused_conjunctions_select_what_the_reference_selects(
    engine: DuckDBEngine, case: tuple[n.Definition, dt.datetime]
) -> None:
    definition, as_of = case
    expected = evaluate(CATALOG, DATASET.rows, definition, as_of, segments=resolve_segment)
    actual = engine.member_keys(definition, as_of=as_of, segments=resolve_segment)
    assert actual == expected, (
        f"as_of={as_of.isoformat()} definition="
        f"{definition.model_dump_json(by_alias=True, exclude_defaults=True)}\n"
        f"only the reference: {sorted(map(repr, expected - actual))[:10]}\n"
        f"only the engine: {sorted(map(repr, actual - expected))[:10]}"
    )


def test_shared_rows_are_compiled_once(engine: DuckDBEngine) -> None:
    """Two reductions of the same purchase rows share one GROUP BY; "all match" is one scan."""
    both = n.Definition.model_validate(
        {
            "audience": "contact",
            "condition": {
                "type": "and",
                "conditions": [
                    {
                        "type": "behavior",
                        "interaction": "purchase",
                        "count": {"op": "gte", "value": 2},
                    },
                    {
                        "type": "behavior",
                        "interaction": "purchase",
                        "aggregate": {"fn": "sum", "field": "amount", "op": "gt", "value": 10},
                    },
                ],
            },
        }
    )
    sql = engine.sql(both, as_of=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert sql.count("GROUP BY") == 1
    assert sql.count('FROM "purchase"') == 1


def _sql(engine: DuckDBEngine, condition: dict[str, object]) -> str:
    definition = n.Definition.model_validate({"audience": "contact", "condition": condition})
    return engine.sql(definition, as_of=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_guards_against_missing_values_are_left_out_only_where_null_means_false(
    engine: DuckDBEngine,
) -> None:
    eq = {"type": "attribute", "field": "city", "op": "eq", "value": "Seattle"}
    neq = {"type": "attribute", "field": "city", "op": "neq", "value": "Seattle"}
    assert "IS NULL" not in _sql(engine, eq)  # NULL = 'Seattle' leaves the row out anyway
    assert "IS NULL" in _sql(engine, {"type": "not", "condition": eq})  # NOT NULL is NULL
    assert "IS NULL" in _sql(engine, neq)  # '' <> 'Seattle' is true: the guard stays
