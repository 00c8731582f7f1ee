"""Mirrors: segments another system (another Segmint) exports into this one.

A mirror is an *external* segment. It arrives in draft; it holds only this workspace's
existing profiles whose keys match the IDs sent (profiles are never created; the IDs that
match nothing are counted and answered back); each export replaces it completely, as a new
membership version, also while it is live (it is never stopped for that); its external
source, external URL and a description with the time of the last export say where it comes
from. It can be edited here, with a warning: the next export overwrites the edit. A repeat
of the same export (same id) is answered without changing anything.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from segmint.errors import ConflictError, Problem, UserError
from segmint.services.context import App, now
from segmint.store import Segment, SegmentType
from segmint.store.exports import ExportReader, ExportWriter
from segmint.workspace import KEY_PATTERN

SAMPLE = 20  # unmatched IDs answered back as examples
_writing = threading.Lock()  # one mirror change at a time (version numbers)


@dataclass(frozen=True)
class Received:
    """The answer to an export: what was matched, and the mirror's state now."""

    key: str
    created: bool
    repeated: bool  # the same export arrived again: nothing changed
    state: str
    version: int | None
    received: int
    matched: int
    unmatched: int
    unmatched_sample: list[str]


@dataclass(frozen=True)
class Edited:
    """A mirror edited here: its new size, and the warning that goes with it."""

    key: str
    version: int
    members: int
    added: int
    removed: int
    warning: str


def description(source: str, url: str) -> str:
    stamp = now().strftime("%Y-%m-%d %H:%M:%S UTC")
    origin = f"{source} ({url})" if url else source
    return (
        f"Exported from {origin}; each export replaces it. Last refreshed by an export at {stamp}."
    )


def _match(app: App, audience: str, ids: Sequence[str]) -> list[str]:
    """Those of `ids` that are keys of existing profiles (compared as text), sorted."""
    import pyarrow as pa

    engine = app.engine
    entity = engine.catalog.entities[audience]
    from segmint.sources.ingest import q

    engine.con.register("segmint_mirror_ids", pa.table({"id": pa.array(ids, pa.string())}))
    try:
        rows = engine.con.execute(
            f"SELECT DISTINCT i.id FROM segmint_mirror_ids AS i JOIN {q(entity.table)} AS e "
            f"ON CAST(e.{q(entity.key)} AS VARCHAR) = i.id ORDER BY i.id"
        ).fetchall()
    finally:
        engine.con.unregister("segmint_mirror_ids")
    return [str(r[0]) for r in rows]


def _check(app: App, key: str, audience: str) -> None:
    if not KEY_PATTERN.match(key):
        raise UserError(f"{key!r} is not a valid segment key")
    entity = app.engine.catalog.entities.get(audience)
    if entity is None or not entity.audience:
        raise UserError(
            f"{audience!r} is not an audience here; use one of "
            f"{', '.join(app.engine.catalog.audiences())}"
        )


def _write_version(app: App, seg: Segment, keys: list[str], actor: str) -> tuple[int, int]:
    """Store `keys` as the mirror's next version and make it current; (version, members)."""
    from segmint.services.refresh import prune_versions

    with app.store.read() as r:
        version = r.next_version(seg.key)
    written = app.engine.versions.write_keys(
        seg.key, seg.audience, version, keys, seg.current_version
    )
    with app.store.write(actor) as w:
        w.record_version(
            seg.key,
            version=version,
            run_id=None,
            as_of=now(),
            members=written.members,
            entered=written.entered,
            exited=written.exited,
        )
    prune_versions(app, seg.key)
    return version, written.members


def receive(
    app: App,
    key: str,
    *,
    name: str,
    audience: str,
    ids: Sequence[str],
    external_source: str,
    external_url: str = "",
    batch_id: str | None = None,
) -> Received:
    """Replace (or create, in draft) the mirror `key` with the existing profiles among `ids`."""
    _check(app, key, audience)
    source = external_source.strip() or "segmint"
    wanted = sorted({str(i) for i in ids})
    with _writing:
        with app.store.read() as r:
            seg = r.segment(key)
            mirror = ExportReader(r).mirror(key)
        if seg is not None and seg.type is not SegmentType.EXTERNAL:
            raise ConflictError(f"segment {key} exists here and is not an external segment")
        if seg is not None and seg.audience != audience:
            raise ConflictError(f"segment {key} is about {seg.audience} here, not {audience}")
        if seg is not None and mirror is not None and batch_id and mirror.batch_id == batch_id:
            return Received(
                key, False, True, seg.state.value, seg.current_version,
                mirror.received, mirror.matched, mirror.unmatched, [],
            )  # fmt: skip
        matched = _match(app, audience, wanted)
        found = set(matched)
        unmatched = [i for i in wanted if i not in found]
        text = description(source, external_url)
        actor = f"export:{source}"[:200]
        created = seg is None
        with app.store.write(actor) as w:
            if seg is None:
                seg = w.create_segment(
                    key=key,
                    name=name or key,
                    audience=audience,
                    type=SegmentType.EXTERNAL,
                    definition={"audience": audience, "timezone": "UTC", "members": "external"},
                    timezone="UTC",
                    description=text,
                    owner=source,
                    external_source=source,
                    external_url=external_url or None,
                )
        version, members = _write_version(app, seg, matched, actor)
        with app.store.write(actor) as w:
            w.update_segment(
                key,
                "mirror_refresh",
                name=name or seg.name,
                description=text,
                external_source=source,
                external_url=external_url or None,
            )
            ExportWriter(w).set_mirror(
                key,
                batch_id=batch_id,
                received=len(wanted),
                matched=members,
                unmatched=len(unmatched),
            )
            w.log("mirror_receive", key, received=len(wanted), matched=members,
                  unmatched=len(unmatched), version=version)  # fmt: skip
            state = w.require(key).state.value
    return Received(
        key, created, False, state, version, len(wanted), members, len(unmatched),
        unmatched[:SAMPLE],
    )  # fmt: skip


def _mirror_segment(app: App, key: str) -> Segment:
    with app.store.read() as r:
        seg = r.require(key)
    if seg.type is not SegmentType.EXTERNAL:
        raise UserError(f"{key} is {seg.type.value}, not an external segment")
    return seg


def warning(seg: Segment) -> str:
    return (
        f"{seg.key} is managed by {seg.external_source or 'another system'}: "
        "edits made here are overwritten by its next export"
    )


def edit(app: App, key: str, *, add: Sequence[str] = (), remove: Sequence[str] = ()) -> Edited:
    """Add or remove members of a mirror here (warned: the next export overwrites it)."""
    seg = _mirror_segment(app, key)
    if not add and not remove:
        raise UserError("name members to add or remove")
    adding = sorted({str(i) for i in add})
    known = set(_match(app, seg.audience, adding))
    unknown = [i for i in adding if i not in known]
    if unknown:
        raise UserError(
            f"{len(unknown)} unknown {seg.audience} key(s); nothing was changed",
            [Problem(f"{seg.audience} {i}", "no such profile") for i in unknown[:20]],
        )
    with _writing:
        seg = _mirror_segment(app, key)
        current = (
            {str(k) for k in app.engine.versions.read(key, seg.audience, seg.current_version)}
            if seg.current_version is not None
            else set()
        )
        dropping = {str(i) for i in remove} & current
        new = sorted((current | known) - dropping)
        version, members = _write_version(app, seg, new, app.actor)
        with app.store.write(app.actor) as w:
            ExportWriter(w).mirror_edited(key)
            w.log("mirror_edit", key, added=len(known - current), removed=len(dropping),
                  warning=warning(seg))  # fmt: skip
    return Edited(key, version, members, len(known - current), len(dropping), warning(seg))


def show(app: App, key: str) -> dict[str, Any]:
    """A mirror: its external fields, state, size and what the last export brought."""
    seg = _mirror_segment(app, key)
    with app.store.read() as r:
        mirror = ExportReader(r).mirror(key)
    return {
        "key": seg.key,
        "name": seg.name,
        "audience": seg.audience,
        "state": seg.state.value,
        "status": seg.status_label,
        "active": seg.active,
        "external_source": seg.external_source,
        "external_url": seg.external_url,
        "description": seg.description,
        "members": seg.members,
        "version": seg.current_version,
        "last_refreshed_at": seg.last_refreshed_at,
        "last_export_at": mirror.exported_at if mirror else None,
        "received": mirror.received if mirror else None,
        "matched": mirror.matched if mirror else None,
        "unmatched": mirror.unmatched if mirror else None,
        "edited_at": mirror.edited_at if mirror else None,
        "edited_by": mirror.edited_by if mirror else None,
        "warning": warning(seg) if mirror and mirror.edited_at else None,
    }
