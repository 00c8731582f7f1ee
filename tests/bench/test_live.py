"""The live-workspace measurements are right before they are timed: the workload goes live
in dependency order, compound segments store what set algebra over their inputs gives, a
single new interaction makes new versions current that equal a full evaluation, and the
draft count through the HTTP API equals the members."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from segmint.bench import api_count, live
from segmint.bench.cache import CachedData
from segmint.bench.tasks import Database
from segmint.bench.workload import WORKLOAD
from segmint.catalog import Catalog
from segmint.definition.check import referenced_segments
from segmint.definition.load import parse_document
from segmint.demo import DEMO_AS_OF
from segmint.errors import InternalError


@pytest.fixture(scope="module")
def sizes(small: CachedData, small_catalog: Catalog) -> dict[str, int]:
    db = Database(small.database, small_catalog, DEMO_AS_OF, read_only=True)
    try:
        return {s.key: len(db.segmint_members(s)) for s in WORKLOAD}
    finally:
        db.close()


@pytest.fixture(scope="module")
def folder(small: CachedData) -> Iterator[Path]:
    built = live.build(small.root, small.database)
    yield built
    shutil.rmtree(built, ignore_errors=True)


def test_the_workload_is_ordered_after_its_references() -> None:
    chain = [s.key for s in live.ordered()]
    assert sorted(chain) == sorted(s.key for s in WORKLOAD)
    for i, key in enumerate(chain):
        seg = live.ordered()[i]
        for _, ref in referenced_segments(seg.definition.condition):
            assert chain.index(ref) < i, f"{key} comes before {ref}"


def test_the_live_workspace_has_the_workload_live_and_refreshed(folder: Path) -> None:
    with live.open_app(folder) as app, app.store.read() as r:
        for seg in WORKLOAD:
            found = r.require(seg.key)
            assert found.state.value == "live"
            assert found.current_version is not None


def test_set_algebra_of_compound_conditions() -> None:
    members = {"a": {1, 2, 3}, "b": {2, 3, 4}, "c": {9}}
    conditions = live.compounds({s.key: 0 for s in WORKLOAD})
    assert set(conditions) == {"bench-compound-and", "bench-compound-or", "bench-compound-but-not"}

    def expected(condition: Mapping[str, object]) -> set[object]:
        doc = parse_document({"audience": "contact", "condition": condition})
        return live._expected(doc.definition.condition, members)

    ref = {"type": "in_segment"}
    assert expected(
        {"type": "and", "conditions": [{**ref, "segment": "a"}, {**ref, "segment": "b"}]}
    ) == {2, 3}
    assert expected(
        {"type": "or", "conditions": [{**ref, "segment": "a"}, {**ref, "segment": "c"}]}
    ) == {1, 2, 3, 9}
    but_not = {
        "type": "and",
        "conditions": [
            {**ref, "segment": "a"},
            {"type": "not", "condition": {**ref, "segment": "b"}},
        ],
    }
    assert expected(but_not) == {1}


def test_compound_segments_match_set_algebra(folder: Path, sizes: dict[str, int]) -> None:
    found = live.measure_compounds(folder, sizes, repeats=1, progress=_quiet, label="")
    assert set(found["per_segment"]) == set(live.compounds(sizes))
    rows = found["per_segment"]
    a, b = sorted(rows["bench-compound-and"]["inputs"].values(), reverse=True)
    assert rows["bench-compound-and"]["members"] <= min(a, b)
    assert rows["bench-compound-or"]["members"] >= max(rows["bench-compound-or"]["inputs"].values())
    assert rows["bench-compound-but-not"]["members"] < max(a, b)
    assert found["met"] == (found["worst_refresh_median"] < live.COMPOUND_TARGET)


def test_the_api_count_equals_the_members(folder: Path, sizes: dict[str, int]) -> None:
    found = api_count.measure(folder, DEMO_AS_OF, sizes, repeats=1)
    assert found["requests"] == len(WORKLOAD)
    assert found["http"]["median"] >= found["engine"]["median"] > 0
    assert set(found["per_segment"]) == set(sizes)


def test_the_api_count_stops_at_a_wrong_count(folder: Path, sizes: dict[str, int]) -> None:
    wrong = {**sizes, WORKLOAD[0].key: sizes[WORKLOAD[0].key] + 1}
    with pytest.raises(InternalError, match=f"{WORKLOAD[0].key}: the API answered 200"):
        api_count.measure(folder, DEMO_AS_OF, wrong, repeats=1)


def test_a_single_new_interaction_makes_new_versions_current(folder: Path) -> None:
    found = live.measure_single_event(folder, repeats=1, progress=_quiet, label="")
    assert found["kind"] in {"purchase", "web_visit", "email_opened", "email_sent"}
    assert found["segments_refreshed"]
    assert found["segments_checked"] > 0
    assert found["end_to_end"]["runs"] == 1
    assert found["met"] == (found["end_to_end"]["median"] < live.SINGLE_EVENT_TARGET)


def _quiet(step: str, done: int, total: int, detail: str = "") -> None:
    del step, done, total, detail


def test_a_server_that_cannot_start_is_reported(tmp_path: Path) -> None:
    with (
        pytest.raises(
            InternalError, match=r"segmint serve exited with 1: (.|\n)*not a Segmint workspace"
        ),
        api_count.server(tmp_path),
    ):
        pass
