"""Running exports: queued after each successful refresh, and on demand ("export all now").

A run is requested (queued), then claimed by one process at a time per export under a lease
that a heartbeat extends. It first resumes the export's unfinished deliveries (at their
first unconfirmed batch), then, for each of its segments that is live, active and changed
since what the destination holds, plans a delivery pinned to the current version and
delivers it. A run whose process dies is marked failed when its lease expires (or at once
when its process is gone from this machine); the next run resumes its work. Every run
records rows, batches, rejects, errors, duration and a line per segment.

Runs queued by a refresh, and runs that resume deliveries interrupted by a stop, are
executed by the server's exporter (`api/exporter.py`) or by `segmint export run --queued`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from segmint.errors import UserError
from segmint.exports.base import Destination, SegmentInfo
from segmint.exports.delivery import (
    DeliveryStoppedError,
    Job,
    LeaseLostError,
    Tally,
    deliver,
)
from segmint.exports.outbox import Outbox
from segmint.exports.retry import RetryPolicy
from segmint.exports.types import destination_type
from segmint.progress import Progress, silent
from segmint.runs.status import TaskStatus
from segmint.services.context import App
from segmint.services.exports import context, id_path, settings_of, skip_reason
from segmint.store import Run, Segment
from segmint.store.exports import (
    DeliveryRecord,
    ExportReader,
    ExportRecord,
    ExportRunRecord,
    ExportWriter,
    stale_runs,
)

log = logging.getLogger("segmint.exports")

REAPED = (
    "the exporter stopped before finishing (crash, kill or lost lease); "
    "the next run resumes its deliveries"
)


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_gone(owner: str) -> bool:
    """Whether a lease owner was a process on this machine that no longer runs."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def reap(app: App) -> list[int]:
    """Mark failed the running runs whose exporter stopped; their deliveries stay pending."""
    with app.store.write("exporter") as w:
        ew = ExportWriter(w)
        running = ew.running_runs()
        stale = stale_runs(running, owner_gone)
        for run in running:
            if run.id in stale:
                ew.finish_run(
                    run.id,
                    status="failed",
                    rows=run.rows,
                    batches=run.batches,
                    rejects=run.rejects,
                    errors=run.errors,
                    error=REAPED,
                    detail=run.detail,
                )
    return stale


def request_run(
    app: App,
    key: str,
    *,
    segments: Sequence[str] | None = None,
    trigger: str = "manual",
    snapshot: bool = False,
) -> ExportRunRecord:
    """Queue a run of an export (all its segments, or some of them)."""
    with app.store.write(app.actor) as w:
        ew = ExportWriter(w)
        export = ew.require_export(key)
        if segments is not None:
            unknown = sorted(set(segments) - set(export.segments))
            if unknown:
                raise UserError(f"export {key} does not receive {', '.join(unknown)}")
        if snapshot:
            for seg in segments if segments is not None else export.segments:
                ew.request_snapshot(key, seg)
        return ew.create_run(
            key,
            trigger=trigger,
            segments=list(segments) if segments is not None else None,
            snapshot=snapshot,
        )


def run_export(
    app: App,
    key: str,
    *,
    segments: Sequence[str] | None = None,
    trigger: str = "manual",
    snapshot: bool = False,
    progress: Progress = silent,
    sleep: Callable[[float], None] = time.sleep,
) -> ExportRunRecord:
    """Request a run and execute the export's queued runs; returns the requested run (still
    queued if another process is running this export: that process runs it next)."""
    reap(app)
    requested = request_run(app, key, segments=segments, trigger=trigger, snapshot=snapshot)
    drain(app, key, progress=progress, sleep=sleep)
    with app.store.read() as r:
        return ExportReader(r).run(requested.id)


def run_all(
    app: App,
    *,
    snapshot: bool = False,
    progress: Progress = silent,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ExportRunRecord]:
    """Export all now: a run of every export."""
    with app.store.read() as r:
        keys = [e.key for e in ExportReader(r).exports()]
    return [run_export(app, k, snapshot=snapshot, progress=progress, sleep=sleep) for k in keys]


def drain(
    app: App,
    key: str,
    *,
    progress: Progress = silent,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ExportRunRecord]:
    """Execute the export's queued runs, oldest first, while this process may."""
    done: list[ExportRunRecord] = []
    while True:
        with app.store.read() as r:
            queued = ExportReader(r).oldest_queued(key)
        if queued is None:
            return done
        finished = execute(app, queued.id, progress=progress, sleep=sleep)
        if finished is None:
            return done
        done.append(finished)


def after_refresh(app: App, run: Run) -> list[ExportRunRecord]:
    """Queue a run of every export receiving a segment the refresh run refreshed. Nothing is
    delivered here (an unreachable destination must not hold up the refresh): the server's
    exporter (`segmint serve`) delivers queued runs, or `segmint export run --queued`."""
    refreshed = [t.segment for t in run.tasks if t.status is TaskStatus.SUCCEEDED]
    if not refreshed:
        return []
    try:
        with app.store.read() as r:
            by_export = ExportReader(r).exports_of_segments(refreshed)
    except Exception:
        log.exception("could not find the exports of refresh run %s", run.id)
        return []
    queued = []
    for key, segments in by_export.items():
        try:
            queued.append(request_run(app, key, segments=segments, trigger="refresh"))
        except Exception:
            log.exception("could not queue export %s after refresh run %s", key, run.id)
    return queued


def resume_interrupted(app: App) -> list[ExportRunRecord]:
    """Queue a run for every export with a delivery left unfinished (a crash, a kill, a stop
    mid-delivery) and no run queued to finish it; the run resumes at the first undelivered
    batch, never sending a delivered one again."""
    reap(app)
    found = []
    with app.store.write("exporter") as w:
        ew = ExportWriter(w)
        for export in ew.exports():
            open_ = ew.open_deliveries(export.key)
            if not open_ or ew.oldest_queued(export.key) is not None:
                continue
            if ew.runs(export.key, status=["running"], limit=1):
                continue  # its exporter is alive: it resumes them itself
            segments = sorted({d.segment for d in open_} & set(export.segments))
            found.append(
                ew.create_run(
                    export.key,
                    trigger="resume",
                    segments=segments,
                    snapshot=False,
                )
            )
    return found


def queued_exports(app: App) -> list[str]:
    """The exports with runs waiting to be executed, in order of their oldest run."""
    with app.store.read() as r:
        runs = ExportReader(r).runs(status=["queued"], limit=10_000)
    return list(dict.fromkeys(run.export for run in sorted(runs, key=lambda x: x.id)))


def deliver_queued(
    app: App,
    *,
    resume: bool = True,
    progress: Progress = silent,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ExportRunRecord]:
    """Resume interrupted deliveries (unless `resume` is false: the next run of their export
    resumes them anyway) and execute every queued export run (what the server's exporter
    does; `segmint export run --queued` when no server runs)."""
    if resume:
        resume_interrupted(app)
    done: list[ExportRunRecord] = []
    for key in queued_exports(app):
        done.extend(drain(app, key, progress=progress, sleep=sleep))
    return done


class _Heartbeat(threading.Thread):
    def __init__(self, app: App, run_id: int, owner: str, seconds: float) -> None:
        super().__init__(daemon=True, name=f"segmint-export-heartbeat-{run_id}")
        self.app, self.run_id, self.owner, self.seconds = app, run_id, owner, seconds
        self.stop = threading.Event()
        self.lost = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.seconds / 3):
            try:
                with self.app.store.write("exporter") as w:
                    held = ExportWriter(w).extend_lease(self.run_id, self.owner, self.seconds)
            except Exception:  # noqa: BLE001 - a store hiccup: try again next beat
                log.warning("could not extend the lease of export run %s", self.run_id)
                continue
            if not held:
                self.lost.set()
                return


def execute(
    app: App,
    run_id: int,
    *,
    progress: Progress = silent,
    sleep: Callable[[float], None] = time.sleep,
) -> ExportRunRecord | None:
    """Claim and execute a queued run; None when another run of the export is running."""
    owner = owner_name()
    seconds = app.ws.settings.exports.stale_after_seconds
    with app.store.write("exporter") as w:
        if not ExportWriter(w).claim_run(run_id, owner, seconds):
            return None
        run = ExportReader(w).run(run_id)
    heartbeat = _Heartbeat(app, run_id, owner, seconds)
    heartbeat.start()
    work = _Work(app, run, owner, heartbeat.lost, progress, sleep)
    try:
        work.execute()
    except LeaseLostError:
        log.warning("export run %s was taken over; stopping", run_id)
    except UserError as exc:  # e.g. the destination's secrets cannot be decrypted
        log.warning("export run %s failed: %s", run_id, exc.message)
        work.failures.append(exc.message)
    except Exception as exc:
        log.exception("export run %s failed", run_id)
        work.failures.append(f"internal error: {type(exc).__name__}: {exc}")
    finally:
        heartbeat.stop.set()
        heartbeat.join()
    with app.store.write("exporter") as w:
        ew = ExportWriter(w)
        ew.finish_run(
            run_id,
            status="failed" if work.failures else "succeeded",
            rows=work.tally.rows,
            batches=work.tally.batches,
            rejects=work.tally.rejects,
            errors=work.tally.errors,
            error="; ".join(work.failures) or None,
            detail=work.detail,
            owner=owner,
        )
        return ew.run(run_id)


class _Work:
    """One run's work: resume, plan, deliver, and keep the record current."""

    def __init__(
        self,
        app: App,
        run: ExportRunRecord,
        owner: str,
        lost: threading.Event,
        progress: Progress,
        sleep: Callable[[float], None],
    ) -> None:
        self.app, self.run, self.owner, self.lost = app, run, owner, lost
        self.progress, self.sleep = progress, sleep
        self.tally = Tally()
        self.detail: list[dict[str, Any]] = []
        self.failures: list[str] = []
        self.outbox = Outbox(app.engine)
        self.dest_type = ""

    def _job(self, export: ExportRecord, destination: Destination, id_field: str) -> Job:
        settings = self.app.ws.settings.exports
        return Job(
            store=self.app.store,
            outbox=self.outbox,
            catalog=self.app.engine.catalog,
            destination=destination,
            export=export.key,
            run_id=self.run.id,
            id_field=id_field,
            fields={} if self.dest_type == "segmint" else export.fields,
            policy=RetryPolicy(
                attempts=settings.attempts,
                base=settings.backoff_seconds,
                cap=settings.max_backoff_seconds,
                max_retry_after=settings.max_retry_after_seconds,
            ),
            progress=self.progress,
            lost=self.lost,
            sleep=self.sleep,
        )

    def note(self, entry: dict[str, Any]) -> None:
        self.detail.append(entry)
        with self.app.store.write("exporter") as w:
            ExportWriter(w).progress_run(
                self.run.id,
                rows=self.tally.rows,
                batches=self.tally.batches,
                rejects=self.tally.rejects,
                errors=self.tally.errors,
                detail=self.detail,
            )

    def execute(self) -> None:
        with self.app.store.read() as r:
            er = ExportReader(r)
            export = er.require_export(self.run.export)
            record = er.require_destination(export.destination)
        self.dest_type = record.type
        destination = destination_type(record.type).open(
            settings_of(record), record.id_field, context(self.app)
        )
        try:
            self._deliver_all(export, destination, record.id_field)
        finally:
            destination.close()

    def _deliver_all(self, export: ExportRecord, destination: Destination, id_field: str) -> None:
        scope = self.run.segments if self.run.segments is not None else export.segments
        blocked = self._resume(export, destination, id_field)
        if blocked is None:
            self._not_attempted(scope)
            return
        for position, key in enumerate(scope):
            if key in blocked:
                continue
            with self.app.store.read() as r:
                seg = r.segment(key)
            if seg is None:
                self.note({"segment": key, "status": "skipped", "reason": "deleted"})
                continue
            try:
                stopped = self._segment(export, destination, id_field, seg)
            except UserError as exc:
                self.failures.append(f"{key}: {exc.message}")
                self.note({"segment": key, "status": "failed", "reason": exc.message})
                continue
            if stopped:
                self._not_attempted(scope[position + 1 :])
                return

    def _not_attempted(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.note(
                {
                    "segment": key,
                    "status": "not_attempted",
                    "reason": "the destination is unavailable",
                }
            )

    def _resume(
        self, export: ExportRecord, destination: Destination, id_field: str
    ) -> set[str] | None:
        """Finish deliveries earlier runs left; returns segments not to plan for (None: the
        destination is unavailable, stop)."""
        with self.app.store.read() as r:
            er = ExportReader(r)
            unfinished = [(d, bool(er.batches(d.id))) for d in er.open_deliveries(export.key)]
        blocked: set[str] = set()
        for delivery, started in unfinished:
            with self.app.store.read() as r:
                seg = r.segment(delivery.segment)
            if not started or seg is None:
                self._supersede(delivery, seg)
                continue
            try:
                self._deliver(export, destination, id_field, seg, delivery, resumed=True)
            except DeliveryStoppedError as exc:
                blocked.add(seg.key)
                if exc.transient:
                    return None
        return blocked

    def _supersede(self, delivery: DeliveryRecord, seg: Segment | None) -> None:
        """Nothing of it was sent: drop it (a fresh delivery is planned if still wanted)."""
        with self.app.store.write("exporter") as w:
            ExportWriter(w).supersede(delivery.id)
        if seg is not None:
            self.outbox.drop(delivery.id, seg.audience)

    def _segment(
        self, export: ExportRecord, destination: Destination, id_field: str, seg: Segment
    ) -> bool:
        """Deliver one segment if it is exportable and changed; True when the destination
        became unavailable."""
        reason = skip_reason(seg)
        if reason is not None:
            self.note(
                {
                    "segment": seg.key,
                    "status": "skipped",
                    "reason": f"{reason}: only live, active segments are exported",
                }
            )
            return False
        if seg.current_version is None:  # never: skip_reason says "not refreshed yet"
            return False
        with self.app.store.read() as r:
            er = ExportReader(r)
            state = er.state(export.key, seg.key)
            rejects = [] if destination.full_replace else er.rejects(export.key, seg.key)
        version = seg.current_version
        # A manual run sends full-replace destinations everything again (that is what
        # "export now" means there: an edit made at a mirror is overwritten).
        again = destination.full_replace and self.run.trigger == "manual"
        if not again and not state.snapshot and state.version == version and not rejects:
            self.note({"segment": seg.key, "status": "up_to_date", "version": version})
            return False
        kind = (
            "snapshot"
            if destination.full_replace or state.version is None or state.snapshot
            else "changes"
        )
        path = id_path(self.app, id_field, seg.audience)
        self.outbox.check_fields(seg.audience, path, self._job(export, destination, path).fields)
        with self.app.store.write("exporter") as w:
            delivery = ExportWriter(w).plan_delivery(
                export=export.key,
                segment=seg.key,
                run_id=self.run.id,
                kind=kind,
                base_version=state.version,
                version=version,
            )
        retry = [(x.profile, x.action) for x in rejects]
        rows = self.outbox.plan(
            delivery.id,
            seg.key,
            seg.audience,
            version=version,
            base=state.version,
            everything=kind == "snapshot",
            removals=not destination.full_replace,
            retry=retry,
        )
        with self.app.store.write("exporter") as w:
            ew = ExportWriter(w)
            ew.delivery_planned(delivery.id, rows, [p for p, _ in retry])
            delivery = ew.delivery(delivery.id)
        try:
            self._deliver(export, destination, id_field, seg, delivery, resumed=False)
        except DeliveryStoppedError as exc:
            return exc.transient
        return False

    def _deliver(
        self,
        export: ExportRecord,
        destination: Destination,
        id_field: str,
        seg: Segment,
        delivery: DeliveryRecord,
        *,
        resumed: bool,
    ) -> None:
        job = self._job(export, destination, id_path(self.app, id_field, seg.audience))
        entry: dict[str, Any] = {
            "segment": seg.key,
            "kind": delivery.kind,
            "version": delivery.version,
            "base_version": delivery.base_version,
            "delivery": delivery.id,
            "resumed": resumed,
        }
        started = time.monotonic()
        tally = Tally()
        try:
            tally = deliver(job, delivery, SegmentInfo(seg.key, seg.name, seg.audience), tally)
        except DeliveryStoppedError as exc:
            with self.app.store.write("exporter") as w:
                ExportWriter(w).delivery_error(delivery.id, str(exc))
            self.tally.add(tally)
            self.failures.append(f"{seg.key}: {exc}")
            self.note({**entry, **_counts(tally), "status": "failed", "reason": str(exc)})
            raise
        self.tally.add(tally)
        self.note(
            {
                **entry,
                **_counts(tally),
                "status": "delivered",
                "seconds": round(time.monotonic() - started, 3),
                **tally.info,
            }
        )


def _counts(tally: Tally) -> dict[str, int]:
    return {
        "rows": tally.rows,
        "added": tally.added,
        "removed": tally.removed,
        "batches": tally.batches,
        "rejects": tally.rejects,
        "errors": tally.errors,
    }
