"""Golden SQL per engine for representative definitions, reviewed as diffs.

The compiler emits engine-neutral Ibis expressions; each golden definition is compiled for
DuckDB, PostgreSQL and PySpark (compile only). Regenerate with UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import os
from pathlib import Path

import ibis
import pytest

from fixtures import shop
from segmint.compiler import compile_predicate

GOLDEN = Path(__file__).parent / "golden"


class _PySparkOptions(ibis.config.Config):
    """What the PySpark compiler reads from ibis.options.pyspark. The option group is
    registered when pyspark itself is imported; compiling alone does not need pyspark."""

    treat_nan_as_null: bool = False


if ibis.options.pyspark is None:
    ibis.options.pyspark = _PySparkOptions()
DIALECTS = ("duckdb", "postgres", "pyspark")

DEFINITIONS = {
    "text_and_number": """
        type: and
        conditions:
          - {type: attribute, field: city, op: in, value: [Seattle, Zürich]}
          - {type: attribute, field: age, op: between, value: [18, 65]}
          - {type: not, condition: {type: attribute, field: city, op: contains, value: "x%_"}}
    """,
    "relative_dates": """
        type: or
        conditions:
          - {type: attribute, field: last_login, op: in_last, value: 30, unit: day}
          - {type: attribute, field: birthday, op: anniversary_within, value: 7}
          - {type: attribute, field: last_login, op: more_than_ago, value: 2, unit: month}
    """,
    "relationships": """
        type: and
        conditions:
          - {type: attribute, field: account.region.name, op: eq, value: West}
          - {type: attribute, field: account.industry, op: is_empty}
          - type: related
            relationship: orders
            match: all
            where: {type: attribute, field: status, op: eq, value: delivered}
          - {type: related, relationship: orders, count: {op: lt, value: 3}}
    """,
    "behavior": """
        type: and
        conditions:
          - type: behavior
            interaction: purchase
            where: {type: attribute, field: category, op: eq, value: Shoes}
            window: {last: 90, unit: day}
            aggregate: {fn: sum, field: amount, op: gte, value: 100}
          - type: behavior
            interaction: email_opened
            count: {op: eq, value: 0}
          - type: behavior
            interaction: purchase
            occurrence: {which: last, op: more_than_ago, value: 14, unit: day}
    """,
    "lists_and_booleans": """
        type: and
        conditions:
          - {type: attribute, field: interests, op: has_any, value: [running, yoga]}
          - {type: attribute, field: opt_in, op: is_true}
    """,
}


def compiled(name: str, dialect: str) -> str:
    d = shop.definition(DEFINITIONS[name], timezone="America/Los_Angeles")
    table, pred = compile_predicate(shop.catalog(), d, as_of=shop.AS_OF)
    return str(ibis.to_sql(table.filter(pred).select("contact_id"), dialect=dialect)) + "\n"


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_golden_sql(name: str, dialect: str) -> None:
    path = GOLDEN / f"{name}.{dialect}.sql"
    sql = compiled(name, dialect)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(sql, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path.name}; run with UPDATE_GOLDEN=1"
    assert sql == path.read_text(encoding="utf-8")


def test_relative_dates_are_utc_literals() -> None:
    sql = compiled("relative_dates", "duckdb")
    # 30 days before 2026-11-02 in Los Angeles starts at 2026-10-03 00:00 PDT = 07:00 UTC.
    assert "MAKE_TIMESTAMP(2026, 10, 3, 7, 0, 0.0)" in sql
    # Two months before (2026-09-02) starts at 07:00 UTC too (still summer time).
    assert "MAKE_TIMESTAMP(2026, 9, 2, 7, 0, 0.0)" in sql
