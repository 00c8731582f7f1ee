"""The reference docs cover what the code offers: commands, settings, nodes, operators, keys.

Each check reads the names from the code, so a new option, setting or operator without its
documentation fails here.
"""

from __future__ import annotations

import re
import tomllib
import typing
from pathlib import Path
from typing import Any

import pytest
import typer.main
from pydantic import BaseModel

from segmint.catalog import (
    AttributeSpec,
    AttrType,
    EntitySpec,
    InteractionSpec,
    RelationshipSpec,
    SourceFormat,
    SourceSpec,
)
from segmint.cli.app import app
from segmint.config import Settings
from segmint.definition import nodes
from segmint.definition.operators import BY_TYPE

DOCS = Path(__file__).resolve().parent.parent / "docs"


def sections(name: str, level: int) -> dict[str, str]:
    """The text under each heading of exactly `level` #s, up to the next heading that level
    or higher."""
    text = (DOCS / name).read_text(encoding="utf-8")
    found: dict[str, str] = {}
    heading = re.compile(rf"^#{{1,{level}}} (.+)$", re.MULTILINE)
    marks = list(heading.finditer(text))
    for here, nxt in zip(marks, [*marks[1:], None], strict=True):
        if len(here.group(0)) - len(here.group(0).lstrip("#")) == level:
            found[here.group(1).strip()] = text[here.end() : nxt.start() if nxt else len(text)]
    return found


def quoted(name: str) -> str:
    return f"`{name}`"


# --- docs/cli.md ----------------------------------------------------------------------


def commands(group: Any, prefix: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every runnable command by its full name ("count", "segment create"), through groups."""
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found.update(commands(command, (*prefix, name)))
        else:
            found[" ".join((*prefix, name))] = command
    return found


COMMANDS = commands(typer.main.get_command(app))


def test_the_commands_are_found() -> None:
    assert {"init", "ingest", "validate", "count", "members", "explain", "sql", "demo"} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_documented_with_its_options(name: str) -> None:
    docs = sections("cli.md", 2) | sections("cli.md", 3)
    heading = f"`segmint {name}`"
    assert heading in docs, f"docs/cli.md has no '## {heading}' (or ###) section"
    section = docs[heading]
    for param in COMMANDS[name].params:
        if param.param_type_name == "argument":
            assert quoted(param.name.upper()) in section, f"{name}: argument {param.name}"
        else:
            for opt in param.opts:
                assert quoted(opt) in section, f"{name}: option {opt}"


def test_the_exit_codes_are_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in text


# --- docs/configuration.md ------------------------------------------------------------


def settings_keys(model: type[BaseModel], section: str = "") -> list[tuple[str, str]]:
    """(section, key) for every leaf setting; nested models are sections."""
    keys = []
    for name, info in model.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            keys.extend(settings_keys(kind, f"{section}.{name}" if section else name))
        else:
            keys.append((section, name))
    return keys


SETTINGS = settings_keys(Settings)


def test_the_settings_walk_finds_nested_sections() -> None:
    assert ("", "name") in SETTINGS
    assert ("limits", "max_depth") in SETTINGS
    assert ("engine", "memory_limit") in SETTINGS


@pytest.mark.parametrize(("section", "key"), SETTINGS, ids=[f"{s}.{k}" for s, k in SETTINGS])
def test_every_setting_is_documented(section: str, key: str) -> None:
    docs = sections("configuration.md", 3)
    heading = next(
        (h for h in docs if (h.startswith(f"`[{section}]`") if section else h == "Top level")),
        None,
    )
    assert heading is not None, f"docs/configuration.md has no section for [{section}]"
    assert re.search(rf"^\| {quoted(key)} \|", docs[heading], re.MULTILINE), (
        f"{section}.{key} is not in the table of its section"
    )


def test_the_example_settings_file_holds_the_defaults() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    example = tomllib.loads(text.split("```toml\n", 1)[1].split("```", 1)[0])
    assert Settings(**example) == Settings(name=example["name"])
    assert set(example) == set(Settings.model_fields)


# --- docs/definition-language.md ------------------------------------------------------


def node_types() -> list[str]:
    """The `type` tag of every kind of condition node (the members of `nodes.Condition`)."""
    union = typing.get_args(nodes.Condition)[0]
    found: list[str] = []
    for cls in typing.get_args(union):
        found.extend(typing.get_args(cls.model_fields["type"].annotation))
    return sorted(found)


def test_node_types_are_found() -> None:
    assert {"and", "or", "not", "attribute", "related", "behavior", "in_segment"} <= set(
        node_types()
    )


@pytest.mark.parametrize("kind", node_types())
def test_every_node_type_is_documented(kind: str) -> None:
    text = (DOCS / "definition-language.md").read_text(encoding="utf-8")
    assert re.search(rf"type: {kind}\b", text), f"no example of type: {kind}"


OPERATORS = sorted({(t.value, op) for t, ops in BY_TYPE.items() for op in ops})


@pytest.mark.parametrize(("typ", "op"), OPERATORS, ids=[f"{t}-{o}" for t, o in OPERATORS])
def test_every_operator_is_documented_under_its_type(typ: str, op: str) -> None:
    docs = sections("definition-language.md", 3)
    under = [text for heading, text in docs.items() if quoted(typ) in heading]
    assert under, f"docs/definition-language.md has no section for {typ}"
    assert any(quoted(op) in text or f"op: {op}" in text for text in under), (
        f"{op} is not documented under {typ}"
    )


# --- docs/data-model.md ---------------------------------------------------------------

SPECS: dict[str, type[BaseModel]] = {
    "Entities": EntitySpec,
    "Interactions": InteractionSpec,
    "Attributes": AttributeSpec,
    "Relationships": RelationshipSpec,
    "Sources": SourceSpec,
}
SPEC_KEYS = [(heading, key) for heading, spec in SPECS.items() for key in spec.model_fields]


@pytest.mark.parametrize(("heading", "key"), SPEC_KEYS, ids=[f"{h}-{k}" for h, k in SPEC_KEYS])
def test_every_model_key_is_documented(heading: str, key: str) -> None:
    section = sections("data-model.md", 2)[heading]
    assert re.search(rf"^\| {quoted(key)} \|", section, re.MULTILINE), (
        f"{key} is not in the table of {heading}"
    )


def test_every_type_and_format_is_documented() -> None:
    text = (DOCS / "data-model.md").read_text(encoding="utf-8")
    attributes = sections("data-model.md", 2)["Attributes"]
    for typ in AttrType:
        assert re.search(rf"^\| {quoted(typ.value)} \|", attributes, re.MULTILINE), typ
    for fmt in SourceFormat:
        assert quoted(fmt.value) in text, fmt
