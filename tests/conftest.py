"""Shared test setup.

Puts this folder on sys.path so the helper packages here (`reference`, `fixtures`) import the
same way from every test directory, whatever pytest's import mode and however the run is
started. Builds the small ingested workspace (tests/workspace_files.py) that the workspace,
ingest and CLI tests run against.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from workspace_files import write_sources  # noqa: E402  (needs the path above)


@pytest.fixture(autouse=True)
def _no_segmint_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings and the CLI read SEGMINT_* variables; the caller's must not leak in."""
    _clear_environment(monkeypatch)


def _clear_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SEGMINT_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ingested workspace built with the CLI (`segmint init`, then `segmint ingest`).

    Shared by the whole session: tests must only read it; use `workspace` to change things.
    """
    from typer.testing import CliRunner

    from segmint.cli.app import app

    root = tmp_path_factory.mktemp("shared") / "shop"
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as env:
        _clear_environment(env)
        created = runner.invoke(app, ["init", str(root)])
        assert created.exit_code == 0, created.output
        write_sources(root)
        loaded = runner.invoke(app, ["ingest", "--workspace", str(root), "--json"])
        assert loaded.exit_code == 0, loaded.output
    return root


@pytest.fixture
def workspace(shop: Path, tmp_path: Path) -> Path:
    """A private copy of the ingested workspace, free to change."""
    return Path(shutil.copytree(shop, tmp_path / "shop"))
