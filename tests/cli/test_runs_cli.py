"""`segmint refresh`, `runs list/show/cancel`, `history`, `trend` and `schedule show/set`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cli_helpers import cli, error_json, fails, ok, ok_json

from segmint.engines.duckdb import DuckDBEngine
from segmint.errors import InternalError
from segmint.services.context import App
from segmint.services.refresh import request_refresh

LIVE = 20  # live segments in the demo, all refreshed by run 1


# --- refresh --------------------------------------------------------------------------


def test_refresh_prints_results_and_progress_on_stderr_only(demo: Path) -> None:
    result = cli("refresh", "churn-risk", "loyal-not-at-risk", "-w", demo)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split() == [
        "┃",
        "segment",
        "┃",
        "status",
        "┃",
        "members",
        "┃",
        "entered",
        "┃",
        "exited",
        "┃",
        "seconds",
        "┃",
        "error",
        "┃",
    ]
    assert any(line.startswith("│ churn-risk ") and "succeeded" in line for line in lines)
    assert any(line.startswith("│ loyal-not-at-risk ") for line in lines)
    assert lines[-1].startswith("Run 2 succeeded in ")
    assert "refresh" in result.stderr  # the progress bar, with its counter
    assert "2/2" in result.stderr
    assert "2/2" not in result.stdout


def test_refresh_json(demo: Path) -> None:
    result = cli("refresh", "churn-risk", "loyal-not-at-risk", "-w", demo, "--json")
    assert result.exit_code == 0
    assert result.stderr == ""  # no progress bars for scripts
    data = json.loads(result.stdout)
    assert data["coalesced"] == {}
    run = data["run"]
    assert (run["id"], run["kind"], run["status"]) == (2, "manual", "succeeded")
    assert run["as_of"] is None
    assert run["progress"] == {"done": 2, "total": 2}
    assert [t["segment"] for t in run["tasks"]] == ["churn-risk", "loyal-not-at-risk"]
    task = run["tasks"][1]
    assert task["depends_on"] == ["churn-risk"]
    assert task["status"] == "succeeded"
    assert task["version"] == 2
    shown = ok_json("segment", "show", "loyal-not-at-risk", "-w", demo)["segment"]
    assert (shown["members"], shown["current_version"]) == (task["members"], 2)
    assert isinstance(task["seconds"], float)
    assert set(task) == {
        "segment",
        "position",
        "status",
        "depends_on",
        "revision",
        "started_at",
        "finished_at",
        "seconds",
        "members",
        "entered",
        "exited",
        "version",
        "error",
    }


def test_refresh_all_as_of(demo: Path) -> None:
    data = ok_json("refresh", "--all", "--as-of", "2026-11-01", "-w", demo)
    run = data["run"]
    assert run["as_of"] == "2026-11-01T00:00:00+00:00"
    assert len(run["tasks"]) == LIVE
    assert {t["status"] for t in run["tasks"]} == {"succeeded"}
    # the same moment as the demo's first refresh: nobody entered or left
    assert {(t["entered"], t["exited"]) for t in run["tasks"]} == {(0, 0)}


def test_refresh_errors(demo: Path) -> None:
    assert fails("refresh", "-w", demo).stderr == "name the segments to refresh, or use --all\n"
    assert fails("refresh", "churn-risk", "--all", "-w", demo).stderr == (
        "name the segments to refresh or use --all, not both\n"
    )
    assert fails("refresh", "nope", "-w", demo).stderr == "no segment with key 'nope'\n"
    result = fails("refresh", "churn-risk", "--as-of", "yesterday", "-w", demo)
    assert result.stderr.startswith("--as-of 'yesterday': not an ISO date or date-time")
    error = error_json("refresh", "nope", "-w", demo)
    assert error["code"] == "not_found"


def test_refresh_reports_segments_another_run_is_refreshing(demo: Path) -> None:
    with App.open(demo) as app:
        queued = request_refresh(app, ["churn-risk"]).run
    assert queued is not None
    result = ok("refresh", "churn-risk", "-w", demo)
    assert result.stdout == f"churn-risk: already being refreshed by run {queued.id}\n"
    data = ok_json("refresh", "churn-risk", "app-high-aov", "-w", demo)
    assert data["coalesced"] == {"churn-risk": queued.id}
    assert [t["segment"] for t in data["run"]["tasks"]] == ["app-high-aov"]


def test_a_failed_refresh_exits_1(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise InternalError("the engine failed: out of memory")

    monkeypatch.setattr(DuckDBEngine, "write_version", broken)
    result = cli("refresh", "churn-risk", "-w", demo)
    assert result.exit_code == 1
    assert "the engine failed: out of memory" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Run 2 failed in ")
    assert result.stderr.splitlines()[-1] == "run 2 failed: failed: churn-risk"
    result = cli("refresh", "churn-risk", "-w", demo, "--json")
    assert result.exit_code == 1
    run = json.loads(result.stdout)["run"]
    assert run["status"] == "failed"
    assert run["tasks"][0]["error"] == "the engine failed: out of memory"
    # the segment keeps its members
    data = ok_json("segment", "show", "churn-risk", "-w", demo)
    assert data["segment"]["current_version"] == 1
    assert data["segment"]["last_status"] == "failed"


# --- runs -----------------------------------------------------------------------------


def test_runs_list(demo: Path) -> None:
    ok("refresh", "churn-risk", "-w", demo)
    result = ok("runs", "list", "-w", demo)
    assert "churn-risk" in result.stdout
    assert f"{LIVE}/{LIVE}" in result.stdout
    assert result.stdout.rstrip().endswith("2 runs")
    data = ok_json("runs", "list", "-w", demo)
    assert [r["id"] for r in data["runs"]] == [2, 1]
    first = data["runs"][1]
    assert first["requested_by"] == "demo"
    assert first["progress"] == {"done": LIVE, "total": LIVE}
    assert len(first["segments"]) == LIVE
    assert "tasks" not in first
    assert [r["id"] for r in ok_json("runs", "list", "-w", demo, "--limit", "1")["runs"]] == [2]
    assert ok_json("runs", "list", "-w", demo, "--status", "failed")["runs"] == []
    both = ok_json("runs", "list", "-w", demo, "--status", "failed", "--status", "succeeded")
    assert len(both["runs"]) == 2


def test_runs_list_errors(demo_ro: Path) -> None:
    assert fails("runs", "list", "-w", demo_ro, "--limit", "0").stderr == (
        "--limit must be between 1 and 10000\n"
    )
    assert error_json("runs", "list", "-w", demo_ro, "--status", "done")["code"] == "usage_error"


def test_runs_show(demo_ro: Path) -> None:
    result = ok("runs", "show", "1", "-w", demo_ro)
    lines = result.stdout.splitlines()
    assert lines[0] == "run 1: succeeded (manual, requested by demo)"
    assert "as of 2026-11-01 00:00:00 UTC" in lines
    assert f"progress: {LIVE}/{LIVE} tasks finished" in lines
    assert any(line.startswith("│ loyal-not-at-risk ") for line in lines)
    data = ok_json("runs", "show", "1", "-w", demo_ro)["run"]
    assert data["status"] == "succeeded"
    assert len(data["tasks"]) == LIVE
    compound = next(t for t in data["tasks"] if t["segment"] == "loyal-not-at-risk")
    assert sorted(compound["depends_on"]) == [
        "churn-risk",
        "repeat-customers-no-returns",
        "vip-customers",
    ]
    assert fails("runs", "show", "99", "-w", demo_ro).stderr == "no run 99\n"
    assert error_json("runs", "show", "one", "-w", demo_ro)["code"] == "usage_error"


def test_runs_cancel(demo: Path) -> None:
    assert fails("runs", "cancel", "1", "-w", demo).stderr == (
        "run 1 has already finished (succeeded)\n"
    )
    with App.open(demo) as app:
        queued = request_refresh(app, ["churn-risk"]).run
    assert queued is not None
    # Nobody runs it (no process holds its lease): it is cancelled at once.
    result = ok("runs", "cancel", queued.id, "-w", demo)
    assert result.stdout == f"Run {queued.id} cancelled (no process was running it)\n"
    data = ok_json("runs", "show", queued.id, "-w", demo)["run"]
    assert data["cancel_requested"] is True
    assert data["status"] == "cancelled"
    assert fails("runs", "cancel", queued.id, "-w", demo).stderr == (
        f"run {queued.id} has already finished (cancelled)\n"
    )
    assert fails("runs", "cancel", "99", "-w", demo).stderr == "no run 99\n"


# --- history and trend --------------------------------------------------------------------


def test_history(demo: Path) -> None:
    ok("refresh", "churn-risk", "-w", demo)
    result = ok("history", "churn-risk", "-w", demo)
    assert result.stdout.rstrip().endswith("2 refreshes of churn-risk")
    data = ok_json("history", "churn-risk", "-w", demo)
    assert data["segment"] == "churn-risk"
    assert [h["run"] for h in data["history"]] == [2, 1]
    entry = data["history"][1]
    assert entry["status"] == "succeeded"
    assert entry["version"] == 1
    assert entry["entered"] == entry["members"]
    assert entry["exited"] == 0
    assert set(entry) == {
        "run",
        "kind",
        "status",
        "started_at",
        "finished_at",
        "seconds",
        "members",
        "entered",
        "exited",
        "version",
        "error",
    }
    assert [
        h["run"] for h in ok_json("history", "churn-risk", "-w", demo, "--limit", "1")["history"]
    ] == [2]
    assert ok_json("history", "black-friday-2025", "-w", demo)["history"] == []
    assert fails("history", "nope", "-w", demo).stderr == "no segment with key 'nope'\n"


def test_trend(demo: Path) -> None:
    ok("static", "remove", "hand-picked-vips", "-w", demo, "--ids", _first_member(demo))
    ok("refresh", "hand-picked-vips", "-w", demo)
    result = ok("trend", "hand-picked-vips", "-w", demo)
    assert result.stdout.rstrip().endswith("2 versions of hand-picked-vips")
    data = ok_json("trend", "hand-picked-vips", "-w", demo)
    assert [(p["version"], p["members"], p["exited"]) for p in data["points"]] == [
        (1, 25, 0),
        (2, 24, 1),
    ]
    assert data["points"][0]["as_of"] == "2026-11-01T00:00:00+00:00"
    assert (data["since"], data["until"]) == (None, None)
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    data = ok_json("trend", "hand-picked-vips", "-w", demo, "--since", later)
    assert data["points"] == []
    assert data["since"] == later
    data = ok_json("trend", "hand-picked-vips", "-w", demo, "--until", "2000-01-01")
    assert data["points"] == []


def _first_member(demo: Path) -> str:
    rows = ok_json("segment", "members", "hand-picked-vips", "-w", demo, "--limit", "1")["rows"]
    return str(rows[0]["contact_id"])


def test_trend_errors(demo_ro: Path) -> None:
    result = fails("trend", "churn-risk", "-w", demo_ro, "--since", "last week")
    assert result.stderr.startswith("--since 'last week': not an ISO date or date-time")
    result = fails("trend", "churn-risk", "-w", demo_ro, "--until", "x")
    assert result.stderr.startswith("--until 'x': not an ISO date or date-time")
    result = fails(
        "trend", "churn-risk", "-w", demo_ro, "--since", "2026-02-01", "--until", "2026-01-01"
    )
    assert result.stderr == "--since is after --until\n"
    assert fails("trend", "nope", "-w", demo_ro).stderr == "no segment with key 'nope'\n"


# --- schedule -----------------------------------------------------------------------------


def test_schedule_show_without_a_schedule(demo_ro: Path) -> None:
    assert ok("schedule", "show", "-w", demo_ro).stdout == (
        "No refresh schedule; set one with: segmint schedule set --cron '0 3 * * *'\n"
    )
    assert ok_json("schedule", "show", "-w", demo_ro) == {"schedule": None, "next": []}


def test_schedule_set_and_show(demo: Path) -> None:
    result = ok("schedule", "set", "-w", demo, "--cron", "0 3 * * *", "--timezone", "Europe/Berlin")
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "Saved the refresh schedule",
        "cron: 0 3 * * *  time zone: Europe/Berlin  (enabled)",
    ]
    assert len(lines) == 5
    assert all(line.startswith("next: ") for line in lines[2:])
    data = ok_json("schedule", "show", "-w", demo)
    assert data["schedule"] == {"cron": "0 3 * * *", "timezone": "Europe/Berlin", "enabled": True}
    fires = [dt.datetime.fromisoformat(f) for f in data["next"]]
    assert len(fires) == 3
    assert fires == sorted(fires)
    assert fires[0] > dt.datetime.now(dt.UTC)
    assert all(f.hour == 3 and f.minute == 0 for f in fires)
    assert all(f.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2)) for f in fires)
    assert (fires[1] - fires[0]).total_seconds() in (82_800, 86_400, 90_000)

    # the parts not given stay
    data = ok_json("schedule", "set", "-w", demo, "--disable")
    assert data["schedule"] == {"cron": "0 3 * * *", "timezone": "Europe/Berlin", "enabled": False}
    data = ok_json("schedule", "set", "-w", demo, "--cron", "30  6 * * 1-5", "--enable")
    assert data["schedule"] == {
        "cron": "30 6 * * 1-5",
        "timezone": "Europe/Berlin",
        "enabled": True,
    }
    weekdays = {dt.datetime.fromisoformat(f).weekday() for f in data["next"]}
    assert weekdays <= {0, 1, 2, 3, 4}
    assert ok("schedule", "show", "-w", demo).stdout.startswith(
        "cron: 30 6 * * 1-5  time zone: Europe/Berlin  (enabled)\n"
    )


def test_schedule_defaults_to_the_workspace_time_zone(demo: Path) -> None:
    data = ok_json("schedule", "set", "-w", demo, "--cron", "0 3 * * *")
    assert data["schedule"]["timezone"] == "UTC"
    assert dt.datetime.fromisoformat(data["next"][0]).utcoffset() == dt.timedelta(0)


def test_schedule_errors_name_the_option(demo: Path) -> None:
    assert fails("schedule", "set", "-w", demo).stderr == (
        "--cron is required: there is no schedule yet\n"
    )
    result = fails("schedule", "set", "-w", demo, "--cron", "0 3 * *")
    assert result.stderr.startswith("--cron '0 3 * *': not a cron expression")
    result = fails("schedule", "set", "-w", demo, "--cron", "99 3 * * *")
    assert result.stderr.startswith("--cron '99 3 * * *': not a cron expression")
    error = error_json("schedule", "set", "-w", demo, "--cron", "0 3 * * *", "--timezone", "Mars")
    assert error["message"] == "--timezone 'Mars': not an IANA time zone (e.g. Europe/Berlin)"
    assert ok_json("schedule", "show", "-w", demo)["schedule"] is None  # nothing was saved
