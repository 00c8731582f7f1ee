"""Static segments: hand-picked members, added or removed one by one or by query.

Adding by query shows the query's matches first; then all of them, or a chosen subset of
them, are added (or removed). Members stay until removed; a refresh stores them as a version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from segmint.definition.nodes import SegmentDocument
from segmint.errors import Problem, UserError
from segmint.services.context import App, now
from segmint.services.segments import validate_definition
from segmint.store import Segment, SegmentType


def _static(app: App, key: str) -> Segment:
    with app.store.read() as r:
        seg = r.require(key)
    if seg.type is not SegmentType.STATIC:
        raise UserError(f"{key} is {seg.type.value}, not static")
    return seg


def _existing(app: App, audience: str, ids: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split ids into those of existing profiles and unknown ones (compared as text)."""
    engine = app.engine
    entity = engine.catalog.entities[audience]
    table = engine.tables.entity(audience)
    wanted = sorted({str(i) for i in ids})
    found: set[str] = set()
    for start in range(0, len(wanted), 10_000):
        chunk = wanted[start : start + 10_000]
        query = table.filter(table[entity.key].cast("string").isin(chunk)).select(
            k=table[entity.key].cast("string")
        )
        found |= set(engine.backend.to_pyarrow(query).column(0).to_pylist())
    return [i for i in wanted if i in found], [i for i in wanted if i not in found]


def add(app: App, key: str, ids: Sequence[str]) -> int:
    """Add profiles by key; unknown keys are an error and nothing is added."""
    seg = _static(app, key)
    known, unknown = _existing(app, seg.audience, ids)
    if unknown:
        shown = [Problem(f"{seg.audience} {i}", "no such profile") for i in unknown[:20]]
        more = len(unknown) - len(shown)
        if more:
            shown.append(Problem("", f"and {more} more"))
        raise UserError(f"{len(unknown)} unknown {seg.audience} key(s); nothing was added", shown)
    with app.store.write(app.actor) as w:
        return w.add_static(key, known)


def remove(app: App, key: str, ids: Sequence[str]) -> int:
    _static(app, key)
    with app.store.write(app.actor) as w:
        return w.remove_static(key, [str(i) for i in ids])


@dataclass(frozen=True)
class QueryMatches:
    """What a query selects for a static segment, before anything is changed."""

    count: int
    keys: list[str]  # every matching key, as text
    members: int  # how many of them are already members


def matches(app: App, key: str, document: SegmentDocument) -> QueryMatches:
    """Evaluate a query over the segment's audience (now), without changing anything."""
    seg = _static(app, key)
    definition = document.definition
    if definition.audience != seg.audience:
        raise UserError(f"{key} is about {seg.audience}; the query is about {definition.audience}")
    validate_definition(app, definition, key=None, type_=SegmentType.DYNAMIC, where="query")
    found = sorted(
        str(k) for k in app.engine.member_keys(definition, as_of=now(), segments=app.resolver())
    )
    with app.store.read() as r:
        have = set(r.static_members(key))
    return QueryMatches(len(found), found, sum(1 for k in found if k in have))


def _chosen(result: QueryMatches, selected: Sequence[str] | None) -> list[str]:
    if selected is None:
        return result.keys
    outside = sorted({str(s) for s in selected} - set(result.keys))
    if outside:
        raise UserError(
            "selected keys are not among the query's matches; nothing changed",
            [Problem(k, "not matched by the query") for k in outside[:20]],
        )
    return [str(s) for s in selected]


def add_by_query(
    app: App, key: str, document: SegmentDocument, selected: Sequence[str] | None = None
) -> int:
    """Add the query's matches (all, or the selected ones among them)."""
    chosen = _chosen(matches(app, key, document), selected)
    with app.store.write(app.actor) as w:
        return w.add_static(key, chosen)


def remove_by_query(
    app: App, key: str, document: SegmentDocument, selected: Sequence[str] | None = None
) -> int:
    """Remove the query's matches (all, or the selected ones among them)."""
    chosen = _chosen(matches(app, key, document), selected)
    with app.store.write(app.actor) as w:
        return w.remove_static(key, chosen)
