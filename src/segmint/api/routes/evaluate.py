"""Definitions that are not saved: validate, exact count, preview, explain, compiled SQL."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from segmint.api.deps import encode_cursor, get_app
from segmint.api.errors import ERROR_RESPONSES
from segmint.api.schemas import (
    CountOut,
    DefinitionIn,
    EvaluateIn,
    ExplainIn,
    ExplainNode,
    ExplainOut,
    PageOut,
    PreviewIn,
    SqlOut,
    ValidationOut,
)
from segmint.definition.describe import describe
from segmint.errors import DefinitionError
from segmint.services import drafts
from segmint.services.context import App

router = APIRouter(prefix="/api/evaluate", tags=["evaluate"], responses=ERROR_RESPONSES)
AppDep = Annotated[App, Depends(get_app)]


@router.post("/validate", response_model=ValidationOut)
def validate(body: DefinitionIn, app: AppDep) -> ValidationOut:
    """Every problem of a definition, each with its path; or its sentence when valid."""
    try:
        definition = drafts.parse(body.model_dump())
    except DefinitionError as exc:
        return ValidationOut(
            valid=False,
            sentence=None,
            problems=[{"path": p.path, "message": p.message} for p in exc.problems],
        )
    found = drafts.problems(app, definition)
    return ValidationOut(
        valid=not found,
        sentence=None if found else describe(definition, app.engine.catalog),
        problems=[{"path": p.path, "message": p.message} for p in found],
    )


@router.post("/count", response_model=CountOut)
def count(body: EvaluateIn, app: AppDep) -> CountOut:
    """The exact size of a definition (not saved), and how long it took."""
    definition = drafts.parse(body.model_dump(include={"audience", "timezone", "condition"}))
    result = drafts.count(app, definition, body.as_of)
    return CountOut(
        count=result.count, seconds=result.seconds, as_of=result.as_of, sentence=result.sentence
    )


@router.post("/preview", response_model=PageOut)
def preview(body: PreviewIn, app: AppDep) -> PageOut:
    """A page of the members a definition selects, with chosen fields."""
    definition = drafts.parse(body.model_dump(include={"audience", "timezone", "condition"}))
    page = drafts.preview(
        app, definition, fields=body.fields, limit=body.limit, offset=body.offset, as_of=body.as_of
    )
    more = len(page.rows) == body.limit
    return PageOut(
        fields=page.fields,
        rows=page.rows,
        limit=page.limit,
        next_cursor=encode_cursor(body.offset + body.limit) if more else None,
    )


@router.post("/explain", response_model=ExplainOut)
def explain(body: ExplainIn, app: AppDep) -> ExplainOut:
    """Why one profile is or is not selected: every condition with its verdict and values."""
    definition = drafts.parse(body.model_dump(include={"audience", "timezone", "condition"}))
    result = drafts.explain(app, definition, body.profile, body.as_of)
    return ExplainOut(
        profile=result.profile, member=result.member, tree=ExplainNode.model_validate(result.root)
    )


@router.post("/sql", response_model=SqlOut)
def sql(body: EvaluateIn, app: AppDep) -> SqlOut:
    """The SQL the engine runs for a definition."""
    definition = drafts.parse(body.model_dump(include={"audience", "timezone", "condition"}))
    return SqlOut(sql=drafts.sql(app, definition, body.as_of))
