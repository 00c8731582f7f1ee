"""Segments as code: compare a folder of YAML files with the workspace, then make it so.

`plan` shows what would change — segments created, changed (with a readable diff of the
definition and settings), deleted (only with prune) — and `apply` carries the plan out.
Applying twice changes nothing the second time.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from segmint.definition.check import referenced_segments
from segmint.definition.load import load_document
from segmint.definition.nodes import SegmentDocument
from segmint.errors import DefinitionError, Problem, SegmintError, UserError
from segmint.services import segments as seg_service
from segmint.services.context import App, definition_json
from segmint.services.refresh import refresh
from segmint.store import Segment, SegmentState, SegmentType
from segmint.workspace import document_key


@dataclass(frozen=True)
class Change:
    """One segment the plan touches."""

    key: str
    action: str  # create, change, delete
    fields: tuple[str, ...] = ()  # what changes: definition, name, tags, state...
    diff: str = ""  # unified diff of the segment as YAML, current → wanted
    file: str = ""


@dataclass
class Plan:
    """What `apply` would do."""

    changes: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    documents: dict[str, SegmentDocument] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.changes


def read_folder(folder: Path) -> dict[str, tuple[SegmentDocument, Path]]:
    """Every segment file in a folder (.yaml, .yml, .json), checked for shape; all problems."""
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder")
    found: dict[str, tuple[SegmentDocument, Path]] = {}
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        try:
            doc = load_document(path)
            key = document_key(doc, path)
        except UserError as exc:
            problems.extend(
                Problem(f"{path.name}: {p.path}".rstrip(": "), p.message)
                for p in exc.problems or [Problem("", exc.message)]
            )
            continue
        if key in found:
            problems.append(Problem(path.name, f"key {key!r} is also in {found[key][1].name}"))
            continue
        found[key] = (doc.model_copy(update={"key": key}), path)
    if problems:
        raise DefinitionError(f"{folder} has invalid segment files", problems)
    return found


def _wanted(doc: SegmentDocument) -> dict[str, Any]:
    """The comparable form of a file's segment."""
    out: dict[str, Any] = {
        "name": doc.name or doc.key,
        "description": doc.description or "",
        "type": doc.type,
        "audience": doc.audience,
        "timezone": doc.timezone,
        "tags": sorted(doc.tags),
    }
    if doc.type != "static":
        out["condition"] = definition_json(doc.definition)["condition"]
    if doc.state is not None:
        out["state"] = doc.state
    if doc.active is not None:
        out["active"] = doc.active
    if doc.members is not None:
        out["members"] = sorted(doc.members)
    return out


def _current(app: App, seg: Segment, wanted: dict[str, Any]) -> dict[str, Any]:
    """The stored segment in the same form (only the keys the file states)."""
    latest = seg.pending_revision or seg.revision
    out: dict[str, Any] = {
        "name": seg.name,
        "description": seg.description,
        "type": seg.type.value,
        "audience": seg.audience,
        "timezone": seg.timezone,
        "tags": sorted(seg.tags),
    }
    if seg.type is not SegmentType.STATIC:
        with app.store.read() as r:
            out["condition"] = r.revision(seg.key, latest).get("condition")
    if "state" in wanted:
        out["state"] = seg.state.value
    if "active" in wanted:
        out["active"] = seg.active
    if "members" in wanted:
        with app.store.read() as r:
            out["members"] = r.static_members(seg.key)
    return out


def _yaml(data: dict[str, Any]) -> list[str]:
    text = yaml.safe_dump(json.loads(json.dumps(data)), sort_keys=False, allow_unicode=True)
    return text.splitlines(keepends=True)


def plan(app: App, folder: Path, *, prune: bool = False) -> Plan:
    """Compare the files with the workspace's segments."""
    files = read_folder(folder)
    result = Plan(documents={k: d for k, (d, _) in files.items()})
    with app.store.read() as r:
        stored = {s.key: s for s in r.segments(sort="key")}
    for key, (doc, path) in files.items():
        wanted = _wanted(doc)
        seg = stored.get(key)
        if seg is None:
            diff = "".join(difflib.unified_diff([], _yaml(wanted), "(none)", path.name))
            result.changes.append(Change(key, "create", tuple(wanted), diff, path.name))
            continue
        current = _current(app, seg, wanted)
        changed = tuple(k for k in wanted if wanted[k] != current.get(k))
        if not changed:
            result.unchanged.append(key)
            continue
        diff = "".join(
            difflib.unified_diff(_yaml(current), _yaml(wanted), f"workspace/{key}", path.name)
        )
        result.changes.append(Change(key, "change", changed, diff, path.name))
    if prune:
        for key in sorted(set(stored) - set(files)):
            if stored[key].type is SegmentType.EXTERNAL:
                continue
            result.changes.append(Change(key, "delete"))
    return result


def _order(changes: list[Change], docs: dict[str, SegmentDocument]) -> list[Change]:
    """Inputs before the segments that reference them."""
    keys = {c.key for c in changes}
    done: set[str] = set()
    ordered: list[Change] = []
    by_key = {c.key: c for c in changes}

    def visit(key: str, trail: tuple[str, ...]) -> None:
        if key in done or key in trail:
            return
        doc = docs.get(key)
        if doc is not None and doc.condition is not None:
            for _, ref in referenced_segments(doc.condition):
                if ref in keys:
                    visit(ref, (*trail, key))
        done.add(key)
        ordered.append(by_key[key])

    for change in changes:
        visit(change.key, ())
    return ordered


@dataclass
class Applied:
    """What apply did, segment by segment, and the refresh it ran."""

    done: list[tuple[str, str]] = field(default_factory=list)  # (key, what happened)
    run_id: int | None = None


def apply(app: App, folder: Path, *, prune: bool = False, confirm: bool = False) -> Applied:
    """Make the workspace match the files. Deleting used segments needs `confirm`."""
    result = plan(app, folder, prune=prune)
    docs = result.documents
    applied = Applied()
    to_refresh: list[str] = []
    deletions = [c for c in result.changes if c.action == "delete"]
    for change in deletions:
        found = seg_service.usage(app, change.key)
        if found.used and not confirm:
            raise UserError(
                f"{change.key} would be deleted but is in use; confirm to prune it", found.lines()
            )
    for change in _order([c for c in result.changes if c.action != "delete"], docs):
        doc = docs[change.key]
        try:
            if change.action == "create":
                applied.done.append((change.key, _create(app, doc, to_refresh)))
            else:
                applied.done.append((change.key, _change(app, doc, change, to_refresh)))
        except SegmintError as exc:
            raise UserError(f"{change.file}: {exc}", getattr(exc, "problems", None) or []) from None
    for change in deletions:
        seg_service.delete(app, change.key, confirm=True)
        applied.done.append((change.key, "deleted"))
    if to_refresh:
        requested = refresh(app, to_refresh)
        applied.run_id = requested.run.id if requested.run else None
    return applied


def _create(app: App, doc: SegmentDocument, to_refresh: list[str]) -> str:
    key = str(doc.key)
    seg_service.create(app, doc, type_=SegmentType(doc.type), key=key)
    if doc.members:
        from segmint.services import static

        static.add(app, key, list(doc.members))
    if doc.active is False:
        seg_service.deactivate(app, key)
    if doc.state == "live":
        seg_service.go_live(app, key, refresh_now=False)
        to_refresh.append(key)
        return "created, live"
    return "created"


def _change(app: App, doc: SegmentDocument, change: Change, to_refresh: list[str]) -> str:
    key = str(doc.key)
    with app.store.read() as r:
        seg = r.require(key)
    if "type" in change.fields or "audience" in change.fields:
        raise UserError(
            f"{key}: a segment's type and audience cannot change; use a new key instead"
        )
    notes = []
    if "condition" in change.fields or "timezone" in change.fields:
        seg = seg_service.edit(app, key, doc)
        if seg.editing:
            seg, _ = seg_service.save_edit(app, key)
        notes.append("definition")
    elif "name" in change.fields or "description" in change.fields:
        with app.store.write(app.actor) as w:
            w.update_segment(key, "edit", name=doc.name or key, description=doc.description or "")
        notes.append("name")
    if "tags" in change.fields:
        with app.store.write(app.actor) as w:
            w.set_tags(key, doc.tags)
        notes.append("tags")
    if "members" in change.fields and doc.members is not None:
        from segmint.services import static

        with app.store.read() as r:
            have = set(r.static_members(key))
        want = set(doc.members)
        static.remove(app, key, sorted(have - want))
        static.add(app, key, sorted(want - have))
        notes.append("members")
        if seg.state is SegmentState.LIVE:
            to_refresh.append(key)
    if "active" in change.fields:
        if doc.active:
            seg_service.activate(app, key)
        else:
            seg_service.deactivate(app, key)
        notes.append("active" if doc.active else "inactive")
    if "state" in change.fields:
        if doc.state == "live":
            seg_service.go_live(app, key, refresh_now=False)
            to_refresh.append(key)
        else:
            seg_service.stop(app, key, confirm=True)
        notes.append(str(doc.state))
    return "changed: " + ", ".join(notes)
