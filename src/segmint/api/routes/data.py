"""Changing data between ingests: append interaction events, upsert profile rows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from segmint.api.deps import get_app
from segmint.api.errors import ERROR_RESPONSES
from segmint.api.schemas import RunOut, run_out
from segmint.services import changes
from segmint.services.context import App

router = APIRouter(prefix="/api", tags=["data"], responses=ERROR_RESPONSES)
AppDep = Annotated[App, Depends(get_app)]


class RowsIn(BaseModel):
    """Rows as JSON objects: column name to value (times as ISO 8601 text)."""

    model_config = ConfigDict(extra="forbid")
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=100_000)


class ChangedOut(BaseModel):
    source: str
    rows: int
    run: RunOut | None  # the refresh of the affected segments, when asked for
    coalesced: dict[str, int]


def _out(found: changes.Changed) -> ChangedOut:
    req = found.refreshed
    return ChangedOut(
        source=found.source,
        rows=found.rows,
        run=run_out(req.run) if req and req.run else None,
        coalesced=req.coalesced if req else {},
    )


@router.post("/interactions/{kind}", response_model=ChangedOut, status_code=201)
def append_events(kind: str, body: RowsIn, app: AppDep, refresh: bool = False) -> ChangedOut:
    """Append events of one interaction kind (all or nothing); with refresh=true, refresh
    the live segments they can affect — incrementally — before answering."""
    return _out(changes.append(app, kind, body.rows, refresh_after=refresh))


@router.put("/entities/{entity}/rows", response_model=ChangedOut)
def upsert_rows(entity: str, body: RowsIn, app: AppDep, refresh: bool = False) -> ChangedOut:
    """Insert or replace profile rows by key (all or nothing); with refresh=true, refresh the
    live segments they can affect before answering."""
    return _out(changes.upsert(app, entity, body.rows, refresh_after=refresh))
