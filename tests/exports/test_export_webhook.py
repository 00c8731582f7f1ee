"""The webhook destination against a receiver on loopback that fails, then recovers: the
receiver ends with exactly the source's membership; repeats carry the same id; signatures
verify with the standardwebhooks library, tampered and stale ones are refused."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from export_support import contacts, current, make_static, set_exports, set_members
from standardwebhooks import Webhook, WebhookVerificationError
from webhook_receiver import Receiver

from segmint.exports.base import DestinationError
from segmint.exports.webhook import new_secret, sign
from segmint.services import export_runs, exports
from segmint.services.context import App
from segmint.services.refresh import refresh
from segmint.sources.ingest import q
from segmint.store.exports import ExportReader


def test_signatures_verify_with_the_standard_library() -> None:
    secret = new_secret()
    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    body = json.dumps({"type": "segment.members.changed", "data": {"added": [{"id": "C1"}]}})
    headers = sign(secret, "exp_a_1_1", when, body)
    assert Webhook(secret).verify(body, headers)["data"]["added"] == [{"id": "C1"}]
    # The signature is the spec's HMAC-SHA256 of "id.timestamp.body", computed independently.
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"exp_a_1_1.{int(when.timestamp())}.{body}".encode(), hashlib.sha256)
    assert headers["webhook-signature"] == "v1," + base64.b64encode(digest.digest()).decode()


def test_tampered_and_stale_messages_are_refused() -> None:
    secret = new_secret()
    now = dt.datetime.now(dt.UTC)
    body = json.dumps({"data": {"added": [{"id": "C1"}]}})
    headers = sign(secret, "exp_a_1_1", now, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("C1", "C2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, {**headers, "webhook-id": "exp_a_1_2"})
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    stale = sign(secret, "exp_a_1_1", now - dt.timedelta(minutes=10), body)
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(body, stale)


def _setup(app: App, receiver: Receiver, members: list[str], **settings: object) -> None:
    make_static(app, "wh", members)
    exports.add_destination(
        app,
        "hook",
        type="webhook",
        settings={"url": receiver.url, "secret": receiver.secret, "batch_size": 10, **settings},
    )
    exports.create_export(
        app, "to-hook", destination="hook", segments=["wh"], fields={"email": "email"}
    )


def test_a_failing_receiver_recovers_with_exactly_the_source_membership(
    source: Path, receiver: Receiver
) -> None:
    receiver.faults.extend(["500", "500", "slow", "429"])
    with App.open(source) as app:
        keys = contacts(app, 60)
        _setup(app, receiver, keys)
        receiver.reject = {keys[3]}  # refused on its own, the rest of its batch accepted
        receiver.poison = {keys[17]}  # fails the whole batch it is in
        run = export_runs.run_export(app, "to-hook")

        assert run.status == "succeeded", run.error
        assert (run.rows, run.rejects) == (58, 2)
        assert run.batches == 6
        assert run.errors >= 4  # two 500s, a timeout, a 429 (and the refused halves)
        assert receiver.members["wh"] == set(keys) - {keys[3], keys[17]}
        with app.store.read() as r:
            refused = {x.profile: x.action for x in ExportReader(r).rejects("to-hook")}
        assert refused == {keys[3]: "add", keys[17]: "add"}

        # Batch 1 was tried five times, always under the same id: 500, 500, processed but
        # answered too late, 429, then accepted (a repeat the receiver drops).
        requests = receiver.requests
        first = [r for r in requests if r.id == requests[0].id]
        assert [r.status for r in first] == [500, 500, -1, 429, 200]  # -1: answered too late
        assert first[0].id.endswith("_1")
        waited = first[4].at - first[3].at
        assert waited >= receiver.retry_after - 0.05  # Retry-After was honoured
        # The batch with the bad row was split until the row was found.
        split = [r.id for r in requests if "." in r.id]
        assert split and all(i.startswith(f"{split[0].split('.', 1)[0]}.") for i in split)

        # Recovered: the next delivery sends the changes and retries the refused rows.
        receiver.reject.clear()
        receiver.poison.clear()
        changed = [*keys[5:], *contacts(app, 7, start=100)]
        set_members(app, "wh", changed)  # the refresh exports the change
        assert receiver.members["wh"] == current(app, "wh") == set(changed)
        with app.store.read() as r:
            last = ExportReader(r).runs("to-hook", limit=1)[0]
            assert ExportReader(r).rejects("to-hook") == []
        assert (last.trigger, last.status) == ("refresh", "succeeded")
        # 5 removed (one of them refused before: removing it is harmless), 7 added, and the
        # row refused for its batch sent again.
        assert (last.rows, last.detail[0]["removed"], last.detail[0]["added"]) == (13, 5, 8)


def test_an_outage_fails_the_run_and_the_next_run_catches_up(
    source: Path, receiver: Receiver
) -> None:
    with App.open(source) as app:
        keys = contacts(app, 40)
        _setup(app, receiver, keys)
        assert export_runs.run_export(app, "to-hook").status == "succeeded"
        receiver.down = True
        set_members(app, "wh", keys[10:])  # exported after the refresh: fails
        with app.store.read() as r:
            failed = ExportReader(r).runs("to-hook", limit=1)[0]
        assert failed.status == "failed"
        assert "500" in (failed.error or "")
        assert "after 6 attempts" in (failed.error or "")
        shown = exports.show_export(app, "to-hook")
        assert [p["segment"] for p in shown["pending_deliveries"]] == ["wh"]
        set_members(app, "wh", [*keys[20:], *contacts(app, 5, start=200)])  # fails too
        receiver.down = False
        run = export_runs.run_export(app, "to-hook")
        assert run.status == "succeeded", run.error
        assert [e["resumed"] for e in run.detail if e["status"] == "delivered"] == [True, False]
        assert receiver.members["wh"] == current(app, "wh")
        assert exports.show_export(app, "to-hook")["pending_deliveries"] == []


def test_batches_respect_the_byte_limit(source: Path, receiver: Receiver) -> None:
    with App.open(source) as app:
        keys = contacts(app, 50)
        _setup(app, receiver, keys, batch_size=1000, max_bytes=3000)
        run = export_runs.run_export(app, "to-hook")
    assert run.status == "succeeded", run.error
    assert run.batches > 2
    assert max(r.size for r in receiver.requests) <= 3000
    assert receiver.members["wh"] == set(keys)
    numbers = [r.body["data"]["batch"]["number"] for r in receiver.requests]
    assert numbers == list(range(1, run.batches + 1))
    assert [r.body["data"]["batch"]["last"] for r in receiver.requests][-1] is True


def test_a_profile_deleted_from_the_data_is_still_removed(source: Path, receiver: Receiver) -> None:
    with App.open(source) as app:
        keys = contacts(app, 20)
        _setup(app, receiver, keys)
        assert export_runs.run_export(app, "to-hook").status == "succeeded"
        entity = app.engine.catalog.entities["contact"]
        app.engine.con.execute(
            f"DELETE FROM {q(entity.table)} WHERE {q(entity.key)} = ?", [keys[0]]
        )
        refresh(app, ["wh"])  # the profile is gone: it leaves the segment, and the receiver
        assert receiver.members["wh"] == set(keys)  # only queued by the refresh
        assert [r.trigger for r in export_runs.deliver_queued(app)] == ["refresh"]
        assert receiver.members["wh"] == set(keys[1:]) == current(app, "wh")
        removed = receiver.requests[-1].body["data"]["removed"]
        assert removed == [{"id": keys[0]}]


def test_loopback_is_refused_unless_allowed(source: Path, receiver: Receiver) -> None:
    set_exports(source, allow_private_addresses="false")
    with App.open(source) as app:
        _setup(app, receiver, contacts(app, 5))
        run = export_runs.run_export(app, "to-hook")
        with pytest.raises(DestinationError, match="loopback"):
            exports.test_destination(app, "hook")
    assert run.status == "failed"
    assert "allow_private_addresses" in (run.error or "")
    assert receiver.requests == []
