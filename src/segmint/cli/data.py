"""`segmint append` and `segmint upsert`: change data between ingests, refresh what it affects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from segmint.cli.common import JsonOpt, WorkspaceOpt, guarded, opened
from segmint.cli.output import emit_json, out, progress_bars
from segmint.errors import NotFoundError, Problem, UserError

RowsArg = Annotated[Path, typer.Argument(help="Rows as JSON lines (.jsonl) or a JSON array.")]
RefreshOpt = Annotated[
    bool, typer.Option("--refresh", help="Then refresh the live segments the change affects.")
]


def read_rows(path: Path) -> list[dict[str, Any]]:
    """JSON lines or one JSON array of objects; bad lines are reported by number."""
    if not path.is_file():
        raise NotFoundError(f"{path}: no such file")
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(
                f"{path}: not valid JSON",
                [Problem(f"line {exc.lineno}, column {exc.colno}", exc.msg)],
            ) from None
        if not isinstance(data, list):
            raise UserError(f"{path}: expected a JSON array of objects")
        return data
    rows: list[dict[str, Any]] = []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"{path}: line {number}", exc.msg))
    if problems:
        raise UserError(f"{path}: not valid JSON lines; nothing was written", problems[:20])
    return rows


def _report(found: Any, verb: str, as_json: bool) -> None:
    run = found.refreshed.run if found.refreshed else None
    if as_json:
        emit_json(
            {
                "source": found.source,
                "rows": found.rows,
                "run": run.id if run else None,
                "status": run.status.value if run else None,
                "tasks": [
                    {
                        "segment": t.segment,
                        "status": t.status.value,
                        "members": t.members,
                        "entered": t.entered,
                        "exited": t.exited,
                    }
                    for t in (run.tasks if run else ())
                ],
            }
        )
        return
    out.print(f"{verb} {found.rows:,} {found.source} row(s)")
    if run is not None:
        for t in run.tasks:
            out.print(
                f"  {t.segment}: {t.status.value}, {t.members} members "
                f"(+{t.entered} / -{t.exited})",
                markup=False,
            )


@guarded
def append(
    kind: Annotated[str, typer.Argument(help="The interaction kind, e.g. purchase.")],
    rows: RowsArg,
    workspace: WorkspaceOpt = Path(),
    refresh: RefreshOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Append interaction events (all or nothing)."""
    from segmint.services import changes

    data = read_rows(rows)
    with opened(workspace) as app, progress_bars(not as_json) as bars:
        found = changes.append(app, kind, data, refresh_after=refresh, progress=bars)
    _report(found, "appended", as_json)


@guarded
def upsert(
    entity: Annotated[str, typer.Argument(help="The entity, e.g. contact.")],
    rows: RowsArg,
    workspace: WorkspaceOpt = Path(),
    refresh: RefreshOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Insert or replace profile rows by key (all or nothing)."""
    from segmint.services import changes

    data = read_rows(rows)
    with opened(workspace) as app, progress_bars(not as_json) as bars:
        found = changes.upsert(app, entity, data, refresh_after=refresh, progress=bars)
    _report(found, "upserted", as_json)


def register(app: typer.Typer) -> None:
    app.command("append")(append)
    app.command("upsert")(upsert)
