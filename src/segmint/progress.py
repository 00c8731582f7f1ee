"""How long work reports progress: a callable the CLI renders with Rich and the API exposes."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Told about each step: its name, how much is done, the total (0: unknown), a detail."""

    def __call__(self, step: str, done: int, total: int, detail: str = "") -> None: ...


def silent(step: str, done: int, total: int, detail: str = "") -> None:
    """A progress sink that ignores everything."""
