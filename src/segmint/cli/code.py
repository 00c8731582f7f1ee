"""Segments as code (`segmint plan DIR`, `segmint apply DIR`) and `segmint scheduler run`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from segmint.cli.common import JsonOpt, WorkspaceOpt, guarded, opened
from segmint.cli.output import emit_json, err, out, progress_bars

FolderArg = Annotated[Path, typer.Argument(help="A folder of segment files (KEY.yaml).")]
PruneOpt = Annotated[
    bool, typer.Option("--prune", help="Also delete segments the files no longer hold.")
]

scheduler_app = typer.Typer(
    help="Run the scheduler: the system refresh cadence and scheduled activations.",
    no_args_is_help=True,
)


@guarded
def plan(
    folder: FolderArg,
    workspace: WorkspaceOpt = Path(),
    prune: PruneOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Show what `apply` would change: segments created, changed (with a diff), deleted."""
    from segmint.services import code

    with opened(workspace) as app:
        result = code.plan(app, folder, prune=prune)
    if as_json:
        emit_json(
            {
                "changes": [
                    {
                        "key": c.key,
                        "action": c.action,
                        "fields": list(c.fields),
                        "file": c.file,
                        "diff": c.diff,
                    }
                    for c in result.changes
                ],
                "unchanged": result.unchanged,
            }
        )
        return
    if result.empty:
        out.print(f"No changes: {len(result.unchanged)} segment(s) match the files.")
        return
    for change in result.changes:
        what = f" ({', '.join(change.fields)})" if change.action == "change" else ""
        out.print(f"{change.action} {change.key}{what}", markup=False)
        if change.diff:
            out.print(change.diff.rstrip("\n"), markup=False)
    out.print(f"{len(result.changes)} to change, {len(result.unchanged)} unchanged.")


@guarded
def apply(
    folder: FolderArg,
    workspace: WorkspaceOpt = Path(),
    prune: PruneOpt = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm deleting segments that are in use.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Make the workspace's segments match the files (idempotent)."""
    from segmint.services import code

    with opened(workspace) as app:
        result = code.apply(app, folder, prune=prune, confirm=yes)
    if as_json:
        emit_json({"done": [{"key": k, "result": v} for k, v in result.done], "run": result.run_id})
        return
    for key, what in result.done:
        out.print(f"{key}: {what}", markup=False)
    if not result.done:
        out.print("Nothing to do: the workspace already matches the files.")
    if result.run_id is not None:
        out.print(f"Refreshed in run {result.run_id}.")


@scheduler_app.command("run")
@guarded
def scheduler_run(
    workspace: WorkspaceOpt = Path(),
    once: Annotated[bool, typer.Option("--once", help="Do what is due now, then stop.")] = False,
    every: Annotated[
        float, typer.Option("--every", help="Seconds between ticks when running on.", min=1)
    ] = 30.0,
    as_json: JsonOpt = False,
) -> None:
    """Act as the workspace's one scheduler (refuses if another one runs)."""
    from segmint.services.schedule import run_scheduler

    with opened(workspace) as app, progress_bars(not as_json) as bars:
        if not once:
            err.print(f"Scheduler running on {app.ws.root}; Ctrl+C stops it.")
        reports = run_scheduler(app, once=once, seconds=every, progress=bars)
    rows = [
        {
            "at": r.at,
            "reaped": r.reaped,
            "activations": r.activations,
            "fire": r.fire,
            "run": r.run_id,
            "status": r.status,
        }
        for r in reports
    ]
    if as_json:
        emit_json({"ticks": rows})
        return
    for r in reports:
        did = [f"reaped runs {r.reaped}"] if r.reaped else []
        did += r.activations
        if r.run_id is not None:
            did.append(
                f"scheduled refresh for {r.fire:%Y-%m-%d %H:%M %Z}: run {r.run_id} {r.status}"
            )
        out.print(
            f"{r.at:%Y-%m-%d %H:%M:%S} UTC: " + ("; ".join(did) or "nothing due"), markup=False
        )


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("apply")(apply)
    app.add_typer(scheduler_app, name="scheduler")
