"""Printing for the CLI: JSON for scripts, Rich for people, progress bars on stderr."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

# Piped output (scripts, files, tests) gets wide tables instead of an 80-column guess, so
# nothing is cut off; a terminal gets its own width.
_PIPED_WIDTH = None if sys.stdout.isatty() else 200
out = Console(highlight=False, soft_wrap=True, width=_PIPED_WIDTH)
err = Console(
    stderr=True, highlight=False, soft_wrap=True, width=None if sys.stderr.isatty() else 200
)


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return list(value)
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json.dumps(data, default=_default, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


class _Bars:
    """A Progress sink drawing one Rich bar per step; the display starts with the first report,
    so a command that fails before reporting any progress prints nothing extra."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}
        self.started = False

    def __call__(self, step: str, done: int, total: int, detail: str = "") -> None:
        if not self.started:
            self.progress.start()
            self.started = True
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(step, total=total or None)
        label = f"{step}: {detail}" if detail else step
        self.progress.update(
            self.tasks[step], completed=done, total=total or None, description=label
        )


@contextmanager
def progress_bars(enabled: bool = True) -> Iterator[Any]:
    """Rich progress bars on stderr (quiet when disabled or not a terminal-worthy run)."""
    if not enabled:
        yield lambda step, done, total, detail="": None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )
    bars = _Bars(progress)
    try:
        yield bars
    finally:
        if bars.started:
            progress.stop()
