"""One error shape for every failure: application/problem+json (RFC 9457).

`type`, `title`, `status`, `detail`, and for validation errors `problems` (path + message).
Only this module knows how Segmint's errors map to HTTP statuses.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from segmint.errors import (
    ConflictError,
    DefinitionError,
    IngestError,
    ModelError,
    NotFoundError,
    PreconditionError,
    SegmintError,
    UnsupportedError,
    UserError,
)

log = logging.getLogger("segmint.api")
PROBLEM = "application/problem+json"

STATUS: list[tuple[type[UserError], int]] = [
    (NotFoundError, 404),
    (ConflictError, 409),
    (PreconditionError, 412),
    (DefinitionError, 422),
    (UnsupportedError, 422),
    (ModelError, 422),
    (IngestError, 422),
]


class ProblemItem(BaseModel):
    """One located problem of a request."""

    path: str
    message: str


class Problem(BaseModel):
    """The body of every error response."""

    type: str  # a stable URI naming the kind of error
    title: str
    status: int
    detail: str
    problems: list[ProblemItem] = []


def problem(
    status: int, code: str, title: str, detail: str, problems: list[dict[str, str]] | None = None
) -> JSONResponse:
    body = Problem(
        type=f"https://segmint.dev/problems/{code}",
        title=title,
        status=status,
        detail=detail,
        problems=[ProblemItem(**p) for p in problems or []],
    )
    return JSONResponse(body.model_dump(), status_code=status, media_type=PROBLEM)


def status_of(exc: UserError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(UserError)
    async def _user(_: Request, exc: UserError) -> JSONResponse:
        return problem(
            status_of(exc),
            exc.code,
            exc.code.replace("_", " ").capitalize(),
            exc.message,
            [{"path": p.path, "message": p.message} for p in exc.problems],
        )

    @app.exception_handler(SegmintError)
    async def _internal(_: Request, exc: SegmintError) -> JSONResponse:
        log.error("internal error: %s", exc)
        return problem(500, "internal_error", "Internal error", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        items = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ()) if x not in ("body",)]
            items.append({"path": ".".join(loc), "message": str(err.get("msg", ""))})
        return problem(
            422,
            "invalid_request",
            "Invalid request",
            "the request does not match the API's schema",
            items,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "error"
        code = {
            404: "not_found",
            405: "method_not_allowed",
            406: "not_acceptable",
            412: "precondition_failed",
            428: "precondition_required",
        }.get(exc.status_code, "http_error")
        return problem(exc.status_code, code, code.replace("_", " ").capitalize(), detail)

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", exc_info=exc)
        return problem(500, "internal_error", "Internal error", type(exc).__name__)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM: {}}, "description": title}
    for status, title in [
        (400, "Bad request"),
        (404, "Not found"),
        (409, "Conflict"),
        (412, "Precondition failed"),
        (422, "Invalid input"),
    ]
}
