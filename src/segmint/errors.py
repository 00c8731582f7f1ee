"""The two kinds of error Segmint raises: user errors (shown, stable code) and internal ones."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where it is (a JSON path, a file and row, a field)."""

    path: (
        str  # e.g. "condition.conditions[1].window.last" or "data/contacts.csv: row 7, column age"
    )
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SegmintError(Exception):
    """Base of every error Segmint raises on purpose."""


class UserError(SegmintError):
    """Bad input or a request that cannot be met; shown to the user with a stable code."""

    code = "user_error"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])

    def lines(self) -> list[str]:
        """The message followed by one line per problem."""
        return [self.message, *(f"  {p}" for p in self.problems)]


class DefinitionError(UserError):
    """A segment definition is malformed or does not fit the data model."""

    code = "invalid_definition"


class UnsupportedError(UserError):
    """What is asked of a named thing does not apply to it (value suggestions for a number
    or for personal data)."""

    code = "unsupported"


class ModelError(UserError):
    """The data model file (model.yaml) is malformed or inconsistent."""

    code = "invalid_model"


class IngestError(UserError):
    """Source data could not be loaded; nothing was written."""

    code = "ingest_failed"


class NotFoundError(UserError):
    """A named thing (workspace, profile, segment, file) does not exist."""

    code = "not_found"


class WorkspaceError(UserError):
    """The workspace is missing, malformed or held by another process."""

    code = "workspace_error"


class InternalError(SegmintError):
    """A bug or an engine failure; carries the SQL that failed when there is one."""

    code = "internal_error"

    def __init__(self, message: str, sql: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.sql = sql


class ConflictError(UserError):
    """The request conflicts with the current state (in use, already exists, quota, lifecycle)."""

    code = "conflict"


class PreconditionError(UserError):
    """A conditional request's precondition failed (a stale edit)."""

    code = "precondition_failed"
