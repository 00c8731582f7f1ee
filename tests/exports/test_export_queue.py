"""Exports after a refresh are queued, never delivered inside the refresh: an unreachable
destination does not hold `segmint refresh` up. The server's exporter delivers them in the
background; without a server, `segmint export run --queued` or `segmint refresh --export`."""

from __future__ import annotations

import json
import time
from pathlib import Path

from export_support import contacts, make_static
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webhook_receiver import Receiver

from segmint.api.app import create_app
from segmint.cli.app import app as cli_app
from segmint.services import export_runs, exports, static
from segmint.services.context import App
from segmint.services.refresh import refresh
from segmint.store.exports import ExportReader


def _setup(source: Path, receiver: Receiver) -> list[str]:
    with App.open(source) as app:
        keys = contacts(app, 30)
        make_static(app, "wh", keys[:20])
        exports.add_destination(
            app, "hook", type="webhook", settings={"url": receiver.url, "secret": receiver.secret}
        )
        exports.create_export(app, "to-hook", destination="hook", segments=["wh"])
        assert export_runs.run_export(app, "to-hook").status == "succeeded"
        static.add(app, "wh", keys[20:])
    return keys


def test_an_unreachable_destination_does_not_hold_up_a_refresh(
    source: Path, receiver: Receiver
) -> None:
    keys = _setup(source, receiver)
    receiver.down = True  # every delivery would fail after retries
    seen = len(receiver.requests)
    with App.open(source) as app:
        started = time.monotonic()
        done = refresh(app, ["wh"])
        took = time.monotonic() - started
        assert done.run is not None and done.run.status.value == "succeeded"
        assert len(receiver.requests) == seen  # nothing was sent by the refresh
        with app.store.read() as r:
            queued = ExportReader(r).runs("to-hook", status=["queued"])
        assert [(q.trigger, q.segments) for q in queued] == [("refresh", ("wh",))]
        assert export_runs.queued_exports(app) == ["to-hook"]
        # Delivering the queue fails while the destination is down, and catches up after.
        assert [r.status for r in export_runs.deliver_queued(app)] == ["failed"]
        assert took < 5
        receiver.down = False
        # The failed delivery is left pending: delivering the queue resumes it.
        resumed = export_runs.deliver_queued(app)
        assert [(r.trigger, r.status) for r in resumed] == [("resume", "succeeded")]
        assert receiver.members["wh"] == set(keys)
        assert export_runs.deliver_queued(app) == []  # nothing left


def test_the_command_line_delivers_the_queue(source: Path, receiver: Receiver) -> None:
    keys = _setup(source, receiver)
    w = ["-w", str(source)]
    runner = CliRunner()
    result = runner.invoke(cli_app, ["refresh", "wh", "--json", *w])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["exports_queued"] == ["to-hook"]
    assert receiver.members["wh"] == set(keys[:20])
    result = runner.invoke(cli_app, ["export", "run", "--queued", "--json", *w])
    assert result.exit_code == 0, result.output
    assert [(r["trigger"], r["status"]) for r in json.loads(result.stdout)] == [
        ("refresh", "succeeded")
    ]
    assert receiver.members["wh"] == set(keys)
    result = runner.invoke(cli_app, ["export", "run", "--queued", *w])
    assert result.exit_code == 0 and "No export runs were queued" in result.output
    result = runner.invoke(cli_app, ["export", "run", "--queued", "--snapshot", *w])
    assert result.exit_code == 1 and "--queued runs what was queued" in result.output
    with App.open(source) as app:
        static.remove(app, "wh", keys[:5])
    result = runner.invoke(cli_app, ["refresh", "wh", "--export", *w])
    assert result.exit_code == 0, result.output
    assert "Export to-hook: run" in result.output and "succeeded" in result.output
    assert receiver.members["wh"] == set(keys[5:])


def test_the_server_delivers_exports_queued_by_its_refreshes(
    source: Path, receiver: Receiver
) -> None:
    keys = _setup(source, receiver)
    with TestClient(create_app(source)) as api:
        started = api.post("/api/runs", json={"segments": ["wh"]})
        assert started.status_code == 202, started.text
        deadline = time.monotonic() + 60
        while receiver.members.get("wh") != set(keys) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert receiver.members["wh"] == set(keys)
        runs = api.get("/api/exports/to-hook/runs").json()
        assert (runs[0]["trigger"], runs[0]["status"]) in {
            ("refresh", "succeeded"),
            ("refresh", "running"),  # the receiver has it; the record follows
        }


def test_the_scheduler_delivers_what_its_refreshes_queued(source: Path, receiver: Receiver) -> None:
    from segmint.services.schedule import run_scheduler

    keys = _setup(source, receiver)
    with App.open(source) as app:
        refresh(app, ["wh"])
        assert receiver.members["wh"] == set(keys[:20])
        run_scheduler(app, once=True)
        assert receiver.members["wh"] == set(keys)
        assert export_runs.queued_exports(app) == []
