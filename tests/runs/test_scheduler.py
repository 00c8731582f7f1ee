"""The scheduler: cron fire times, idempotent scheduled runs, one leader, activations."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from segmint.errors import UserError
from segmint.runs.scheduler import Schedule, leadership, read_schedule, schedule_key, write_schedule
from segmint.services import segments
from segmint.services.context import App
from segmint.services.demo import build_demo
from segmint.services.schedule import LOCK_FILE, run_scheduler, tick

UTC = dt.UTC


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sched") / "w"
    build_demo(root, contacts=300, seed=3)
    return root


@pytest.fixture
def app(built: Path, tmp_path: Path) -> App:
    root = tmp_path / "w"
    shutil.copytree(built, root)
    with App.open(root, actor="test") as opened:
        yield opened


def test_due_takes_the_latest_fire_time_after_since() -> None:
    since = dt.datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    schedule = Schedule("0 * * * *", "UTC", True, since)
    assert schedule.due(since) is None
    assert schedule.due(dt.datetime(2026, 11, 23, 10, 59, tzinfo=UTC)) is None
    assert schedule.due(dt.datetime(2026, 11, 23, 13, 30, tzinfo=UTC)) == dt.datetime(
        2026, 11, 23, 13, 0, tzinfo=UTC
    )
    assert (
        Schedule("0 * * * *", "UTC", False, since).due(dt.datetime(2026, 11, 24, tzinfo=UTC))
        is None
    )


def test_cron_is_read_in_its_time_zone() -> None:
    since = dt.datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    fires = Schedule("0 3 * * *", "Europe/Berlin", True, since).next_fires(since, 2)
    assert [f.astimezone(UTC).hour for f in fires] == [2, 2]  # 03:00 CET is 02:00 UTC


def test_bad_cron_or_zone_is_a_user_error() -> None:
    with pytest.raises(UserError, match="not a valid cron"):
        Schedule("61 * * * *").trigger()
    with pytest.raises(UserError, match="not a valid cron"):
        Schedule("0 3 * * *", "Mars/Base").trigger()


def test_schedule_key_names_the_fire_time_in_utc() -> None:
    fire = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert schedule_key(fire) == "system:2026-11-23T02:00:00Z"


def test_a_due_refresh_runs_once_even_when_ticked_twice(app: App) -> None:
    saved = write_schedule(app.store, Schedule("*/10 * * * *", "UTC"), "test")
    assert read_schedule(app.store) == saved
    later = saved.since + dt.timedelta(minutes=25)  # type: ignore[operator]
    first = tick(app, later)
    assert first.run_id is not None and first.status == "succeeded"
    again = tick(app, later + dt.timedelta(seconds=5))
    assert again.fire == first.fire and again.run_id is None
    with app.store.read() as r:
        scheduled = [run for run in r.runs() if run.kind == "scheduled"]
    assert len(scheduled) == 1
    tasks = {t.segment: t.status.value for t in scheduled[0].tasks}
    assert tasks["dormant-accounts"] == "skipped"  # inactive: recorded as skipped
    assert "hand-picked-vips" not in tasks  # static: refreshed by hand only
    assert "black-friday-2025" not in tasks  # drafts are not refreshed
    assert tasks["loyal-not-at-risk"] == "succeeded"


def test_tick_carries_out_scheduled_activation(app: App) -> None:
    when = dt.datetime.now(UTC) + dt.timedelta(hours=1)
    segments.deactivate(app, "vip-customers", at=when)
    with app.store.read() as r:
        assert r.require("vip-customers").active
    report = tick(app, when + dt.timedelta(seconds=1))
    assert report.activations == ["vip-customers: deactivated"]
    with app.store.read() as r:
        seg = r.require("vip-customers")
    assert not seg.active and seg.deactivate_at is None


def test_only_one_scheduler_leads(app: App) -> None:
    with leadership(app.store, app.ws.root / LOCK_FILE) as first:
        assert first
        with pytest.raises(UserError, match="another scheduler"):
            run_scheduler(app, once=True)
    assert run_scheduler(app, once=True)[0].fire is None  # nothing scheduled
