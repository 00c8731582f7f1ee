"""What routes share: the per-request App view, cursors, ETags and idempotency keys."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import Header, Request

from segmint.errors import PreconditionError, UserError
from segmint.services.context import App
from segmint.store import Segment


def get_app(request: Request, x_segmint_actor: str | None = Header(default=None)) -> Iterator[App]:
    """A view of the served workspace for this request (its own engine cursor)."""
    root: App = request.app.state.segmint
    child = root.child(actor=(x_segmint_actor or "api")[:200])
    try:
        yield child
    finally:
        child.close()


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset inside an opaque cursor (a bad cursor is the client's error)."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        offset = json.loads(base64.urlsafe_b64decode(padded.encode()))["o"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise UserError(f"cursor {cursor[:40]!r} is not valid") from None
    if not isinstance(offset, int) or offset < 0:
        raise UserError("cursor is not valid")
    return offset


def etag(seg: Segment) -> str:
    """Changes whenever the segment's definition or settings change."""
    raw = f"{seg.key}|{seg.revision}|{seg.pending_revision}|{seg.updated_at.isoformat()}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:20] + '"'


def check_if_match(seg: Segment, if_match: str | None) -> None:
    """Refuse edits made against a stale copy (no lost updates)."""
    if if_match is None:
        raise PreconditionError("send If-Match with the segment's ETag to edit it")
    wanted = {t.strip() for t in if_match.split(",")}
    if "*" not in wanted and etag(seg) not in wanted:
        raise PreconditionError(f"segment {seg.key} changed since it was read; reload and retry")


def idempotent(app: App, key: str | None, scope: str, make: Callable[[], Any]) -> Any:
    """Run `make` once per Idempotency-Key: a retry gets the first answer back."""
    if not key:
        return make()
    if len(key) > 200:
        raise UserError("Idempotency-Key is longer than 200 characters")
    name = f"idempotency:{scope}:{key}"
    with app.store.read() as r:
        seen = r.setting(name)
    if seen is not None:
        return seen
    result = make()
    payload = (
        json.loads(json.dumps(result, default=str))
        if not hasattr(result, "model_dump")
        else result.model_dump(mode="json")
    )
    with app.store.write(app.actor) as w:
        w.set_setting(name, payload)
    return result
