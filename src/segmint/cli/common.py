"""What every command shares: the error mapping, the common options, opening a workspace.

Exit codes: 0 ok, 1 user error (one line naming the place, then one line per problem),
2 internal error. With --json, results and errors are JSON on stdout.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.text import Text
from typer._click import Context
from typer._click.exceptions import NoArgsIsHelpError
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperGroup

from segmint.cli.output import emit_json, err, out
from segmint.errors import NotFoundError, SegmintError, UserError

if TYPE_CHECKING:
    from segmint.definition.nodes import SegmentDocument
    from segmint.services.context import App


class CommandLineError(UserError):
    """A mistake on the command line itself: an unknown option, a bad or missing value."""

    code = "usage_error"


class Commands(TyperGroup):
    """Reports command-line mistakes like every other user error: one line (or JSON), exit 1.

    Click's own handling would print a framed help box and exit 2, the code kept here for
    internal errors. A command group given no command prints its help and exits 0.
    """

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        ctx.meta["segmint.json"] = "--json" in args
        try:
            return super().parse_args(ctx, args)
        except NoArgsIsHelpError as exc:  # `segmint` alone: its help, and success
            out.print(exc.format_message(), markup=False, highlight=False)
            raise typer.Exit(0) from None

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError as exc:
            out.print(exc.format_message(), markup=False, highlight=False)
            raise typer.Exit(0) from None
        except ClickUsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "segmint"
            problem = CommandLineError(f"{exc.format_message()} (see {command} --help)")
            _fail(problem, bool(ctx.meta.get("segmint.json")), 1)


WorkspaceOpt = Annotated[
    Path,
    typer.Option("--workspace", "-w", help="The workspace folder.", show_default="current folder"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate at this ISO date-time (UTC if no offset); default now."),
]
FileArg = Annotated[Path, typer.Argument(help="A segment definition file (YAML or JSON).")]
KeyArg = Annotated[str, typer.Argument(help="The segment's key.")]

F = TypeVar("F", bound=Callable[..., Any])


def _fail(exc: SegmintError, as_json: bool, code: int) -> NoReturn:
    if isinstance(exc, UserError):
        payload: dict[str, Any] = {
            "code": exc.code,
            "message": exc.message,
            "problems": [{"path": p.path, "message": p.message} for p in exc.problems],
        }
        lines = exc.lines()
    else:
        payload = {"code": "internal_error", "message": str(exc), "problems": []}
        lines = [f"internal error: {exc}"]
    if as_json:
        emit_json({"error": payload})
    else:
        for line in lines:
            err.print(line, markup=False)
    raise typer.Exit(code)


def guarded(fn: F) -> F:
    """Map errors to exit codes: user errors 1, anything else 2, never a stack trace."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("as_json"))
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except UserError as exc:
            _fail(exc, as_json, 1)
        except SegmintError as exc:
            _fail(exc, as_json, 2)
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:
            if os.environ.get("SEGMINT_DEBUG"):
                raise
            wrapped = SegmintError(f"{type(exc).__name__}: {exc} (set SEGMINT_DEBUG=1 for details)")
            _fail(wrapped, as_json, 2)
        return None

    return wrapper  # type: ignore[return-value]


# --- opening a workspace --------------------------------------------------------------


def actor() -> str:
    """Who changes things from this command line: the operating-system user."""
    try:
        return getpass.getuser() or "cli"
    except (OSError, KeyError):
        return "cli"


@contextmanager
def opened(workspace: Path) -> Iterator[App]:
    """The workspace opened for one command (store now, engine when first used)."""
    from segmint.services.context import App

    with App.open(workspace, actor=actor()) as app:
        yield app


def load_file(path: Path) -> SegmentDocument:
    """A segment definition file, parsed (a missing file is a user error naming it)."""
    from segmint.definition.load import load_document

    if not path.is_file():
        raise NotFoundError(f"{path}: no such file")
    return load_document(path)


# --- parsing options ------------------------------------------------------------------


def parse_when(text: str, option: str) -> dt.datetime:
    """An ISO date or date-time given to `option`; UTC when it has no offset."""
    from segmint.services.evaluation import parse_as_of

    try:
        return parse_as_of(text)
    except UserError:
        raise UserError(
            f"{option} {text!r}: not an ISO date or date-time (e.g. 2026-11-01T09:00:00+01:00)"
        ) from None


def split_list(text: str | None) -> list[str]:
    """A comma-separated option value as a list, blanks dropped."""
    if not text:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def one_of(value: str, allowed: tuple[str, ...] | list[str], option: str) -> str:
    if value not in allowed:
        raise UserError(f"{option} {value!r}: use one of {', '.join(allowed)}")
    return value


# --- formatting for people ------------------------------------------------------------


def cell(value: Any) -> Text:
    """A table cell showing a value as plain text (no markup), blank for None."""
    if value is None:
        return Text("")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, dt.datetime):
        return Text(value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"))
    if isinstance(value, int):
        return Text(f"{value:,}")
    if isinstance(value, list | tuple):
        return Text(", ".join(str(v) for v in value))
    return Text(str(value))


def when(value: dt.datetime | None) -> str:
    """A moment as `YYYY-MM-DD HH:MM:SS UTC` (blank for None)."""
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}s"


def say(text: str) -> None:
    """One line of plain text on stdout (no markup)."""
    out.print(text, markup=False)


def warn(text: str) -> None:
    """One line of plain text on stderr (no markup)."""
    err.print(text, markup=False)
