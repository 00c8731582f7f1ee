"""An exporter killed with SIGKILL in the middle of a run: the next run marks it failed and
resumes at the first undelivered batch, never sending a delivered batch again."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from export_support import contacts, make_static
from webhook_receiver import Receiver

from segmint.services import export_runs, exports
from segmint.services.context import App
from segmint.store.exports import ExportReader

SEGMINT = str(Path(sys.executable).with_name("segmint"))


def test_a_killed_exporter_resumes_without_resending_delivered_batches(
    source: Path, receiver: Receiver
) -> None:
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
    before = receiver.ids()
    confirmed = receiver.ids(200)
    assert [i.rsplit("_", 1)[1] for i in confirmed] == ["1", "2", "3"]
    stalled = receiver.stalled_id
    receiver.stall_at = None
    receiver.release.set()

    with App.open(source) as app:
        run = export_runs.run_export(app, "to-hook")
        with app.store.read() as r:
            killed, resumed = sorted(ExportReader(r).runs("to-hook"), key=lambda x: x.id)
    assert (killed.status, resumed.status) == ("failed", "succeeded")
    assert killed.error is not None and "stopped before finishing" in killed.error
    assert run.id == resumed.id
    after = [r.id for r in receiver.requests[len(before) :] if r.status != 0]  # 0: stalled
    assert after[0] == stalled  # the unconfirmed batch again, under the same id
    assert not set(after) & set(confirmed)  # no delivered batch sent again
    assert [i.rsplit("_", 1)[1] for i in after] == [str(n) for n in range(4, 9)]
    assert receiver.members["wh"] == set(keys)
    assert resumed.detail[0]["resumed"] is True
    assert json.loads(json.dumps(resumed.detail))  # the record is plain JSON
