"""The data model (read), the system refresh schedule, and segments as code."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path, PurePosixPath
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from segmint.api.deps import get_app
from segmint.api.errors import ERROR_RESPONSES
from segmint.api.schemas import (
    ApplyOut,
    AttributeOut,
    ChangeOut,
    CodeIn,
    EntityOut,
    InteractionOut,
    ModelOut,
    PlanOut,
    RelationshipOut,
    ScheduledOut,
    ScheduleIn,
    ScheduleOut,
    SystemOut,
    ValueOut,
    ValuesOut,
)
from segmint.catalog import Attribute
from segmint.definition.operators import COUNT, operators_for
from segmint.errors import UserError
from segmint.runs.scheduler import Schedule, read_schedule, write_schedule
from segmint.services import code, values
from segmint.services.context import App

router = APIRouter(prefix="/api", tags=["system"], responses=ERROR_RESPONSES)
AppDep = Annotated[App, Depends(get_app)]


def _attribute(attr: Attribute) -> AttributeOut:
    return AttributeOut(
        name=attr.name,
        type=attr.type.value,
        label=attr.label,
        pii=attr.pii,
        operators=list(operators_for(attr.type)),
    )


@router.get("/model", response_model=ModelOut)
def model(app: AppDep) -> ModelOut:
    """Entities, attributes (with their operators), relationships and interactions."""
    catalog = app.engine.catalog
    return ModelOut(
        entities=[
            EntityOut(
                name=e.name,
                label=e.label,
                key=e.key,
                audience=e.audience,
                attributes=[_attribute(a) for a in e.attributes.values()],
                relationships=[
                    RelationshipOut(name=r.name, target=r.target, type=r.type, label=r.label)
                    for r in e.relationships.values()
                ],
                interactions=catalog.interactions_of(e.name),
            )
            for e in catalog.entities.values()
        ],
        interactions=[
            InteractionOut(
                name=i.name,
                label=i.label,
                profile=i.profile,
                timestamp=i.timestamp,
                attributes=[_attribute(a) for a in i.attributes.values()],
            )
            for i in catalog.interactions.values()
        ],
        audiences=catalog.audiences(),
    )


@router.get("/model/count-operators", response_model=list[str])
def count_operators() -> list[str]:
    """The operators a behavior count or a related-record count takes."""
    return list(COUNT)


@router.get("/model/{entity}/attributes/{attribute}/values", response_model=ValuesOut)
def attribute_values(
    entity: str,
    attribute: str,
    app: AppDep,
    prefix: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=values.MAX_LIMIT)] = 20,
) -> ValuesOut:
    """The most frequent values of a text attribute of an entity or interaction that start
    with `prefix` (any case), with how many rows hold each: value suggestions."""
    found = values.suggest(app, entity, attribute, prefix=prefix, limit=limit)
    return ValuesOut(
        entity=entity,
        attribute=attribute,
        prefix=prefix,
        values=[ValueOut(value=v.value, count=v.count) for v in found],
    )


@router.get("/system", response_model=SystemOut)
def system(app: AppDep) -> SystemOut:
    """The active-segment quota (configured limit and what counts against it) and the
    scheduled activations and deactivations."""
    with app.store.read() as r:
        active = r.count_active_live()
        segs = r.segments(sort="key")
    return SystemOut(
        max_active_segments=app.ws.settings.refresh.max_active_segments,
        active_count=len(active),
        active_segments=active,
        scheduled=[
            ScheduledOut(
                key=g.key,
                name=g.name,
                active=g.active,
                activate_at=g.activate_at,
                deactivate_at=g.deactivate_at,
            )
            for g in segs
            if g.activate_at is not None or g.deactivate_at is not None
        ],
    )


def _schedule_out(found: Schedule | None) -> ScheduleOut:
    if found is None:
        return ScheduleOut(cron=None, timezone=None, enabled=False, next=[])
    upcoming = found.next_fires(dt.datetime.now(dt.UTC)) if found.enabled else []
    return ScheduleOut(
        cron=found.cron, timezone=found.timezone, enabled=found.enabled, next=upcoming
    )


@router.get("/schedule", response_model=ScheduleOut)
def get_schedule(app: AppDep) -> ScheduleOut:
    """The system refresh cadence and its next fire times."""
    return _schedule_out(read_schedule(app.store))


@router.put("/schedule", response_model=ScheduleOut)
def put_schedule(body: ScheduleIn, app: AppDep) -> ScheduleOut:
    """Set the cadence (a cron expression read in a time zone)."""
    return _schedule_out(
        write_schedule(app.store, Schedule(body.cron, body.timezone, body.enabled), app.actor)
    )


def _folder(files: dict[str, str], where: Path) -> Path:
    for name, text in files.items():
        pure = PurePosixPath(name)
        if pure.name != name or not name.endswith((".yaml", ".yml", ".json")):
            raise UserError(f"file name {name[:80]!r}: a plain KEY.yaml / .yml / .json name")
        (where / name).write_text(text, encoding="utf-8")
    return where


@router.post("/code/plan", response_model=PlanOut)
def plan(body: CodeIn, app: AppDep) -> PlanOut:
    """What applying these segment files would change."""
    with tempfile.TemporaryDirectory(prefix="segmint-plan-") as tmp:
        result = code.plan(app, _folder(body.files, Path(tmp)), prune=body.prune)
    return PlanOut(
        changes=[
            ChangeOut(key=c.key, action=c.action, fields=list(c.fields), diff=c.diff)
            for c in result.changes
        ],
        unchanged=result.unchanged,
    )


@router.post("/code/apply", response_model=ApplyOut)
def apply(body: CodeIn, app: AppDep) -> ApplyOut:
    """Make the workspace's segments match these files."""
    with tempfile.TemporaryDirectory(prefix="segmint-apply-") as tmp:
        result = code.apply(
            app, _folder(body.files, Path(tmp)), prune=body.prune, confirm=body.confirm
        )
    return ApplyOut(done=[{"key": k, "result": v} for k, v in result.done], run=result.run_id)
