"""Refreshing managed segments: request a run (coalescing what is already refreshing), run it.

Each segment type produces its members its own way: dynamic segments evaluate their
definition, compound segments combine their live inputs' stored members, static segments
store their hand-picked members. Every success writes a new version and moves the pointer.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from segmint.definition.check import referenced_segments
from segmint.definition.nodes import Definition
from segmint.engines.duckdb import DuckDBEngine
from segmint.errors import UserError
from segmint.progress import Progress, silent
from segmint.runs.planner import plan
from segmint.runs.worker import (
    Outcome,
    TaskCancelledError,
    WorkerOptions,
    execute_run,
    reap_expired,
)
from segmint.services.context import REFRESHED_ON_SCHEDULE, App, is_usable, now
from segmint.store import Run, Segment, SegmentState, SegmentType, Task


@dataclass(frozen=True)
class Requested:
    """A refresh request: the run created (if any) and segments already refreshing elsewhere."""

    run: Run | None
    coalesced: dict[str, int] = field(default_factory=dict)  # key -> the run refreshing it


def compound_inputs(app: App, segment: Segment) -> set[str]:
    """The segments a compound segment combines."""
    if segment.type is not SegmentType.COMPOUND:
        return set()
    return {key for _, key in referenced_segments(app.definition(segment).condition)}


def referenced_inputs(app: App, segment: Segment) -> set[str]:
    """The segments a dynamic segment's definition references (evaluated, or reused)."""
    if segment.type is not SegmentType.DYNAMIC:
        return set()
    return {key for _, key in referenced_segments(app.definition(segment).condition)}


def request_refresh(
    app: App,
    keys: Sequence[str] = (),
    *,
    all_segments: bool = False,
    kind: str = "manual",
    schedule_key: str | None = None,
    as_of: dt.datetime | None = None,
) -> Requested:
    """Create a queued run for the segments (or every live one), in dependency order.

    Segments already queued or running in another run are not refreshed twice: they are
    reported as coalesced into that run. A scheduled run covers every live dynamic,
    compound and expansion segment; inactive ones are recorded as skipped.
    """
    reap_expired(app.store)
    with app.store.read() as r:
        if all_segments or kind == "scheduled":
            chosen = [s for s in r.segments(sort="key") if s.state is SegmentState.LIVE]
            if kind == "scheduled":
                chosen = [s for s in chosen if s.type in REFRESHED_ON_SCHEDULE]
            else:
                chosen = [s for s in chosen if s.type is not SegmentType.EXTERNAL]
        else:
            if not keys:
                raise UserError("name the segments to refresh, or use --all")
            chosen = [r.require(k) for k in dict.fromkeys(keys)]
    drafts = [s.key for s in chosen if s.state is not SegmentState.LIVE]
    if drafts:
        raise UserError(f"only live segments are refreshed; go live first: {', '.join(drafts)}")
    external = [s.key for s in chosen if s.type is SegmentType.EXTERNAL]
    if external:
        raise UserError(
            f"external segments are refreshed by their own system: {', '.join(external)}"
        )
    inputs = {s.key: compound_inputs(app, s) for s in chosen}
    references = {s.key: referenced_inputs(app, s) for s in chosen}
    revisions = {s.key: s.serving_revision for s in chosen}
    with app.store.write(app.actor) as w:
        busy = w.active_tasks([s.key for s in chosen])
        wanted = [s.key for s in chosen if s.key not in busy]
        if not wanted:
            return Requested(None, busy)
        steps = plan(wanted, inputs, revisions, after=references)
        run = w.create_run(
            kind=kind,
            plan=[(st.segment, st.depends_on, st.revision) for st in steps],
            schedule_key=schedule_key,
            as_of=as_of,
        )
    return Requested(run, busy)


class _Executor:
    """Runs one task: evaluates a segment on a per-thread engine and writes the version."""

    def __init__(self, app: App, run: Run) -> None:
        self.app = app
        self.kind = run.kind
        # One instant for the whole run: every segment is evaluated as of the same moment,
        # so a segment referencing another refreshed earlier in the run can read its members.
        self.as_of = run.as_of or now()
        self.resolver = app.resolver()
        self.stored = app.stored_members()
        self.written: dict[str, tuple[str, int, str]] = {}  # key -> (table, version, definition)
        self.local = threading.local()
        self.forks: list[DuckDBEngine] = []
        self.lock = threading.Lock()

    def engine(self) -> DuckDBEngine:
        found: DuckDBEngine | None = getattr(self.local, "engine", None)
        if found is None:
            found = self.app.engine.fork()
            self.local.engine = found
            with self.lock:
                self.forks.append(found)
        return found

    def skip_reason(self, task: Task) -> str | None:
        """Scheduled runs record inactive segments as skipped, without attempting them."""
        if self.kind != "scheduled":
            return None
        with self.app.store.read() as r:
            seg = r.segment(task.segment)
        return "inactive" if seg is not None and not seg.active else None

    def interrupt(self) -> None:
        with self.lock:
            for fork in self.forks:
                fork.interrupt()

    def close(self) -> None:
        with self.lock:
            for fork in self.forks:
                fork.close()
            self.forks.clear()

    def __call__(self, task: Task) -> Outcome:
        app = self.app
        with app.store.read() as r:
            seg = r.require(task.segment)
            version = r.next_version(seg.key)
        as_of = self.as_of
        engine = self.engine()
        try:
            if seg.type is SegmentType.STATIC:
                with app.store.read() as r:
                    keys = r.static_members(seg.key)
                written = engine.versions.write_keys(
                    seg.key, seg.audience, version, keys, seg.current_version
                )
            else:
                definition = app.definition(seg, task.revision)
                if seg.type is SegmentType.COMPOUND:
                    self._check_inputs(seg)
                written = engine.write_version(
                    seg.key,
                    definition,
                    version=version,
                    previous=seg.current_version,
                    as_of=as_of,
                    segments=self.resolver,
                    stored=self.stored if seg.type is SegmentType.COMPOUND else None,
                    reuse=self._reuse,
                )
                if seg.type is SegmentType.DYNAMIC:
                    self._remember(seg, definition, version)
        except Exception as exc:
            if "interrupt" in str(exc).lower():
                raise TaskCancelledError from exc
            raise
        return Outcome(version, as_of, written.members, written.entered, written.exited)

    def _remember(self, seg: Segment, definition: Definition, version: int) -> None:
        """Note a dynamic segment's members written in this run, for segments referencing it."""
        table = self.app.engine.versions.table(seg.audience)
        with self.lock:
            self.written[seg.key] = (table, version, definition.model_dump_json())

    def _reuse(self, key: str) -> tuple[str, int] | None:
        """A referenced segment's members from earlier in this run, when they came from the
        very definition a reference to it evaluates (same as_of: the run's)."""
        with self.lock:
            found = self.written.get(key)
        if found is None:
            return None
        table, version, used = found
        current = self.resolver(key)
        if current is None or current.model_dump_json() != used:
            return None
        return table, version

    def _check_inputs(self, seg: Segment) -> None:
        """A compound segment is never computed from inputs that are not usable."""
        for key in sorted(compound_inputs(self.app, seg)):
            with self.app.store.read() as r:
                found = r.segment(key)
            if found is None or not is_usable(found):
                raise UserError(f"input segment {key!r} is not live, active and refreshed")


def prune_versions(app: App, key: str) -> list[int]:
    """Drop versions beyond the retention setting, never the current or a pinned one.

    The versions are chosen and marked pruned in one write transaction, and only then are
    their rows dropped: a reader pins a version in a write transaction too, so it either
    pinned it before (and it is kept) or sees it pruned; never a version without rows.
    """
    keep = app.ws.settings.refresh.keep_versions
    with app.store.write("retention") as w:
        seg = w.segment(key)
        if seg is None:
            return []
        live = [v.version for v in w.versions(key) if not v.pruned]
        pinned = w.pinned_versions(key)
        old = [v for v in sorted(live)[:-keep] if v != seg.current_version and v not in pinned]
        w.mark_pruned(key, old)
    if old:
        app.engine.versions.drop(key, seg.audience, old)
    return old


def _prune(app: App, key: str) -> None:
    prune_versions(app, key)


def run_refresh(app: App, run: Run, *, progress: Progress = silent) -> Run:
    """Execute a queued run in this process on a pool of workers."""
    settings = app.ws.settings.refresh
    executor = _Executor(app, run)
    try:
        finished = execute_run(
            app.store,
            run.id,
            executor,
            options=WorkerOptions(workers=settings.workers, lease_seconds=settings.lease_seconds),
            progress=progress,
            interrupt=executor.interrupt,
            skip=executor.skip_reason,
            after_success=lambda task, _outcome: _prune(app, task.segment),
        )
    finally:
        executor.close()
    from segmint.services.export_runs import after_refresh

    after_refresh(app, finished)  # exports receiving the refreshed segments; never raises
    return finished


def refresh(
    app: App,
    keys: Sequence[str] = (),
    *,
    all_segments: bool = False,
    kind: str = "manual",
    as_of: dt.datetime | None = None,
    progress: Progress = silent,
) -> Requested:
    """Request and run a refresh; returns the finished run and what was coalesced."""
    requested = request_refresh(app, keys, all_segments=all_segments, kind=kind, as_of=as_of)
    if requested.run is None:
        return requested
    return Requested(run_refresh(app, requested.run, progress=progress), requested.coalesced)
