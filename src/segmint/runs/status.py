"""Run and task states, and the one table of allowed transitions every change goes through."""

from __future__ import annotations

from enum import StrEnum

from segmint.errors import InternalError


class RunStatus(StrEnum):
    """Where a run is: waiting, working, or finished in one of three ways."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"  # every task succeeded or was skipped
    FAILED = "failed"  # at least one task failed, or the run's process died
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class TaskStatus(StrEnum):
    """Where one segment's refresh inside a run is."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"  # not attempted: inactive, or an input failed
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self not in (TaskStatus.QUEUED, TaskStatus.RUNNING)


RUN_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.CANCELLED, RunStatus.FAILED}),
    RunStatus.RUNNING: frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED}),
    RunStatus.SUCCEEDED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.CANCELLED: frozenset(),
}

TASK_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.QUEUED: frozenset(
        {TaskStatus.RUNNING, TaskStatus.SKIPPED, TaskStatus.CANCELLED, TaskStatus.FAILED}
    ),
    TaskStatus.RUNNING: frozenset({TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED}),
    TaskStatus.SUCCEEDED: frozenset(),
    TaskStatus.FAILED: frozenset(),
    TaskStatus.SKIPPED: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}


class IllegalTransitionError(InternalError):
    """A state change the transition table does not allow."""


def check_run(old: RunStatus, new: RunStatus) -> None:
    """Raise IllegalTransitionError unless a run may go from `old` to `new`."""
    if new not in RUN_TRANSITIONS[old]:
        raise IllegalTransitionError(f"a run cannot go from {old.value} to {new.value}")


def check_task(old: TaskStatus, new: TaskStatus) -> None:
    """Raise IllegalTransitionError unless a task may go from `old` to `new`."""
    if new not in TASK_TRANSITIONS[old]:
        raise IllegalTransitionError(f"a task cannot go from {old.value} to {new.value}")
