"""The plain records the store hands out: segments, runs, tasks, versions, consumers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from segmint.runs.status import RunStatus, TaskStatus


class SegmentType(StrEnum):
    """What produces a segment's members."""

    DYNAMIC = "dynamic"  # a definition, evaluated at each refresh
    STATIC = "static"  # hand-picked members, kept until removed
    COMPOUND = "compound"  # set logic over other live segments' stored members
    EXPANSION = "expansion"  # customers similar to a seed segment
    EXTERNAL = "external"  # a read-only mirror managed by another system


class SegmentState(StrEnum):
    """The lifecycle: drafts are edited freely; live segments are refreshed and usable."""

    DRAFT = "draft"
    LIVE = "live"


@dataclass(frozen=True)
class Segment:
    """A managed segment as stored."""

    key: str
    name: str
    description: str
    audience: str
    type: SegmentType
    state: SegmentState
    active: bool
    activate_at: dt.datetime | None
    deactivate_at: dt.datetime | None
    timezone: str
    owner: str
    business_unit: str
    revision: int
    live_revision: int | None
    pending_revision: int | None
    current_version: int | None
    members: int | None
    last_refreshed_at: dt.datetime | None
    last_status: str | None
    last_error: str | None
    external_source: str | None
    external_url: str | None
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str
    tags: tuple[str, ...] = ()

    @property
    def editing(self) -> bool:
        """Live with an edit waiting to be swapped in ("live, editable")."""
        return self.state is SegmentState.LIVE and self.pending_revision is not None

    @property
    def status_label(self) -> str:
        if self.editing:
            return "live, editable"
        return self.state.value

    @property
    def serving_revision(self) -> int:
        """The revision refreshes use: the live one while live, else the latest."""
        if self.state is SegmentState.LIVE and self.live_revision is not None:
            return self.live_revision
        return self.revision


@dataclass(frozen=True)
class Consumer:
    """Something outside Segmint that uses a segment (a journey, a campaign...)."""

    id: int
    segment: str
    kind: str
    name: str
    role: str
    link: str
    registered_at: dt.datetime


@dataclass(frozen=True)
class Task:
    """One segment's refresh inside a run."""

    run_id: int
    segment: str
    position: int
    depends_on: tuple[str, ...]
    revision: int | None
    status: TaskStatus
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    members: int | None
    entered: int | None
    exited: int | None
    version: int | None
    error: str | None

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class Run:
    """One refresh job over one or more segments."""

    id: int
    kind: str
    status: RunStatus
    schedule_key: str | None
    requested_by: str
    as_of: dt.datetime | None  # fixed evaluation time, or None for "now"
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    lease_owner: str | None
    lease_expires_at: dt.datetime | None
    cancel_requested: bool
    error: str | None
    tasks: tuple[Task, ...] = field(default_factory=tuple)

    @property
    def progress(self) -> tuple[int, int]:
        """(finished tasks, all tasks)."""
        return sum(1 for t in self.tasks if t.status.finished), len(self.tasks)


@dataclass(frozen=True)
class Version:
    """One stored membership version of a segment."""

    segment: str
    version: int
    run_id: int | None
    as_of: dt.datetime
    created_at: dt.datetime
    members: int
    entered: int
    exited: int
    pruned: bool


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    segment: str | None
    detail: dict[str, Any]
