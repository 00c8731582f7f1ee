"""Hand-picked members of static segments: `segmint static add/remove KEY`.

Members are given by key (`--ids a,b,c`, or `--ids-file FILE` with one per line), or
selected by a query (`--query FILE`): the query's match count and first matches are printed
first; `--yes` then changes all of them, `--select a,b` only those among them, and without
either nothing changes (a preview).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from segmint.cli.common import (
    JsonOpt,
    KeyArg,
    WorkspaceOpt,
    guarded,
    load_file,
    opened,
    say,
    split_list,
)
from segmint.cli.output import emit_json
from segmint.errors import DefinitionError, NotFoundError, UserError

static_app = typer.Typer(
    name="static",
    help="Hand-picked members of static segments: add or remove by key or by query.",
    no_args_is_help=True,
)

SHOWN = 20
"""How many of a query's matches are printed before anything changes."""

IdsOpt = Annotated[
    str | None, typer.Option("--ids", help="Comma-separated profile keys, e.g. 17,42,99.")
]
IdsFileOpt = Annotated[
    Path | None, typer.Option("--ids-file", help="A file of profile keys, one per line.")
]
QueryOpt = Annotated[
    Path | None,
    typer.Option("--query", help="A definition file (YAML or JSON) selecting the profiles."),
]
SelectOpt = Annotated[
    str | None,
    typer.Option(
        "--select", help="With --query: only these comma-separated keys among the matches."
    ),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="With --query: change all the matches.")]


def register(app: typer.Typer) -> None:
    app.add_typer(static_app, name="static")


def read_ids(path: Path) -> list[str]:
    """Profile keys from a file, one per line; blank lines are skipped."""
    if not path.is_file():
        raise NotFoundError(f"--ids-file {path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"--ids-file {path}: cannot read it ({exc})") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def _change(
    action: str,
    key: str,
    workspace: Path,
    ids: str | None,
    ids_file: Path | None,
    query: Path | None,
    select: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    from segmint.services import static

    given = [
        name for name, v in (("--ids", ids), ("--ids-file", ids_file), ("--query", query)) if v
    ]
    if len(given) != 1:
        raise UserError("give the members with one of --ids, --ids-file or --query")
    if query is None and (select is not None or yes):
        raise UserError("--select and --yes work with --query only")
    if select is not None and yes:
        raise UserError("--select and --yes do not go together: --yes takes every match")
    adding = action == "add"
    result: dict[str, Any] = {"segment": key, "action": action, "matches": None}
    with opened(workspace) as app:
        if query is None:
            chosen = read_ids(ids_file) if ids_file is not None else split_list(ids)
            if not chosen:
                raise UserError(f"{given[0]}: no profile keys given")
            changed: int | None = (
                static.add(app, key, chosen) if adding else static.remove(app, key, chosen)
            )
        else:
            document = load_file(query)
            try:
                found = static.matches(app, key, document)
            except DefinitionError as exc:
                raise DefinitionError(f"--query {query}: {exc.message}", exc.problems) from None
            result["matches"] = {
                "count": found.count,
                "members": found.members,
                "first": found.keys[:SHOWN],
            }
            if not as_json:
                _print_matches(found.count, found.members, found.keys)
            selected = split_list(select) if select is not None else None
            if select is not None and not selected:
                raise UserError("--select: no profile keys given")
            if yes or selected:
                run = static.add_by_query if adding else static.remove_by_query
                changed = run(app, key, document, selected)
            else:
                changed = None
        with app.store.read() as r:
            total = len(r.static_members(key))
    result.update(changed=changed, preview=changed is None, static_members=total)
    if as_json:
        emit_json(result)
        return
    if changed is None:
        say("Nothing changed: add --yes to take every match, or --select KEY,... to choose")
        return
    verb = "Added" if adding else "Removed"
    say(f"{verb} {changed:,} member{'' if changed == 1 else 's'}; {key} has {total:,} now")
    say(f"They are stored as a version at the next refresh: segmint refresh {key}")


def _print_matches(count: int, already: int, keys: list[str]) -> None:
    noun = "profile matches" if count == 1 else "profiles match"
    say(f"{count:,} {noun} the query ({already:,} already member{'' if already == 1 else 's'})")
    if keys:
        more = f" (and {count - SHOWN:,} more)" if count > SHOWN else ""
        say(f"first matches: {', '.join(keys[:SHOWN])}{more}")


@static_app.command("add")
@guarded
def add(
    key: KeyArg,
    workspace: WorkspaceOpt = Path(),
    ids: IdsOpt = None,
    ids_file: IdsFileOpt = None,
    query: QueryOpt = None,
    select: SelectOpt = None,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Add hand-picked members to a static segment (unknown keys: nothing is added)."""
    _change("add", key, workspace, ids, ids_file, query, select, yes, as_json)


@static_app.command("remove")
@guarded
def remove(
    key: KeyArg,
    workspace: WorkspaceOpt = Path(),
    ids: IdsOpt = None,
    ids_file: IdsFileOpt = None,
    query: QueryOpt = None,
    select: SelectOpt = None,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove members from a static segment (keys that are not members are ignored)."""
    _change("remove", key, workspace, ids, ids_file, query, select, yes, as_json)
