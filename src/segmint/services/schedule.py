"""The scheduler's work on a workspace: one tick reaps dead runs, carries out scheduled
activations, and starts the system refresh when its cadence is due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from segmint.errors import UserError
from segmint.progress import Progress, silent
from segmint.runs.scheduler import Loop, leadership, read_schedule, schedule_key
from segmint.runs.worker import reap_expired
from segmint.services.context import App
from segmint.services.export_runs import deliver_queued
from segmint.services.refresh import request_refresh, run_refresh
from segmint.services.segments import apply_activation_schedule

LOCK_FILE = ".segmint-scheduler.lock"


@dataclass
class TickReport:
    """What one tick did."""

    at: dt.datetime
    reaped: list[int] = field(default_factory=list)
    activations: list[str] = field(default_factory=list)
    fire: dt.datetime | None = None  # the scheduled time that was due
    run_id: int | None = None  # the run it started (None: already run, or nothing to do)
    status: str | None = None


def tick(app: App, now: dt.datetime | None = None, *, progress: Progress = silent) -> TickReport:
    """Do whatever is due at `now`. Safe to call twice for the same moment."""
    moment = now or dt.datetime.now(dt.UTC)
    report = TickReport(moment)
    report.reaped = reap_expired(app.store)
    report.activations = apply_activation_schedule(app, moment)
    schedule = read_schedule(app.store)
    fire = schedule.due(moment) if schedule else None
    if fire is None:
        return report
    report.fire = fire
    try:
        requested = request_refresh(app, kind="scheduled", schedule_key=schedule_key(fire))
    except UserError:
        return report  # this fire time already has its run: nothing to do twice
    if requested.run is not None:
        done = run_refresh(app, requested.run, progress=progress)
        report.run_id, report.status = done.id, done.status.value
    return report


def run_scheduler(
    app: App, *, once: bool = False, seconds: float = 30.0, progress: Progress = silent
) -> list[TickReport]:
    """Act as the workspace's one scheduler: tick once, or every `seconds` until stopped."""
    reports: list[TickReport] = []
    with leadership(app.store, app.ws.root / LOCK_FILE) as leader:
        if not leader:
            raise UserError("another scheduler is already running for this workspace")
        if once:
            reports.append(tick(app, progress=progress))
            deliver_queued(app, resume=False, progress=progress)
            return reports

        def step(now: dt.datetime) -> None:
            reports.append(tick(app, now))
            # The exports its refreshes queued (no server delivers here). Deliveries left
            # pending by an outage are resumed by their export's next run, not every tick.
            deliver_queued(app, resume=False)

        Loop(step, seconds).run()
    return reports
