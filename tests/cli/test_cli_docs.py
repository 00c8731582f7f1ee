"""docs/cli.md documents the segment, static and run commands, sub-commands included, with
each of their options, and every one of them takes --workspace and --json.

(tests/test_docs.py checks the top-level commands; this walks the command groups too.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main

from segmint.cli.app import app

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _walk(command: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        found += _walk(sub, (*path, name))
    return found


MODULES = {"segmint.cli.segments", "segmint.cli.static", "segmint.cli.runs"}
GROUPS = {"segment", "consumers", "static", "runs", "schedule"}


def _ours(path: tuple[str, ...], command: Any) -> bool:
    if path[0] in GROUPS:
        return True
    callback = getattr(command, "callback", None)
    wrapped = getattr(callback, "__wrapped__", callback)
    return getattr(wrapped, "__module__", "") in MODULES


COMMANDS = {" ".join(p): c for p, c in _walk(typer.main.get_command(app), ()) if p and _ours(p, c)}


def _sections() -> dict[str, str]:
    text = DOCS.read_text(encoding="utf-8")
    marks = list(re.finditer(r"^## (.+)$", text, re.MULTILINE))
    return {
        m.group(1).strip(): text[m.end() : nxt.start() if nxt else len(text)]
        for m, nxt in zip(marks, [*marks[1:], None], strict=True)
    }


def test_the_walk_finds_the_commands() -> None:
    assert {"segment create", "static add", "runs cancel", "schedule set"} <= set(COMMANDS)
    assert {"go-live", "refresh", "history", "trend", "usage"} <= set(COMMANDS)
    assert "count" not in COMMANDS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_section_with_its_options(name: str) -> None:
    sections = _sections()
    heading = f"`segmint {name}`"
    assert heading in sections, f"docs/cli.md has no '## {heading}' section"
    section = sections[heading]
    for param in COMMANDS[name].params:
        if param.param_type_name == "argument":
            assert f"`{param.name.upper()}`" in section, f"{name}: argument {param.name}"
        else:
            for opt in [*param.opts, *param.secondary_opts]:
                assert f"`{opt}`" in section, f"{name}: option {opt}"
    if COMMANDS[name].params:
        assert "`--json`:" in section, f"{name}: no JSON shape"


def test_every_command_takes_workspace_and_json() -> None:
    for name, command in COMMANDS.items():
        if getattr(command, "commands", None):
            continue
        opts = {opt for param in command.params for opt in param.opts}
        assert {"--workspace", "-w", "--json"} <= opts, name
