"""Refreshing: planning runs, coalescing busy segments, versions, history and retention."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lifecycle_support import (
    AS_OF,
    any_of,
    copy_demo,
    current,
    document,
    evaluate,
    in_segment,
    rows,
    set_refresh,
    stored_versions,
)
from segmint.engines.duckdb import DuckDBEngine
from segmint.errors import InternalError, NotFoundError, UserError
from segmint.runs.status import RunStatus, TaskStatus
from segmint.services import segments
from segmint.services.context import App
from segmint.services.refresh import prune_versions, refresh, request_refresh, run_refresh
from segmint.store import Reader, SegmentType

# incomplete-profiles (logged in during the last 30 days) changes with as_of; the demo's
# data ends at AS_OF, so earlier times select more members.
LATER = AS_OF - dt.timedelta(days=20)
LATEST = AS_OF - dt.timedelta(days=10)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    root = copy_demo(tmp_path / "w")
    with App.open(root, actor="ann") as opened:
        yield opened


def get(app: App, key: str) -> segments.Segment:
    with app.store.read() as r:
        return r.require(key)


def unfinished(app: App) -> list[int]:
    with app.store.read() as r:
        return [run.id for run in r.runs(status=["queued", "running"])]


# --- requesting ------------------------------------------------------------------------


def test_request_errors(app: App) -> None:
    with pytest.raises(UserError, match="name the segments to refresh, or use --all"):
        request_refresh(app)
    with pytest.raises(NotFoundError, match="no segment with key 'nope'"):
        request_refresh(app, ["vip-customers", "nope"])
    with pytest.raises(UserError, match="only live segments are refreshed; go live first: b"):
        request_refresh(app, ["vip-customers", "black-friday-2025"])
    segments.create(
        app,
        document({"type": "in_segment", "segment": "vip-customers"}, key="crm"),
        type_=SegmentType.EXTERNAL,
    )
    with app.store.write("mirror") as w:  # live, as its own system keeps it
        w.update_segment("crm", "go_live", state="live", live_revision=1)
    with pytest.raises(UserError, match="external segments are refreshed by their own system: crm"):
        request_refresh(app, ["crm"])
    assert unfinished(app) == []


def test_a_request_plans_inputs_before_the_compound_segments_reading_them(app: App) -> None:
    segments.edit(
        app,
        "churn-risk",
        document({"type": "attribute", "field": "country", "op": "eq", "value": "UK"}),
    )
    requested = request_refresh(
        app, ["loyal-not-at-risk", "churn-risk", "vip-customers", "churn-risk"], as_of=AS_OF
    )
    run = requested.run
    assert run is not None and requested.coalesced == {}
    assert (run.status, run.kind, run.requested_by, run.as_of) == (
        RunStatus.QUEUED,
        "manual",
        "ann",
        AS_OF,
    )
    order = [t.segment for t in run.tasks]
    assert order == ["churn-risk", "vip-customers", "loyal-not-at-risk"]
    by_key = {t.segment: t for t in run.tasks}
    # Only inputs refreshed in the same run are waited for.
    assert by_key["loyal-not-at-risk"].depends_on == ("churn-risk", "vip-customers")
    assert by_key["churn-risk"].revision == 1  # the live revision, not the pending edit
    assert all(t.status is TaskStatus.QUEUED for t in run.tasks)


def test_refresh_all_covers_live_segments_and_scheduled_runs_skip_inactive_ones(
    app: App,
) -> None:
    live = {s.key for s in segments_in(app) if s.state.value == "live"}
    manual = request_refresh(app, all_segments=True)
    assert manual.run is not None
    assert {t.segment for t in manual.run.tasks} == live
    assert "dormant-accounts" in live and "hand-picked-vips" in live
    assert "black-friday-2025" not in live
    done = run_refresh(app, manual.run)
    assert done.status is RunStatus.SUCCEEDED
    scheduled = refresh(app, kind="scheduled", as_of=AS_OF)
    assert scheduled.run is not None and scheduled.run.kind == "scheduled"
    tasks = {t.segment: t for t in scheduled.run.tasks}
    assert "hand-picked-vips" not in tasks  # static segments change by hand, not by schedule
    assert tasks["dormant-accounts"].status is TaskStatus.SKIPPED
    assert tasks["dormant-accounts"].error == "inactive"
    assert scheduled.run.status is RunStatus.SUCCEEDED
    assert get(app, "dormant-accounts").last_status == "skipped"
    assert get(app, "dormant-accounts").current_version == 2  # from the manual run


def segments_in(app: App) -> list[segments.Segment]:
    with app.store.read() as r:
        return r.segments(sort="key")


def test_a_stopped_segment_keeps_its_last_version_and_is_not_refreshed(app: App) -> None:
    segments.stop(app, "big-baskets")
    with pytest.raises(UserError, match="only live segments are refreshed"):
        refresh(app, ["big-baskets"], as_of=AS_OF)
    seg = get(app, "big-baskets")
    assert seg.current_version == 1
    assert current(app, "big-baskets") == evaluate(app, "big-baskets")
    done = refresh(app, all_segments=True, as_of=AS_OF)
    assert done.run is not None
    assert "big-baskets" not in {t.segment for t in done.run.tasks}


# --- coalescing ------------------------------------------------------------------------


def test_a_segment_already_queued_is_coalesced(app: App) -> None:
    first = request_refresh(app, ["vip-customers"], as_of=AS_OF)
    assert first.run is not None
    again = request_refresh(app, ["vip-customers"])
    assert again.run is None and again.coalesced == {"vip-customers": first.run.id}
    # refresh() runs nothing either, and says which run has the segment.
    assert refresh(app, ["vip-customers"]) == again
    mixed = request_refresh(app, ["vip-customers", "churn-risk"])
    assert mixed.run is not None and mixed.coalesced == {"vip-customers": first.run.id}
    assert [t.segment for t in mixed.run.tasks] == ["churn-risk"]
    # Once the first run finished, the segment can be refreshed again.
    assert run_refresh(app, first.run).status is RunStatus.SUCCEEDED
    assert run_refresh(app, mixed.run).status is RunStatus.SUCCEEDED
    later = refresh(app, ["vip-customers"], as_of=AS_OF)
    assert later.run is not None and later.coalesced == {}
    assert get(app, "vip-customers").current_version == 3


def test_a_segment_being_refreshed_is_coalesced(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    started, release = threading.Event(), threading.Event()
    original = DuckDBEngine.write_version

    def slow(self: DuckDBEngine, segment: str, *args: Any, **kwargs: Any) -> Any:
        if segment == "vip-customers":
            started.set()
            assert release.wait(30)
        return original(self, segment, *args, **kwargs)

    monkeypatch.setattr(DuckDBEngine, "write_version", slow)
    app.engine  # noqa: B018 - open the engine before two threads use the app
    results: list[Any] = []
    worker = threading.Thread(
        target=lambda: results.append(refresh(app, ["vip-customers"], as_of=AS_OF))
    )
    worker.start()
    try:
        assert started.wait(30)
        busy = refresh(app, ["vip-customers", "churn-risk"], as_of=AS_OF)
    finally:
        release.set()
        worker.join(30)
    first = results[0].run
    assert first.status is RunStatus.SUCCEEDED
    assert busy.coalesced == {"vip-customers": first.id}
    assert busy.run is not None and [t.segment for t in busy.run.tasks] == ["churn-risk"]
    assert get(app, "vip-customers").current_version == 2


def test_two_threads_racing_get_one_run(app: App) -> None:
    barrier = threading.Barrier(2)
    results: list[Any] = []
    lock = threading.Lock()

    def ask() -> None:
        barrier.wait(10)
        got = request_refresh(app, ["vip-customers"], as_of=AS_OF)
        with lock:
            results.append(got)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    runs = [r.run for r in results if r.run is not None]
    assert len(runs) == 1
    other = next(r for r in results if r.run is None)
    assert other.coalesced == {"vip-customers": runs[0].id}
    assert run_refresh(app, runs[0]).status is RunStatus.SUCCEEDED


RACER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from segmint.services.context import App
    from segmint.services.refresh import request_refresh

    root, go = Path(sys.argv[1]), Path(sys.argv[2])
    with App.open(root, actor=sys.argv[3]) as app:
        while not go.exists():
            time.sleep(0.005)
        got = request_refresh(app, ["vip-customers", "churn-risk"])
        print(json.dumps({"run": got.run.id if got.run else None, "coalesced": got.coalesced}))
    """
)


def test_two_processes_racing_get_one_run(app: App, tmp_path: Path) -> None:
    go = tmp_path / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(app.ws.root), str(go), f"racer-{i}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    time.sleep(0.5)
    go.touch()
    answers = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        answers.append(json.loads(out))
    created = [a["run"] for a in answers if a["run"] is not None]
    assert len(created) == 1
    loser = next(a for a in answers if a["run"] is None)
    assert loser["coalesced"] == {"vip-customers": created[0], "churn-risk": created[0]}
    with app.store.read() as r:
        run = r.run(created[0])
    assert run_refresh(app, run).status is RunStatus.SUCCEEDED


# --- versions, history, trend ----------------------------------------------------------


def test_each_success_writes_a_complete_version_and_moves_the_pointer(app: App) -> None:
    key = "incomplete-profiles"  # logged in during the last 30 days: changes with as_of
    for as_of in (LATER, LATEST):
        done = refresh(app, [key], as_of=as_of)
        assert done.run is not None and done.run.status is RunStatus.SUCCEEDED
        seg = get(app, key)
        assert current(app, key) == evaluate(app, key, as_of=as_of)
        assert seg.members == len(current(app, key))
    with app.store.read() as r:
        series = r.versions(key)
    assert [v.version for v in series] == [1, 2, 3]
    assert [v.as_of for v in series] == [AS_OF, LATER, LATEST]
    for old, new in itertools.pairwise(series):
        before, after = rows(app, key, old.version), rows(app, key, new.version)
        assert (new.members, new.entered, new.exited) == (
            len(after),
            len(after - before),
            len(before - after),
        )
    assert len({v.members for v in series}) > 1  # the data moves with as_of


def test_history_and_trend(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "incomplete-profiles"
    start = dt.datetime.now(dt.UTC)
    refresh(app, [key], as_of=LATER)
    after_first = get(app, key).last_refreshed_at
    assert after_first is not None and after_first >= start
    # A failed refresh is in the history but moves neither the pointer nor last_refreshed_at.
    original = DuckDBEngine.write_version

    def broken(self: DuckDBEngine, *args: Any, **kwargs: Any) -> Any:
        raise InternalError("the engine failed: disk full")

    monkeypatch.setattr(DuckDBEngine, "write_version", broken)
    failed = refresh(app, [key], as_of=LATEST)
    assert failed.run is not None and failed.run.status is RunStatus.FAILED
    assert failed.run.error == f"failed: {key}"
    seg = get(app, key)
    assert (seg.current_version, seg.last_refreshed_at) == (2, after_first)
    assert (seg.last_status, seg.last_error) == ("failed", "the engine failed: disk full")
    monkeypatch.setattr(DuckDBEngine, "write_version", original)
    middle = dt.datetime.now(dt.UTC)
    refresh(app, [key], as_of=LATEST)
    seg = get(app, key)
    assert seg.current_version == 3 and seg.last_status == "succeeded" and seg.last_error is None
    assert seg.last_refreshed_at is not None and seg.last_refreshed_at > after_first
    with app.store.read() as r:
        history = r.history(key)
        everything = r.versions(key)
        recent = r.versions(key, since=middle)
        early = r.versions(key, until=middle)
        window = r.versions(key, since=start, until=middle)
    statuses = [(task.status, task.version) for _, task in history]
    assert statuses == [
        (TaskStatus.SUCCEEDED, 3),
        (TaskStatus.FAILED, None),
        (TaskStatus.SUCCEEDED, 2),
        (TaskStatus.SUCCEEDED, 1),  # the demo's first refresh
    ]
    runs = [run.id for run, _ in history]
    assert runs == sorted(runs, reverse=True)
    newest = history[0][1]
    assert (newest.members, newest.entered, newest.exited) == (
        everything[-1].members,
        everything[-1].entered,
        everything[-1].exited,
    )
    assert "disk full" in str(history[1][1].error)
    assert [v.version for v in everything] == [1, 2, 3]
    assert [v.version for v in recent] == [3]
    assert [v.version for v in early] == [1, 2]
    assert [v.version for v in window] == [2]
    assert [v.members for v in everything] == [t.members for _, t in reversed(history) if t.version]


# --- retention -------------------------------------------------------------------------


def test_old_versions_are_pruned_but_never_the_current_or_a_pinned_one(app: App) -> None:
    set_refresh(app.ws.root, keep_versions=2)
    key = "incomplete-profiles"
    with App.open(app.ws.root, actor="ann") as kept:
        with kept.store.write("reader") as w:
            pin = w.pin(key, 1, "a long download", 600)
            w.pin(key, 2, "an expired pin", -1)
        for i in range(4):
            refresh(kept, [key], as_of=AS_OF - dt.timedelta(days=5 * i))
        with kept.store.read() as r:
            versions = {v.version: v.pruned for v in r.versions(key)}
        assert versions == {1: False, 2: True, 3: True, 4: False, 5: False}
        assert stored_versions(kept, key) == {1, 4, 5}
        assert get(kept, key).current_version == 5
        assert current(kept, key) == evaluate(kept, key, as_of=AS_OF - dt.timedelta(days=15))
        # Unpinned, version 1 goes at the next refresh.
        with kept.store.write("reader") as w:
            w.unpin(pin)
        refresh(kept, [key], as_of=AS_OF)
        assert stored_versions(kept, key) == {5, 6}
        with kept.store.read() as r:
            assert [v.version for v in r.versions(key) if not v.pruned] == [5, 6]
        # Other segments' versions are left alone.
        assert stored_versions(kept, "vip-customers") == {1}


def test_a_reader_pinning_while_versions_are_pruned_never_loses_its_rows(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader pins the version it reads in a write transaction, checking it is not pruned.
    Pruning chooses and marks versions in one write transaction: the reader either pins in
    time (the version is kept) or sees it pruned; it never holds a version without rows."""
    set_refresh(app.ws.root, keep_versions=1)
    key = "vip-customers"
    seen: list[int | None] = []
    readers: list[threading.Thread] = []
    original = Reader.pinned_versions

    def pin_version_1() -> None:
        with app.store.write("reader") as w:
            if next(v for v in w.versions(key) if v.version == 1).pruned:
                seen.append(None)
            else:
                w.pin(key, 1, "a download", 600)
                seen.append(1)

    def racing(self: Reader, segment: str) -> set[int]:
        found = original(self, segment)
        if segment == key and not readers:  # a reader comes along right now
            readers.append(threading.Thread(target=pin_version_1))
            readers[0].start()
            readers[0].join(1.0)
        return found

    monkeypatch.setattr(Reader, "pinned_versions", racing)
    with App.open(app.ws.root, actor="ann") as kept:
        refresh(kept, [key], as_of=AS_OF)
        readers[0].join(30)
        with kept.store.read() as r:
            pruned = {v.version for v in r.versions(key) if v.pruned}
        if seen == [1]:
            assert pruned == set() and stored_versions(kept, key) == {1, 2}
        else:
            assert seen == [None]
            assert pruned == {1} and stored_versions(kept, key) == {2}


def test_prune_keeps_the_current_version_with_a_retention_of_one(app: App) -> None:
    set_refresh(app.ws.root, keep_versions=1)
    with App.open(app.ws.root, actor="ann") as kept:
        refresh(kept, ["vip-customers"], as_of=AS_OF)
        assert stored_versions(kept, "vip-customers") == {2}
        assert get(kept, "vip-customers").current_version == 2
        assert prune_versions(kept, "vip-customers") == []
        assert prune_versions(kept, "nope") == []
        assert current(kept, "vip-customers") == evaluate(kept, "vip-customers")


def test_progress_is_reported_per_task(app: App) -> None:
    seen: list[tuple[str, int, int, str]] = []
    refresh(
        app,
        ["vip-customers", "churn-risk"],
        as_of=AS_OF,
        progress=lambda step, done, total, detail="": seen.append((step, done, total, detail)),
    )
    assert [(s, d, t) for s, d, t, _ in seen] == [("refresh", 1, 2), ("refresh", 2, 2)]
    assert {d for *_, d in seen} == {"vip-customers", "churn-risk"}


# --- work reuse within a run -------------------------------------------------------------


def test_a_segment_referencing_another_reuses_its_members_from_the_same_run(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    import segmint.engines.duckdb as engine_module

    either = document(
        any_of(in_segment("vip-customers"), in_segment("churn-risk")), key="vip-or-churn"
    )
    segments.create(app, either)
    segments.go_live(app, "vip-or-churn", refresh_now=False)
    reused: list[bool] = []
    real = engine_module._reusable

    def spy(definition: Any, reuse: Any) -> bool:
        found = real(definition, reuse)
        reused.append(found)
        return found

    monkeypatch.setattr(engine_module, "_reusable", spy)
    requested = request_refresh(app, ["vip-or-churn", "churn-risk", "vip-customers"], as_of=LATER)
    assert requested.run is not None
    order = [t.segment for t in requested.run.tasks]
    # Placed after what it references, but neither waits for nor fails with it.
    assert order.index("vip-or-churn") > max(
        order.index("churn-risk"), order.index("vip-customers")
    )
    assert {t.segment: t.depends_on for t in requested.run.tasks}["vip-or-churn"] == ()
    done = run_refresh(app, requested.run)
    assert done.status is RunStatus.SUCCEEDED
    assert any(reused)
    seg = get(app, "vip-or-churn")
    assert seg.current_version is not None
    stored = set(app.engine.versions.read("vip-or-churn", "contact", seg.current_version))
    inline = app.engine.member_keys(app.definition(seg), as_of=LATER, segments=app.resolver())
    assert stored == inline and stored


def test_members_are_not_reused_when_the_referenced_definition_changed_since(app: App) -> None:
    """A reference evaluates the serving definition; members written from a pending edit's
    revision in the same run are not what it means, so they are not read."""
    from segmint.services.refresh import _Executor

    requested = request_refresh(app, ["vip-customers"], as_of=LATER)
    assert requested.run is not None
    executor = _Executor(app, requested.run)
    try:
        table = app.engine.versions.table("contact")
        executor.written["vip-customers"] = (table, 99, "{}")  # some other definition
        assert executor._reuse("vip-customers") is None
        serving = app.definition(get(app, "vip-customers"))
        executor.written["vip-customers"] = (table, 99, serving.model_dump_json())
        assert executor._reuse("vip-customers") == (table, 99)
        assert executor._reuse("churn-risk") is None  # not written in this run
    finally:
        executor.close()
        run_refresh(app, requested.run)
