"""The run and task transition tables: what they allow, refuse, and how runs finish."""

from __future__ import annotations

import itertools

import pytest

from segmint.errors import InternalError
from segmint.runs.status import (
    RUN_TRANSITIONS,
    TASK_TRANSITIONS,
    IllegalTransitionError,
    RunStatus,
    TaskStatus,
    check_run,
    check_task,
)

RUN_ALLOWED = {
    (RunStatus.QUEUED, RunStatus.RUNNING),
    (RunStatus.QUEUED, RunStatus.CANCELLED),
    (RunStatus.QUEUED, RunStatus.FAILED),  # its process died before it started
    (RunStatus.RUNNING, RunStatus.SUCCEEDED),
    (RunStatus.RUNNING, RunStatus.FAILED),
    (RunStatus.RUNNING, RunStatus.CANCELLED),
}
TASK_ALLOWED = {
    (TaskStatus.QUEUED, TaskStatus.RUNNING),
    (TaskStatus.QUEUED, TaskStatus.SKIPPED),
    (TaskStatus.QUEUED, TaskStatus.CANCELLED),
    (TaskStatus.QUEUED, TaskStatus.FAILED),
    (TaskStatus.RUNNING, TaskStatus.SUCCEEDED),
    (TaskStatus.RUNNING, TaskStatus.FAILED),
    (TaskStatus.RUNNING, TaskStatus.CANCELLED),
}
RUN_PAIRS = list(itertools.product(RunStatus, repeat=2))
TASK_PAIRS = list(itertools.product(TaskStatus, repeat=2))


def _id(pair: tuple[RunStatus | TaskStatus, RunStatus | TaskStatus]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


def test_the_tables_cover_every_state() -> None:
    assert set(RUN_TRANSITIONS) == set(RunStatus)
    assert set(TASK_TRANSITIONS) == set(TaskStatus)


def test_the_tables_allow_exactly_these_transitions() -> None:
    assert {(a, b) for a, targets in RUN_TRANSITIONS.items() for b in targets} == RUN_ALLOWED
    assert {(a, b) for a, targets in TASK_TRANSITIONS.items() for b in targets} == TASK_ALLOWED


@pytest.mark.parametrize("pair", RUN_PAIRS, ids=[_id(p) for p in RUN_PAIRS])
def test_run_transition(pair: tuple[RunStatus, RunStatus]) -> None:
    old, new = pair
    if pair in RUN_ALLOWED:
        check_run(old, new)
    else:
        with pytest.raises(IllegalTransitionError, match=f"a run cannot go from {old} to {new}"):
            check_run(old, new)


@pytest.mark.parametrize("pair", TASK_PAIRS, ids=[_id(p) for p in TASK_PAIRS])
def test_task_transition(pair: tuple[TaskStatus, TaskStatus]) -> None:
    old, new = pair
    if pair in TASK_ALLOWED:
        check_task(old, new)
    else:
        with pytest.raises(IllegalTransitionError, match=f"a task cannot go from {old} to {new}"):
            check_task(old, new)


def test_no_state_goes_to_itself() -> None:
    assert all(s not in RUN_TRANSITIONS[s] for s in RunStatus)
    assert all(s not in TASK_TRANSITIONS[s] for s in TaskStatus)


@pytest.mark.parametrize("status", list(RunStatus))
def test_finished_runs_have_no_way_out(status: RunStatus) -> None:
    assert status.finished == (status in {"succeeded", "failed", "cancelled"})
    assert status.finished == (not RUN_TRANSITIONS[status])
    if status.finished:
        for new in RunStatus:
            with pytest.raises(IllegalTransitionError):
                check_run(status, new)


@pytest.mark.parametrize("status", list(TaskStatus))
def test_finished_tasks_have_no_way_out(status: TaskStatus) -> None:
    assert status.finished == (status not in {"queued", "running"})
    assert status.finished == (not TASK_TRANSITIONS[status])
    if status.finished:
        for new in TaskStatus:
            with pytest.raises(IllegalTransitionError):
                check_task(status, new)


def test_every_state_can_finish() -> None:
    """From any state a finished one is reachable: nothing gets stuck half way."""
    for table in (RUN_TRANSITIONS, TASK_TRANSITIONS):
        finished = {s for s, targets in table.items() if not targets}
        reaches = set(finished)
        while True:
            more = {s for s, targets in table.items() if targets & reaches} - reaches
            if not more:
                break
            reaches |= more
        assert reaches == set(table)


def test_an_illegal_transition_is_an_internal_error() -> None:
    """A bug in the caller, not something a user did: shown as an internal error."""
    assert issubclass(IllegalTransitionError, InternalError)
    with pytest.raises(InternalError) as caught:
        check_run(RunStatus.SUCCEEDED, RunStatus.RUNNING)
    assert caught.value.message == "a run cannot go from succeeded to running"
