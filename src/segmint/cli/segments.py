"""Managing segments from the command line: the `segment` commands, the lifecycle, usage.

`segmint segment create/list/show/members/edit/save/discard/rename/duplicate/tag/delete`,
`segmint go-live/stop/activate/deactivate KEY`, `segmint usage KEY` and
`segmint consumers add/remove/list`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from segmint.cli.common import (
    FileArg,
    JsonOpt,
    KeyArg,
    WorkspaceOpt,
    cell,
    guarded,
    load_file,
    one_of,
    opened,
    parse_when,
    say,
    split_list,
    warn,
    when,
)
from segmint.cli.output import emit_json, out, progress_bars
from segmint.cli.runs import print_requested, requested_json
from segmint.cli.shapes import (
    SEGMENT_FIELDS,
    consumer_json,
    segment_json,
    usage_json,
    version_json,
)
from segmint.errors import ConflictError, Problem, UserError
from segmint.store import SegmentState, SegmentType

if TYPE_CHECKING:
    from segmint.engines.base import Page
    from segmint.services.context import App
    from segmint.services.refresh import Requested
    from segmint.services.segments import Usage
    from segmint.store import Segment

segment_app = typer.Typer(
    name="segment",
    help="Managed segments: create, list, show, edit, rename, duplicate, tag, delete.",
    no_args_is_help=True,
)
consumers_app = typer.Typer(
    name="consumers",
    help="What uses a segment from outside Segmint: journeys, campaigns...",
    no_args_is_help=True,
)

YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Confirm: go ahead even though the segment is used.")
]
CancelOpt = Annotated[
    bool, typer.Option("--cancel", help="Drop the scheduled change instead of making one.")
]
AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at", help="Schedule it for this ISO date-time (UTC if no offset); default now."
    ),
]

DEFAULT_COLUMNS = (
    "key",
    "name",
    "type",
    "status",
    "active",
    "members",
    "last_refreshed_at",
    "tags",
)


class CreatableType(StrEnum):
    """The segment types `segment create` makes."""

    DYNAMIC = "dynamic"
    STATIC = "static"
    COMPOUND = "compound"


class Role(StrEnum):
    """How a consumer uses a segment."""

    TARGET = "target"
    SUPPRESSION = "suppression"


def register(app: typer.Typer) -> None:
    """Add the segment commands to the `segmint` command."""
    app.add_typer(segment_app, name="segment")
    app.command("go-live")(go_live)
    app.command("stop")(stop)
    app.command("activate")(activate)
    app.command("deactivate")(deactivate)
    app.command("usage")(usage_command)
    app.add_typer(consumers_app, name="consumers")


def _status(seg: Segment) -> str:
    return seg.status_label + ("" if seg.active else ", inactive")


# --- segment create / list / show / members -------------------------------------------


@segment_app.command("create")
@guarded
def create(
    file: FileArg,
    workspace: WorkspaceOpt = Path(),
    key: Annotated[
        str | None, typer.Option("--key", help="The key; default: the file's key or name.")
    ] = None,
    type_: Annotated[
        CreatableType | None,
        typer.Option("--type", help="The segment type; default: the file's type (dynamic)."),
    ] = None,
    owner: Annotated[str, typer.Option("--owner", help="Who owns it; default: you.")] = "",
    business_unit: Annotated[
        str, typer.Option("--business-unit", help="The business unit it belongs to.")
    ] = "",
    as_json: JsonOpt = False,
) -> None:
    """Save a definition file as a new draft segment (validated), revision 1."""
    from segmint.services import segments, static
    from segmint.workspace import document_key

    doc = load_file(file)
    kind = SegmentType((type_ or CreatableType(doc.type)).value)
    chosen = key or document_key(doc, file)
    with opened(workspace) as app:
        seg = segments.create(
            app, doc, type_=kind, key=chosen, owner=owner, business_unit=business_unit
        )
        added = 0
        if kind is SegmentType.STATIC and doc.members:
            try:
                added = static.add(app, seg.key, list(doc.members))
            except UserError:
                segments.delete(app, seg.key, confirm=True)
                raise
            with app.store.read() as r:
                seg = r.require(seg.key)
    if as_json:
        emit_json({"segment": segment_json(seg), "static_added": added})
        return
    say(
        f"Created {seg.type.value} segment {seg.key} ({seg.audience}) as a draft, "
        f"revision {seg.revision}"
    )
    if added:
        say(f"Added {added:,} hand-picked members")
    say(f"Next: segmint go-live {seg.key}")


@segment_app.command("list")
@guarded
def list_segments(
    workspace: WorkspaceOpt = Path(),
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Only names or keys containing this.")
    ] = None,
    sort: Annotated[str, typer.Option("--sort", help="The column to sort by.")] = "name",
    desc: Annotated[bool, typer.Option("--desc", help="Sort in descending order.")] = False,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Only segments with this tag (repeatable).")
    ] = None,
    type_: Annotated[
        list[SegmentType] | None,
        typer.Option("--type", help="Only segments of this type (repeatable)."),
    ] = None,
    state: Annotated[
        list[SegmentState] | None,
        typer.Option("--state", help="Only draft or live segments (repeatable)."),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option("--columns", help="Comma-separated columns to show, e.g. key,name,members"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Segments, searched by name, filtered by tags, type and state, sorted by any column."""
    from segmint.store.store import SORTABLE

    one_of(sort, SORTABLE, "--sort")
    chosen = split_list(columns)
    for column in chosen:
        one_of(column, SEGMENT_FIELDS, "--columns")
    with opened(workspace) as app, app.store.read() as r:
        found = r.segments(
            search=search,
            tags=tag or (),
            types=[t.value for t in type_ or ()],
            states=[s.value for s in state or ()],
            sort=sort,
            descending=desc,
        )
    rows = [segment_json(s) for s in found]
    shown = chosen or list(DEFAULT_COLUMNS)
    if as_json:
        picked = [{c: row[c] for c in chosen} for row in rows] if chosen else rows
        emit_json({"count": len(rows), "segments": picked})
        return
    table = Table()
    for column in shown:
        table.add_column(column, no_wrap=column in ("key", "last_refreshed_at"))
    for row in rows:
        table.add_row(*(cell(row[c]) for c in shown))
    out.print(table)
    say(f"{len(rows)} segment{'' if len(rows) == 1 else 's'}")


@segment_app.command("show")
@guarded
def show(key: KeyArg, workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False) -> None:
    """Everything about a segment: status, tags, revisions, definition, usage, last refresh."""
    from segmint.services import segments

    with opened(workspace) as app:
        with app.store.read() as r:
            seg = r.require(key)
            revisions = r.revisions(key)
            version = next((v for v in r.versions(key) if v.version == seg.current_version), None)
            definition = r.revision(key, seg.serving_revision)
        sentence = segments.sentence(app, seg)
        pending = (
            segments.sentence(app, seg, seg.pending_revision)
            if seg.pending_revision is not None
            else None
        )
        used = segments.usage(app, key)
    if as_json:
        emit_json(
            {
                "segment": segment_json(seg),
                "sentence": sentence,
                "pending_sentence": pending,
                "definition": definition,
                "revisions": [
                    {"revision": n, "created_at": at, "created_by": by} for n, at, by in revisions
                ],
                "current_version": None if version is None else version_json(version),
                "usage": usage_json(used),
            }
        )
        return
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    details: list[tuple[str, Any]] = [
        ("key", seg.key),
        ("name", seg.name),
        ("description", seg.description),
        ("type", seg.type.value),
        ("audience", seg.audience),
        ("status", seg.status_label),
        ("active", seg.active),
        ("activates at", seg.activate_at),
        ("deactivates at", seg.deactivate_at),
        ("time zone", seg.timezone),
        ("owner", seg.owner),
        ("business unit", seg.business_unit),
        ("tags", seg.tags),
        ("revision", seg.revision),
        ("live revision", seg.live_revision),
        ("pending revision", seg.pending_revision),
        ("definition", sentence),
        ("pending definition", pending),
        ("current version", seg.current_version),
        ("version as of", version.as_of if version else None),
        ("members", seg.members),
        ("last refreshed", seg.last_refreshed_at),
        ("last refresh status", seg.last_status),
        ("last refresh error", seg.last_error),
        ("created", f"{when(seg.created_at)} by {seg.created_by}"),
        ("updated", f"{when(seg.updated_at)} by {seg.updated_by}"),
    ]
    for label, value in details:
        if value is None or value in ("", ()):
            continue
        table.add_row(label, cell(value))
    out.print(table)
    _print_usage(key, used)


def usage_lines(used: Usage) -> list[str]:
    """One line per segment referencing it and per consumer (with its id)."""
    lines = [
        f"segment {k}: references it"
        + (" (a live compound segment reading its members)" if k in used.live_compounds else "")
        for k in used.segments
    ]
    lines += [
        f"{c.kind} {c.name!r} (consumer {c.id}): uses it as {c.role}"
        + (f" ({c.link})" if c.link else "")
        for c in used.consumers
    ]
    return lines


def _print_usage(key: str, used: Usage) -> None:
    if not used.used:
        say(f"{key} is not used by other segments or consumers")
        return
    say(f"{key} is used by:")
    for line in usage_lines(used):
        say(f"  {line}")


@segment_app.command("members")
@guarded
def members(
    key: KeyArg,
    workspace: WorkspaceOpt = Path(),
    fields: Annotated[
        str | None,
        typer.Option(help="Comma-separated fields, e.g. email,city,account.industry"),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="How many members; default 100 (preview_limit).")
    ] = None,
    offset: Annotated[int, typer.Option(help="Skip this many first.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Members of the segment's current stored version, ordered by key, with chosen fields."""
    with opened(workspace) as app:
        count = limit if limit is not None else app.ws.settings.defaults.preview_limit
        if not 1 <= count <= 100_000:
            raise UserError("--limit must be between 1 and 100000")
        if offset < 0:
            raise UserError("--offset must not be negative")
        with app.store.read() as r:
            seg = r.require(key)
            version = next((v for v in r.versions(key) if v.version == seg.current_version), None)
        if seg.current_version is None or version is None:
            step = (
                f"segmint go-live {key}"
                if seg.state is SegmentState.DRAFT
                else f"segmint refresh {key}"
            )
            raise UserError(f"{key} has no stored members yet; run `{step}`")
        keys = app.engine.versions.read(
            seg.key, seg.audience, seg.current_version, limit=count, offset=offset
        )
        page = profile_rows(app, seg.audience, keys, split_list(fields), count, offset)
    if as_json:
        emit_json(
            {
                "segment": key,
                "version": version.version,
                "as_of": version.as_of,
                "members": version.members,
                "fields": page.fields,
                "rows": page.rows,
                "limit": page.limit,
                "offset": page.offset,
            }
        )
        return
    table = Table(*page.fields)
    for row in page.rows:
        table.add_row(*(cell(row[f]) for f in page.fields))
    out.print(table)
    noun = "row" if len(page.rows) == 1 else "rows"
    say(
        f"{len(page.rows)} {noun} from offset {page.offset} of {version.members:,} members "
        f"(version {version.version}, as of {when(version.as_of)})"
    )


def profile_rows(
    app: App, audience: str, keys: list[Any], fields: list[str], limit: int, offset: int
) -> Page:
    """The chosen fields of the profiles with these keys, in the keys' order.

    There is no engine call for "fields of these keys", so this asks the engine for the
    members of a definition selecting exactly these keys (`key in [...]`).
    """
    from segmint.engines.base import Page
    from segmint.services.context import now

    engine = app.engine
    entity = engine.catalog.entities[audience]
    names = list(dict.fromkeys([entity.key, *fields]))
    bad = []
    for name in fields:
        try:
            engine.catalog.resolve_field(audience, name)
        except KeyError as exc:
            bad.append(str(exc.args[0]))
    if bad:
        raise UserError("unknown fields: " + "; ".join(bad))
    if not keys:
        return Page(fields=names, rows=[], limit=limit, offset=offset)
    from segmint.definition.nodes import Attribute, Definition

    definition = Definition(
        audience=audience, condition=Attribute(field=entity.key, op="in", value=list(keys))
    )
    page = engine.members(definition, as_of=now(), fields=fields, limit=len(keys), offset=0)
    found = {row[entity.key]: row for row in page.rows}
    # a member whose profile has since left the data keeps its row, with empty fields
    rows = [found.get(k) or {f: k if f == entity.key else None for f in page.fields} for k in keys]
    return Page(fields=page.fields, rows=rows, limit=limit, offset=offset)


# --- editing ----------------------------------------------------------------------------


FileOpt = Annotated[
    Path, typer.Option("--file", "-f", help="The edited definition file (YAML or JSON).")
]


@segment_app.command("edit")
@guarded
def edit(
    key: KeyArg, file: FileOpt, workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False
) -> None:
    """Save an edited definition as a new revision (a live segment becomes "live, editable")."""
    from segmint.services import segments

    doc = load_file(file)
    with opened(workspace) as app:
        seg = segments.edit(app, key, doc)
    if as_json:
        emit_json({"segment": segment_json(seg)})
        return
    say(f"Saved revision {seg.revision} of {key} (status: {seg.status_label})")
    if seg.editing:
        say(
            f"Live revision {seg.live_revision} keeps serving until "
            f"`segmint segment save {key}` (or `segmint segment discard {key}`)"
        )


@segment_app.command("save")
@guarded
def save(key: KeyArg, workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False) -> None:
    """Swap a live segment's pending edit in and refresh it."""
    from segmint.services import segments

    with opened(workspace) as app, progress_bars(not as_json) as bars:
        seg, requested = segments.save_edit(app, key, progress=bars)
    _lifecycle_result(
        seg, requested, f"Saved the edit of {key}: revision {seg.live_revision} is live", as_json
    )


@segment_app.command("discard")
@guarded
def discard(key: KeyArg, workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False) -> None:
    """Drop a live segment's pending edit; the live revision stays."""
    from segmint.services import segments

    with opened(workspace) as app:
        seg = segments.discard_edit(app, key)
    if as_json:
        emit_json({"segment": segment_json(seg)})
        return
    say(f"Discarded the edit of {key}; revision {seg.live_revision} stays live")


@segment_app.command("rename")
@guarded
def rename(
    key: KeyArg,
    name: Annotated[str, typer.Argument(help="The new name.")],
    workspace: WorkspaceOpt = Path(),
    as_json: JsonOpt = False,
) -> None:
    """Give a segment a new name (its key never changes)."""
    from segmint.services import segments

    with opened(workspace) as app:
        seg = segments.rename(app, key, name)
    if as_json:
        emit_json({"segment": segment_json(seg)})
        return
    say(f"Renamed {key} to {seg.name!r}")


def document_yaml(seg: Segment, definition: dict[str, Any]) -> str:
    """A segment as a definition file, ready to edit and give back with --file."""
    import yaml

    data: dict[str, Any] = {
        "key": seg.key,
        "name": seg.name,
        "description": seg.description,
        "tags": list(seg.tags),
        "type": seg.type.value,
        **definition,
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@segment_app.command("duplicate")
@guarded
def duplicate(
    key: KeyArg,
    new_key: Annotated[str, typer.Argument(help="The copy's key.")],
    workspace: WorkspaceOpt = Path(),
    name: Annotated[
        str | None, typer.Option("--name", help="The copy's name; default: NAME (copy).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Save this edited definition as the copy's revision 2."),
    ] = None,
    edit_copy: Annotated[
        bool,
        typer.Option("--edit", help="Write the copy as a YAML file to edit and print its path."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """A draft copy of a segment (latest revision, tags, static members), optionally edited."""
    from segmint.services import segments

    if file is not None and edit_copy:
        raise UserError("--file and --edit do not go together: --file saves an edited copy now")
    doc = load_file(file) if file is not None else None
    with opened(workspace) as app:
        with app.store.read() as r:
            source = r.require(key)
        if (doc is not None or edit_copy) and source.type in (
            SegmentType.STATIC,
            SegmentType.EXTERNAL,
        ):
            option = "--file" if doc is not None else "--edit"
            raise UserError(f"{option}: {key} is {source.type.value}; it has no definition to edit")
        if doc is not None:
            if doc.audience != source.audience:
                raise UserError(f"{file}: {key} is about {source.audience}, not {doc.audience}")
            segments.validate_definition(
                app, doc.definition, key=new_key, type_=source.type, where=str(file)
            )
        seg = segments.duplicate(app, key, new_key, name=name)
        if doc is not None:
            seg = segments.edit(app, new_key, doc)
        path: Path | None = None
        if edit_copy:
            with app.store.read() as r:
                data = r.revision(new_key, seg.revision)
            path = app.ws.root / "edits" / f"{new_key}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(document_yaml(seg, data), encoding="utf-8")
    if as_json:
        emit_json({"segment": segment_json(seg), "file": str(path) if path else None})
        return
    say(f"Created {new_key} as a draft copy of {key} (revision {seg.revision})")
    if path is not None:
        say(str(path))
        say(f"Edit it, then: segmint segment edit {new_key} --file {path}")


@segment_app.command("tag")
@guarded
def tag(
    key: KeyArg,
    workspace: WorkspaceOpt = Path(),
    add: Annotated[
        list[str] | None, typer.Option("--add", "-a", help="A tag to add (repeatable).")
    ] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", "-r", help="A tag to remove (repeatable).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add and remove tags (without options: print the tags)."""
    from segmint.services import segments

    with opened(workspace) as app:
        if add or remove:
            seg = segments.tag(app, key, add or (), remove or ())
        else:
            with app.store.read() as r:
                seg = r.require(key)
    if as_json:
        emit_json({"key": key, "tags": list(seg.tags)})
        return
    say(f"{key}: {', '.join(seg.tags) if seg.tags else 'no tags'}")


@segment_app.command("delete")
@guarded
def delete(
    key: KeyArg, workspace: WorkspaceOpt = Path(), yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Delete a segment, its revisions and versions; when it is used, only with --yes."""
    from segmint.services import segments

    with opened(workspace) as app:
        found = segments.usage(app, key)
        if found.used and not yes:
            raise ConflictError(
                f"{key} is in use; run again with --yes to delete it anyway", found.lines()
            )
        used = segments.delete(app, key, confirm=yes)
    if as_json:
        emit_json({"deleted": key, "usage": usage_json(used)})
        return
    say(f"Deleted {key}")
    if used.used:
        warn(f"{key} was used by:")
        for line in usage_lines(used):
            warn(f"  {line}")


# --- the lifecycle ----------------------------------------------------------------------


def _lifecycle_result(
    seg: Segment, requested: Requested | None, message: str, as_json: bool
) -> None:
    if as_json:
        emit_json(
            {
                "segment": segment_json(seg),
                "refresh": requested_json(requested) if requested is not None else None,
            }
        )
        return
    say(message)
    if requested is not None:
        print_requested(requested)


@guarded
def go_live(
    key: KeyArg,
    workspace: WorkspaceOpt = Path(),
    no_refresh: Annotated[
        bool, typer.Option("--no-refresh", help="Do not refresh it now (the next refresh will).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Validate a draft, make it live and refresh it."""
    from segmint.services import segments

    with opened(workspace) as app, progress_bars(not as_json) as bars:
        seg, requested = segments.go_live(app, key, progress=bars, refresh_now=not no_refresh)
    _lifecycle_result(seg, requested, f"{key} is live (revision {seg.live_revision})", as_json)


@guarded
def stop(
    key: KeyArg, workspace: WorkspaceOpt = Path(), yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Back to draft: no longer refreshed or usable; needs --yes if live compounds use it."""
    from segmint.services import segments

    with opened(workspace) as app:
        with app.store.read() as r:
            live = r.require(key).state is SegmentState.LIVE
        compounds = segments.usage(app, key).live_compounds if live and not yes else []
        if compounds:
            raise ConflictError(
                f"{key} feeds live compound segments; run again with --yes to stop it anyway",
                [Problem(f"segment {k}", "live compound input") for k in compounds],
            )
        seg = segments.stop(app, key, confirm=yes)
    if as_json:
        emit_json({"segment": segment_json(seg)})
        return
    say(f"{key} is a draft again")


def _activation(
    key: str, workspace: Path, at: str | None, as_json: bool, *, active: bool, cancel: bool
) -> None:
    from segmint.services import segments
    from segmint.services.context import now

    if cancel:
        if at is not None:
            raise UserError("give --at or --cancel, not both")
        with opened(workspace) as app:
            seg = segments.cancel_scheduled(app, key, activation=active)
        if as_json:
            emit_json({"segment": segment_json(seg), "scheduled": None})
            return
        say(f"Cancelled the scheduled {'activation' if active else 'deactivation'} of {key}")
        return
    moment = parse_when(at, "--at") if at is not None else None
    scheduled = moment is not None and moment > now()
    with opened(workspace) as app:
        if active:
            seg = segments.activate(app, key, at=moment)
        else:
            seg = segments.deactivate(app, key, at=moment)
    if as_json:
        emit_json({"segment": segment_json(seg), "scheduled": moment if scheduled else None})
        return
    verb = "activated" if active else "deactivated"
    if scheduled and moment is not None:
        say(f"{key} will be {verb} at {when(moment)}")
    else:
        say(f"{key} is {'active' if active else 'inactive'} ({_status(seg)})")


@guarded
def activate(
    key: KeyArg,
    workspace: WorkspaceOpt = Path(),
    at: AtOpt = None,
    cancel: CancelOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Make a segment active now, or at a later time with --at (--cancel drops that)."""
    _activation(key, workspace, at, as_json, active=True, cancel=cancel)


@guarded
def deactivate(
    key: KeyArg,
    workspace: WorkspaceOpt = Path(),
    at: AtOpt = None,
    cancel: CancelOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Make a segment inactive now, or at a later time with --at (--cancel drops that)."""
    _activation(key, workspace, at, as_json, active=False, cancel=cancel)


# --- usage and consumers ----------------------------------------------------------------


@guarded
def usage_command(key: KeyArg, workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False) -> None:
    """Who uses a segment: segments referencing it and registered consumers."""
    from segmint.services import segments

    with opened(workspace) as app:
        used = segments.usage(app, key)
    if as_json:
        emit_json({"key": key, **usage_json(used)})
        return
    _print_usage(key, used)


@consumers_app.command("add")
@guarded
def consumers_add(
    key: KeyArg,
    name: Annotated[str, typer.Option("--name", help="The consumer's name.")],
    workspace: WorkspaceOpt = Path(),
    kind: Annotated[
        str, typer.Option("--kind", help="What it is: journey, campaign, export...")
    ] = "journey",
    role: Annotated[Role, typer.Option("--role", help="How it uses the segment.")] = Role.TARGET,
    link: Annotated[str, typer.Option("--link", help="Where to find it (a URL).")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Register something outside Segmint that uses a segment (again: update its role, link)."""
    if not kind.strip():
        raise UserError("--kind cannot be empty")
    if not name.strip():
        raise UserError("--name cannot be empty")
    with opened(workspace) as app, app.store.write(app.actor) as w:
        consumer = w.register_consumer(
            key, kind=kind.strip(), name=name.strip(), role=role.value, link=link.strip()
        )
    if as_json:
        emit_json({"consumer": consumer_json(consumer)})
        return
    say(
        f"Registered {consumer.kind} {consumer.name!r} ({consumer.role}) on {key}: id {consumer.id}"
    )


@consumers_app.command("remove")
@guarded
def consumers_remove(
    key: KeyArg,
    consumer_id: Annotated[int, typer.Argument(help="The consumer's id (see segmint usage).")],
    workspace: WorkspaceOpt = Path(),
    as_json: JsonOpt = False,
) -> None:
    """Unregister a consumer of a segment."""
    with opened(workspace) as app, app.store.write(app.actor) as w:
        w.require(key)
        w.remove_consumer(key, consumer_id)
    if as_json:
        emit_json({"removed": consumer_id, "segment": key})
        return
    say(f"Removed consumer {consumer_id} from {key}")


@consumers_app.command("list")
@guarded
def consumers_list(key: KeyArg, workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False) -> None:
    """The consumers registered on a segment."""
    with opened(workspace) as app, app.store.read() as r:
        r.require(key)
        found = r.consumers(key)
    if as_json:
        emit_json({"segment": key, "consumers": [consumer_json(c) for c in found]})
        return
    table = Table("id", "kind", "name", "role", "link", "registered_at")
    for c in found:
        table.add_row(*(cell(v) for v in (c.id, c.kind, c.name, c.role, c.link, c.registered_at)))
    out.print(table)
    say(f"{len(found)} consumer{'' if len(found) == 1 else 's'}")
