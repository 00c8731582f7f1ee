"""Managing segments: create, edit, rename, duplicate, tag, delete; go live, stop, activate.

The lifecycle: a segment starts as a *draft*; *go live* validates it, refreshes it and makes
it usable; editing a live segment keeps the live revision serving ("live, editable") until
the edit is saved, which swaps it in and refreshes; *stop* returns it to draft. Active /
inactive is independent, can be scheduled, and live active segments count against a quota.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from segmint.definition.check import SegmentResolver, check_definition, referenced_segments
from segmint.definition.describe import describe
from segmint.definition.load import format_path
from segmint.definition.nodes import (
    And,
    Attribute,
    Definition,
    InSegment,
    Not,
    Or,
    SegmentDocument,
)
from segmint.errors import ConflictError, DefinitionError, Problem, UserError
from segmint.progress import silent
from segmint.services.context import App, definition_json, is_usable, now
from segmint.services.refresh import Requested, refresh
from segmint.store import Consumer, Segment, SegmentState, SegmentType
from segmint.workspace import KEY_PATTERN

SUPPORTED_TYPES = (
    SegmentType.DYNAMIC,
    SegmentType.STATIC,
    SegmentType.COMPOUND,
    SegmentType.EXTERNAL,
)


@dataclass(frozen=True)
class Usage:
    """Who depends on a segment."""

    segments: list[str]  # segments whose definitions reference it
    live_compounds: list[str]  # of those, live compound segments reading its members
    consumers: list[Consumer]

    @property
    def used(self) -> bool:
        return bool(self.segments or self.consumers)

    def lines(self) -> list[Problem]:
        out = [Problem(f"segment {k}", "references it") for k in self.segments]
        out += [
            Problem(
                f"{c.kind} {c.name}", f"uses it as {c.role}" + (f" ({c.link})" if c.link else "")
            )
            for c in self.consumers
        ]
        return out


def _check_key(key: str) -> None:
    if not KEY_PATTERN.match(key):
        raise UserError(
            f"{key!r} is not a valid key: lower-case letters, digits, - and _, "
            "starting with a letter or digit, at most 100 characters"
        )


def _static_definition(audience: str, timezone: str) -> dict[str, Any]:
    return {"audience": audience, "timezone": timezone, "members": "static"}


def _compound_problems(definition: Definition) -> list[Problem]:
    """A compound segment combines other segments with and / or / not only."""
    problems: list[Problem] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, And | Or):
            for i, child in enumerate(node.conditions):
                walk(child, f"{path}.conditions[{i}]")
        elif isinstance(node, Not):
            walk(node.condition, f"{path}.condition")
        elif not isinstance(node, InSegment):
            problems.append(
                Problem(
                    path,
                    "a compound segment combines segments only (in_segment with and / or / not)",
                )
            )

    walk(definition.condition, "condition")
    return problems


def _checking_resolver(app: App) -> SegmentResolver:
    """The app's resolver, except that static segments (stored members, no definition)
    resolve to a stand-in with their audience and no references: enough for the checks
    (audience, cycles), never compiled. The app's resolver cannot read them."""
    resolve = app.resolver()

    def checking(key: str) -> Definition | None:
        with app.store.read() as r:
            seg = r.segment(key)
        if seg is None or seg.type is not SegmentType.STATIC:
            return resolve(key)
        entity = app.engine.catalog.entities.get(seg.audience)
        field = entity.key if entity is not None else "key"
        return Definition(
            audience=seg.audience,
            timezone=seg.timezone,
            condition=Attribute(field=field, op="is_not_empty"),
        )

    return checking


def _stored_only_problems(app: App, definition: Definition) -> list[Problem]:
    """References that reach a static segment (directly, or through the definitions of the
    segments referenced): only compound segments, which read stored members, can use them."""
    resolve = app.resolver()

    def static_reached(start: str) -> str | None:
        seen: set[str] = set()
        todo = [start]
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            with app.store.read() as r:
                seg = r.segment(key)
            if seg is not None and seg.type is SegmentType.STATIC:
                return key
            target = resolve(key)
            if target is not None:
                todo.extend(ref for _, ref in referenced_segments(target.condition))
        return None

    problems = []
    for path, ref in referenced_segments(definition.condition):
        found = static_reached(ref)
        if found is not None:
            what = f"{ref} is" if found == ref else f"{ref} reads {found},"
            problems.append(
                Problem(
                    format_path([*path, "segment"]),
                    f"{what} a static segment (hand-picked members, no definition): "
                    "only a compound segment can combine it",
                )
            )
    return problems


def validate_definition(
    app: App, definition: Definition, *, key: str | None, type_: SegmentType, where: str
) -> None:
    """Check a definition against the data model, the other segments and the type's rules."""
    problems = check_definition(
        app.engine.catalog,
        definition,
        key=key,
        limits=app.ws.settings.limits.to_limits(),
        segments=_checking_resolver(app),
    )
    if type_ is not SegmentType.COMPOUND:
        problems += _stored_only_problems(app, definition)
    if problems:
        raise DefinitionError(f"{where} is not a valid definition", problems)
    if type_ is SegmentType.COMPOUND:
        problems = _compound_problems(definition)
        if problems:
            raise DefinitionError(f"{where} is not a valid compound segment", problems)


def create(
    app: App,
    document: SegmentDocument,
    *,
    type_: SegmentType = SegmentType.DYNAMIC,
    key: str | None = None,
    owner: str = "",
    business_unit: str = "",
) -> Segment:
    """Save a new draft segment (validated) as revision 1."""
    key = key or document.key
    if not key:
        raise UserError("a segment needs a key (in the file or with --key)")
    _check_key(key)
    if type_ not in SUPPORTED_TYPES:
        raise UserError(f"{type_.value} segments cannot be created yet")
    if type_ is SegmentType.STATIC:
        ensure_static_audience(app, document.audience)
        stored = _static_definition(document.audience, document.timezone)
    else:
        definition = document.definition
        validate_definition(app, definition, key=key, type_=type_, where=f"segment {key}")
        stored = definition_json(definition)
    with app.store.write(app.actor) as w:
        return w.create_segment(
            key=key,
            name=document.name or key,
            audience=document.audience,
            type=type_,
            definition=stored,
            timezone=document.timezone,
            description=document.description or "",
            owner=owner or app.actor,
            business_unit=business_unit,
            tags=document.tags,
        )


def ensure_static_audience(app: App, audience: str) -> None:
    entity = app.engine.catalog.entities.get(audience)
    if entity is None or not entity.audience:
        raise UserError(
            f"{audience!r} is not an audience; use one of "
            f"{', '.join(app.engine.catalog.audiences())}"
        )


def edit(app: App, key: str, document: SegmentDocument) -> Segment:
    """Save a new revision. A live segment keeps serving its live revision until `save_edit`."""
    with app.store.read() as r:
        seg = r.require(key)
    if seg.type in (SegmentType.STATIC, SegmentType.EXTERNAL):
        raise UserError(
            f"{key} is {seg.type.value}: it has no definition to edit "
            "(static segments change through `static add/remove`)"
        )
    definition = document.definition
    if definition.audience != seg.audience:
        raise UserError(f"{key} is about {seg.audience}; its audience cannot change")
    validate_definition(app, definition, key=key, type_=seg.type, where=f"segment {key}")
    with app.store.write(app.actor) as w:
        revision = w.add_revision(key, definition_json(definition))
        values: dict[str, Any] = {"timezone": definition.timezone}
        if document.name:
            values["name"] = document.name
        if document.description is not None:
            values["description"] = document.description
        if seg.state is SegmentState.LIVE:
            values["pending_revision"] = revision
        return w.update_segment(key, "edit", **values)


def save_edit(app: App, key: str, *, progress: Any = None) -> tuple[Segment, Requested]:
    """Swap a live segment's pending edit in and refresh it."""
    with app.store.read() as r:
        seg = r.require(key)
    if not seg.editing or seg.pending_revision is None:
        raise UserError(f"{key} has no pending edit to save")
    definition = app.definition(seg, seg.pending_revision)
    validate_definition(app, definition, key=key, type_=seg.type, where=f"segment {key}")
    if seg.type is SegmentType.COMPOUND:
        _require_live_inputs(app, definition)
    with app.store.write(app.actor) as w:
        w.update_segment(
            key, "save_edit", live_revision=seg.pending_revision, pending_revision=None
        )
    requested = refresh(app, [key], progress=progress or silent)
    with app.store.read() as r:
        return r.require(key), requested


def discard_edit(app: App, key: str) -> Segment:
    """Drop a live segment's pending edit; the live revision stays.

    The live definition is saved again as the latest revision, so what a draft would serve
    (after `stop`), what `duplicate` copies and what usage reads is the live definition,
    not the discarded edit.
    """
    with app.store.write(app.actor) as w:
        seg = w.require(key)
        if not seg.editing or seg.live_revision is None:
            raise UserError(f"{key} has no pending edit")
        data = w.revision(key, seg.live_revision)
        w.add_revision(key, data)
        return w.update_segment(
            key,
            "discard_edit",
            pending_revision=None,
            timezone=data.get("timezone", seg.timezone),
        )


def rename(app: App, key: str, name: str) -> Segment:
    if not name.strip():
        raise UserError("a name cannot be empty")
    with app.store.write(app.actor) as w:
        return w.update_segment(key, "rename", name=name.strip())


def duplicate(app: App, key: str, new_key: str, *, name: str | None = None) -> Segment:
    """A draft copy of a segment's latest revision, tags and static members."""
    _check_key(new_key)
    with app.store.write(app.actor) as w:
        seg = w.require(key)
        data = w.revision(key, seg.revision)
        copy = w.create_segment(
            key=new_key,
            name=name or f"{seg.name} (copy)",
            audience=seg.audience,
            type=seg.type,
            definition=data,
            timezone=seg.timezone,
            description=seg.description,
            owner=app.actor,
            business_unit=seg.business_unit,
            tags=seg.tags,
        )
        if seg.type is SegmentType.STATIC:
            w.add_static(new_key, w.static_members(key))
        return copy


def tag(app: App, key: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> Segment:
    bad = [t for t in add if not t.strip() or len(t) > 100]
    if bad:
        raise UserError("tags must be 1 to 100 characters")
    with app.store.write(app.actor) as w:
        seg = w.require(key)
        w.set_tags(key, sorted((set(seg.tags) | {t.strip() for t in add}) - set(remove)))
        return w.require(key)


def usage(app: App, key: str) -> Usage:
    """Segments referencing this one (in any revision that serves or is being edited),
    and the consumers registered from outside."""
    with app.store.read() as r:
        r.require(key)
        others = r.segments(sort="key")
        consumers = r.consumers(key)
    users: list[str] = []
    compounds: list[str] = []
    for other in others:
        if other.key == key or other.type in (SegmentType.STATIC, SegmentType.EXTERNAL):
            continue
        numbers = {other.serving_revision, other.revision}
        if other.pending_revision is not None:
            numbers.add(other.pending_revision)
        refs = {
            ref
            for n in numbers
            for _, ref in referenced_segments(app.definition(other, n).condition)
        }
        if key in refs:
            users.append(other.key)
            if other.type is SegmentType.COMPOUND and other.state is SegmentState.LIVE:
                compounds.append(other.key)
    return Usage(users, compounds, consumers)


def delete(app: App, key: str, *, confirm: bool = False) -> Usage:
    """Delete a segment; when it is used, only with `confirm` (the usage is reported)."""
    found = usage(app, key)
    if found.used and not confirm:
        raise ConflictError(f"{key} is in use; confirm to delete it anyway", found.lines())
    with app.store.write(app.actor) as w:
        seg = w.require(key)
        w.delete_segment(key)
    app.engine.versions.drop(key, seg.audience)
    return found


def _quota(app: App, adding: str) -> None:
    limit = app.ws.settings.refresh.max_active_segments
    with app.store.read() as r:
        counted = [k for k in r.count_active_live() if k != adding]
    if len(counted) >= limit:
        raise ConflictError(
            f"the quota of {limit} live, active segments is reached; deactivate or stop one",
            [Problem(f"segment {k}", "live and active") for k in counted],
        )


def go_live(
    app: App, key: str, *, progress: Any = None, refresh_now: bool = True
) -> tuple[Segment, Requested | None]:
    """Validate, make live and (unless told not to) refresh a draft segment."""
    with app.store.read() as r:
        seg = r.require(key)
    if seg.state is SegmentState.LIVE:
        raise ConflictError(
            f"{key} is already live"
            + (" (save or discard its pending edit)" if seg.editing else "")
        )
    if seg.type is SegmentType.EXTERNAL and seg.current_version is None:
        raise UserError(
            f"{key} is external: its own system manages it (it can go live once that system "
            "has delivered its members)"
        )
    if seg.type not in (SegmentType.STATIC, SegmentType.EXTERNAL):
        definition = app.definition(seg, seg.revision)
        validate_definition(app, definition, key=key, type_=seg.type, where=f"segment {key}")
        if seg.type is SegmentType.COMPOUND:
            _require_live_inputs(app, definition)
    if seg.active:
        _quota(app, key)
    with app.store.write(app.actor) as w:
        w.update_segment(
            key,
            "go_live",
            state=SegmentState.LIVE.value,
            live_revision=seg.revision,
            pending_revision=None,
        )
    # An external segment (a mirror) keeps the members its system delivered: no refresh.
    refreshing = refresh_now and seg.type is not SegmentType.EXTERNAL
    requested = refresh(app, [key], progress=progress or silent) if refreshing else None
    with app.store.read() as r:
        return r.require(key), requested


def _require_live_inputs(app: App, definition: Definition) -> None:
    problems = []
    for path, ref in referenced_segments(definition.condition):
        with app.store.read() as r:
            found = r.segment(ref)
        if found is None or found.state is not SegmentState.LIVE:
            problems.append(Problem(".".join(str(p) for p in path), f"{ref} is not live"))
    if problems:
        raise UserError("a compound segment combines live segments only", problems)


def stop(app: App, key: str, *, confirm: bool = False) -> Segment:
    """Back to draft: no longer refreshed, exported or usable in compound segments."""
    with app.store.read() as r:
        seg = r.require(key)
    if seg.state is not SegmentState.LIVE:
        raise ConflictError(f"{key} is not live")
    found = usage(app, key)
    if found.live_compounds and not confirm:
        raise ConflictError(
            f"{key} feeds live compound segments; confirm to stop it anyway",
            [Problem(f"segment {k}", "live compound input") for k in found.live_compounds],
        )
    with app.store.write(app.actor) as w:
        return w.update_segment(key, "stop", state=SegmentState.DRAFT.value, pending_revision=None)


def activate(app: App, key: str, *, at: dt.datetime | None = None) -> Segment:
    """Make active now, or schedule it for `at`."""
    if at is not None and at > now():
        with app.store.write(app.actor) as w:
            return w.update_segment(key, "schedule_activation", activate_at=at)
    with app.store.read() as r:
        seg = r.require(key)
    if seg.state is SegmentState.LIVE and not seg.active:
        _quota(app, key)
    with app.store.write(app.actor) as w:
        return w.update_segment(key, "activate", active=True, activate_at=None)


def deactivate(app: App, key: str, *, at: dt.datetime | None = None) -> Segment:
    """Make inactive now, or schedule it for `at`."""
    with app.store.write(app.actor) as w:
        if at is not None and at > now():
            return w.update_segment(key, "schedule_deactivation", deactivate_at=at)
        return w.update_segment(key, "deactivate", active=False, deactivate_at=None)


def cancel_scheduled(app: App, key: str, *, activation: bool) -> Segment:
    """Drop a segment's scheduled activation (or deactivation); nothing scheduled is a conflict."""
    column, what = (
        ("activate_at", "activation") if activation else ("deactivate_at", "deactivation")
    )
    with app.store.write(app.actor) as w:
        seg = w.require(key)
        if getattr(seg, column) is None:
            raise ConflictError(f"{key} has no scheduled {what}")
        return w.update_segment(key, f"cancel_{what}", **{column: None})


def apply_activation_schedule(app: App, when: dt.datetime | None = None) -> list[str]:
    """Carry out scheduled activations and deactivations that are due; returns what changed.

    Due changes are carried out in time order (deactivations first at the same time), and
    an activation that would exceed the quota is not carried out: it stays scheduled, and
    is reported, until a slot frees up.
    """
    moment = when or now()
    changed = []
    with app.store.read() as r:
        segs = r.segments(sort="key")
    due: list[tuple[dt.datetime, bool, str]] = []
    for seg in segs:
        if seg.activate_at is not None and seg.activate_at <= moment:
            due.append((seg.activate_at, True, seg.key))
        if seg.deactivate_at is not None and seg.deactivate_at <= moment:
            due.append((seg.deactivate_at, False, seg.key))
    limit = app.ws.settings.refresh.max_active_segments
    for _, activating, key in sorted(due):
        with app.store.write("scheduler") as w:
            seg = w.require(key)
            if not activating:
                w.update_segment(key, "deactivate", active=False, deactivate_at=None)
                changed.append(f"{key}: deactivated")
                continue
            counted = [k for k in w.count_active_live() if k != key]
            if seg.state is SegmentState.LIVE and not seg.active and len(counted) >= limit:
                changed.append(
                    f"{key}: not activated: the quota of {limit} live, active segments "
                    "is reached (it stays scheduled)"
                )
                continue
            w.update_segment(key, "activate", active=True, activate_at=None)
            changed.append(f"{key}: activated")
    return changed


def sentence(app: App, seg: Segment, revision: int | None = None) -> str:
    """The segment's definition as a sentence (static segments: their member count)."""
    if seg.type is SegmentType.STATIC:
        with app.store.read() as r:
            count = len(r.static_members(seg.key))
        return f"{count} hand-picked {seg.audience}s"
    if seg.type is SegmentType.EXTERNAL and seg.external_source:
        return f"{seg.members or 0} {seg.audience}s exported from {seg.external_source}"
    return describe(app.definition(seg, revision), app.engine.catalog)


def usable(seg: Segment) -> bool:
    return is_usable(seg)
