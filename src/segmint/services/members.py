"""Reading a segment's stored members: a pinned version, paged with fields, or as CSV."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from segmint.engines import tabular
from segmint.errors import NotFoundError
from segmint.services.context import App
from segmint.store import Segment

PIN_SECONDS = 3600.0


def _version(app: App, key: str, version: int | None) -> tuple[Segment, int]:
    with app.store.read() as r:
        seg = r.require(key)
        if version is None:
            if seg.current_version is None:
                raise NotFoundError(f"segment {key!r} has not been refreshed yet")
            return seg, seg.current_version
        known = {v.version: v for v in r.versions(key)}
    if version not in known or known[version].pruned:
        raise NotFoundError(f"segment {key!r} has no version {version}")
    return seg, version


@dataclass(frozen=True)
class MembersPage:
    version: int
    fields: list[str]
    rows: list[dict[str, Any]]


def page(
    app: App,
    key: str,
    *,
    version: int | None = None,
    fields: list[str] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> MembersPage:
    """One page of a version's members (the current one unless given), in key order."""
    seg, number = _version(app, key, version)
    engine = app.engine
    names, rows = tabular.page(
        engine.con,
        engine.catalog,
        seg.audience,
        engine.versions.table(seg.audience),
        key,
        number,
        fields or [],
        limit,
        offset,
    )
    return MembersPage(number, names, rows)


@dataclass(frozen=True)
class Download:
    filename: str
    version: int
    chunks: Iterator[bytes]


def csv_download(
    app: App, key: str, *, version: int | None = None, fields: list[str] | None = None
) -> Download:
    """A streamed CSV of one pinned version; the pin is released when streaming ends."""
    seg, number = _version(app, key, version)
    engine = app.engine
    members_table = engine.versions.table(seg.audience)
    # Build the query now so a bad field fails before any byte is sent.
    tabular.select_fields(engine.catalog, seg.audience, fields or [], for_csv=True)
    with app.store.write(app.actor) as w:
        pin = w.pin(key, number, f"csv:{app.actor}", PIN_SECONDS)
        w.log("download", key, version=number, fields=fields or [])

    def stream() -> Iterator[bytes]:
        try:
            yield from tabular.csv_chunks(
                engine.con, engine.catalog, seg.audience, members_table, key, number, fields or []
            )
        finally:
            with app.store.write(app.actor) as w:
                w.unpin(pin)

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Download(f"{key}-v{number}-{stamp}.csv", number, stream())
