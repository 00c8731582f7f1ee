"""Faults: a refresh killed halfway, failing segments, interrupted and cancelled runs.

Whatever goes wrong, readers keep seeing the previous complete version, and the next
refresh produces the same members as a clean one.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
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
    copy_demo,
    current,
    document,
    evaluate,
    in_segment,
    rows,
    stored_versions,
)
from segmint.engines.duckdb import DuckDBEngine
from segmint.engines.versions import MembershipStore
from segmint.errors import InternalError, UserError
from segmint.runs.status import RunStatus, TaskStatus
from segmint.runs.worker import reap_expired
from segmint.services import segments
from segmint.services.context import App
from segmint.services.refresh import refresh, request_refresh, run_refresh
from segmint.store import Run

KEY = "incomplete-profiles"  # logged in during the last 30 days: members change with as_of
EARLIER = AS_OF - dt.timedelta(days=20)

CHILD = textwrap.dedent(
    """
    import datetime as dt, sys, time
    from pathlib import Path
    from segmint.engines.versions import MembershipStore
    from segmint.services import refresh as service
    from segmint.services.context import App

    root, marker, key, where = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    as_of = dt.datetime.fromisoformat(sys.argv[5])

    def hang():
        marker.write_text("hanging")
        time.sleep(600)

    if where == "engine":
        # Inside the engine's write transaction: the rows are inserted, not committed.
        def counts(self, *args):
            hang()
        MembershipStore._counts = counts
    else:
        # The engine committed the rows; the store has not recorded the version yet.
        call = service._Executor.__call__
        def after_write(self, task):
            outcome = call(self, task)
            hang()
            return outcome
        service._Executor.__call__ = after_write

    with App.open(root, actor="doomed") as app:
        service.refresh(app, [key], as_of=as_of)
    """
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "w", lease_seconds=2)


@pytest.fixture
def app(root: Path) -> Iterator[App]:
    with App.open(root, actor="ann") as opened:
        yield opened


def get(app: App, key: str) -> segments.Segment:
    with app.store.read() as r:
        return r.require(key)


def kill_halfway(root: Path, where: str, tmp_path: Path) -> None:
    """Run a refresh of KEY in another process and SIGKILL it at `where`."""
    marker = tmp_path / f"marker-{where}"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(marker), KEY, where, EARLIER.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if child.poll() is not None:
                pytest.fail(f"the refresh process ended early: {child.communicate()[1]}")
            assert time.monotonic() < deadline, "the refresh never reached the fault point"
            time.sleep(0.02)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL


def wait_for_lease_to_lapse(app: App, run_id: int) -> None:
    with app.store.read() as r:
        lease = r.run(run_id).lease_expires_at
    assert lease is not None
    pause = (lease - dt.datetime.now(dt.UTC)).total_seconds()
    time.sleep(max(0.0, pause) + 0.2)


@pytest.mark.parametrize("where", ["engine", "store"])
def test_a_refresh_killed_halfway_leaves_the_previous_version_serving(
    root: Path, tmp_path: Path, where: str
) -> None:
    with App.open(root) as app:
        before = get(app, KEY)
        serving = current(app, KEY)
    assert before.current_version == 1 and len(serving) == before.members

    kill_halfway(root, where, tmp_path)

    with App.open(root, actor="ann") as app:
        seg = get(app, KEY)
        assert (seg.current_version, seg.members) == (1, before.members)
        assert seg.last_refreshed_at == before.last_refreshed_at
        assert current(app, KEY) == serving  # readers still get the complete version 1
        with app.store.read() as r:
            dead = r.runs(limit=1)[0]
            assert [v.version for v in r.versions(KEY)] == [1]
        assert dead.requested_by == "doomed" and dead.status is RunStatus.RUNNING
        assert [t.status for t in dead.tasks] == [TaskStatus.RUNNING]
        leftovers = stored_versions(app, KEY) - {1}
        if where == "engine":
            assert leftovers == set()  # the open engine transaction died with the process
        else:
            assert leftovers == {2}  # written, never recorded: not visible to readers
            assert rows(app, KEY, 2) == evaluate(app, KEY, as_of=EARLIER) != serving

        # Once its lease lapses, the dead run is marked failed.
        wait_for_lease_to_lapse(app, dead.id)
        assert reap_expired(app.store) == [dead.id]
        with app.store.read() as r:
            reaped = r.run(dead.id)
        assert reaped.status is RunStatus.FAILED
        assert reaped.error == "the process running this run stopped (lease expired)"
        assert reaped.tasks[0].status is TaskStatus.FAILED
        seg = get(app, KEY)
        assert (seg.current_version, seg.last_status) == (1, "failed")
        assert seg.last_refreshed_at == before.last_refreshed_at

        # The next refresh succeeds, with exactly the members of a clean run.
        done = refresh(app, [KEY], as_of=AS_OF)
        assert done.run is not None and done.run.status is RunStatus.SUCCEEDED
        seg = get(app, KEY)
        assert seg.current_version == 2 and seg.last_status == "succeeded"
        assert current(app, KEY) == serving == evaluate(app, KEY, as_of=AS_OF)
        task = done.run.tasks[0]
        assert (task.members, task.entered, task.exited) == (len(serving), 0, 0)


def test_a_dead_run_blocks_its_segments_only_until_its_lease_lapses(
    root: Path, tmp_path: Path
) -> None:
    kill_halfway(root, "engine", tmp_path)
    with App.open(root, actor="ann") as app:
        with app.store.read() as r:
            dead = r.runs(limit=1)[0]
        wait_for_lease_to_lapse(app, dead.id)
        # Requesting a refresh reaps the dead run first, so the segment is not coalesced
        # into a run that will never finish.
        requested = request_refresh(app, [KEY], as_of=AS_OF)
        assert requested.coalesced == {} and requested.run is not None
        with app.store.read() as r:
            assert r.run(dead.id).status is RunStatus.FAILED
        assert run_refresh(app, requested.run).status is RunStatus.SUCCEEDED


# --- failures inside a run ------------------------------------------------------------------


def test_a_failing_segment_does_not_block_the_others_and_its_compound_is_skipped(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """churn-risk fails halfway through writing its version: its partial rows are rolled
    back; the unrelated segments succeed; loyal-not-at-risk, which reads churn-risk, is
    skipped and keeps its previous version."""
    before = {k: current(app, k) for k in ("churn-risk", "loyal-not-at-risk")}
    original = MembershipStore._counts

    def failing(self: MembershipStore, table: str, segment: str, *args: Any) -> Any:
        if segment == "churn-risk":
            raise InternalError("the engine failed: out of memory")
        return original(self, table, segment, *args)

    monkeypatch.setattr(MembershipStore, "_counts", failing)
    done = refresh(
        app,
        [
            "loyal-not-at-risk",
            "churn-risk",
            "vip-customers",
            "repeat-customers-no-returns",
            "big-baskets",
        ],
        as_of=AS_OF,
    )
    run = done.run
    assert run is not None and run.status is RunStatus.FAILED
    assert run.error == "failed: churn-risk"
    by_key = {t.segment: t for t in run.tasks}
    assert by_key["churn-risk"].status is TaskStatus.FAILED
    assert by_key["churn-risk"].error == "the engine failed: out of memory"
    for key in ("vip-customers", "repeat-customers-no-returns", "big-baskets"):
        assert by_key[key].status is TaskStatus.SUCCEEDED
        assert get(app, key).current_version == 2
    assert by_key["loyal-not-at-risk"].status is TaskStatus.SKIPPED
    assert by_key["loyal-not-at-risk"].error == "input not refreshed: churn-risk failed"
    for key in ("churn-risk", "loyal-not-at-risk"):
        seg = get(app, key)
        assert seg.current_version == 1
        assert current(app, key) == before[key]
        assert stored_versions(app, key) == {1}  # no partial rows of a version 2
    assert get(app, "loyal-not-at-risk").last_status == "skipped"


def test_a_compound_is_never_computed_from_an_input_that_cannot_be_read(app: App) -> None:
    """An input that fails to compile in the same run (its reference was deleted) fails;
    the compound reading it is skipped; a later run of the compound alone reads the
    input's last complete version."""
    segments.create(
        app,
        document({"type": "attribute", "field": "country", "op": "eq", "value": "UK"}, key="uk"),
    )
    segments.go_live(app, "uk")
    segments.edit(app, "churn-risk", document(in_segment("uk")))
    segments.save_edit(app, "churn-risk")
    churn = current(app, "churn-risk")
    segments.delete(app, "uk", confirm=True)
    done = refresh(app, ["churn-risk", "loyal-not-at-risk", "vip-customers"], as_of=AS_OF)
    assert done.run is not None
    by_key = {t.segment: t for t in done.run.tasks}
    assert by_key["churn-risk"].status is TaskStatus.FAILED
    assert "unknown segment 'uk'" in str(by_key["churn-risk"].error)
    assert by_key["vip-customers"].status is TaskStatus.SUCCEEDED
    assert by_key["loyal-not-at-risk"].status is TaskStatus.SKIPPED
    assert get(app, "loyal-not-at-risk").current_version == 1
    alone = refresh(app, ["loyal-not-at-risk"], as_of=AS_OF)
    assert alone.run is not None and alone.run.status is RunStatus.SUCCEEDED
    expected = (current(app, "vip-customers") | current(app, "repeat-customers-no-returns")) - churn
    assert current(app, "loyal-not-at-risk") == expected


# --- cancellation -----------------------------------------------------------------------------


def test_cancelling_a_queued_refresh(app: App) -> None:
    keys = ["churn-risk", "vip-customers", "loyal-not-at-risk"]
    versions = {k: get(app, k).current_version for k in keys}
    requested = request_refresh(app, keys, as_of=AS_OF)
    assert requested.run is not None
    with app.store.write("bob") as w:
        run = w.request_cancel(requested.run.id)  # nobody holds it yet: cancelled at once
    assert run.status is RunStatus.CANCELLED
    assert {t.status for t in run.tasks} == {TaskStatus.CANCELLED}
    with pytest.raises(UserError, match="is cancelled, not queued"):
        run_refresh(app, requested.run)
    assert {k: get(app, k).current_version for k in keys} == versions
    assert {get(app, k).last_status for k in keys} == {"succeeded"}
    assert request_refresh(app, keys).coalesced == {}  # nothing left waiting


def test_cancelling_interrupts_a_running_engine_query(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh stuck in a long engine query is interrupted by a cancel; the segment keeps
    its version; tasks still queued are cancelled."""
    started = threading.Event()
    original = DuckDBEngine.write_version

    def long_query(self: DuckDBEngine, segment: str, *args: Any, **kwargs: Any) -> Any:
        if segment == "vip-customers":
            started.set()
            self.con.execute("SELECT sum(i * i) FROM range(10000000000000) t(i)").fetchall()
        return original(self, segment, *args, **kwargs)

    monkeypatch.setattr(DuckDBEngine, "write_version", long_query)
    app.ws.settings.refresh.workers = 1
    requested = request_refresh(app, ["vip-customers", "vip-thank-you", "churn-risk"])
    assert requested.run is not None
    result: list[Run] = []
    worker = threading.Thread(target=lambda: result.append(run_refresh(app, requested.run)))
    worker.start()
    assert started.wait(60)
    with app.store.write("bob") as w:
        w.request_cancel(requested.run.id)
    worker.join(60)
    assert not worker.is_alive()
    run = result[0]
    assert run.status is RunStatus.CANCELLED
    assert {t.segment: t.status for t in run.tasks} == {
        "vip-customers": TaskStatus.CANCELLED,
        "vip-thank-you": TaskStatus.CANCELLED,
        "churn-risk": TaskStatus.CANCELLED,
    }
    seg = get(app, "vip-customers")
    assert (seg.current_version, seg.last_status) == (1, "succeeded")
    assert stored_versions(app, "vip-customers") == {1}
