"""The scheduler: the system refresh cadence, scheduled (de)activations, and dead-run reaping.

Exactly one scheduler acts on a workspace: it holds a lock (a file lock for SQLite, an
advisory lock on PostgreSQL). Each scheduled refresh is keyed by its fire time, and the
store refuses a second run with the same key, so a tick that repeats — or a second
scheduler that slipped through — never runs the same refresh twice.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text

from segmint.errors import UserError
from segmint.store import Store

SETTING = "schedule"
MAX_CATCH_UP = 10_000


@dataclass(frozen=True)
class Schedule:
    """The system refresh cadence: a cron expression read in a time zone."""

    cron: str
    timezone: str = "UTC"
    enabled: bool = True
    since: dt.datetime | None = None  # fire times at or before this are not due

    def trigger(self) -> CronTrigger:
        try:
            return CronTrigger.from_crontab(self.cron, timezone=self.timezone)
        except (ValueError, KeyError, LookupError) as exc:
            raise UserError(
                f"schedule: {self.cron!r} in {self.timezone!r} is not a valid cron schedule ({exc})"
            ) from None

    def next_fires(self, after: dt.datetime, count: int = 3) -> list[dt.datetime]:
        trigger = self.trigger()
        out: list[dt.datetime] = []
        previous: dt.datetime | None = None
        moment = after
        while len(out) < count:
            fire = trigger.get_next_fire_time(previous, moment)
            if fire is None:
                break
            out.append(fire)
            previous, moment = fire, fire + dt.timedelta(microseconds=1)
        return out

    def due(self, now: dt.datetime) -> dt.datetime | None:
        """The latest fire time after `since` and at or before `now` (missed ones merge)."""
        if not self.enabled or self.since is None:
            return None
        trigger = self.trigger()
        latest = None
        previous: dt.datetime | None = None
        moment = self.since + dt.timedelta(microseconds=1)
        for _ in range(MAX_CATCH_UP):
            fire = trigger.get_next_fire_time(previous, moment)
            if fire is None or fire > now:
                break
            latest, previous, moment = fire, fire, fire + dt.timedelta(microseconds=1)
        return latest

    def to_json(self) -> dict[str, Any]:
        return {
            "cron": self.cron,
            "timezone": self.timezone,
            "enabled": self.enabled,
            "since": self.since.isoformat() if self.since else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Schedule | None:
        if not data:
            return None
        since = data.get("since")
        return cls(
            cron=data["cron"],
            timezone=data.get("timezone", "UTC"),
            enabled=bool(data.get("enabled", True)),
            since=dt.datetime.fromisoformat(since) if since else None,
        )


def read_schedule(store: Store) -> Schedule | None:
    with store.read() as r:
        return Schedule.from_json(r.setting(SETTING))


def write_schedule(store: Store, schedule: Schedule, actor: str) -> Schedule:
    """Validate and save the cadence; fire times from now on are due."""
    schedule.trigger()
    saved = Schedule(schedule.cron, schedule.timezone, schedule.enabled, dt.datetime.now(dt.UTC))
    with store.write(actor) as w:
        w.set_setting(SETTING, saved.to_json())
    return saved


def schedule_key(fire: dt.datetime) -> str:
    return "system:" + fire.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def leadership(store: Store, lock_file: Path) -> Iterator[bool]:
    """Whether this process may act as the one scheduler, for the duration of the block."""
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(75117)")).scalar())
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(75117)"))
        return
    handle: IO[str] = lock_file.open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


class Loop:
    """Calls `tick` every `seconds` until stopped (the scheduler's heartbeat)."""

    def __init__(self, tick: Callable[[dt.datetime], object], seconds: float = 30.0) -> None:
        self.tick = tick
        self.seconds = seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        from apscheduler.schedulers.blocking import BlockingScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        scheduler = BlockingScheduler(timezone="UTC")
        scheduler.add_job(
            lambda: self.tick(dt.datetime.now(dt.UTC)),
            IntervalTrigger(seconds=self.seconds),
            id="segmint-tick",
            max_instances=1,
            coalesce=True,
            next_run_time=dt.datetime.now(dt.UTC),
        )

        def watch() -> None:
            self.stopped.wait()
            scheduler.shutdown(wait=False)

        threading.Thread(target=watch, daemon=True).start()
        scheduler.start()
