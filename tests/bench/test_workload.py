"""The benchmark workload is right before it is fast: at a small scale every segment gives the
same members from Segmint, the hand-written SQL and pandas, is neither empty nor everyone,
and the 20 segments together use every kind of condition."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from segmint.bench import baseline_pandas
from segmint.bench.cache import CachedData
from segmint.bench.tasks import Database
from segmint.bench.workload import BY_KEY, WORKLOAD, expand, features, handwritten_sql, resolve
from segmint.catalog import AttrType, Catalog
from segmint.definition import nodes as n
from segmint.definition.check import check_definition
from segmint.demo import DEMO_AS_OF

KEYS = [s.key for s in WORKLOAD]


@pytest.fixture(scope="module")
def data(small: CachedData) -> CachedData:
    return small


@pytest.fixture(scope="module")
def catalog(small_catalog: Catalog) -> Catalog:
    return small_catalog


@pytest.fixture(scope="module")
def db(data: CachedData, catalog: Catalog) -> Iterator[Database]:
    found = Database(data.database, catalog, DEMO_AS_OF, read_only=True)
    yield found
    found.close()


@pytest.fixture(scope="module")
def frames(data: CachedData) -> dict[str, Any]:
    return baseline_pandas.load_frames(data.data)


@pytest.fixture(scope="module")
def sizes(data: CachedData) -> dict[str, int]:
    return {"contact": data.rows["contacts"], "account": data.rows["accounts"]}


def test_the_workload_has_twenty_segments_with_unique_keys() -> None:
    assert len(WORKLOAD) == 20
    assert len(set(KEYS)) == 20
    assert set(baseline_pandas.IMPLEMENTATIONS) == set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_every_definition_is_valid(key: str, catalog: Catalog) -> None:
    seg = BY_KEY[key]
    problems = check_definition(catalog, seg.definition, key=key, segments=resolve)
    assert problems == []


@pytest.mark.parametrize("key", KEYS)
def test_segmint_sql_and_pandas_find_the_same_members(
    key: str, db: Database, frames: dict[str, Any], sizes: dict[str, int]
) -> None:
    seg = BY_KEY[key]
    ours = db.segmint_members(seg)
    assert db.sql_members(seg) == ours
    assert baseline_pandas.members(key, frames, DEMO_AS_OF) == ours
    assert 0 < len(ours) < sizes[seg.audience], f"{key}: {len(ours)} members"


@pytest.mark.parametrize("key", ["vip-customers", "dormant-accounts"])
def test_counts_previews_and_exports_agree(key: str, db: Database, tmp_path: Path) -> None:
    seg = BY_KEY[key]
    assert db.segmint_count(seg) == db.sql_count(seg) > 0
    assert db.segmint_preview(seg) == db.sql_preview(seg)
    rows = [db.export(q, tmp_path / f"{i}.csv") for i, q in enumerate(_exports(db, seg))]
    assert rows[0] == rows[1] == db.sql_count(seg)
    first, second = ((tmp_path / f"{i}.csv").read_text(encoding="utf-8") for i in (0, 1))
    assert sorted(first.splitlines()) == sorted(second.splitlines())


def _exports(db: Database, seg: Any) -> list[str]:
    return [db.segmint_export_query(seg), db.sql_export_query(seg)]


def test_segment_references_expand_to_subqueries() -> None:
    sql = handwritten_sql(BY_KEY["loyal-not-at-risk"])
    assert "{segment:" not in sql
    for referenced in ("vip-customers", "repeat-customers-no-returns", "churn-risk"):
        assert f"({expand(BY_KEY[referenced].sql)})" in sql


# --- the workload covers every kind of condition ----------------------------------------


def _literals(model: type[n.Node], name: str) -> set[str]:
    """The values of a Literal-typed field (possibly optional)."""
    annotation = model.model_fields[name].annotation
    found: set[str] = set()
    for arg in typing.get_args(annotation) or (annotation,):
        found.update(a for a in typing.get_args(arg) if isinstance(a, str))
    return found


def required_features() -> set[str]:
    """Every kind of condition, read from the definition language itself."""
    union = typing.get_args(typing.get_args(n.Condition)[0])
    node_types = {t for cls in union for t in _literals(cls, "type")}
    return (
        node_types
        | {f"attribute:{t.value}" for t in AttrType}
        | {"attribute:of_interaction", "path:many_to_one", "nested", "timezone:local"}
        | {f"related:{m}" for m in _literals(n.Related, "match")}
        | {"related:count", "related:contact->order", "related:account->contact"}
        | {f"behavior:{fn}" for fn in _literals(n.Aggregate, "fn")}
        | {f"behavior:{w}" for w in _literals(n.Occurrence, "which")}
        | {"behavior:count", "behavior:where"}
        | {f"window:{u.value}" for u in n.TimeUnit}
        | {"window:range", "window:none"}
        | {f"op:{op}" for op in ("in_last", "in_next", "more_than_ago", "anniversary_within")}
        | {"op:is_empty", "op:is_not_empty", "audience:contact", "audience:account"}
    )


def test_the_workload_covers_every_kind_of_condition(catalog: Catalog) -> None:
    covered = set().union(*(features(s.definition, catalog) for s in WORKLOAD))
    missing = required_features() - covered
    assert not missing, f"no workload segment uses: {sorted(missing)}"


def test_the_coverage_walk_sees_through_nesting(catalog: Catalog) -> None:
    found = features(BY_KEY["mobile-sale-browsers"].definition, catalog)
    assert {"nested", "window:hour", "window:week", "behavior:max", "op:ends_with"} <= found
    assert "attribute:of_interaction" in found
