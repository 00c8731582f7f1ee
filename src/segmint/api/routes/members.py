"""A segment's stored members (paged, with fields), CSV download, history and trend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse

from segmint.api.deps import decode_cursor, encode_cursor, get_app
from segmint.api.errors import ERROR_RESPONSES
from segmint.api.schemas import HistoryItem, PageOut, TrendPoint, trend_point
from segmint.services import members
from segmint.services.context import App

router = APIRouter(prefix="/api/segments", tags=["members"], responses=ERROR_RESPONSES)
AppDep = Annotated[App, Depends(get_app)]
FieldsQuery = Annotated[list[str] | None, Query(max_length=100)]


@router.get("/{key}/members", response_model=PageOut)
def list_members(
    key: str,
    app: AppDep,
    version: int | None = None,
    field: FieldsQuery = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> PageOut:
    """Members of one version (the current one unless given), in key order, with fields."""
    offset = decode_cursor(cursor)
    found = members.page(app, key, version=version, fields=field or [], limit=limit, offset=offset)
    more = len(found.rows) == limit
    return PageOut(
        fields=found.fields,
        rows=found.rows,
        limit=limit,
        next_cursor=encode_cursor(offset + limit) if more else None,
        version=found.version,
    )


@router.get(
    "/{key}/members.csv",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "The members as CSV"},
        **ERROR_RESPONSES,
    },
)
def download_csv(
    key: str,
    request: Request,
    version: int | None = None,
    field: FieldsQuery = None,
    x_segmint_actor: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """The members of one pinned version as CSV: profile key first, then the fields.

    The App is opened here rather than through `get_app` because it must outlive this
    function: it is closed when the stream ends."""
    root: App = request.app.state.segmint
    app = root.child(actor=(x_segmint_actor or "api")[:200])
    try:
        download = members.csv_download(app, key, version=version, fields=field or [])
    except BaseException:
        app.close()
        raise

    def body() -> Iterator[bytes]:
        try:
            yield from download.chunks
        finally:
            app.close()

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{download.filename}"',
            "X-Segmint-Version": str(download.version),
        },
    )


@router.get("/{key}/history", response_model=list[HistoryItem])
def history(
    key: str, app: AppDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[HistoryItem]:
    """The processing history: each refresh with its times, sizes, status and error."""
    with app.store.read() as r:
        r.require(key)
        found = r.history(key, limit=limit)
    return [
        HistoryItem(
            run_id=run.id,
            kind=run.kind,
            status=task.status.value,
            started_at=task.started_at,
            finished_at=task.finished_at,
            seconds=task.seconds,
            members=task.members,
            entered=task.entered,
            exited=task.exited,
            error=task.error,
        )
        for run, task in found
    ]


@router.get("/{key}/trend", response_model=list[TrendPoint])
def trend(
    key: str, app: AppDep, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[TrendPoint]:
    """The member count of each version created in the time range."""
    with app.store.read() as r:
        r.require(key)
        return [trend_point(v) for v in r.versions(key, since=since, until=until)]
