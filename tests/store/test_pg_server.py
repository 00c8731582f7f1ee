"""The throwaway PostgreSQL server the store tests use: found, started right, or failing loudly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from store import postgres


def fake_install(folder: Path) -> Path:
    """A folder with (fake, executable) pg_ctl, initdb and postgres."""
    folder.mkdir(parents=True)
    for name in ("pg_ctl", "initdb", "postgres"):
        program = folder / name
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)
    return folder


def test_pg_ctl_on_the_path_wins_and_links_are_followed(tmp_path: Path) -> None:
    real = fake_install(tmp_path / "lib" / "12" / "bin")
    fake_install(tmp_path / "lib" / "16" / "bin")
    linked = tmp_path / "local" / "bin"
    linked.mkdir(parents=True)
    (linked / "pg_ctl").symlink_to(real / "pg_ctl")  # only pg_ctl is linked, as here
    found = postgres.find_bindir(search_path=str(linked), installs=tmp_path / "lib")
    assert found == real


def test_else_the_newest_installed_version(tmp_path: Path) -> None:
    for version in ("9.6", "15", "16", "13"):
        fake_install(tmp_path / "lib" / version / "bin")
    found = postgres.find_bindir(search_path=str(tmp_path / "empty"), installs=tmp_path / "lib")
    assert found == tmp_path / "lib" / "16" / "bin"


def test_a_named_pg_ctl_is_used_alone(tmp_path: Path) -> None:
    chosen = fake_install(tmp_path / "chosen")
    assert postgres.find_bindir(str(chosen / "pg_ctl")) == chosen
    assert postgres.find_bindir(str(tmp_path / "nope" / "pg_ctl")) is None


def test_an_incomplete_installation_does_not_count(tmp_path: Path) -> None:
    (fake_install(tmp_path / "lib" / "15" / "bin") / "initdb").unlink()
    found = postgres.find_bindir(search_path=str(tmp_path / "empty"), installs=tmp_path / "lib")
    assert found is None


def test_missing_programs_fail_the_tests_rather_than_skip_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(postgres, "INSTALLS", tmp_path / "nothing")
    with pytest.raises(pytest.fail.Exception) as failed:
        postgres.require_bindir()
    assert "apt-get install postgresql" in str(failed.value)
    assert not isinstance(failed.value, pytest.skip.Exception)


def test_the_session_server(pg_url: str) -> None:
    assert pg_url.startswith("postgresql+psycopg://")
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            settings = {
                name: conn.execute(text(f"SHOW {name}")).scalar()
                for name in ("TimeZone", "server_encoding", "fsync")
            }
            backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            # Read while the connection is open: its backend process ends with it.
            status = Path(f"/proc/{backend}/status")
            lines = status.read_text().splitlines() if status.exists() else None
    finally:
        engine.dispose()
    assert settings == {
        "TimeZone": postgres.SERVER_TIMEZONE,
        "server_encoding": "UTF8",
        "fsync": "off",
    }
    if lines is not None:  # Linux: the server never runs as root, but as us or a stand-in
        line = next(x for x in lines if x.startswith("Uid:"))
        stand_in = postgres.server_os_user()
        assert int(line.split()[1]) == (stand_in.uid if stand_in else os.geteuid()) != 0
