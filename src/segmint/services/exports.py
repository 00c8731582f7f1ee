"""Destinations and exports: add, show (secrets masked), test and remove destinations; create,
edit, show and delete exports (a destination, the segments it receives, a field mapping).

Runs live in `services.export_runs`. The same calls feed the API and the CLI.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from segmint.errors import ConflictError, Problem, UserError
from segmint.exports.base import Context, TypeSettings
from segmint.exports.types import destination_type, parse_settings
from segmint.exports.webhook import new_secret as make_secret
from segmint.services.context import App, is_usable
from segmint.store import Segment, SegmentState
from segmint.store.exports import (
    DestinationRecord,
    ExportReader,
    ExportRecord,
    ExportRunRecord,
    ExportWriter,
)
from segmint.workspace import KEY_PATTERN

FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
RESERVED = ("id", "segment")


def _check_key(key: str, what: str) -> None:
    if not KEY_PATTERN.match(key):
        raise UserError(
            f"{key!r} is not a valid {what} key: lower-case letters, digits, - and _, "
            "starting with a letter or digit, at most 100 characters"
        )


def context(app: App) -> Context:
    """What destinations need from this workspace."""
    settings = app.ws.settings
    return Context(
        root=app.ws.root,
        source_name=settings.name,
        public_url=settings.exports.public_url,
        allow_private=settings.exports.allow_private_addresses,
        timeout=settings.exports.timeout_seconds,
    )


def settings_of(record: DestinationRecord) -> TypeSettings:
    return parse_settings(record.type, {**record.settings, **record.secrets})


def id_path(app: App, id_field: str, audience: str) -> str:
    """The ID field of a destination for an audience: the audience's key when not set."""
    return id_field or app.engine.catalog.entities[audience].key


# --- destinations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Added:
    """A new destination, and the signing secret generated for it (shown only now)."""

    destination: DestinationRecord
    generated_secret: str | None


def add_destination(
    app: App,
    key: str,
    *,
    type: str,
    settings: dict[str, Any],
    name: str | None = None,
    id_field: str = "",
) -> Added:
    """Save a destination; a webhook without a secret gets a generated one."""
    _check_key(key, "destination")
    destination_type(type)
    values = dict(settings)
    generated = None
    if type == "webhook" and not values.get("secret"):
        generated = values["secret"] = make_secret()
    parsed = parse_settings(type, values)
    if id_field:
        _check_id_field(app, id_field)
    with app.store.write(app.actor) as w:
        record = ExportWriter(w).add_destination(
            key=key,
            name=(name or key).strip() or key,
            type=type,
            settings=parsed.public(),
            secrets=parsed.secret_values(),
            id_field=id_field,
        )
    return Added(record, generated)


def _check_id_field(app: App, id_field: str) -> None:
    catalog = app.engine.catalog
    for audience in catalog.audiences():
        try:
            catalog.resolve_field(audience, id_field)
        except KeyError:
            continue
        return
    raise UserError(
        f"id field {id_field!r} is not a field of any audience ({', '.join(catalog.audiences())})"
    )


KEEPS_WHAT_IT_HOLDS = {"name", "secret", "token", "batch_size", "max_bytes", "batch_rows"}
"""Destination changes after which the next delivery may still be a diff; any other change
(a URL, path, table, mode, database, the ID mapping) makes it a full snapshot."""


@dataclass(frozen=True)
class Edited:
    """A changed destination, what changed, and a signing secret generated now (shown once)."""

    destination: DestinationRecord
    changed: list[str]
    generated_secret: str | None


def edit_destination(
    app: App,
    key: str,
    *,
    name: str | None = None,
    settings: dict[str, Any] | None = None,
    unset: Sequence[str] = (),
    id_field: str | None = None,
    new_secret: bool = False,
) -> Edited:
    """Change a destination: its display name, ID mapping, and settings (given values replace
    the stored ones, `unset` ones go back to their default). A secret given replaces the old
    one (rotation); `new_secret` makes a webhook a fresh signing secret instead. The type
    cannot change: add another destination for that."""
    values = dict(settings or {})
    with app.store.read() as r:
        record = ExportReader(r).require_destination(key)
    kind = destination_type(record.type)
    known = set(kind.settings.model_fields)
    problems = [
        Problem(f"settings.{n}", f"not a setting of a {record.type} destination")
        for n in [*values, *unset]
        if n not in known
    ]
    problems += [Problem(f"settings.{n}", "both set and unset") for n in unset if n in values]
    generated = None
    if new_secret:
        if record.type != "webhook":
            problems.append(Problem("new_secret", "only a webhook has a signing secret"))
        elif "secret" in values:
            problems.append(Problem("new_secret", "give a secret or ask for a new one, not both"))
        else:
            generated = values["secret"] = make_secret()
    if problems:
        raise UserError(f"cannot change destination {key}", problems)
    merged = {**record.settings, **record.secrets, **values}
    for n in unset:
        merged.pop(n, None)
    parsed = parse_settings(record.type, merged)
    if id_field:
        _check_id_field(app, id_field)
    public, secret = parsed.public(), parsed.secret_values()
    changed = sorted(
        {n for n in set(public) | set(record.settings) if public.get(n) != record.settings.get(n)}
        | {n for n in set(secret) | set(record.secrets) if secret.get(n) != record.secrets.get(n)}
    )
    new_name = name.strip() if name is not None and name.strip() else None
    if new_name is not None and new_name != record.name:
        changed.append("name")
    if id_field is not None and id_field != record.id_field:
        changed.append("id_field")
    if not changed:
        return Edited(record, [], None)
    with app.store.write(app.actor) as w:
        ew = ExportWriter(w)
        updated = ew.update_destination(
            key,
            name=new_name,
            settings=public if public != record.settings else None,
            secrets=secret if secret != record.secrets else None,
            id_field=id_field if id_field is not None and id_field != record.id_field else None,
            changed=changed,
        )
        if set(changed) - KEEPS_WHAT_IT_HOLDS:
            # Another place (URL, path, table, database) or another ID: what the destination
            # holds can no longer be changed by a diff. The next delivery is a full snapshot.
            for export in ew.exports(destination=key):
                for segment in export.segments:
                    ew.request_snapshot(export.key, segment)
    return Edited(updated, changed, generated)


def rotate_secret_key(app: App) -> int:
    """Encrypt every destination's secrets with a new key (or, with SEGMINT_SECRET_KEY set,
    with its first key); returns how many destinations have secrets."""
    from segmint.store.sealing import KEY_ENV, KEY_FILE, KeyFile, new_key

    if os.environ.get(KEY_ENV, "").strip():
        with app.store.write(app.actor) as w:
            return ExportWriter(w).reseal_destinations()
    keys = KeyFile(app.ws.root / KEY_FILE)
    old = keys.read()
    fresh = new_key()
    keys.write([fresh, *old])  # both decrypt while the secrets are sealed again
    with app.store.write(app.actor) as w:
        count = ExportWriter(w).reseal_destinations()
    keys.write([fresh])
    return count


def destinations(app: App) -> list[DestinationRecord]:
    with app.store.read() as r:
        return ExportReader(r).destinations()


def destination_json(record: DestinationRecord) -> dict[str, Any]:
    """A destination as it may be shown: secrets masked."""
    return {
        "key": record.key,
        "name": record.name,
        "type": record.type,
        "settings": settings_of(record).masked(),
        "id_field": record.id_field,
        "created_at": record.created_at,
        "created_by": record.created_by,
        "updated_at": record.updated_at,
        "updated_by": record.updated_by,
    }


def last_run_json(run: ExportRunRecord | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.id,
        "export": run.export,
        "status": run.status,
        "trigger": run.trigger,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "error": run.error,
    }


def _summary(er: ExportReader, record: DestinationRecord) -> dict[str, Any]:
    using = er.exports(destination=record.key)
    runs = [run for e in using for run in er.runs(e.key, limit=1)]
    newest = max(runs, key=lambda x: x.id) if runs else None
    return {
        **destination_json(record),
        "exports": [e.key for e in using],
        "segments": sorted({s for e in using for s in e.segments}),
        "last_run": last_run_json(newest),
    }


def destination_summaries(app: App) -> list[dict[str, Any]]:
    """Every destination with its exports, the segments it receives and its newest run."""
    with app.store.read() as r:
        er = ExportReader(r)
        return [_summary(er, d) for d in er.destinations()]


def show_destination(app: App, key: str) -> dict[str, Any]:
    """A destination with the exports using it, every segment it receives, its newest run."""
    with app.store.read() as r:
        er = ExportReader(r)
        return _summary(er, er.require_destination(key))


def test_destination(app: App, key: str) -> str:
    """Reach the destination (connect, write, ping): a sentence saying what worked."""
    with app.store.read() as r:
        record = ExportReader(r).require_destination(key)
    kind = destination_type(record.type)
    opened = kind.open(settings_of(record), record.id_field, context(app))
    try:
        return opened.test()
    finally:
        opened.close()


def remove_destination(app: App, key: str) -> None:
    """Remove a destination no export uses (what it received stays there)."""
    with app.store.write(app.actor) as w:
        ew = ExportWriter(w)
        ew.require_destination(key)
        using = ew.exports(destination=key)
        if using:
            raise ConflictError(
                f"destination {key} is used by exports; delete them first",
                [Problem(f"export {e.key}", "uses it") for e in using],
            )
        ew.remove_destination(key)


# --- exports ------------------------------------------------------------------------------


def parse_fields(specs: Sequence[str]) -> dict[str, str]:
    """`name=path` (or `path`, named after it with dots as underscores) -> {name: path}."""
    found: dict[str, str] = {}
    problems = []
    for spec in specs:
        name, _, path = spec.partition("=") if "=" in spec else (spec.replace(".", "_"), "", spec)
        name, path = name.strip(), path.strip()
        if not FIELD_NAME.match(name) or name in RESERVED:
            problems.append(
                Problem(
                    spec,
                    "the output name must be a letter or _ then letters, digits and _ "
                    f"(not {' or '.join(RESERVED)})",
                )
            )
        elif not path:
            problems.append(Problem(spec, "no source field"))
        elif name in found:
            problems.append(Problem(spec, f"{name} is mapped twice"))
        else:
            found[name] = path
    if problems:
        raise UserError("invalid field mapping", problems)
    return found


def _check_mapping(
    app: App, segments: Sequence[Segment], fields: dict[str, str], id_field: str
) -> None:
    """Every mapped field (and the ID field) exists for every segment's audience."""
    catalog = app.engine.catalog
    problems = []
    for audience in sorted({s.audience for s in segments}):
        for name, path in {"id": id_path(app, id_field, audience), **fields}.items():
            try:
                catalog.resolve_field(audience, path)
            except KeyError as exc:
                problems.append(Problem(f"{name} ({audience})", str(exc.args[0])))
    if problems:
        raise UserError("the field mapping does not fit the segments", problems)


def _segments(app: App, keys: Sequence[str]) -> list[Segment]:
    with app.store.read() as r:
        return [r.require(k) for k in dict.fromkeys(keys)]


def _register(w: Any, export: str, added: Sequence[str], removed: Sequence[str]) -> None:
    """Exports show as usage of their segments."""
    for key in added:
        w.register_consumer(
            key, kind="export", name=export, role="target", link=f"/exports/{export}"
        )
    for key in removed:
        for consumer in w.consumers(key):
            if consumer.kind == "export" and consumer.name == export:
                w.remove_consumer(key, consumer.id)


def create_export(
    app: App,
    key: str,
    *,
    destination: str,
    segments: Sequence[str] = (),
    fields: dict[str, str] | None = None,
    name: str | None = None,
) -> ExportRecord:
    """A new export. Draft and inactive segments may be chosen; they are skipped (and said
    so) until live and active."""
    _check_key(key, "export")
    mapping = dict(fields or {})
    chosen = _segments(app, segments)
    with app.store.read() as r:
        dest = ExportReader(r).require_destination(destination)
    if dest.type != "segmint":
        _check_mapping(app, chosen, mapping, dest.id_field)
    else:
        _check_mapping(app, chosen, {}, dest.id_field)
    with app.store.write(app.actor) as w:
        ew = ExportWriter(w)
        ew.create_export(
            key=key, name=(name or key).strip() or key, destination=destination, fields=mapping
        )
        added = ew.add_segments(key, [s.key for s in chosen])
        _register(w, key, added, [])
        return ew.require_export(key)


def edit_export(
    app: App,
    key: str,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    fields: dict[str, str] | None = None,
    name: str | None = None,
) -> ExportRecord:
    """Add or remove segments, change the mapping or the name. A removed segment is no longer
    refreshed there; what the destination received stays."""
    with app.store.read() as r:
        er = ExportReader(r)
        export = er.require_export(key)
        dest = er.require_destination(export.destination)
    adding = _segments(app, add)
    mapping = export.fields if fields is None else fields
    kept = [s for s in export.segments if s not in set(remove)]
    everyone = _segments(app, [*kept, *(s.key for s in adding)])
    _check_mapping(app, everyone, {} if dest.type == "segmint" else mapping, dest.id_field)
    with app.store.write(app.actor) as w:
        ew = ExportWriter(w)
        values: dict[str, Any] = {}
        if fields is not None and fields != export.fields:
            values["fields"] = fields
        if name is not None and name.strip():
            values["name"] = name.strip()
        if values:
            ew.update_export(key, **values)
        added = ew.add_segments(key, [s.key for s in adding])
        removed = ew.remove_segments(key, remove)
        _register(w, key, added, removed)
        return ew.require_export(key)


def delete_export(app: App, key: str) -> None:
    """Delete an export and its history; what the destination received stays."""
    with app.store.write(app.actor) as w:
        ew = ExportWriter(w)
        export = ew.require_export(key)
        _register(w, key, [], export.segments)
        ew.delete_export(key)


def exports(
    app: App, *, destination: str | None = None, segment: str | None = None
) -> list[ExportRecord]:
    with app.store.read() as r:
        if segment is not None:
            r.require(segment)
        return ExportReader(r).exports(destination=destination, segment=segment)


def export_summaries(
    app: App, *, destination: str | None = None, segment: str | None = None
) -> list[dict[str, Any]]:
    """Exports with their destination's type and their last run."""
    with app.store.read() as r:
        if segment is not None:
            r.require(segment)
        er = ExportReader(r)
        found = er.exports(destination=destination, segment=segment)
        types = er.destination_types() if found else {}
        return [
            {
                **export_json(e),
                "destination_type": types.get(e.destination, ""),
                "last_run": last_run_json(next(iter(er.runs(e.key, limit=1)), None)),
            }
            for e in found
        ]


def export_json(record: ExportRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "name": record.name,
        "destination": record.destination,
        "fields": dict(record.fields),
        "segments": list(record.segments),
        "created_at": record.created_at,
        "created_by": record.created_by,
        "updated_at": record.updated_at,
        "updated_by": record.updated_by,
    }


def skip_reason(seg: Segment) -> str | None:
    """Why a segment is not exported now (None: it is): only live, active segments are."""
    if seg.state is not SegmentState.LIVE:
        return "draft"
    if not seg.active:
        return "inactive"
    if not is_usable(seg):
        return "not refreshed yet"
    return None


def show_export(app: App, key: str) -> dict[str, Any]:
    """An export with each segment's status there, its destination and its last run."""
    with app.store.read() as r:
        er = ExportReader(r)
        export = er.require_export(key)
        dest = er.require_destination(export.destination)
        rows = []
        for seg_key in export.segments:
            seg = r.require(seg_key)
            state = er.state(key, seg_key)
            rows.append(
                {
                    "segment": seg_key,
                    "name": seg.name,
                    "status": seg.status_label,
                    "active": seg.active,
                    "exported": skip_reason(seg) is None,
                    "skipped_because": skip_reason(seg),
                    "current_version": seg.current_version,
                    "delivered_version": state.version,
                    "delivered_at": state.delivered_at,
                    "up_to_date": state.version is not None
                    and state.version == seg.current_version,
                    "rejects": len(er.rejects(key, seg_key)),
                }
            )
        open_ = er.open_deliveries(key)
        last = er.runs(key, limit=1)
    return {
        **export_json(export),
        "destination_type": dest.type,
        "segment_status": rows,
        "pending_deliveries": [
            {"segment": d.segment, "version": d.version, "error": d.error} for d in open_
        ],
        "last_run": run_json(last[0]) if last else None,
    }


def run_json(run: ExportRunRecord) -> dict[str, Any]:
    return {
        "id": run.id,
        "export": run.export,
        "trigger": run.trigger,
        "status": run.status,
        "segments": list(run.segments) if run.segments is not None else None,
        "snapshot": run.snapshot,
        "requested_by": run.requested_by,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "seconds": run.seconds,
        "rows": run.rows,
        "batches": run.batches,
        "rejects": run.rejects,
        "errors": run.errors,
        "error": run.error,
        "detail": list(run.detail),
    }


def rejects_json(app: App, key: str) -> list[dict[str, Any]]:
    with app.store.read() as r:
        found = ExportReader(r).rejects(key)
    return [
        {
            "segment": x.segment,
            "profile": x.profile,
            "action": x.action,
            "reason": x.reason,
            "run_id": x.run_id,
            "at": x.at,
        }
        for x in found
    ]
