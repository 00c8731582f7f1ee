"""Destination secrets: encrypted at rest, a wrong key refused clearly, plain-text secrets of
older stores encrypted by migration 0003, key rotation; editing a destination (secret
rotation included) through the service, the API and the CLI."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, inspect, select, text
from typer.testing import CliRunner
from webhook_receiver import Receiver

from segmint.api.app import create_app
from segmint.cli.app import app as cli_app
from segmint.errors import UserError
from segmint.services import exports
from segmint.services.context import App
from segmint.store import schema as s
from segmint.store.migrate import upgrade
from segmint.store.sealing import KEY_ENV, KEY_FILE, KeyFile, SecretKeyError, workspace_sealer
from segmint.workspace import metadata_url, open_workspace

SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
TOKEN = "tok-very-secret-4711"  # noqa: S105 - a test value
MASKED = "*" * 8


def _stored(root: Path) -> bytes:
    """Every byte of the metadata database (SQLite file plus its write-ahead log)."""
    url = metadata_url(open_workspace(root))
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def _sealed(root: Path, key: str) -> str | None:
    engine = create_engine(metadata_url(open_workspace(root)))
    try:
        with engine.connect() as conn:
            return conn.execute(
                select(s.destinations.c.sealed_secrets).where(s.destinations.c.key == key)
            ).scalar_one()
    finally:
        engine.dispose()


def _add_hook(app: App, receiver: Receiver) -> None:
    exports.add_destination(
        app, "hook", type="webhook", settings={"url": receiver.url, "secret": SECRET}
    )


def test_secrets_are_encrypted_at_rest_with_a_0600_key_file(
    source: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with App.open(source) as app:
        _add_hook(app, receiver)
        exports.add_destination(
            app, "peer", type="segmint", settings={"url": receiver.url, "token": TOKEN}
        )
        exports.add_destination(app, "drop", type="file", settings={"path": "out"})
        shown = exports.show_destination(app, "hook")
        assert shown["settings"]["secret"] == MASKED
        assert exports.settings_of(app_record(app, "peer")).secret_values() == {"token": TOKEN}
    key_file = source / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    stored = _stored(source)
    assert SECRET.encode() not in stored and TOKEN.encode() not in stored
    assert b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVph" not in stored
    assert _sealed(source, "drop") is None  # nothing secret: nothing sealed
    sealed = _sealed(source, "hook")
    assert sealed and sealed.startswith("gAAAAA")  # a Fernet token


def app_record(app: App, key: str) -> Any:
    from segmint.store.exports import ExportReader

    with app.store.read() as r:
        return ExportReader(r).require_destination(key)


def test_a_wrong_key_gives_a_clear_error(
    source: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with App.open(source) as app:
        _add_hook(app, receiver)
    KeyFile(source / KEY_FILE).write([_other_key()])
    with App.open(source) as app:
        with pytest.raises(SecretKeyError, match="cannot be decrypted with the key from"):
            exports.show_destination(app, "hook")
        # Listing exports does not need the secrets.
        assert exports.export_summaries(app) == []
    result = CliRunner().invoke(cli_app, ["destination", "show", "hook", "-w", str(source)])
    assert result.exit_code == 1
    assert "cannot be decrypted" in result.output and "Traceback" not in result.output
    monkeypatch.setenv(KEY_ENV, "not-a-key")
    with App.open(source) as app, pytest.raises(SecretKeyError, match="is not a Fernet key"):
        exports.show_destination(app, "hook")


def _other_key() -> str:
    from segmint.store.sealing import new_key

    return new_key()


def test_the_environment_key_and_rotation(
    source: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _other_key(), _other_key()
    monkeypatch.setenv(KEY_ENV, first)
    with App.open(source) as app:
        _add_hook(app, receiver)
    assert not (source / KEY_FILE).exists()  # the environment's key is used, no file made
    before = _sealed(source, "hook")
    # Rotation with the environment: the new key first, the old one still decrypts.
    monkeypatch.setenv(KEY_ENV, f"{second},{first}")
    result = CliRunner().invoke(cli_app, ["destination", "rotate-key", "-w", str(source)])
    assert result.exit_code == 0, result.output
    assert _sealed(source, "hook") != before
    monkeypatch.setenv(KEY_ENV, second)  # the old key is gone: still readable
    with App.open(source) as app:
        assert exports.settings_of(app_record(app, "hook")).secret_values() == {"secret": SECRET}
    # Rotation of the key file: a new key replaces the old one in the file.
    monkeypatch.delenv(KEY_ENV)
    KeyFile(source / KEY_FILE).write([second])
    with App.open(source) as app:
        assert exports.rotate_secret_key(app) == 1
    keys = KeyFile(source / KEY_FILE).read()
    assert len(keys) == 1 and keys != [second]
    assert stat.S_IMODE((source / KEY_FILE).stat().st_mode) == 0o600
    with App.open(source) as app:
        assert exports.settings_of(app_record(app, "hook")).secret_values() == {"secret": SECRET}


def test_migration_0003_encrypts_plain_text_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0002")
    plain = sa_table_0002()
    with engine.begin() as conn:
        conn.execute(
            insert(plain),
            [
                _row("hook", "webhook", {"url": "http://x"}, {"secret": SECRET}),
                _row("drop", "file", {"path": "out"}, {}),
            ],
        )
    sealer = workspace_sealer(tmp_path)
    upgrade(engine, sealer=sealer)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT key, sealed_secrets FROM destinations")).all())
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(destinations)"))]
    assert "secrets" not in columns
    assert rows["drop"] is None
    assert sealer.open(rows["hook"]) == {"secret": SECRET}
    assert SECRET.encode() not in (tmp_path / "old.db").read_bytes()
    engine.dispose()
    # Without a key the migration refuses rather than drop the secrets.
    other = create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other, "0002")
    with other.begin() as conn:
        conn.execute(insert(plain), [_row("hook", "webhook", {}, {"secret": SECRET})])
    with pytest.raises(RuntimeError, match="secrets stored in plain text"):
        upgrade(other)
    other.dispose()


def test_migration_0003_on_postgresql(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    engine = create_engine(pg_url)
    try:
        upgrade(engine, "0002")
        with engine.begin() as conn:
            conn.execute(
                insert(sa_table_0002()),
                [_row("peer", "segmint", {"url": "http://x"}, {"token": TOKEN})],
            )
        sealer = workspace_sealer(tmp_path)
        upgrade(engine, sealer=sealer)
        with engine.connect() as conn:
            sealed = conn.execute(text("SELECT sealed_secrets FROM destinations")).scalar_one()
            columns = {c["name"] for c in inspect(conn).get_columns("destinations")}
        assert "secrets" not in columns and TOKEN not in sealed
        assert sealer.open(sealed) == {"token": TOKEN}
    finally:
        engine.dispose()


def sa_table_0002() -> Any:
    import sqlalchemy as sa

    return sa.table(
        "destinations",
        *(sa.column(n) for n in ("key", "name", "type", "id_field", "created_by", "updated_by")),
        sa.column("settings", sa.JSON()),
        sa.column("secrets", sa.JSON()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )


def _row(key: str, type_: str, settings: dict[str, Any], secrets: dict[str, Any]) -> Any:
    import datetime as dt

    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return {
        "key": key, "name": key, "type": type_, "settings": settings, "secrets": secrets,
        "id_field": "", "created_at": when, "created_by": "t", "updated_at": when,
        "updated_by": "t",
    }  # fmt: skip


# --- editing ------------------------------------------------------------------------------


def test_edit_a_destination_and_rotate_its_secret(source: Path, receiver: Receiver) -> None:
    with App.open(source) as app:
        _add_hook(app, receiver)
        edited = exports.edit_destination(
            app, "hook", name="Hook two", settings={"batch_size": 7}, id_field="email"
        )
        assert sorted(edited.changed) == ["batch_size", "id_field", "name"]
        assert edited.generated_secret is None
        record = app_record(app, "hook")
        assert (record.name, record.id_field, record.settings["batch_size"]) == (
            "Hook two", "email", 7,
        )  # fmt: skip
        assert record.secrets == {"secret": SECRET}  # untouched by other changes
        # Rotation: a new secret replaces the old one, never shown back.
        rotated = exports.edit_destination(app, "hook", new_secret=True)
        assert rotated.changed == ["secret"]
        assert rotated.generated_secret and rotated.generated_secret != SECRET
        assert app_record(app, "hook").secrets == {"secret": rotated.generated_secret}
        assert exports.destination_json(rotated.destination)["settings"]["secret"] == MASKED
        assert exports.edit_destination(app, "hook", name="Hook two").changed == []
        unset = exports.edit_destination(app, "hook", unset=["batch_size"])
        assert unset.changed == ["batch_size"]
        with pytest.raises(UserError) as bad:
            exports.edit_destination(
                app, "hook", settings={"nope": 1, "batch_size": -1}, unset=["zzz"]
            )
        assert [p.path for p in bad.value.problems] == ["settings.nope", "settings.zzz"]
        with pytest.raises(UserError, match="invalid settings"):
            exports.edit_destination(app, "hook", settings={"batch_size": -1})
        with pytest.raises(UserError) as bad:
            exports.add_destination(app, "drop", type="file", settings={"path": "out"})
            exports.edit_destination(app, "drop", new_secret=True)
        assert bad.value.problems[0].path == "new_secret"
        with pytest.raises(UserError, match="not a field"):
            exports.edit_destination(app, "hook", id_field="no_such_field")
        assert app_record(app, "hook").secrets == {"secret": rotated.generated_secret}


def test_patch_a_destination_over_the_api(source: Path, receiver: Receiver) -> None:
    with TestClient(create_app(source)) as api:
        added = api.post(
            "/api/destinations",
            json={"key": "peer", "type": "segmint", "settings": {"url": receiver.url,
                                                                  "token": TOKEN}},
        )  # fmt: skip
        assert added.status_code == 201, added.text
        new_token = "tok-rotated-0815"  # noqa: S105 - a test value
        patched = api.patch(
            "/api/destinations/peer", json={"name": "Peer", "settings": {"token": new_token}}
        )
        assert patched.status_code == 200, patched.text
        body = patched.json()
        assert body["changed"] == ["token", "name"]
        assert body["settings"]["token"] == MASKED and new_token not in patched.text
        listed = api.get("/api/destinations").json()
        assert listed[0]["name"] == "Peer" and new_token not in json.dumps(listed)
        assert listed[0]["segments"] == [] and listed[0]["last_run"] is None
        bad = api.patch("/api/destinations/peer", json={"settings": {"colour": "red"}})
        assert bad.status_code == 400
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert bad.json()["problems"][0]["path"] == "settings.colour"
        assert api.patch("/api/destinations/peer", json={"type": "file"}).status_code == 422
        assert api.patch("/api/destinations/nope", json={"name": "x"}).status_code == 404
        hook = api.patch("/api/destinations/peer", json={"new_secret": True})
        assert hook.status_code == 400
    with App.open(source) as app:
        assert app_record(app, "peer").secrets == {"token": new_token}


def test_destination_edit_on_the_command_line(
    source: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = ["-w", str(source)]
    runner = CliRunner()
    added = runner.invoke(
        cli_app,
        ["destination", "add", "hook", "--type", "webhook", "--set", f"url={receiver.url}", *w],
    )
    assert added.exit_code == 0, added.output
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    result = runner.invoke(
        cli_app,
        ["destination", "edit", "hook", "--set-env", "secret=HOOK_SECRET", "--json", *w],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["changed"] == ["secret"] and SECRET not in result.stdout
    result = runner.invoke(cli_app, ["destination", "edit", "hook", "--new-secret", *w])
    assert result.exit_code == 0 and "New signing secret (shown only now): whsec_" in result.output
    result = runner.invoke(cli_app, ["destination", "edit", "hook", "--set", "nope=1", *w])
    assert result.exit_code == 1 and "settings.nope" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(cli_app, ["destination", "edit", "hook", "--set", "oops", *w])
    assert result.exit_code == 1 and "NAME=VALUE" in result.output


def test_a_run_with_an_undecryptable_secret_fails_with_the_reason(
    source: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from export_support import make_static

    from segmint.services import export_runs

    monkeypatch.delenv(KEY_ENV, raising=False)
    with App.open(source) as app:
        make_static(app, "wh", [])
        _add_hook(app, receiver)
        exports.create_export(app, "to-hook", destination="hook", segments=["wh"])
    KeyFile(source / KEY_FILE).write([_other_key()])
    with App.open(source) as app:
        run = export_runs.run_export(app, "to-hook")
    assert run.status == "failed"
    assert run.error is not None and "cannot be decrypted with the key from" in run.error
    assert "internal error" not in run.error


def test_a_new_id_mapping_or_place_makes_the_next_delivery_a_snapshot(
    source: Path, receiver: Receiver
) -> None:
    from export_support import contacts, make_static, set_members

    from segmint.services import export_runs
    from segmint.store.exports import ExportReader

    with App.open(source) as app:
        keys = contacts(app, 10)
        make_static(app, "wh", keys)
        exports.add_destination(
            app, "hook", type="webhook",
            settings={"url": receiver.url, "secret": receiver.secret},
        )  # fmt: skip
        exports.create_export(app, "to-hook", destination="hook", segments=["wh"])
        assert export_runs.run_export(app, "to-hook").status == "succeeded"
        exports.edit_destination(app, "hook", new_secret=True)  # a credential: no snapshot
        receiver.secret = app_record(app, "hook").secrets["secret"]
        set_members(app, "wh", keys[1:])
        with app.store.read() as r:
            last = ExportReader(r).runs("to-hook", limit=1)[0]
        assert last.detail[0]["kind"] == "changes"
        exports.edit_destination(app, "hook", id_field="email")  # another ID: a snapshot
        with app.store.read() as r:
            assert ExportReader(r).state("to-hook", "wh").snapshot is True
        run = export_runs.run_export(app, "to-hook")
        assert (run.status, run.detail[0]["kind"]) == ("succeeded", "snapshot")
