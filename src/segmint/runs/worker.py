"""Executing a run: tasks in dependency order on a pool of workers, under a lease.

The run holds a lease that a heartbeat extends; a process that dies stops extending it, and
`reap_expired` marks such runs failed, never leaving them "running". A task's success is
recorded together with its new membership version in one store transaction. Cancelling
stops queued tasks at once and interrupts running ones.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass

from segmint.errors import InternalError, SegmintError, UserError
from segmint.progress import Progress, silent
from segmint.runs.status import RunStatus, TaskStatus
from segmint.store import Run, Store, Task, Writer


@dataclass(frozen=True)
class Outcome:
    """A task's written membership version, ready to be recorded."""

    version: int
    as_of: dt.datetime
    members: int
    entered: int
    exited: int


class TaskCancelledError(Exception):
    """Raised by a task function when it stopped because the run was cancelled."""


class LeaseLostError(UserError):
    """This process no longer holds the run: it stalled past its lease and was reaped."""


def _hold(w: Writer, run_id: int, owner: str) -> None:
    """Raise LeaseLostError unless this process still holds the run. Checked in the write
    transaction it guards, so nothing is written to a run another process has reaped."""
    run = w.run(run_id)
    if run.lease_owner != owner or run.status.finished:
        raise LeaseLostError(
            f"run {run_id} is no longer held by this process: its lease expired and it was "
            f"marked {run.status.value}; nothing more was recorded"
        )


TaskFn = Callable[[Task], Outcome]
SkipFn = Callable[[Task], "str | None"]  # a reason not to attempt a task (e.g. inactive)


def owner_name() -> str:
    """A lease owner id: host, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class WorkerOptions:
    workers: int = 2
    lease_seconds: float = 60.0
    poll_seconds: float = 0.1


class _Heartbeat(threading.Thread):
    """Extends the run's lease until stopped; notes when the lease is lost."""

    def __init__(self, store: Store, run_id: int, owner: str, seconds: float) -> None:
        super().__init__(daemon=True, name=f"segmint-heartbeat-{run_id}")
        self.store, self.run_id, self.owner, self.seconds = store, run_id, owner, seconds
        self.stop = threading.Event()
        self.lost = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.seconds / 3):
            with self.store.write("worker") as w:
                if not w.take_lease(self.run_id, self.owner, self.seconds):
                    self.lost.set()
                    return


def execute_run(
    store: Store,
    run_id: int,
    task_fn: TaskFn,
    *,
    options: WorkerOptions | None = None,
    progress: Progress = silent,
    interrupt: Callable[[], None] | None = None,
    after_success: Callable[[Task, Outcome], None] | None = None,
    skip: SkipFn | None = None,
) -> Run:
    """Run every task of a queued run; returns the finished run."""
    opts = options or WorkerOptions()
    owner = owner_name()
    with store.write("worker") as w:
        run = w.run(run_id)
        if run.status is not RunStatus.QUEUED:
            raise UserError(f"run {run_id} is {run.status.value}, not queued")
        if not w.take_lease(run_id, owner, opts.lease_seconds):
            raise UserError(f"run {run_id} is being executed by another process")
        run = w.move_run(run_id, RunStatus.RUNNING)
    heartbeat = _Heartbeat(store, run_id, owner, opts.lease_seconds)
    heartbeat.start()
    try:
        cancelled = _drive(
            store, run, task_fn, opts, progress, interrupt, after_success, heartbeat, skip, owner
        )
    finally:
        heartbeat.stop.set()
        heartbeat.join()
    with store.write("worker") as w:
        _hold(w, run_id, owner)
        final = w.run(run_id)
        if cancelled:
            status = RunStatus.CANCELLED
        elif any(t.status is TaskStatus.FAILED for t in final.tasks):
            status = RunStatus.FAILED
        else:
            status = RunStatus.SUCCEEDED
        failed = [t.segment for t in final.tasks if t.status is TaskStatus.FAILED]
        error = f"failed: {', '.join(failed)}" if failed else None
        return w.move_run(run_id, status, error=error)


def _drive(
    store: Store,
    run: Run,
    task_fn: TaskFn,
    opts: WorkerOptions,
    progress: Progress,
    interrupt: Callable[[], None] | None,
    after_success: Callable[[Task, Outcome], None] | None,
    heartbeat: _Heartbeat,
    skip: SkipFn | None,
    owner: str,
) -> bool:
    """Schedule tasks as their inputs finish; True when the run was cancelled.

    A lost lease (the run was reaped while this process stalled) raises LeaseLostError;
    on any error escaping, running tasks are interrupted rather than waited for.
    """
    status = {t.segment: t.status for t in run.tasks}
    tasks = {t.segment: t for t in run.tasks}
    running: dict[Future[Outcome], Task] = {}
    total = len(tasks)
    cancelled = False
    with (
        ThreadPoolExecutor(
            max_workers=max(1, opts.workers), thread_name_prefix="segmint-task"
        ) as pool,
        _interrupted_on_error(interrupt, running),
    ):
        while True:
            if not cancelled and (_cancel_requested(store, run.id) or heartbeat.lost.is_set()):
                cancelled = True
                if interrupt is not None and running:
                    interrupt()
                with store.write("worker") as w:
                    _hold(w, run.id, owner)
                    for key, st in status.items():
                        if st is TaskStatus.QUEUED:
                            w.move_task(run.id, key, TaskStatus.CANCELLED)
                            status[key] = TaskStatus.CANCELLED
            if not cancelled:
                _start_ready(
                    store, run.id, tasks, status, running, pool, task_fn, opts, skip, owner
                )
            if not running:
                if cancelled or all(st.finished for st in status.values()):
                    break
                # Plans are topologically ordered, so with no task running some task must
                # have been startable; getting here means the plan is broken.
                raise InternalError(f"run {run.id}: no task can start")
            done, _ = wait(list(running), timeout=opts.poll_seconds, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                status[task.segment] = _finish(
                    store, run.id, task, future, cancelled, after_success, owner
                )
                finished = sum(1 for st in status.values() if st.finished)
                progress("refresh", finished, total, task.segment)
    return cancelled


@contextmanager
def _interrupted_on_error(
    interrupt: Callable[[], None] | None, running: dict[Future[Outcome], Task]
) -> Iterator[None]:
    """On an error leaving the loop, interrupt running tasks instead of waiting for them."""
    try:
        yield
    except BaseException:
        if interrupt is not None and running:
            interrupt()
        raise


def _start_ready(
    store: Store,
    run_id: int,
    tasks: dict[str, Task],
    status: dict[str, TaskStatus],
    running: dict[Future[Outcome], Task],
    pool: ThreadPoolExecutor,
    task_fn: TaskFn,
    opts: WorkerOptions,
    skip: SkipFn | None,
    owner: str,
) -> None:
    for key, task in tasks.items():
        if status[key] is not TaskStatus.QUEUED:
            continue
        deps = [status[d] for d in task.depends_on if d in status]
        if any(not d.finished for d in deps):
            continue
        bad = [d for d in task.depends_on if d in status and status[d] is not TaskStatus.SUCCEEDED]
        with store.write("worker") as w:
            _hold(w, run_id, owner)
            if bad:
                reasons = ", ".join(f"{d} {status[d].value}" for d in bad)
                w.move_task(
                    run_id, key, TaskStatus.SKIPPED, error=f"input not refreshed: {reasons}"
                )
                status[key] = TaskStatus.SKIPPED
                continue
            reason = skip(task) if skip is not None else None
            if reason:
                w.move_task(run_id, key, TaskStatus.SKIPPED, error=reason)
                status[key] = TaskStatus.SKIPPED
                continue
            if len(running) >= max(1, opts.workers):
                return
            w.move_task(run_id, key, TaskStatus.RUNNING)
        status[key] = TaskStatus.RUNNING
        running[pool.submit(task_fn, task)] = task


def _finish(
    store: Store,
    run_id: int,
    task: Task,
    future: Future[Outcome],
    cancelled: bool,
    after_success: Callable[[Task, Outcome], None] | None,
    owner: str,
) -> TaskStatus:
    """Record a task's result: success together with its version, or the error."""
    try:
        outcome = future.result()
    except TaskCancelledError:
        with store.write("worker") as w:
            _hold(w, run_id, owner)
            w.move_task(run_id, task.segment, TaskStatus.CANCELLED)
        return TaskStatus.CANCELLED
    except Exception as exc:  # noqa: BLE001 - any failure of one task is recorded, not raised
        if cancelled:
            with store.write("worker") as w:
                _hold(w, run_id, owner)
                w.move_task(run_id, task.segment, TaskStatus.CANCELLED)
            return TaskStatus.CANCELLED
        message = _describe(exc)
        with store.write("worker") as w:
            _hold(w, run_id, owner)
            w.move_task(run_id, task.segment, TaskStatus.FAILED, error=str(message)[:4000])
        return TaskStatus.FAILED
    with store.write("worker") as w:
        _hold(w, run_id, owner)
        w.record_version(
            task.segment,
            version=outcome.version,
            run_id=run_id,
            as_of=outcome.as_of,
            members=outcome.members,
            entered=outcome.entered,
            exited=outcome.exited,
        )
        w.move_task(
            run_id,
            task.segment,
            TaskStatus.SUCCEEDED,
            members=outcome.members,
            entered=outcome.entered,
            exited=outcome.exited,
            version=outcome.version,
        )
    if after_success is not None:
        after_success(task, outcome)
    return TaskStatus.SUCCEEDED


def _describe(exc: Exception) -> str:
    """A task's error as recorded: our own errors with the problems they list."""
    if isinstance(exc, UserError) and exc.problems:
        return f"{exc.message}: " + "; ".join(str(p) for p in exc.problems)
    if isinstance(exc, SegmintError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _cancel_requested(store: Store, run_id: int) -> bool:
    with store.read() as r:
        return r.run(run_id).cancel_requested


def reap_expired(store: Store) -> list[int]:
    """Mark runs whose lease expired (their process died) as failed; returns their ids."""
    reaped = []
    with store.write("reaper") as w:
        for run_id in w.expired_runs():
            run = w.run(run_id)
            for task in run.tasks:
                if task.status in (TaskStatus.QUEUED, TaskStatus.RUNNING):
                    w.move_task(
                        run_id,
                        task.segment,
                        TaskStatus.FAILED,
                        error="the process running this refresh stopped (lease expired)",
                    )
            w.move_run(
                run_id,
                RunStatus.FAILED,
                error="the process running this run stopped (lease expired)",
            )
            reaped.append(run_id)
    return reaped
