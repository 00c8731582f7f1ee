"""Changing a segment's type: make a dynamic segment static (freezing its members) and back.

*Make static* keeps the segment's key, name, tags, state and history, and turns its current
members into hand-picked ones: from then on they change only by hand (or by query), never
by a refresh. The members frozen are those of the current membership version; a segment
never refreshed is evaluated once, now. Segments whose definitions reference it must be
compound ones (only they can combine a static segment), so other references block it.

*Make dynamic* gives a static segment a definition again: the one given, or else the last
definition it had before it was made static. Its hand-picked members are dropped; a live
segment is refreshed at once so its members follow the definition.
"""

from __future__ import annotations

from typing import Any

from segmint.definition.load import parse_document
from segmint.definition.nodes import Definition
from segmint.errors import ConflictError, Problem, UserError
from segmint.progress import silent
from segmint.services.context import App, definition_json, now
from segmint.services.refresh import Requested, refresh
from segmint.services.segments import usage, validate_definition
from segmint.store import Segment, SegmentState, SegmentType

CONVERTIBLE_TO_STATIC = (SegmentType.DYNAMIC, SegmentType.COMPOUND)


def _ready(seg: Segment) -> None:
    if seg.editing:
        raise ConflictError(
            f"{seg.key} has a pending edit; save or discard it before changing its type"
        )


def _frozen_members(app: App, seg: Segment) -> list[str]:
    """The current version's member keys, or (never refreshed) the definition's members now."""
    if seg.current_version is not None:
        keys = app.engine.versions.read(seg.key, seg.audience, seg.current_version)
    elif seg.type is SegmentType.COMPOUND:
        raise ConflictError(
            f"{seg.key} is a compound segment that was never refreshed: "
            "go live (or refresh) first, so there are members to keep"
        )
    else:
        keys = list(
            app.engine.member_keys(app.definition(seg), as_of=now(), segments=app.resolver())
        )
    return sorted(str(k) for k in keys)


def make_static(app: App, key: str) -> tuple[Segment, int]:
    """Freeze a dynamic (or compound) segment's members; returns it and the member count."""
    with app.store.read() as r:
        seg = r.require(key)
    if seg.type not in CONVERTIBLE_TO_STATIC:
        raise ConflictError(
            f"{key} is {seg.type.value}; only dynamic and compound segments can be made static"
        )
    _ready(seg)
    found = usage(app, key)
    with app.store.read() as r:
        blocking = [k for k in found.segments if r.require(k).type is not SegmentType.COMPOUND]
    if blocking:
        raise ConflictError(
            f"{key} is referenced by segments that are not compound; a static segment can "
            "only be combined by compound segments",
            [Problem(f"segment {k}", "references it") for k in blocking],
        )
    members = _frozen_members(app, seg)
    stored = {"audience": seg.audience, "timezone": seg.timezone, "members": "static"}
    with app.store.write(app.actor) as w:
        revision = w.add_revision(key, stored)
        values: dict[str, Any] = {"type": SegmentType.STATIC.value, "pending_revision": None}
        if seg.state is SegmentState.LIVE:
            values["live_revision"] = revision
        w.update_segment(key, "make_static", **values)
        w.clear_static(key)
        w.add_static(key, members)
        return w.require(key), len(members)


def _previous_definition(app: App, seg: Segment) -> Definition:
    with app.store.read() as r:
        numbers = [n for n, _, _ in r.revisions(seg.key)]
        for number in reversed(numbers):
            data = r.revision(seg.key, number)
            if "condition" in data:
                return parse_document(data, f"segment {seg.key} revision {number}").definition
    raise UserError(
        f"{seg.key} never had a definition; give one (audience, time zone and condition) "
        "to make it dynamic"
    )


def make_dynamic(
    app: App, key: str, definition: Definition | None = None, *, progress: Any = None
) -> tuple[Segment, Requested | None]:
    """Give a static segment a definition (or its last one back); a live one is refreshed."""
    with app.store.read() as r:
        seg = r.require(key)
    if seg.type is not SegmentType.STATIC:
        raise ConflictError(f"{key} is {seg.type.value}; only static segments can be made dynamic")
    chosen = definition if definition is not None else _previous_definition(app, seg)
    if chosen.audience != seg.audience:
        raise UserError(f"{key} is about {seg.audience}; its audience cannot change")
    validate_definition(app, chosen, key=key, type_=SegmentType.DYNAMIC, where=f"segment {key}")
    with app.store.write(app.actor) as w:
        revision = w.add_revision(key, definition_json(chosen))
        values: dict[str, Any] = {
            "type": SegmentType.DYNAMIC.value,
            "timezone": chosen.timezone,
            "pending_revision": None,
        }
        if seg.state is SegmentState.LIVE:
            values["live_revision"] = revision
        w.update_segment(key, "make_dynamic", **values)
        w.clear_static(key)
    requested = None
    if seg.state is SegmentState.LIVE:
        requested = refresh(app, [key], progress=progress or silent)
    with app.store.read() as r:
        return r.require(key), requested
