"""Changing data between ingests, and refreshing only what the change can affect.

Events are appended and profile rows upserted through the CLI or the API; the segments
whose definitions read the changed tables are then refreshed — incrementally, re-evaluating
only the affected profiles (see `segmint.engines.changes`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from segmint.compiler.dependencies import dependencies
from segmint.progress import Progress, silent
from segmint.services.context import App
from segmint.services.refresh import Requested, compound_inputs, refresh
from segmint.sources.append import append_interactions, upsert_rows
from segmint.store import SegmentState, SegmentType


@dataclass(frozen=True)
class Changed:
    """What a change wrote, and the refresh it triggered (if asked)."""

    source: str
    rows: int
    refreshed: Requested | None


def affected_segments(app: App, sources: set[str]) -> list[str]:
    """Live, active segments whose definitions read any of `sources` (with compound
    segments over them)."""
    resolver = app.resolver()
    with app.store.read() as r:
        live = [s for s in r.segments(sort="key") if s.state is SegmentState.LIVE and s.active]
    chosen = []
    for seg in live:
        if seg.type is SegmentType.DYNAMIC:
            deps = dependencies(app.engine.catalog, app.definition(seg), resolver)
            if deps.tables & sources:
                chosen.append(seg.key)
    touched = set(chosen)
    # Compound segments over refreshed inputs follow them.
    chosen.extend(
        s.key for s in live if s.type is SegmentType.COMPOUND and compound_inputs(app, s) & touched
    )
    return chosen


def _refresh(app: App, source: str, progress: Progress) -> Requested | None:
    keys = affected_segments(app, {source})
    return refresh(app, keys, progress=progress) if keys else None


def append(
    app: App,
    kind: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    refresh_after: bool = False,
    progress: Progress = silent,
) -> Changed:
    """Append events of one interaction kind; optionally refresh what they affect."""
    engine = app.engine
    count = append_interactions(engine.con, engine.catalog, engine.versions.changes, kind, rows)
    with app.store.write(app.actor) as w:
        w.log("append", None, source=kind, rows=count)
    return Changed(kind, count, _refresh(app, kind, progress) if refresh_after else None)


def upsert(
    app: App,
    entity: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    refresh_after: bool = False,
    progress: Progress = silent,
) -> Changed:
    """Insert or replace profile rows; optionally refresh what they affect."""
    engine = app.engine
    count = upsert_rows(engine.con, engine.catalog, engine.versions.changes, entity, rows)
    with app.store.write(app.actor) as w:
        w.log("upsert", None, source=entity, rows=count)
    return Changed(entity, count, _refresh(app, entity, progress) if refresh_after else None)
