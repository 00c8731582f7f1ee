"""Evaluating a definition that is not saved (the builder's live size, preview, explain, SQL)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from segmint.definition.check import check_definition
from segmint.definition.describe import describe
from segmint.definition.load import parse_document
from segmint.definition.nodes import Definition
from segmint.engines.base import Explanation, Page
from segmint.errors import DefinitionError, Problem
from segmint.services.context import App, now


def parse(data: dict[str, Any]) -> Definition:
    """A definition from JSON (audience, timezone, condition), located problems if malformed."""
    return parse_document(data, "definition").definition


def problems(app: App, definition: Definition) -> list[Problem]:
    return check_definition(
        app.engine.catalog,
        definition,
        limits=app.ws.settings.limits.to_limits(),
        segments=app.resolver(),
    )


def checked(app: App, definition: Definition) -> Definition:
    found = problems(app, definition)
    if found:
        raise DefinitionError("the definition is not valid", found)
    return definition


@dataclass(frozen=True)
class DraftCount:
    count: int
    seconds: float
    as_of: dt.datetime
    sentence: str


def count(app: App, definition: Definition, as_of: dt.datetime | None = None) -> DraftCount:
    """The exact size, and how long it took."""
    moment = as_of or now()
    checked(app, definition)
    start = time.perf_counter()
    n = app.engine.count(definition, as_of=moment, segments=app.resolver())
    return DraftCount(
        n, time.perf_counter() - start, moment, describe(definition, app.engine.catalog)
    )


def preview(
    app: App,
    definition: Definition,
    *,
    fields: list[str],
    limit: int,
    offset: int,
    as_of: dt.datetime | None = None,
) -> Page:
    checked(app, definition)
    return app.engine.members(
        definition,
        as_of=as_of or now(),
        fields=fields,
        limit=limit,
        offset=offset,
        segments=app.resolver(),
    )


def explain(
    app: App, definition: Definition, profile: str, as_of: dt.datetime | None = None
) -> Explanation:
    checked(app, definition)
    return app.engine.explain(definition, profile, as_of=as_of or now(), segments=app.resolver())


def sql(app: App, definition: Definition, as_of: dt.datetime | None = None) -> str:
    checked(app, definition)
    return app.engine.sql(definition, as_of=as_of or now(), segments=app.resolver())
