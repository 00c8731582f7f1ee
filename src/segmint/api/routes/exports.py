"""Destinations and exports: add, list, show, test and remove destinations (secrets are never
shown back); create, change, run and follow exports; a segment's exports. Includes the
mirror routes (`routes/mirror.py`).

Runs are executed by the server's background exporter (`api/exporter.py`) unless `wait` is
true, in which case the answer is the finished run.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from segmint.api.deps import get_app
from segmint.api.errors import ERROR_RESPONSES
from segmint.api.routes import mirror
from segmint.errors import UserError
from segmint.services import export_runs, exports
from segmint.services.context import App
from segmint.store.exports import ExportReader, ExportRunRecord

log = logging.getLogger("segmint.api")
router = APIRouter(tags=["exports"], responses=ERROR_RESPONSES)
router.routes.extend(mirror.router.routes)  # one router for the app to include
AppDep = Annotated[App, Depends(get_app)]
Setting = str | int | float | bool | None


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DestinationIn(_In):
    """A destination: a type with its settings (secrets included), and the ID mapping."""

    key: str = Field(min_length=1, max_length=100)
    name: str | None = Field(default=None, max_length=200)
    type: Literal["file", "database", "webhook", "segmint"]
    settings: dict[str, Setting] = Field(default_factory=dict, max_length=50)
    id_field: str = Field(default="", max_length=200)  # empty: the audience's key


class DestinationOut(BaseModel):
    key: str
    name: str
    type: str
    settings: dict[str, Any]  # secrets masked
    id_field: str
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str


class DestinationAdded(DestinationOut):
    generated_secret: str | None  # a webhook secret made for it: shown this once only


class DestinationPatch(_In):
    """What to change: settings given replace the stored ones (a secret given replaces the old
    one: rotation), `unset` ones go back to their defaults; `new_secret` makes a webhook a
    fresh signing secret, returned this once."""

    name: str | None = Field(default=None, max_length=200)
    settings: dict[str, Setting] = Field(default_factory=dict, max_length=50)
    unset: list[str] = Field(default_factory=list, max_length=50)
    id_field: str | None = Field(default=None, max_length=200)
    new_secret: bool = False


class DestinationEdited(DestinationOut):
    changed: list[str]  # names of what changed (secret values never shown)
    generated_secret: str | None


class LastRunOut(BaseModel):
    id: int
    export: str
    status: str
    trigger: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    error: str | None


class DestinationSummary(DestinationOut):
    exports: list[str]
    segments: list[str]  # every segment its exports send
    last_run: LastRunOut | None  # the newest run of its exports


class DestinationDetail(DestinationSummary):
    pass


class TestOut(BaseModel):
    ok: bool
    message: str


class ExportIn(_In):
    """An export: a destination, the segments it receives, output name -> source field."""

    key: str = Field(min_length=1, max_length=100)
    name: str | None = Field(default=None, max_length=200)
    destination: str = Field(min_length=1, max_length=100)
    segments: list[str] = Field(default_factory=list, max_length=10_000)
    fields: dict[str, str] = Field(default_factory=dict, max_length=500)


class ExportPatch(_In):
    name: str | None = Field(default=None, max_length=200)
    add_segments: list[str] = Field(default_factory=list, max_length=10_000)
    remove_segments: list[str] = Field(default_factory=list, max_length=10_000)
    fields: dict[str, str] | None = Field(default=None, max_length=500)


class ExportOut(BaseModel):
    key: str
    name: str
    destination: str
    fields: dict[str, str]
    segments: list[str]
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str


class ExportSummary(ExportOut):
    destination_type: str
    last_run: LastRunOut | None


class ExportRunOut(BaseModel):
    id: int
    export: str
    trigger: str
    status: str  # queued, running, succeeded, failed
    segments: list[str] | None
    snapshot: bool
    requested_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    seconds: float | None
    rows: int
    batches: int
    rejects: int
    errors: int
    error: str | None
    detail: list[dict[str, Any]]  # one entry per segment


class SegmentStatusOut(BaseModel):
    segment: str
    name: str
    status: str
    active: bool
    exported: bool
    skipped_because: str | None
    current_version: int | None
    delivered_version: int | None
    delivered_at: dt.datetime | None
    up_to_date: bool
    rejects: int


class PendingOut(BaseModel):
    segment: str
    version: int
    error: str | None


class ExportDetail(ExportOut):
    destination_type: str
    segment_status: list[SegmentStatusOut]
    pending_deliveries: list[PendingOut]
    last_run: ExportRunOut | None


class RunExportIn(_In):
    segments: list[str] | None = Field(default=None, max_length=10_000)
    snapshot: bool = False  # send full snapshots instead of changes
    wait: bool = False  # answer when the run is finished


class RunAllIn(_In):
    snapshot: bool = False
    wait: bool = False


class RejectOut(BaseModel):
    segment: str
    profile: str
    action: str
    reason: str
    run_id: int
    at: dt.datetime


def _run_out(run: ExportRunRecord) -> ExportRunOut:
    return ExportRunOut(**exports.run_json(run))


# --- destinations -------------------------------------------------------------------------


@router.get("/api/destinations", response_model=list[DestinationSummary])
def list_destinations(app: AppDep) -> list[DestinationSummary]:
    """Every destination (secrets masked), its exports, the segments it receives, and the
    newest run of its exports."""
    return [DestinationSummary(**d) for d in exports.destination_summaries(app)]


@router.post("/api/destinations", response_model=DestinationAdded, status_code=201)
def add_destination(body: DestinationIn, app: AppDep) -> DestinationAdded:
    """Add a destination; a webhook without a secret gets one, returned this once."""
    values = {k: v for k, v in body.settings.items() if v is not None}
    added = exports.add_destination(
        app, body.key, type=body.type, settings=values, name=body.name, id_field=body.id_field
    )
    return DestinationAdded(
        **exports.destination_json(added.destination), generated_secret=added.generated_secret
    )


@router.get("/api/destinations/{key}", response_model=DestinationDetail)
def get_destination(key: str, app: AppDep) -> DestinationDetail:
    """A destination with the exports using it and the segments it receives."""
    return DestinationDetail(**exports.show_destination(app, key))


@router.patch("/api/destinations/{key}", response_model=DestinationEdited)
def edit_destination(key: str, body: DestinationPatch, app: AppDep) -> DestinationEdited:
    """Change a destination's name, settings, ID mapping, or rotate its secret."""
    values = {k: v for k, v in body.settings.items() if v is not None}
    unset = [*body.unset, *(k for k, v in body.settings.items() if v is None)]
    edited = exports.edit_destination(
        app,
        key,
        name=body.name,
        settings=values,
        unset=unset,
        id_field=body.id_field,
        new_secret=body.new_secret,
    )
    return DestinationEdited(
        **exports.destination_json(edited.destination),
        changed=edited.changed,
        generated_secret=edited.generated_secret,
    )


@router.post("/api/destinations/{key}/test", response_model=TestOut)
def test_destination(key: str, app: AppDep) -> TestOut:
    """Try to reach the destination (connect, write a probe, send a signed ping)."""
    try:
        return TestOut(ok=True, message=exports.test_destination(app, key))
    except UserError as exc:
        if exc.code == "not_found":
            raise
        return TestOut(ok=False, message=exc.message)


@router.delete("/api/destinations/{key}", status_code=204)
def remove_destination(key: str, app: AppDep) -> Response:
    """Remove a destination no export uses (409 lists the exports otherwise)."""
    exports.remove_destination(app, key)
    return Response(status_code=204)


# --- exports ------------------------------------------------------------------------------


@router.get("/api/exports", response_model=list[ExportSummary])
def list_exports(
    app: AppDep,
    destination: Annotated[str | None, Query(max_length=100)] = None,
    segment: Annotated[str | None, Query(max_length=100)] = None,
) -> list[ExportSummary]:
    """Exports (with their destination's type and their last run), optionally those to a
    destination or those receiving a segment."""
    found = exports.export_summaries(app, destination=destination, segment=segment)
    return [ExportSummary(**e) for e in found]


@router.post("/api/exports", response_model=ExportOut, status_code=201)
def create_export(body: ExportIn, app: AppDep) -> ExportOut:
    """Create an export (draft and inactive segments may be chosen; they are skipped)."""
    record = exports.create_export(
        app,
        body.key,
        destination=body.destination,
        segments=body.segments,
        fields=exports.parse_fields([f"{k}={v}" for k, v in body.fields.items()]),
        name=body.name,
    )
    return ExportOut(**exports.export_json(record))


@router.post("/api/exports/run", response_model=list[ExportRunOut])
def run_all(body: RunAllIn, app: AppDep, request: Request) -> list[ExportRunOut]:
    """Export all now: a run of every export."""
    with app.store.read() as r:
        keys = [e.key for e in ExportReader(r).exports()]
    return [
        _start(app, request, key, segments=None, snapshot=body.snapshot, wait=body.wait)
        for key in keys
    ]


@router.get("/api/exports/{key}", response_model=ExportDetail)
def get_export(key: str, app: AppDep) -> ExportDetail:
    """An export with each segment's status there (exported or why not), pending work and
    the last run."""
    return ExportDetail(**exports.show_export(app, key))


@router.patch("/api/exports/{key}", response_model=ExportOut)
def patch_export(key: str, body: ExportPatch, app: AppDep) -> ExportOut:
    """Add or remove segments (removed ones stay as last exported), change the mapping."""
    record = exports.edit_export(
        app,
        key,
        add=body.add_segments,
        remove=body.remove_segments,
        fields=(
            exports.parse_fields([f"{k}={v}" for k, v in body.fields.items()])
            if body.fields is not None
            else None
        ),
        name=body.name,
    )
    return ExportOut(**exports.export_json(record))


@router.delete("/api/exports/{key}", status_code=204)
def delete_export(key: str, app: AppDep) -> Response:
    """Delete an export and its history (the destination keeps what it received)."""
    exports.delete_export(app, key)
    return Response(status_code=204)


@router.post(
    "/api/exports/{key}/run",
    response_model=ExportRunOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses={200: {"model": ExportRunOut, "description": "The finished run (wait=true)"}},
)
def run_export(
    key: str, app: AppDep, request: Request, response: Response, body: RunExportIn | None = None
) -> ExportRunOut:
    """Run an export now (all its segments, or some); with wait=true, answer when done."""
    given = body or RunExportIn()
    found = _start(
        app, request, key, segments=given.segments, snapshot=given.snapshot, wait=given.wait
    )
    if given.wait:
        response.status_code = 200
    return found


@router.get("/api/exports/{key}/runs", response_model=list[ExportRunOut])
def export_history(
    key: str, app: AppDep, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> list[ExportRunOut]:
    """The export's runs, newest first."""
    with app.store.read() as r:
        er = ExportReader(r)
        er.require_export(key)
        return [_run_out(run) for run in er.runs(key, limit=limit)]


@router.get("/api/exports/{key}/rejects", response_model=list[RejectOut])
def export_rejects(key: str, app: AppDep) -> list[RejectOut]:
    """Rows the destination refused; they are sent again with the next delivery."""
    with app.store.read() as r:
        ExportReader(r).require_export(key)
    return [RejectOut(**x) for x in exports.rejects_json(app, key)]


@router.get("/api/export-runs/{run_id}", response_model=ExportRunOut)
def get_export_run(
    run_id: Annotated[int, Path(ge=1, le=2_147_483_647)], app: AppDep
) -> ExportRunOut:
    with app.store.read() as r:
        return _run_out(ExportReader(r).run(run_id))


@router.get("/api/segments/{key}/exports", response_model=list[ExportSummary])
def segment_exports(key: str, app: AppDep) -> list[ExportSummary]:
    """The exports a segment is sent by, with their last run."""
    return [ExportSummary(**e) for e in exports.export_summaries(app, segment=key)]


def _start(
    app: App,
    request: Request,
    key: str,
    *,
    segments: list[str] | None,
    snapshot: bool,
    wait: bool,
) -> ExportRunOut:
    if wait:
        return _run_out(export_runs.run_export(app, key, segments=segments, snapshot=snapshot))
    export_runs.reap(app)
    queued = export_runs.request_run(app, key, segments=segments, snapshot=snapshot)
    exporter = getattr(request.app.state, "exporter", None)
    if exporter is not None:
        exporter.wake()  # the server's exporter runs it in the background
    else:
        export_runs.drain(app, key)
    return _run_out(queued)
