"""Helpers for the export tests: test settings, static segments with exact members."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lifecycle_support import all_keys, current
from segmint.definition.nodes import SegmentDocument
from segmint.services import export_runs, segments, static
from segmint.services.context import App
from segmint.services.refresh import refresh
from segmint.store import SegmentType

__all__ = ["TEST_EXPORTS", "contacts", "current", "make_static", "set_exports", "set_members"]

TEST_EXPORTS = {
    "allow_private_addresses": "true",  # the receivers listen on loopback
    "attempts": "6",
    "backoff_seconds": "0.01",
    "max_backoff_seconds": "0.05",
    "timeout_seconds": "1.0",
    "stale_after_seconds": "2",
    "public_url": '"http://source.example"',
}


def set_exports(root: Path, **values: Any) -> None:
    """Set keys of the [exports] section of a workspace's segmint.toml."""
    path = root / "segmint.toml"
    text = path.read_text(encoding="utf-8")
    if "[exports]" not in text:
        text += "\n[exports]\n"
    head, _, section = text.partition("[exports]")
    for name, value in values.items():
        line = f"{name} = {value}"
        section, found = re.subn(rf"(?m)^{name} = .*$", line, section)
        if not found:
            section = section.rstrip("\n") + f"\n{line}\n"
    path.write_text(f"{head}[exports]{section}", encoding="utf-8")


def contacts(app: App, count: int, start: int = 0) -> list[str]:
    """`count` contact keys, in key order, from position `start`."""
    return sorted(all_keys(app))[start : start + count]


def make_static(app: App, key: str, members: Sequence[str]) -> None:
    """A live static segment holding exactly `members` (refreshed once)."""
    segments.create(
        app,
        SegmentDocument(key=key, name=key.replace("-", " ").title(), audience="contact"),
        type_=SegmentType.STATIC,
    )
    static.add(app, key, list(members))
    segments.go_live(app, key)


def set_members(app: App, key: str, members: Sequence[str]) -> None:
    """Change a static segment to exactly `members`, refresh it, and deliver the exports the
    refresh queued (as the server's exporter would)."""
    with app.store.read() as r:
        have = set(r.static_members(key))
    wanted = set(members)
    if have - wanted:
        static.remove(app, key, sorted(have - wanted))
    if wanted - have:
        static.add(app, key, sorted(wanted - have))
    refresh(app, [key])
    export_runs.deliver_queued(app)
