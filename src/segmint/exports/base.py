"""What every destination offers, the rows and batches it is handed, and how it fails.

A destination receives numbered batches of one segment's change list. Each row adds or
removes one profile, identified there by the value of the destination's ID field, with the
export's mapped fields. A *full-replace* destination (a file, a database table replaced on
each export, a Segmint mirror) gets one batch holding the whole version; the others get the
changes since what they hold, cut into batches by rows and bytes.

Failing: `TransientError` (try again, maybe after `retry_after` seconds), `RefusedError`
(the content of the batch was refused: split it to find the bad rows), `DestinationError`
(misconfigured, forbidden, gone: retrying will not help).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, SecretStr

from segmint.errors import UserError

if TYPE_CHECKING:
    import pyarrow as pa


class DestinationError(UserError):
    """A destination cannot take deliveries as configured (retrying will not help)."""

    code = "destination_error"


class TransientError(Exception):
    """A delivery attempt failed in a way that may pass: retry, after `retry_after` if given."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RefusedError(Exception):
    """The destination refused the batch for its content (a bad row somewhere in it)."""


@dataclass(frozen=True)
class Row:
    """One change: add or remove a profile, its ID at the destination and its mapped fields."""

    seq: int  # position in the delivery's change list, from 1
    action: str  # add, remove
    key: str  # the profile key, as text
    id: Any  # the value of the ID field (None when the profile no longer exists)
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SegmentInfo:
    """The segment a batch is about, as destinations show it."""

    key: str
    name: str
    audience: str


@dataclass(frozen=True)
class Source:
    """Reads the rows of a delivery's change list: as Row chunks or as Arrow record batches
    with the columns `id` and the mapped fields (in that order)."""

    chunks: Callable[[], Iterator[list[Row]]]
    arrow: Callable[[], Iterator[pa.RecordBatch]]
    columns: tuple[str, ...]  # the mapped output names (after `id`)


@dataclass(frozen=True)
class Batch:
    """One numbered batch of a delivery, under an id that stays the same on every retry."""

    export: str
    segment: SegmentInfo
    delivery: int
    kind: str  # snapshot (the whole version), changes (since what the destination holds)
    version: int
    base_version: int | None
    number: int
    batch_id: str
    last: bool  # the delivery's last batch
    rows: Sequence[Row]  # the rows (empty for full-replace batches: read them from source)
    source: Source | None = None  # full-replace batches: every row of the version
    types: dict[str, str] = field(default_factory=dict)  # column (id, fields) -> value type


@dataclass(frozen=True)
class BatchResult:
    """What a destination did with a batch: rows it refused (by ID), and what it reports."""

    rejects: list[tuple[Any, str]] = field(default_factory=list)  # (id, reason)
    info: dict[str, Any] = field(default_factory=dict)  # e.g. matched / unmatched counts


@dataclass(frozen=True)
class Context:
    """What destinations may need from the exporting workspace."""

    root: Path  # the workspace folder (relative file paths start here)
    source_name: str  # this workspace's name, shown by mirrors as their external source
    public_url: str  # this instance's address, for links back from mirrors
    allow_private: bool  # HTTP destinations may reach private, loopback, link-local addresses
    timeout: float  # seconds for one HTTP request


class Destination(Protocol):
    """A place segments are delivered to."""

    full_replace: bool  # each delivery replaces the segment there (one batch, all rows)
    batch_rows: int  # most rows in one batch (change deliveries)
    batch_bytes: int | None  # most bytes in one batch (change deliveries), if limited

    def row_bytes(self, row: Row) -> int:
        """The size a row adds to a batch (for the byte limit)."""
        ...

    def send(self, batch: Batch) -> BatchResult:
        """Deliver one batch; idempotent by `batch.batch_id`."""
        ...

    def test(self) -> str:
        """Check that the destination can be reached; a sentence saying what was checked."""
        ...

    def close(self) -> None: ...


class TypeSettings(BaseModel):
    """Base of each type's settings: frozen, no unknown keys; secrets are SecretStr."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    SECRETS: ClassVar[tuple[str, ...]] = ()  # the settings that are secret

    def public(self) -> dict[str, Any]:
        """The settings without secrets."""
        return self.model_dump(mode="json", exclude=set(self.SECRETS), exclude_none=True)

    def secret_values(self) -> dict[str, str]:
        found = {}
        for name in self.SECRETS:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                found[name] = value.get_secret_value()
        return found

    def masked(self) -> dict[str, Any]:
        """Settings as they may be shown: secrets masked."""
        shown = self.public()
        for name in self.SECRETS:
            if getattr(self, name) is not None:
                shown[name] = MASK
        return shown


MASK = "********"


class DestinationType(Protocol):
    """A kind of destination: its settings model and how to open one."""

    @property
    def name(self) -> str: ...

    @property
    def settings(self) -> type[TypeSettings]: ...

    @property
    def description(self) -> str: ...

    def open(self, settings: Any, id_field: str, context: Context) -> Destination: ...


def json_value(value: Any) -> Any:
    """A field value as JSON: instants in UTC ISO 8601, dates ISO, decimals as numbers."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def dumps(data: Any) -> str:
    """Compact JSON, the same text for the same data."""
    return json.dumps(data, default=json_value, ensure_ascii=False, separators=(",", ":"))
