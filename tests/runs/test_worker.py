"""Executing runs: dependency order on a pool, results with versions, leases, cancellation."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from segmint.errors import DefinitionError, Problem, UserError
from segmint.runs import worker
from segmint.runs.status import RunStatus, TaskStatus
from segmint.runs.worker import (
    Outcome,
    TaskCancelledError,
    WorkerOptions,
    execute_run,
    reap_expired,
)
from segmint.store import Run, SegmentType, Store, Task

KEYS = ("a", "b", "c", "d", "e")
AS_OF = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
FAST = WorkerOptions(workers=2, lease_seconds=30, poll_seconds=0.01)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'segmint.db'}")
    with opened.write("ann") as w:
        for key in KEYS:
            w.create_segment(
                key=key,
                name=key,
                audience="contact",
                type=SegmentType.DYNAMIC,
                definition={},
                timezone="UTC",
            )
    yield opened
    opened.close()


def new_run(store: Store, plan: Sequence[tuple[str, Sequence[str]]]) -> int:
    with store.write("ann") as w:
        return w.create_run(kind="manual", plan=[(k, deps, 1) for k, deps in plan]).id


def statuses(run: Run) -> dict[str, TaskStatus]:
    return {t.segment: t.status for t in run.tasks}


class Tasks:
    """A task function: each key succeeds unless told to fail, skip or wait; records timing."""

    def __init__(self, store: Store, seconds: float = 0.0) -> None:
        self.store = store
        self.seconds = seconds
        self.fail: dict[str, Exception] = {}
        self.block: dict[str, threading.Event] = {}
        self.started: dict[str, threading.Event] = {k: threading.Event() for k in KEYS}
        self.interrupted = threading.Event()
        self.calls: list[str] = []
        self.spans: dict[str, tuple[float, float]] = {}
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def interrupt(self) -> None:
        self.interrupted.set()

    def __call__(self, task: Task) -> Outcome:
        begin = time.monotonic()
        with self.lock:
            self.calls.append(task.segment)
            self.running += 1
            self.most = max(self.most, self.running)
        self.started[task.segment].set()
        try:
            time.sleep(self.seconds)
            if task.segment in self.block:
                while not self.block[task.segment].wait(0.01):
                    if self.interrupted.is_set():
                        raise TaskCancelledError
            if task.segment in self.fail:
                raise self.fail[task.segment]
            with self.store.read() as r:
                version = r.next_version(task.segment)
            return Outcome(version, AS_OF, members=10, entered=10, exited=0)
        finally:
            with self.lock:
                self.running -= 1
                self.spans[task.segment] = (begin, time.monotonic())


def run_in_thread(fn: Callable[[], Run]) -> tuple[threading.Thread, list[Run | BaseException]]:
    out: list[Run | BaseException] = []

    def target() -> None:
        try:
            out.append(fn())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, out


# --- order, results ----------------------------------------------------------------------


def test_tasks_run_after_their_inputs_on_a_bounded_pool(store: Store) -> None:
    run_id = new_run(store, [("a", ()), ("b", ()), ("c", ()), ("d", ("a", "b")), ("e", ("d",))])
    tasks = Tasks(store, seconds=0.1)
    successes: list[str] = []
    seen: list[tuple[int, int]] = []
    run = execute_run(
        store,
        run_id,
        tasks,
        options=FAST,
        after_success=lambda task, outcome: successes.append(task.segment),
        progress=lambda step, done, total, detail="": seen.append((done, total)),
    )
    assert run.status is RunStatus.SUCCEEDED and run.error is None
    assert (run.lease_owner, run.lease_expires_at) == (None, None)
    assert run.started_at is not None and run.finished_at is not None
    assert statuses(run) == dict.fromkeys(KEYS, TaskStatus.SUCCEEDED)
    assert tasks.most == 2  # never more at once than workers
    assert tasks.spans["d"][0] >= max(tasks.spans["a"][1], tasks.spans["b"][1])
    assert tasks.spans["e"][0] >= tasks.spans["d"][1]
    assert sorted(successes) == sorted(KEYS)
    assert seen == [(i, 5) for i in range(1, 6)]
    with store.read() as r:
        for key in KEYS:
            seg = r.require(key)
            assert (seg.current_version, seg.members, seg.last_status) == (1, 10, "succeeded")
            assert [v.run_id for v in r.versions(key)] == [run_id]
    task = run.tasks[0]
    assert (task.version, task.members, task.entered, task.exited) == (1, 10, 10, 0)
    assert task.seconds is not None and task.seconds >= 0.1


def test_a_failure_skips_what_depends_on_it_and_nothing_else(store: Store) -> None:
    run_id = new_run(store, [("a", ()), ("b", ()), ("c", ("a",)), ("d", ("c",)), ("e", ("b",))])
    tasks = Tasks(store)
    tasks.fail["a"] = ValueError("boom")
    tasks.fail["b"] = UserError("input segment 'x' is not live")
    run = execute_run(store, run_id, tasks, options=FAST)
    assert run.status is RunStatus.FAILED
    assert run.error == "failed: a, b"
    by_key = {t.segment: t for t in run.tasks}
    assert by_key["a"].error == "ValueError: boom"
    assert by_key["b"].error == "input segment 'x' is not live"  # our own errors as they are
    assert by_key["c"].status is TaskStatus.SKIPPED
    assert by_key["c"].error == "input not refreshed: a failed"
    assert by_key["d"].error == "input not refreshed: c skipped"
    assert "c" not in tasks.calls and "d" not in tasks.calls
    with store.read() as r:
        assert r.require("a").current_version is None
        assert (r.require("a").last_status, r.require("c").last_status) == ("failed", "skipped")


def test_a_failure_is_recorded_with_the_problems_it_lists(store: Store) -> None:
    run_id = new_run(store, [("a", ())])
    tasks = Tasks(store)
    tasks.fail["a"] = DefinitionError(
        "definition is not valid", [Problem("segment", "unknown segment 'uk'")]
    )
    run = execute_run(store, run_id, tasks, options=FAST)
    assert run.tasks[0].error == "definition is not valid: segment: unknown segment 'uk'"
    with store.read() as r:
        assert r.require("a").last_error == run.tasks[0].error


def test_an_unrelated_segment_still_succeeds(store: Store) -> None:
    run_id = new_run(store, [("a", ()), ("b", ()), ("c", ())])
    tasks = Tasks(store)
    tasks.fail["b"] = RuntimeError("engine fell over")
    run = execute_run(store, run_id, tasks, options=FAST)
    assert statuses(run) == {
        "a": TaskStatus.SUCCEEDED,
        "b": TaskStatus.FAILED,
        "c": TaskStatus.SUCCEEDED,
    }
    assert run.status is RunStatus.FAILED


def test_a_skipped_task_does_not_fail_the_run(store: Store) -> None:
    run_id = new_run(store, [("a", ()), ("b", ("a",)), ("c", ())])
    tasks = Tasks(store)
    run = execute_run(
        store,
        run_id,
        tasks,
        options=FAST,
        skip=lambda task: "inactive" if task.segment == "a" else None,
    )
    assert run.status is RunStatus.SUCCEEDED
    assert [(t.status, t.error) for t in run.tasks] == [
        (TaskStatus.SKIPPED, "inactive"),
        (TaskStatus.SKIPPED, "input not refreshed: a skipped"),
        (TaskStatus.SUCCEEDED, None),
    ]
    assert tasks.calls == ["c"]  # skipped tasks are not attempted
    with store.read() as r:
        assert r.require("a").last_status == "skipped"


def test_only_a_queued_run_can_be_executed(store: Store) -> None:
    run_id = new_run(store, [("a", ())])
    assert execute_run(store, run_id, Tasks(store), options=FAST).status is RunStatus.SUCCEEDED
    with pytest.raises(UserError, match=f"run {run_id} is succeeded, not queued"):
        execute_run(store, run_id, Tasks(store), options=FAST)


def test_a_run_another_process_holds_is_refused(store: Store) -> None:
    run_id = new_run(store, [("a", ())])
    with store.write() as w:
        w.take_lease(run_id, "other-host:1:x", 60)
    tasks = Tasks(store)
    with pytest.raises(UserError, match=f"run {run_id} is being executed by another process"):
        execute_run(store, run_id, tasks, options=FAST)
    assert tasks.calls == []
    with store.read() as r:
        assert r.run(run_id).status is RunStatus.QUEUED


# --- cancellation ------------------------------------------------------------------------


def test_cancelling_a_queued_run(store: Store) -> None:
    run_id = new_run(store, [("a", ()), ("b", ("a",))])
    with store.write("bob") as w:
        run = w.request_cancel(run_id)  # nobody holds it: cancelled at once
    tasks = Tasks(store)
    with pytest.raises(UserError, match="cancelled, not queued"):
        execute_run(store, run_id, tasks, options=FAST)
    assert run.status is RunStatus.CANCELLED
    assert statuses(run) == {"a": TaskStatus.CANCELLED, "b": TaskStatus.CANCELLED}
    assert tasks.calls == []
    with store.read() as r:
        seg = r.require("a")
    assert (seg.current_version, seg.last_status) == (None, None)


def test_cancelling_a_running_run_interrupts_it(store: Store) -> None:
    # A version of "a" from before: it stays current.
    first = new_run(store, [("a", ())])
    execute_run(store, first, Tasks(store), options=FAST)
    run_id = new_run(store, [("a", ()), ("b", ("a",)), ("c", ())])
    tasks = Tasks(store)
    tasks.block["a"] = threading.Event()  # never set: only an interrupt ends it
    tasks.block["c"] = threading.Event()
    options = WorkerOptions(workers=2, lease_seconds=30, poll_seconds=0.01)
    thread, out = run_in_thread(
        lambda: execute_run(store, run_id, tasks, options=options, interrupt=tasks.interrupt)
    )
    assert tasks.started["a"].wait(10) and tasks.started["c"].wait(10)
    with store.write("bob") as w:
        w.request_cancel(run_id)
    thread.join(10)
    run = out[0]
    assert isinstance(run, Run) and run.status is RunStatus.CANCELLED
    assert statuses(run) == dict.fromkeys("abc", TaskStatus.CANCELLED)
    assert tasks.interrupted.is_set() and "b" not in tasks.calls
    with store.read() as r:
        seg = r.require("a")
        assert (seg.current_version, seg.last_status) == (1, "succeeded")
        assert [v.version for v in r.versions("a")] == [1]


def test_a_task_failing_because_of_the_cancel_counts_as_cancelled(store: Store) -> None:
    run_id = new_run(store, [("a", ())])
    tasks = Tasks(store)
    tasks.block["a"] = threading.Event()

    def interrupt() -> None:
        tasks.fail["a"] = RuntimeError("INTERRUPT Error: Interrupted!")
        tasks.block["a"].set()

    thread, out = run_in_thread(
        lambda: execute_run(store, run_id, tasks, options=FAST, interrupt=interrupt)
    )
    assert tasks.started["a"].wait(10)
    with store.write("bob") as w:
        w.request_cancel(run_id)
    thread.join(10)
    run = out[0]
    assert isinstance(run, Run) and run.status is RunStatus.CANCELLED
    assert statuses(run) == {"a": TaskStatus.CANCELLED}
    assert run.tasks[0].error is None


# --- leases ------------------------------------------------------------------------------


def test_the_heartbeat_keeps_a_long_run_alive(store: Store) -> None:
    run_id = new_run(store, [("a", ()), ("b", ("a",))])
    tasks = Tasks(store, seconds=1.0)
    options = WorkerOptions(workers=1, lease_seconds=1.2, poll_seconds=0.01)
    thread, out = run_in_thread(lambda: execute_run(store, run_id, tasks, options=options))
    reaped: list[int] = []
    leases: set[dt.datetime] = set()
    while thread.is_alive():
        reaped += reap_expired(store)
        with store.read() as r:
            lease = r.run(run_id).lease_expires_at
        if lease is not None:
            leases.add(lease)
        time.sleep(0.05)
    thread.join()
    run = out[0]
    assert reaped == []
    assert isinstance(run, Run) and run.status is RunStatus.SUCCEEDED
    assert len(leases) >= 3  # extended again and again


def dead_run(store: Store, plan: Sequence[tuple[str, Sequence[str]]], running: str) -> int:
    """A run whose process died: running, one task started, its lease lapsed."""
    run_id = new_run(store, plan)
    with store.write("worker") as w:
        w.take_lease(run_id, "gone-host:1:x", -1)
        w.move_run(run_id, RunStatus.RUNNING)
        w.move_task(run_id, running, TaskStatus.RUNNING)
    return run_id


def test_reap_expired_fails_runs_whose_process_died(store: Store) -> None:
    dead = dead_run(store, [("a", ()), ("b", ("a",))], running="a")
    queued = new_run(store, [("c", ())])
    alive = new_run(store, [("d", ())])
    with store.write("worker") as w:
        w.take_lease(alive, "here:1:x", 60)
        w.move_run(alive, RunStatus.RUNNING)
    assert reap_expired(store) == [dead]
    assert reap_expired(store) == []
    with store.read() as r:
        run = r.run(dead)
        assert run.status is RunStatus.FAILED
        assert run.error == "the process running this run stopped (lease expired)"
        assert [(t.status, t.error) for t in run.tasks] == [
            (TaskStatus.FAILED, "the process running this refresh stopped (lease expired)"),
            (TaskStatus.FAILED, "the process running this refresh stopped (lease expired)"),
        ]
        assert r.require("a").last_status == "failed"
        assert r.run(queued).status is RunStatus.QUEUED
        assert r.run(alive).status is RunStatus.RUNNING
        assert r.active_tasks(["a", "b", "c", "d"]) == {"c": queued, "d": alive}


def test_a_worker_whose_lease_was_taken_records_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that stalls past its lease is reaped; when it wakes up, it must not record
    versions or touch the tasks the reaper finished."""
    beats = threading.Event()  # the heartbeat stalls until this is set
    original = worker._Heartbeat.run

    def stalled(self: worker._Heartbeat) -> None:
        beats.wait(10)
        original(self)

    monkeypatch.setattr(worker._Heartbeat, "run", stalled)
    run_id = new_run(store, [("a", ()), ("b", ()), ("c", ("a",))])
    tasks = Tasks(store)
    tasks.block["a"] = threading.Event()
    options = WorkerOptions(workers=1, lease_seconds=0.3, poll_seconds=0.01)
    thread, out = run_in_thread(lambda: execute_run(store, run_id, tasks, options=options))
    assert tasks.started["a"].wait(10)
    time.sleep(0.5)
    assert reap_expired(store) == [run_id]
    tasks.block["a"].set()  # the stalled process wakes up: its task finishes
    beats.set()
    thread.join(10)
    assert not thread.is_alive()
    with store.read() as r:
        run = r.run(run_id)
        assert run.status is RunStatus.FAILED
        assert statuses(run) == dict.fromkeys("abc", TaskStatus.FAILED)
        assert r.versions("a") == [] and r.require("a").current_version is None
    result = out[0]
    assert isinstance(result, UserError), result
    assert f"run {run_id}" in str(result) and "lease" in str(result)
