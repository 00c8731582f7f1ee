"""The built-in destination types by name, and reading their settings."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from segmint.errors import Problem, UserError
from segmint.exports.base import DestinationType, TypeSettings
from segmint.exports.database import DatabaseType
from segmint.exports.file import FileType
from segmint.exports.segmint import SegmintType
from segmint.exports.webhook import WebhookType

TYPES: dict[str, DestinationType] = {
    t.name: t for t in (FileType(), DatabaseType(), WebhookType(), SegmintType())
}


def destination_type(name: str) -> DestinationType:
    found = TYPES.get(name)
    if found is None:
        raise UserError(f"unknown destination type {name!r}; use one of {', '.join(TYPES)}")
    return found


def parse_settings(type_name: str, values: dict[str, Any]) -> TypeSettings:
    """A type's settings from plain values, every problem named by its setting."""
    kind = destination_type(type_name)
    try:
        return kind.settings.model_validate(values)
    except ValidationError as exc:
        problems = [
            Problem(".".join(str(p) for p in err["loc"]) or "settings", err["msg"])
            for err in exc.errors()
        ]
        raise UserError(f"invalid settings for a {type_name} destination", problems) from None
