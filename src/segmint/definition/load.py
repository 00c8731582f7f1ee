"""Reading definitions from YAML (safe loading only) and JSON, with every problem located.

Structural problems (unknown node type, missing or extra keys, wrong simple types) are
reported by path, e.g. `condition.conditions[1].window.last`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from segmint.definition.nodes import SegmentDocument
from segmint.errors import DefinitionError, NotFoundError, Problem

MAX_FILE_BYTES = 2_000_000


class SafeLoader(yaml.SafeLoader):
    """Safe YAML loading with YAML 1.2 booleans (only true/false, so `op: on` stays text) and
    dates left as text, so a bad date is reported by the checker with its path."""


_DROPPED = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def safe_load(text: str) -> Any:
    """Parse YAML text safely (no tags that build objects), with YAML 1.2 booleans."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader subclass


def format_path(parts: list[str | int]) -> str:
    """Join path parts into `a.b[1].c`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _clean_loc(loc: tuple[str | int, ...], data: Any) -> list[str | int]:
    """Drop the union tags pydantic puts in error locations, following the raw input."""
    parts: list[str | int] = []
    current = data
    for item in loc:
        if isinstance(current, dict) and isinstance(item, str) and item not in current:
            if current.get("type") == item or item in ("function-after", "function-before"):
                continue
            parts.append(item)
            current = None
            continue
        parts.append(item)
        if isinstance(current, dict) and isinstance(item, str):
            current = current.get(item)
        elif isinstance(current, list) and isinstance(item, int) and item < len(current):
            current = current[item]
        else:
            current = None
    return parts


def _message(err: Any) -> str:
    kind = err["type"]
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return (
            f"unknown condition type {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
        )
    if kind == "union_tag_not_found":
        return "missing 'type' (and, or, not, attribute, related, behavior, in_segment)"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    return str(err["msg"])


def parse_document(data: object, where: str = "definition") -> SegmentDocument:
    """Validate parsed YAML/JSON into a SegmentDocument, reporting every structural problem."""
    if not isinstance(data, dict):
        raise DefinitionError(
            f"{where} is not a valid definition",
            [Problem("", "expected a mapping with audience and condition")],
        )
    try:
        return SegmentDocument.model_validate(data)
    except ValidationError as exc:
        problems = []
        seen: set[tuple[str, str]] = set()
        for err in exc.errors():
            path = format_path(_clean_loc(tuple(err["loc"]), data))
            msg = _message(err)
            if (path, msg) not in seen:
                seen.add((path, msg))
                problems.append(Problem(path, msg))
        raise DefinitionError(f"{where} is not a valid definition", problems) from None


def parse_text(text: str, where: str, fmt: str | None = None) -> object:
    """Parse YAML or JSON text (JSON when fmt is 'json' or the text starts with '{')."""
    stripped = text.lstrip()
    try:
        if fmt == "json" or (fmt is None and stripped.startswith("{")):
            return json.loads(text)
        return safe_load(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError(
            f"{where} is not valid JSON",
            [Problem(f"line {exc.lineno}, column {exc.colno}", exc.msg)],
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError(f"{where} is not valid YAML", [Problem(place, problem)]) from None


def load_document(path: Path) -> SegmentDocument:
    """Read a definition file (.yaml, .yml or .json)."""
    if not path.is_file():
        raise NotFoundError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DefinitionError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DefinitionError(f"{path}: not UTF-8 text") from None
    fmt = "json" if path.suffix.lower() == ".json" else None
    return parse_document(parse_text(text, str(path), fmt), str(path))
