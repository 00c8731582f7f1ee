"""`segmint destination ...`, `segmint export ...` and `segmint mirror ...`, with --json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result
from webhook_receiver import Receiver

from segmint.cli.app import app as cli_app
from segmint.services import segments
from segmint.services.context import App


def run(*args: str | Path) -> Result:
    return CliRunner(env={"COLUMNS": "250"}).invoke(cli_app, [str(a) for a in args])


def ok(*args: str | Path) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def fails(*args: str | Path) -> dict[str, Any]:
    result = run(*args, "--json")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    return dict(json.loads(result.stdout)["error"])


def test_destinations_and_exports_from_the_command_line(
    source: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = ("-w", source)
    with App.open(source) as app:
        segments.deactivate(app, "churn-risk")

    added = ok("destination", "add", "hook", "--type", "webhook", "--set", f"url={receiver.url}",
               "--set", "batch_size=20", "--name", "CRM hook", *w)  # fmt: skip
    secret = added["generated_secret"]
    assert secret.startswith("whsec_")
    receiver.secret = secret
    shown = ok("destination", "show", "hook", *w)
    assert shown["settings"] == {
        "url": receiver.url, "batch_size": 20, "max_bytes": 1_000_000, "secret": "********",
    }  # fmt: skip
    listed = run("destination", "list", *w)
    assert secret not in listed.stdout and secret not in json.dumps(ok("destination", "list", *w))
    assert ok("destination", "test", "hook", *w)["ok"] is True
    assert receiver.requests[-1].body["type"] == "segmint.ping"

    monkeypatch.setenv("WAREHOUSE_URL", "postgresql+psycopg://me:hunter2@db.example/dw")
    db = ok("destination", "add", "dw", "--type", "database", "--set-env", "url=WAREHOUSE_URL",
            "--set", "mode=diff", *w)  # fmt: skip
    assert db["settings"]["url"] == "postgresql+psycopg://me:***@db.example/dw"
    assert "hunter2" not in json.dumps(ok("destination", "show", "dw", *w))
    assert (
        fails("destination", "add", "x", "--type", "webhook", "--set", "url=ftp://x", *w)["message"]
        == "invalid settings for a webhook destination"
    )
    assert fails("destination", "add", "y", "--type", "fax", *w)["message"].startswith(
        "unknown destination type"
    )
    ok("destination", "add", "drop", "--type", "file", "--set", "path=out", *w)

    created = ok("export", "create", "crm", "-d", "hook", "-s",
                 "vip-customers,black-friday-2025,churn-risk", "--field", "email",
                 "--field", "tier=loyalty_tier", *w)  # fmt: skip
    status = {s["segment"]: s["skipped_because"] for s in created["segment_status"]}
    assert status == {"black-friday-2025": "draft", "churn-risk": "inactive", "vip-customers": None}
    ok("export", "create", "files", "-d", "drop", "-s", "vip-customers", *w)
    assert [e["key"] for e in ok("export", "list", "--segment", "vip-customers", *w)] == [
        "crm", "files",
    ]  # fmt: skip
    assert ok("destination", "show", "hook", *w)["segments"] == [
        "black-friday-2025", "churn-risk", "vip-customers",
    ]  # fmt: skip

    done = ok("export", "run", "crm", *w)
    assert done["status"] == "succeeded"
    by_segment = {e["segment"]: e for e in done["detail"]}
    assert by_segment["black-friday-2025"]["status"] == "skipped"
    assert "only live, active segments are exported" in by_segment["churn-risk"]["reason"]
    assert by_segment["vip-customers"]["status"] == "delivered"
    assert done["rows"] == len(receiver.members["vip-customers"]) > 0
    everything = ok("export", "run", "--all", *w)
    assert [r["export"] for r in everything] == ["crm", "files"]
    assert (source / "out" / "vip-customers-v1.csv").is_file()
    history = ok("export", "history", "crm", *w)
    assert [h["status"] for h in history] == ["succeeded", "succeeded"]
    assert history[0]["detail"][-1]["status"] == "up_to_date"
    shown = ok("export", "show", "crm", *w)
    assert shown["last_run"]["id"] == history[0]["id"]
    assert shown["rejected"] == []

    edited = ok("export", "edit", "crm", "--remove", "churn-risk", "--field", "email", *w)
    assert edited["segments"] == ["black-friday-2025", "vip-customers"]
    assert edited["fields"] == {"email": "email"}
    assert fails("export", "edit", "crm", "--field", "colour", *w)["problems"]
    receiver.down = True
    result = run("export", "run", "crm", "--snapshot", *w)
    assert result.exit_code == 1
    assert "the webhook answered 500" in result.stderr
    receiver.down = False

    assert fails("destination", "remove", "hook", *w)["code"] == "conflict"
    assert ok("export", "remove", "crm", *w) == {"removed": "crm"}
    assert ok("destination", "remove", "hook", *w) == {"removed": "hook"}
    assert fails("export", "show", "crm", *w)["code"] == "not_found"
    assert fails("export", "run", *w)["message"] == "name an export, or use --all or --queued"
    assert fails("mirror", "show", "vip-customers", *w)["message"] == (
        "vip-customers is dynamic, not an external segment"
    )
