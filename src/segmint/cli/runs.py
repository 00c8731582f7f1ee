"""Refreshes and what they did: `segmint refresh`, `runs list/show/cancel`, `history`,
`trend`, and the system refresh schedule (`schedule show/set`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from segmint.cli.common import (
    AsOfOpt,
    JsonOpt,
    KeyArg,
    WorkspaceOpt,
    cell,
    guarded,
    opened,
    parse_when,
    say,
    seconds,
    warn,
    when,
)
from segmint.cli.output import emit_json, out, progress_bars
from segmint.cli.shapes import history_json, run_json, run_seconds, version_json
from segmint.errors import UserError
from segmint.runs.status import RunStatus

if TYPE_CHECKING:
    from segmint.services.refresh import Requested
    from segmint.store import Run

runs_app = typer.Typer(
    name="runs", help="Refresh runs: list them, show one, cancel one.", no_args_is_help=True
)
schedule_app = typer.Typer(
    name="schedule",
    help="The system refresh schedule: a cron expression in a time zone.",
    no_args_is_help=True,
)

SCHEDULE_SETTING = "schedule"
NEXT_FIRES = 3


def register(app: typer.Typer) -> None:
    app.command("refresh")(refresh_command)
    app.add_typer(runs_app, name="runs")
    app.command("history")(history)
    app.command("trend")(trend)
    app.add_typer(schedule_app, name="schedule")


# --- printing refresh results ---------------------------------------------------------


def requested_json(requested: Requested) -> dict[str, Any]:
    return {
        "run": run_json(requested.run) if requested.run is not None else None,
        "coalesced": dict(requested.coalesced),
    }


def _tasks_table(run: Run, *, version: bool = False) -> Table:
    columns = ["segment", "status", "members", "entered", "exited"]
    if version:
        columns.append("version")
    table = Table(*columns, "seconds", "error")
    for t in run.tasks:
        values: list[Any] = [t.segment, t.status.value, t.members, t.entered, t.exited]
        if version:
            values.append(t.version)
        table.add_row(*(cell(v) for v in values), cell(seconds(t.seconds)), cell(t.error))
    return table


def print_requested(requested: Requested) -> None:
    """Each refreshed segment's outcome, then the segments another run was refreshing."""
    run = requested.run
    if run is not None:
        out.print(_tasks_table(run))
        took = run_seconds(run)
        say(f"Run {run.id} {run.status.value}" + (f" in {took:.2f}s" if took is not None else ""))
    for key, other in sorted(requested.coalesced.items()):
        say(f"{key}: already being refreshed by run {other}")


# --- refresh ----------------------------------------------------------------------------


@guarded
def refresh_command(
    keys: Annotated[
        list[str] | None, typer.Argument(help="The segments to refresh.", show_default=False)
    ] = None,
    workspace: WorkspaceOpt = Path(),
    all_: Annotated[
        bool, typer.Option("--all", help="Refresh every live segment (not external ones).")
    ] = False,
    as_of: AsOfOpt = None,
    export: Annotated[
        bool,
        typer.Option(
            "--export",
            help="Also deliver the exports the refresh queued before returning (without it "
            "`segmint serve` or `segmint export run --queued` delivers them).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Refresh segments now: evaluate them and store their members as a new version. Exports
    receiving them are queued, not delivered, unless --export is given."""
    from segmint.services import export_runs
    from segmint.services import exports as export_service
    from segmint.services.refresh import refresh

    if keys and all_:
        raise UserError("name the segments to refresh or use --all, not both")
    moment = parse_when(as_of, "--as-of") if as_of is not None else None
    with opened(workspace) as app, progress_bars(not as_json) as bars:
        requested = refresh(app, keys or (), all_segments=all_, as_of=moment, progress=bars)
        waiting = export_runs.queued_exports(app)
        delivered = export_runs.deliver_queued(app, progress=bars) if export else []
    if as_json:
        shown = requested_json(requested)
        emit_json(
            {**shown, "exports": [export_service.run_json(r) for r in delivered]}
            if export
            else {**shown, "exports_queued": waiting}
        )
    else:
        print_requested(requested)
        for done in delivered:
            say(f"Export {done.export}: run {done.id} {done.status}, {done.rows} rows")
        if waiting and not export:
            say(
                f"Exports queued: {', '.join(waiting)} (`segmint serve` delivers them, or "
                "`segmint export run --queued`)"
            )
    if any(r.status == "failed" for r in delivered):
        raise typer.Exit(1)
    run = requested.run
    if run is not None and run.status is not RunStatus.SUCCEEDED:
        if not as_json:
            warn(f"run {run.id} {run.status.value}" + (f": {run.error}" if run.error else ""))
        raise typer.Exit(1)


# --- runs -------------------------------------------------------------------------------


@runs_app.command("list")
@guarded
def runs_list(
    workspace: WorkspaceOpt = Path(),
    status: Annotated[
        list[RunStatus] | None,
        typer.Option("--status", help="Only runs in this status (repeatable)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many runs, newest first.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Refresh runs, newest first."""
    from segmint.runs.worker import reap_expired

    if not 1 <= limit <= 10_000:
        raise UserError("--limit must be between 1 and 10000")
    with opened(workspace) as app:
        reap_expired(app.store)
        with app.store.read() as r:
            found = r.runs(limit=limit, status=[s.value for s in status or ()])
    if as_json:
        emit_json({"runs": [run_json(run, tasks=False) for run in found]})
        return
    table = Table("id", "kind", "status", "requested_by", "created", "seconds", "done", "segments")
    for run in found:
        done, total = run.progress
        names = [t.segment for t in run.tasks]
        shown = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
        table.add_row(
            *(
                cell(v)
                for v in (
                    run.id,
                    run.kind,
                    run.status.value,
                    run.requested_by,
                    run.created_at,
                    seconds(run_seconds(run)),
                    f"{done}/{total}",
                    shown,
                )
            )
        )
    out.print(table)
    say(f"{len(found)} run{'' if len(found) == 1 else 's'}")


RunArg = Annotated[int, typer.Argument(help="The run's id (see segmint runs list).")]


@runs_app.command("show")
@guarded
def runs_show(run_id: RunArg, workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False) -> None:
    """One run: its status, and each task's status, counts, time and error."""
    from segmint.runs.worker import reap_expired

    with opened(workspace) as app:
        reap_expired(app.store)
        with app.store.read() as r:
            run = r.run(run_id)
    if as_json:
        emit_json({"run": run_json(run)})
        return
    done, total = run.progress
    took = run_seconds(run)
    lines = [
        f"run {run.id}: {run.status.value} ({run.kind}, requested by {run.requested_by})",
        f"created {when(run.created_at)}",
        f"started {when(run.started_at)}" if run.started_at else "not started",
        f"finished {when(run.finished_at)}" + (f" after {took:.2f}s" if took is not None else "")
        if run.finished_at
        else "not finished",
        f"as of {when(run.as_of)}" if run.as_of else "as of the time of each task",
        f"progress: {done}/{total} tasks finished",
    ]
    if run.cancel_requested:
        lines.append("cancellation requested")
    if run.error:
        lines.append(f"error: {run.error}")
    for line in lines:
        say(line)
    out.print(_tasks_table(run, version=True))


@runs_app.command("cancel")
@guarded
def runs_cancel(run_id: RunArg, workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False) -> None:
    """Ask a queued or running run to stop (queued tasks stop at once, running ones soon)."""
    from segmint.runs.worker import reap_expired

    with opened(workspace) as app:
        reap_expired(app.store)
        with app.store.write(app.actor) as w:
            run = w.request_cancel(run_id)
    if as_json:
        emit_json({"run": run_json(run)})
        return
    if run.status.finished:
        say(f"Run {run.id} cancelled (no process was running it)")
    else:
        say(f"Cancellation of run {run.id} requested; it stops at its next check")


# --- history and trend --------------------------------------------------------------------


@guarded
def history(
    key: KeyArg,
    workspace: WorkspaceOpt = Path(),
    limit: Annotated[int, typer.Option("--limit", help="How many, newest first.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """A segment's processing history: each refresh with its times, counts, status, error."""
    if not 1 <= limit <= 10_000:
        raise UserError("--limit must be between 1 and 10000")
    with opened(workspace) as app, app.store.read() as r:
        r.require(key)
        found = r.history(key, limit=limit)
    rows = [history_json(run, task) for run, task in found]
    if as_json:
        emit_json({"segment": key, "history": rows})
        return
    table = Table(
        "run",
        "kind",
        "started",
        "finished",
        "seconds",
        "members",
        "entered",
        "exited",
        "status",
        "error",
    )
    for row in rows:
        table.add_row(
            *(
                cell(v)
                for v in (
                    row["run"],
                    row["kind"],
                    row["started_at"],
                    row["finished_at"],
                    seconds(row["seconds"]),
                    row["members"],
                    row["entered"],
                    row["exited"],
                    row["status"],
                    row["error"],
                )
            )
        )
    out.print(table)
    say(f"{len(rows)} refresh{'' if len(rows) == 1 else 'es'} of {key}")


@guarded
def trend(
    key: KeyArg,
    workspace: WorkspaceOpt = Path(),
    since: Annotated[
        str | None, typer.Option("--since", help="From this ISO date-time (refresh time).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Up to this ISO date-time (refresh time).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """A segment's member count over time: one point per stored version."""
    start = parse_when(since, "--since") if since is not None else None
    end = parse_when(until, "--until") if until is not None else None
    if start is not None and end is not None and start > end:
        raise UserError("--since is after --until")
    with opened(workspace) as app, app.store.read() as r:
        r.require(key)
        found = r.versions(key, since=start, until=end)
    if as_json:
        emit_json(
            {
                "segment": key,
                "since": start,
                "until": end,
                "points": [version_json(v) for v in found],
            }
        )
        return
    top = max((v.members for v in found), default=0)
    table = Table("version", "refreshed", "as of", "members", "entered", "exited", "")
    for v in found:
        bar = "█" * round(20 * v.members / top) if top else ""
        table.add_row(
            *(
                cell(x)
                for x in (v.version, v.created_at, v.as_of, v.members, v.entered, v.exited, bar)
            )
        )
    out.print(table)
    say(f"{len(found)} version{'' if len(found) == 1 else 's'} of {key}")


# --- schedule -----------------------------------------------------------------------------


def next_fires(
    cron: str, timezone: str, count: int = NEXT_FIRES, after: dt.datetime | None = None
) -> list[dt.datetime]:
    """The next `count` times a cron expression fires in a time zone (validated)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from apscheduler.triggers.cron import CronTrigger

    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"--timezone {timezone!r}: not an IANA time zone (e.g. Europe/Berlin)"
        ) from None
    try:
        trigger = CronTrigger.from_crontab(cron, timezone=zone)
    except ValueError as exc:
        raise UserError(
            f"--cron {cron!r}: not a cron expression ({exc}); "
            "use five fields: minute hour day month weekday, e.g. '0 3 * * *'"
        ) from None
    moment = after or dt.datetime.now(dt.UTC)
    fires: list[dt.datetime] = []
    previous: dt.datetime | None = None
    while len(fires) < count:
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None:
            break
        fires.append(fire)
        previous, moment = fire, fire + dt.timedelta(seconds=1)
    return fires


def _schedule_json(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    return {
        "cron": str(value.get("cron", "")),
        "timezone": str(value.get("timezone", "UTC")),
        "enabled": bool(value.get("enabled", True)),
    }


def _print_schedule(schedule: dict[str, Any], fires: list[dt.datetime]) -> None:
    state = "enabled" if schedule["enabled"] else "disabled"
    say(f"cron: {schedule['cron']}  time zone: {schedule['timezone']}  ({state})")
    for fire in fires:
        say(f"next: {fire.isoformat()}  ({when(fire)})")


@schedule_app.command("show")
@guarded
def schedule_show(workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False) -> None:
    """The system refresh schedule and the next times it fires."""
    with opened(workspace) as app, app.store.read() as r:
        schedule = _schedule_json(r.setting(SCHEDULE_SETTING))
    fires = next_fires(schedule["cron"], schedule["timezone"]) if schedule else []
    if as_json:
        emit_json({"schedule": schedule, "next": fires})
        return
    if schedule is None:
        say("No refresh schedule; set one with: segmint schedule set --cron '0 3 * * *'")
        return
    _print_schedule(schedule, fires)


@schedule_app.command("set")
@guarded
def schedule_set(
    workspace: WorkspaceOpt = Path(),
    cron: Annotated[
        str | None,
        typer.Option("--cron", help="Five-field cron expression, e.g. '0 3 * * *' (3:00 daily)."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone", help="IANA time zone of the cron times; default: the settings'."
        ),
    ] = None,
    enabled: Annotated[
        bool | None,
        typer.Option("--enable/--disable", help="Turn scheduled refreshes on or off."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Set the system refresh schedule (unchanged parts stay as they were)."""
    with opened(workspace) as app:
        with app.store.read() as r:
            current = _schedule_json(r.setting(SCHEDULE_SETTING))
        if current is None and cron is None:
            raise UserError("--cron is required: there is no schedule yet")
        base = current or {
            "cron": "",
            "timezone": app.ws.settings.defaults.timezone,
            "enabled": True,
        }
        new_cron = " ".join(cron.split()) if cron is not None else str(base["cron"])
        new_zone = timezone if timezone is not None else str(base["timezone"])
        fires = next_fires(new_cron, new_zone)
        schedule = {
            "cron": new_cron,
            "timezone": new_zone,
            "enabled": enabled if enabled is not None else bool(base["enabled"]),
        }
        with app.store.write(app.actor) as w:
            w.set_setting(SCHEDULE_SETTING, schedule)
    if as_json:
        emit_json({"schedule": schedule, "next": fires})
        return
    say("Saved the refresh schedule")
    _print_schedule(schedule, fires)
