"""The `segmint` command: the entry point; init, ingest, validate, count, members, explain, sql,
demo here, segments, static members, refreshes and runs in their own modules.

Exit codes: 0 ok, 1 user error (one line naming the place, then one line per problem),
2 internal error. With --json, results and errors are JSON on stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli import bench as _bench
from segmint.cli import code as _code
from segmint.cli import conversion as _conversion
from segmint.cli import data as _data
from segmint.cli import exports as _exports
from segmint.cli import runs, segments, static
from segmint.cli import serve as _serve
from segmint.cli.common import (
    AsOfOpt,
    CommandLineError,
    Commands,
    FileArg,
    JsonOpt,
    WorkspaceOpt,
    guarded,
)
from segmint.cli.output import emit_json, err, out, progress_bars
from segmint.errors import UserError

__all__ = ["CommandLineError", "app", "guarded", "main"]

app = typer.Typer(
    name="segmint",
    cls=Commands,
    help="Segmint: exact customer segments over your data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _ws(path: Path) -> Any:
    from segmint.workspace import open_workspace

    return open_workspace(path)


@app.command()
@guarded
def init(
    folder: Annotated[Path, typer.Argument(help="The folder to create.")] = Path(),
    as_json: JsonOpt = False,
) -> None:
    """Create an empty workspace: settings, model.yaml, data/, segments/, the databases."""
    from segmint.workspace import init_workspace

    ws = init_workspace(folder)
    if as_json:
        emit_json({"workspace": str(ws.root)})
    else:
        out.print(f"Created workspace {ws.root}")
        out.print("Next: describe your data in model.yaml, put files in data/, run segmint ingest")


@app.command()
@guarded
def ingest(workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False) -> None:
    """Load (or reload) every source in model.yaml; all or nothing."""
    from segmint.services.ingestion import ingest_workspace

    ws = _ws(workspace)
    with progress_bars(not as_json) as bars:
        report = ingest_workspace(ws, bars)
    warnings = [{"path": w.path, "message": w.message} for w in report.warnings]
    if as_json:
        emit_json({"rows": report.rows, "warnings": warnings})
        return
    for name, rows in report.rows.items():
        out.print(f"{name}: {rows:,} rows")
    for w in report.warnings:
        err.print(f"warning: {w}", markup=False)


@app.command()
@guarded
def validate(file: FileArg, workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False) -> None:
    """Check a definition against the data model; print it as a sentence."""
    from segmint.services.evaluation import validate as run

    checked = run(_ws(workspace), file)
    if as_json:
        emit_json({"key": checked.key, "valid": True, "sentence": checked.sentence})
    else:
        out.print(f"{file}: valid", markup=False)
        out.print(checked.sentence, markup=False)


@app.command()
@guarded
def count(
    file: FileArg,
    workspace: WorkspaceOpt = Path(),
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The exact number of members, and the time it took."""
    from segmint.services.evaluation import count as run
    from segmint.services.evaluation import parse_as_of

    result = run(_ws(workspace), file, parse_as_of(as_of))
    if as_json:
        emit_json(
            {
                "key": result.key,
                "count": result.count,
                "seconds": result.seconds,
                "as_of": result.as_of,
            }
        )
    else:
        noun = "member" if result.count == 1 else "members"
        out.print(f"{result.count:,} {noun} ({result.seconds * 1000:.1f} ms)")


@app.command()
@guarded
def members(
    file: FileArg,
    workspace: WorkspaceOpt = Path(),
    as_of: AsOfOpt = None,
    limit: Annotated[int, typer.Option(help="How many members.")] = 100,
    offset: Annotated[int, typer.Option(help="Skip this many first.")] = 0,
    fields: Annotated[
        str | None, typer.Option(help="Comma-separated fields, e.g. email,city,account.industry")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Members ordered by key, with chosen fields (first 100 by default)."""
    from segmint.services.evaluation import members as run
    from segmint.services.evaluation import parse_as_of

    chosen = [f.strip() for f in fields.split(",") if f.strip()] if fields else []
    page = run(_ws(workspace), file, parse_as_of(as_of), fields=chosen, limit=limit, offset=offset)
    if as_json:
        emit_json(
            {"fields": page.fields, "rows": page.rows, "limit": page.limit, "offset": page.offset}
        )
        return
    table = Table(*page.fields)
    for row in page.rows:
        table.add_row(*("" if row[f] is None else str(row[f]) for f in page.fields))
    out.print(table)
    noun = "row" if len(page.rows) == 1 else "rows"
    out.print(f"{len(page.rows)} {noun} from offset {page.offset}")


@app.command()
@guarded
def explain(
    file: FileArg,
    profile_id: Annotated[str, typer.Argument(help="The profile's key.")],
    workspace: WorkspaceOpt = Path(),
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Why a profile is or is not a member: every condition, its verdict and its values."""
    from segmint.services.evaluation import explain as run
    from segmint.services.evaluation import parse_as_of

    result = run(_ws(workspace), file, profile_id, parse_as_of(as_of))
    if as_json:
        emit_json({"profile": result.profile, "member": result.member, "tree": result.root})
        return
    verdict = "is a member" if result.member else "is not a member"
    out.print(f"{profile_id} {verdict}", markup=False)
    _print_step(result.root, 0)


def _print_step(step: dict[str, Any], depth: int) -> None:
    mark = "[green]✔[/green]" if step["result"] else "[red]✘[/red]"
    values = ", ".join(f"{k} = {v!r}" for k, v in step["values"].items())
    text = step["text"].replace("[", r"\[")
    suffix = f"  [dim]({values.replace('[', chr(92) + '[')})[/dim]" if values else ""
    out.print(f"{'  ' * depth}{mark} {text}{suffix}")
    for child in step["children"]:
        _print_step(child, depth + 1)


@app.command()
@guarded
def sql(
    file: FileArg,
    workspace: WorkspaceOpt = Path(),
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The SQL the engine runs for a definition, for inspection."""
    from segmint.services.evaluation import parse_as_of
    from segmint.services.evaluation import sql as run

    text = run(_ws(workspace), file, parse_as_of(as_of))
    if as_json:
        emit_json({"sql": text})
    else:
        sys.stdout.write(text + "\n")


@app.command()
@guarded
def demo(
    workspace: WorkspaceOpt = Path("demo"),
    contacts: Annotated[
        int, typer.Option(help="How many contacts (about 20 interactions each).")
    ] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 7,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Do not start the server afterwards.")
    ] = False,
    host: Annotated[str, typer.Option(help="The address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to serve on.", min=1, max=65535)] = 8000,
    as_json: JsonOpt = False,
) -> None:
    """Build the demo workspace, evaluate the example segments, print their sizes, serve it."""
    from segmint.services.demo import build_demo

    if contacts < 10 or contacts > 100_000_000:
        raise UserError("--contacts must be between 10 and 100000000")
    with progress_bars(not as_json) as bars:
        result = build_demo(workspace, contacts=contacts, seed=seed, progress=bars)
    rows: list[dict[str, Any]] = [
        {
            "key": s.key,
            "name": s.name,
            "audience": s.audience,
            "type": s.type,
            "state": s.state,
            "count": s.count,
            "seconds": s.seconds,
        }
        for s in result.segments
    ]
    if as_json:
        emit_json(
            {
                "workspace": str(result.root),
                "contacts": contacts,
                "seed": seed,
                "as_of": result.as_of,
                "run": result.run_id,
                "segments": rows,
            }
        )
        return
    table = Table(
        "segment",
        "type",
        "state",
        "audience",
        "members",
        "time (ms)",
        title=f"Demo segments as of {result.as_of:%Y-%m-%d %H:%M} UTC",
    )
    for r in rows:
        table.add_row(
            r["key"],
            r["type"],
            r["state"],
            r["audience"],
            f"{r['count']:,}",
            f"{r['seconds'] * 1000:.1f}",
        )
    out.print(table)
    out.print(
        f"Workspace: {result.root}  (try: segmint count {result.root}/segments/"
        f"{rows[0]['key']}.yaml -w {result.root} --as-of {result.as_of:%Y-%m-%d})"
    )
    if not no_serve:
        _serve.serve(workspace=result.root, host=host, port=port, no_scheduler=False)


segments.register(app)
_conversion.register(segments.segment_app)
static.register(app)
runs.register(app)
_bench.register(app)
_code.register(app)
_data.register(app)
_exports.register(app)
_serve.register(app)


def main() -> None:
    """Entry point of the `segmint` script."""
    app()
