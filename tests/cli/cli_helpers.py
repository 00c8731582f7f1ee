"""Running `segmint` in-process for the segment, static and run command tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from segmint.cli.app import app


def cli(*args: str | Path | int) -> Result:
    """Run `segmint ARGS...` in-process, wide enough that tables are not cut."""
    return CliRunner(env={"COLUMNS": "250"}).invoke(app, [str(a) for a in args])


def ok(*args: str | Path | int) -> Result:
    """Run a command that must succeed."""
    result = cli(*args)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


def ok_json(*args: str | Path | int) -> Any:
    """Run a command with --json that must succeed; its JSON document."""
    result = ok(*args, "--json")
    assert result.stderr == ""
    return json.loads(result.stdout)


def fails(*args: str | Path | int) -> Result:
    """Run a command that must fail as a user error (exit 1, no traceback)."""
    result = cli(*args)
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.output
    return result


def error_json(*args: str | Path | int) -> dict[str, Any]:
    """The JSON error of a command that must fail as a user error."""
    result = fails(*args, "--json")
    assert result.stderr == ""
    error: dict[str, Any] = json.loads(result.stdout)["error"]
    return error
