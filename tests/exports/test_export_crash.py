"""An exporter killed with SIGKILL in the middle of a run: the next run (or the server, when
it starts) marks it failed and resumes at the first undelivered batch, never sending a
delivered batch again."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from export_support import contacts, make_static
from fastapi.testclient import TestClient
from webhook_receiver import Receiver

from segmint.api.app import create_app
from segmint.services import export_runs, exports
from segmint.services.context import App
from segmint.store.exports import ExportReader

SEGMINT = str(Path(sys.executable).with_name("segmint"))


@dataclass(frozen=True)
class Killed:
    keys: list[str]
    before: list[str]  # every batch id the receiver saw before the kill
    confirmed: list[str]  # those it confirmed
    stalled: str  # the one it never answered


def _kill_mid_run(source: Path, receiver: Receiver) -> Killed:
    """An exporter process delivering 8 batches, killed while batch 4 waits for an answer."""
    with App.open(source) as app:
        keys = contacts(app, 80)
        make_static(app, "wh", keys)
        exports.add_destination(
            app,
            "hook",
            type="webhook",
            settings={"url": receiver.url, "secret": receiver.secret, "batch_size": 10},
        )
        exports.create_export(app, "to-hook", destination="hook", segments=["wh"])
    receiver.stall_at = 4  # batches 1-3 are confirmed, batch 4 never answered

    exporter = subprocess.Popen(
        [SEGMINT, "export", "run", "to-hook", "-w", str(source), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert receiver.stalled.wait(60), exporter.communicate(timeout=5)
    finally:
        exporter.send_signal(signal.SIGKILL)
        exporter.communicate(timeout=30)
    assert exporter.returncode == -signal.SIGKILL
    killed = Killed(keys, receiver.ids(), receiver.ids(200), str(receiver.stalled_id))
    assert [i.rsplit("_", 1)[1] for i in killed.confirmed] == ["1", "2", "3"]
    receiver.stall_at = None
    receiver.release.set()
    return killed


def _check_resumed(receiver: Receiver, killed: Killed) -> None:
    after = [r.id for r in receiver.requests[len(killed.before) :] if r.status != 0]  # 0: stalled
    assert after[0] == killed.stalled  # the unconfirmed batch again, under the same id
    assert not set(after) & set(killed.confirmed)  # no delivered batch sent again
    assert [i.rsplit("_", 1)[1] for i in after] == [str(n) for n in range(4, 9)]
    assert receiver.members["wh"] == set(killed.keys)


def test_a_killed_exporter_resumes_without_resending_delivered_batches(
    source: Path, receiver: Receiver
) -> None:
    killed = _kill_mid_run(source, receiver)
    with App.open(source) as app:
        run = export_runs.run_export(app, "to-hook")
        with app.store.read() as r:
            killed_run, resumed = sorted(ExportReader(r).runs("to-hook"), key=lambda x: x.id)
    assert (killed_run.status, resumed.status) == ("failed", "succeeded")
    assert killed_run.error is not None and "stopped before finishing" in killed_run.error
    assert run.id == resumed.id
    _check_resumed(receiver, killed)
    assert resumed.detail[0]["resumed"] is True
    assert json.loads(json.dumps(resumed.detail))  # the record is plain JSON


def test_the_server_resumes_interrupted_deliveries_when_it_starts(
    source: Path, receiver: Receiver
) -> None:
    killed = _kill_mid_run(source, receiver)
    with TestClient(create_app(source)) as api:  # nobody asks: starting is enough
        deadline = time.monotonic() + 60
        while receiver.members.get("wh") != set(killed.keys) and time.monotonic() < deadline:
            time.sleep(0.2)
        runs = api.get("/api/exports/to-hook/runs").json()
        while runs[0]["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.2)
            runs = api.get("/api/exports/to-hook/runs").json()
    _check_resumed(receiver, killed)
    newest, first = runs[0], runs[-1]
    assert (first["status"], newest["trigger"], newest["status"]) == (
        "failed", "resume", "succeeded",
    )  # fmt: skip
    assert newest["detail"][0]["resumed"] is True and newest["batches"] == 5
