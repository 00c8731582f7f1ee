"""Request and response bodies of the API (the OpenAPI contract), and record conversions."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from segmint.store import Consumer, Run, Segment, Task, Version

JsonObject = dict[str, Any]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DefinitionIn(_In):
    """A definition to evaluate or save (see docs/definition-language.md)."""

    audience: str = Field(min_length=1, max_length=64)
    timezone: str = Field(default="UTC", max_length=64)
    condition: JsonObject


class SegmentCreate(_In):
    """A new segment (saved as a draft)."""

    key: str = Field(min_length=1, max_length=100)
    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    type: Literal["dynamic", "static", "compound"] = "dynamic"
    audience: str = Field(min_length=1, max_length=64)
    timezone: str = Field(default="UTC", max_length=64)
    condition: JsonObject | None = None  # required unless static
    tags: list[str] = Field(default_factory=list, max_length=50)


class SegmentPatch(_In):
    """Settings to change on a segment (leave out what stays)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    tags: list[str] | None = Field(default=None, max_length=50)


class DuplicateIn(_In):
    key: str = Field(min_length=1, max_length=100)
    name: str | None = Field(default=None, max_length=200)


class WhenIn(_In):
    """Now, or at a scheduled time."""

    at: dt.datetime | None = None


class ConsumerIn(_In):
    kind: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=200)
    role: Literal["target", "suppression"] = "target"
    link: str = Field(default="", max_length=2000)


class IdsIn(_In):
    ids: list[str] = Field(min_length=1, max_length=100_000)


class QueryIn(_In):
    """A query over a static segment's audience: preview it, or add/remove its matches."""

    action: Literal["preview", "add", "remove"] = "preview"
    timezone: str = Field(default="UTC", max_length=64)
    condition: JsonObject
    select: list[str] | None = Field(default=None, max_length=100_000)
    limit: int = Field(default=100, ge=1, le=10_000)


class EvaluateIn(DefinitionIn):
    as_of: dt.datetime | None = None


class PreviewIn(EvaluateIn):
    fields: list[str] = Field(default_factory=list, max_length=100)
    limit: int = Field(default=100, ge=1, le=10_000)
    offset: int = Field(default=0, ge=0)


class ExplainIn(EvaluateIn):
    profile: str = Field(min_length=1, max_length=200)


class RunIn(_In):
    segments: list[str] = Field(default_factory=list, max_length=10_000)
    all: bool = False
    as_of: dt.datetime | None = None


class ScheduleIn(_In):
    cron: str = Field(min_length=1, max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    enabled: bool = True


class MakeDynamicIn(_In):
    """The definition a static segment gets (leave the body out to get its last one back)."""

    timezone: str = Field(default="UTC", max_length=64)
    condition: JsonObject


class CodeIn(_In):
    """Segment files by name (YAML or JSON text), as in a folder for `segmint plan`."""

    files: dict[str, str] = Field(max_length=10_000)
    prune: bool = False
    confirm: bool = False


# --- responses -------------------------------------------------------------------------


class SegmentOut(BaseModel):
    key: str
    name: str
    description: str
    audience: str
    type: str
    state: str
    status: str  # draft, live, or "live, editable"
    active: bool
    activate_at: dt.datetime | None
    deactivate_at: dt.datetime | None
    timezone: str
    owner: str
    business_unit: str
    tags: list[str]
    revision: int
    live_revision: int | None
    pending_revision: int | None
    current_version: int | None
    members: int | None
    last_refreshed_at: dt.datetime | None
    as_of: dt.datetime | None  # the time the current version's membership was evaluated at
    last_status: str | None
    last_error: str | None
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str


class SegmentDetail(SegmentOut):
    sentence: str
    definition: JsonObject
    definition_revision: int  # which revision `definition` and `sentence` are of


class SegmentPage(BaseModel):
    items: list[SegmentOut]
    next_cursor: str | None


class CountOut(BaseModel):
    count: int
    seconds: float
    as_of: dt.datetime
    sentence: str


class ValidationOut(BaseModel):
    valid: bool
    sentence: str | None
    problems: list[dict[str, str]]


class PageOut(BaseModel):
    fields: list[str]
    rows: list[JsonObject]
    limit: int
    next_cursor: str | None = None
    version: int | None = None


class ExplainNode(BaseModel):
    """One condition of an explanation: its verdict for the profile and the values seen."""

    path: str  # where the condition is in the definition, e.g. condition.conditions[1]
    type: str  # the node type (attribute, behavior, and, or, not...)
    text: str  # the condition as a sentence
    result: bool  # whether the profile meets it
    values: JsonObject  # what was looked at (the attribute's value, the count...)
    children: list[ExplainNode]


class ExplainOut(BaseModel):
    profile: Any
    member: bool
    tree: ExplainNode


class SqlOut(BaseModel):
    sql: str


class ConsumerOut(BaseModel):
    id: int
    kind: str
    name: str
    role: str
    link: str
    registered_at: dt.datetime


class UsageOut(BaseModel):
    segments: list[str]
    live_compounds: list[str]
    consumers: list[ConsumerOut]


class StaticOut(BaseModel):
    members: list[str]  # one page, in key order
    count: int  # all the members
    next_cursor: str | None = None


class QueryOut(BaseModel):
    count: int
    already_members: int
    keys: list[str]
    changed: int


class TaskOut(BaseModel):
    segment: str
    status: str
    depends_on: list[str]
    revision: int | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    seconds: float | None
    members: int | None
    entered: int | None
    exited: int | None
    version: int | None
    error: str | None


class RunOut(BaseModel):
    id: int
    kind: str
    status: str
    requested_by: str
    as_of: dt.datetime | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    cancel_requested: bool
    error: str | None
    done: int
    total: int
    tasks: list[TaskOut]


class RunRequestOut(BaseModel):
    run: RunOut | None
    coalesced: dict[str, int]


class ConversionOut(BaseModel):
    """A segment whose type changed; `frozen` counts the members kept when made static."""

    segment: SegmentOut
    frozen: int | None
    refresh: RunRequestOut | None  # the refresh of a live segment made dynamic


class HistoryItem(BaseModel):
    run_id: int
    kind: str
    status: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    seconds: float | None
    members: int | None
    entered: int | None
    exited: int | None
    error: str | None


class TrendPoint(BaseModel):
    version: int
    at: dt.datetime
    as_of: dt.datetime
    members: int
    entered: int
    exited: int


class ScheduleOut(BaseModel):
    cron: str | None
    timezone: str | None
    enabled: bool
    next: list[dt.datetime]


class ChangeOut(BaseModel):
    key: str
    action: str
    fields: list[str]
    diff: str


class PlanOut(BaseModel):
    changes: list[ChangeOut]
    unchanged: list[str]


class ApplyOut(BaseModel):
    done: list[dict[str, str]]
    run: int | None


class ValueOut(BaseModel):
    value: str
    count: int  # rows holding it (list attributes: rows whose list holds it)


class ValuesOut(BaseModel):
    """The most frequent values of a text attribute starting with a prefix."""

    entity: str
    attribute: str
    prefix: str
    values: list[ValueOut]


class ScheduledOut(BaseModel):
    key: str
    name: str
    active: bool
    activate_at: dt.datetime | None
    deactivate_at: dt.datetime | None


class SystemOut(BaseModel):
    """The active-segment quota and the scheduled activations and deactivations."""

    max_active_segments: int  # refresh.max_active_segments in segmint.toml
    active_count: int  # live, active segments (they count against the quota)
    active_segments: list[str]
    scheduled: list[ScheduledOut]


class AttributeOut(BaseModel):
    name: str
    type: str
    label: str
    pii: bool
    operators: list[str]


class RelationshipOut(BaseModel):
    name: str
    target: str
    type: str
    label: str


class EntityOut(BaseModel):
    name: str
    label: str
    key: str
    audience: bool
    attributes: list[AttributeOut]
    relationships: list[RelationshipOut]
    interactions: list[str]


class InteractionOut(BaseModel):
    name: str
    label: str
    profile: str
    timestamp: str
    attributes: list[AttributeOut]


class ModelOut(BaseModel):
    entities: list[EntityOut]
    interactions: list[InteractionOut]
    audiences: list[str]


# --- conversions -------------------------------------------------------------------------


def segment_out(seg: Segment, as_of: dt.datetime | None = None) -> SegmentOut:
    """A segment as the API shows it; `as_of` is its current version's (see `Reader.as_of`)."""
    return SegmentOut(
        key=seg.key,
        name=seg.name,
        description=seg.description,
        audience=seg.audience,
        type=seg.type.value,
        state=seg.state.value,
        status=seg.status_label,
        active=seg.active,
        activate_at=seg.activate_at,
        deactivate_at=seg.deactivate_at,
        timezone=seg.timezone,
        owner=seg.owner,
        business_unit=seg.business_unit,
        tags=list(seg.tags),
        revision=seg.revision,
        live_revision=seg.live_revision,
        pending_revision=seg.pending_revision,
        current_version=seg.current_version,
        members=seg.members,
        last_refreshed_at=seg.last_refreshed_at,
        as_of=as_of,
        last_status=seg.last_status,
        last_error=seg.last_error,
        created_at=seg.created_at,
        created_by=seg.created_by,
        updated_at=seg.updated_at,
        updated_by=seg.updated_by,
    )


def task_out(task: Task) -> TaskOut:
    return TaskOut(
        segment=task.segment,
        status=task.status.value,
        depends_on=list(task.depends_on),
        revision=task.revision,
        started_at=task.started_at,
        finished_at=task.finished_at,
        seconds=task.seconds,
        members=task.members,
        entered=task.entered,
        exited=task.exited,
        version=task.version,
        error=task.error,
    )


def run_out(run: Run) -> RunOut:
    done, total = run.progress
    return RunOut(
        id=run.id,
        kind=run.kind,
        status=run.status.value,
        requested_by=run.requested_by,
        as_of=run.as_of,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        cancel_requested=run.cancel_requested,
        error=run.error,
        done=done,
        total=total,
        tasks=[task_out(t) for t in run.tasks],
    )


def consumer_out(c: Consumer) -> ConsumerOut:
    return ConsumerOut(
        id=c.id, kind=c.kind, name=c.name, role=c.role, link=c.link, registered_at=c.registered_at
    )


def trend_point(v: Version) -> TrendPoint:
    return TrendPoint(
        version=v.version,
        at=v.created_at,
        as_of=v.as_of,
        members=v.members,
        entered=v.entered,
        exited=v.exited,
    )
