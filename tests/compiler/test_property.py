"""Property test: the DuckDB engine selects exactly the members the reference evaluator does.

This module owns the engine-versus-reference comparison over random definitions: one seeded
dataset (from `reference.strategies`) is loaded into an in-memory DuckDB engine once per
module, then Hypothesis draws definitions covering every node and operator, in random time
zones, evaluated at random instants (many right at DST changes and local midnights), and
each result must equal `reference.evaluator.evaluate` on the same rows. Random trees rarely
put a value in the data right at a time boundary, so a second test draws single date/time
tests and `as_of` anchored on one value in the data (`time_cases`): local days across DST
changes, the start of a window, the `as_of` cut-off, exact hours.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings

from reference.evaluator import evaluate
from reference.strategies import CATALOG, cases, make_dataset, resolve_segment, time_cases
from segmint.definition import nodes as n
from segmint.engines.duckdb import DuckDBEngine

SEED = 20250309  # the day Los Angeles springs forward
DATASET = make_dataset(seed=SEED)


@pytest.fixture(scope="module")
def engine() -> DuckDBEngine:
    return DuckDBEngine.in_memory(CATALOG, DATASET.tables)


def _explain(
    definition: n.Definition, as_of: dt.datetime, expected: set[object], actual: set[object]
) -> str:
    return (
        f"engine and reference disagree at as_of={as_of.isoformat()}\n"
        f"definition: {definition.model_dump_json(by_alias=True, exclude_defaults=True)}\n"
        f"only the reference selects: {sorted(map(repr, expected - actual))}\n"
        f"only the engine selects: {sorted(map(repr, actual - expected))}"
    )


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(CATALOG, DATASET.rows))
def test_engine_selects_what_the_reference_selects(
    engine: DuckDBEngine, case: tuple[n.Definition, dt.datetime]
) -> None:
    definition, as_of = case
    expected = evaluate(CATALOG, DATASET.rows, definition, as_of, segments=resolve_segment)
    actual = engine.member_keys(definition, as_of=as_of, segments=resolve_segment)
    assert actual == expected, _explain(definition, as_of, expected, set(actual))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=time_cases(CATALOG, DATASET.rows))
def test_engine_agrees_at_time_boundaries(
    engine: DuckDBEngine, case: tuple[n.Definition, dt.datetime]
) -> None:
    definition, as_of = case
    expected = evaluate(CATALOG, DATASET.rows, definition, as_of, segments=resolve_segment)
    actual = engine.member_keys(definition, as_of=as_of, segments=resolve_segment)
    assert actual == expected, _explain(definition, as_of, expected, set(actual))
