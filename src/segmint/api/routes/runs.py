"""Refresh runs: start (executed in the background), list, show with tasks, cancel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, status

from segmint.api.deps import get_app, idempotent
from segmint.api.errors import ERROR_RESPONSES
from segmint.api.schemas import RunIn, RunOut, RunRequestOut, run_out
from segmint.services.context import App
from segmint.services.refresh import request_refresh

router = APIRouter(prefix="/api/runs", tags=["runs"], responses=ERROR_RESPONSES)
AppDep = Annotated[App, Depends(get_app)]


@router.post("", response_model=RunRequestOut, status_code=status.HTTP_202_ACCEPTED)
def start_run(
    body: RunIn,
    app: AppDep,
    request: Request,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Any:
    """Queue a refresh of the named segments (or all live ones); it runs in the background.
    Segments already refreshing in another run are reported as coalesced."""

    def make() -> RunRequestOut:
        found = request_refresh(app, body.segments, all_segments=body.all, as_of=body.as_of)
        if found.run is not None:
            request.app.state.runner.submit(found.run.id)
        return RunRequestOut(
            run=run_out(found.run) if found.run else None, coalesced=found.coalesced
        )

    return idempotent(app, idempotency_key, "start-run", make)


@router.get("", response_model=list[RunOut])
def list_runs(
    app: AppDep,
    status_filter: Annotated[list[str] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[RunOut]:
    """Recent runs, newest first, with their tasks and progress."""
    with app.store.read() as r:
        return [run_out(run) for run in r.runs(limit=limit, status=status_filter or ())]


@router.get("/{run_id}", response_model=RunOut)
def get_run(run_id: int, app: AppDep) -> RunOut:
    with app.store.read() as r:
        return run_out(r.run(run_id))


@router.post("/{run_id}/cancel", response_model=RunOut)
def cancel_run(run_id: int, app: AppDep) -> RunOut:
    """Ask a run to stop: queued tasks are cancelled, running ones interrupted."""
    with app.store.write(app.actor) as w:
        return run_out(w.request_cancel(run_id))
