"""Delivering one delivery of the outbox: its numbered batches, retried, split, recorded.

A batch is recorded (`sending`, with its row range and stable id) before it is sent and
marked `delivered` when the destination confirms it, in the same transaction as the rows
it refused. A delivery resumed after a crash sends its unconfirmed batches again under the
same ids, then carries on; confirmed batches are never sent again. A batch refused for its
content is split in halves (ids `<id>.1`, `<id>.2`, ...) until the refused rows are found;
those are recorded as rejects and sent again with the next delivery. Transient failures are
retried with backoff; when the retries run out, or the destination is misconfigured, the
delivery stops, stays pending, and the next run resumes it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from segmint.catalog import Catalog
from segmint.exports.base import (
    Batch,
    BatchResult,
    Destination,
    DestinationError,
    RefusedError,
    Row,
    SegmentInfo,
    TransientError,
    json_value,
)
from segmint.exports.outbox import Outbox
from segmint.exports.retry import GaveUpError, RetryPolicy, retrying
from segmint.progress import Progress
from segmint.store import Store
from segmint.store.exports import BatchRecord, DeliveryRecord, ExportWriter

ENVELOPE_BYTES = 2048  # room kept in a batch for everything around the rows


class DeliveryStoppedError(Exception):
    """A delivery could not finish; `transient` when the destination was unavailable."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class LeaseLostError(Exception):
    """Another process took the run over (this one stalled past its lease)."""


@dataclass
class Tally:
    """What one delivery (or one run) sent."""

    rows: int = 0
    added: int = 0
    removed: int = 0
    batches: int = 0
    rejects: int = 0
    errors: int = 0
    info: dict[str, Any] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        self.rows += other.rows
        self.added += other.added
        self.removed += other.removed
        self.batches += other.batches
        self.rejects += other.rejects
        self.errors += other.errors


@dataclass
class Job:
    """Everything a run delivers with."""

    store: Store
    outbox: Outbox
    catalog: Catalog
    destination: Destination
    export: str
    run_id: int
    id_field: str
    fields: dict[str, str]
    policy: RetryPolicy
    progress: Progress
    lost: threading.Event
    sleep: Callable[[float], None]


def column_types(
    catalog: Catalog, audience: str, id_field: str, fields: dict[str, str]
) -> dict[str, str]:
    """The value type of `id` and of each mapped field, from the data model."""
    types = {"id": catalog.resolve_field(audience, id_field).attribute.type.value}
    for name, path in fields.items():
        types[name] = catalog.resolve_field(audience, path).attribute.type.value
    return types


def deliver(
    job: Job, delivery: DeliveryRecord, segment: SegmentInfo, tally: Tally | None = None
) -> Tally:
    """Send every batch of a pending delivery not yet confirmed; mark it delivered.
    `tally` counts what was sent, also when the delivery stops half-way."""
    tally = tally if tally is not None else Tally()
    dest = job.destination
    total = delivery.rows or 0
    types = column_types(job.catalog, segment.audience, job.id_field, job.fields)
    with job.store.read() as r:
        from segmint.store.exports import ExportReader

        recorded = ExportReader(r).batches(delivery.id)
    for batch in recorded:
        if batch.status != "delivered":
            _send_recorded(job, delivery, segment, batch, total, types, tally)
    next_row = recorded[-1].last_row + 1 if recorded else 1
    number = len(recorded) + 1
    if dest.full_replace or (delivery.kind == "snapshot" and total == 0):
        if not recorded:
            batch = _record(job, delivery, number, 1, total)
            _send_recorded(job, delivery, segment, batch, total, types, tally)
    else:
        while next_row <= total:
            last = _cut(job, delivery, segment, next_row, total)
            batch = _record(job, delivery, number, next_row, last)
            _send_recorded(job, delivery, segment, batch, total, types, tally)
            next_row = last + 1
            number += 1
    with job.store.write("exporter") as w:
        ExportWriter(w).delivered(delivery.id)
    job.outbox.drop(delivery.id, segment.audience)
    return tally


def batch_id(export: str, delivery: int, number: int) -> str:
    """The stable id of a batch: the same every time it is sent."""
    return f"exp_{export}_{delivery}_{number}"


def _record(job: Job, delivery: DeliveryRecord, number: int, first: int, last: int) -> BatchRecord:
    if job.lost.is_set():
        raise LeaseLostError
    with job.store.write("exporter") as w:
        return ExportWriter(w).record_batch(
            delivery.id, number, batch_id(job.export, delivery.id, number), first, last
        )


def _cut(job: Job, delivery: DeliveryRecord, segment: SegmentInfo, first: int, total: int) -> int:
    """The last row of the batch starting at `first`, within the row and byte limits."""
    dest = job.destination
    last = min(total, first + dest.batch_rows - 1)
    if dest.batch_bytes is None:
        return last
    budget = max(dest.batch_bytes - ENVELOPE_BYTES, 1)
    used = 0
    end = first - 1
    for chunk in job.outbox.rows(
        delivery.id, segment.audience, job.id_field, job.fields, first, last
    ):
        for row in chunk:
            size = dest.row_bytes(row)
            if end >= first and used + size > budget:
                return end
            used += size
            end = row.seq
    return end if end >= first else last


def _send_recorded(
    job: Job,
    delivery: DeliveryRecord,
    segment: SegmentInfo,
    record: BatchRecord,
    total: int,
    types: dict[str, str],
    tally: Tally,
) -> None:
    if job.lost.is_set():
        raise LeaseLostError
    dest = job.destination
    base = Batch(
        export=job.export,
        segment=segment,
        delivery=delivery.id,
        kind=delivery.kind,
        version=delivery.version,
        base_version=delivery.base_version,
        number=record.number,
        batch_id=record.batch_id,
        last=record.last_row >= total,
        rows=(),
        types=types,
    )
    attempts = [0]
    if dest.full_replace:
        batch = dataclasses.replace(
            base,
            source=job.outbox.source(
                delivery.id, segment.audience, job.id_field, job.fields, 1, total
            ),
        )
        result = _try(job, batch, attempts, tally, record)
        rejects: list[tuple[str, str, str]] = []
        sent_rows = total
        added, removed = total, 0
        tally.info.update(result.info)
    else:
        rows = [
            row
            for chunk in job.outbox.rows(
                delivery.id,
                segment.audience,
                job.id_field,
                job.fields,
                record.first_row,
                record.last_row,
            )
            for row in chunk
        ]
        unknown = [r for r in rows if r.id is None]
        rows = [r for r in rows if r.id is not None]
        rejects = [
            (r.key, r.action, "the profile has no ID for this destination (or no longer exists)")
            for r in unknown
        ]
        if rows or not unknown:  # an empty snapshot batch is still sent (its `last`)
            rejects += _split(job, base, rows, "", attempts, tally, record)
        refused = {key for key, _, _ in rejects}
        sent = [r for r in rows if r.key not in refused]
        sent_rows = len(sent)
        added = sum(1 for r in sent if r.action == "add")
        removed = sent_rows - added
    with job.store.write("exporter") as w:
        writer = ExportWriter(w)
        writer.batch_done(
            delivery.id,
            record.number,
            attempts=attempts[0],
            rows=sent_rows,
            rejects=len(rejects),
            delivered=True,
        )
        writer.add_rejects(job.export, segment.key, job.run_id, rejects)
    tally.rows += sent_rows
    tally.added += added
    tally.removed += removed
    tally.rejects += len(rejects)
    tally.batches += 1
    job.progress(
        f"export {job.export}",
        record.last_row,
        total,
        f"{segment.key}: batch {record.number}",
    )


def _try(
    job: Job, batch: Batch, attempts: list[int], tally: Tally, record: BatchRecord
) -> BatchResult:
    """Send one batch with retries; stop the delivery when it cannot get through."""

    def once() -> BatchResult:
        if job.lost.is_set():
            raise LeaseLostError
        attempts[0] += 1
        return job.destination.send(batch)

    def failed(exc: TransientError) -> None:
        tally.errors += 1
        with job.store.write("exporter") as w:
            ExportWriter(w).batch_done(
                batch.delivery, record.number, attempts=1, rows=0, rejects=0,
                error=str(exc), delivered=False,
            )  # fmt: skip
        attempts[0] = 0

    try:
        return retrying(once, job.policy, sleep=job.sleep, on_failure=failed)
    except GaveUpError as exc:
        raise DeliveryStoppedError(str(exc), transient=True) from None
    except DestinationError as exc:
        tally.errors += 1
        raise DeliveryStoppedError(exc.message, transient=False) from None
    except RefusedError as exc:
        if job.destination.full_replace:
            tally.errors += 1
            raise DeliveryStoppedError(str(exc), transient=False) from None
        raise


def _split(
    job: Job,
    base: Batch,
    rows: list[Row],
    path: str,
    attempts: list[int],
    tally: Tally,
    record: BatchRecord,
) -> list[tuple[str, str, str]]:
    """Send rows as one batch; when refused, as two halves, down to single rows.
    Returns the refused rows as (profile key, action, reason)."""
    last = base.last and (path == "" or path.endswith("2"))
    batch = dataclasses.replace(base, rows=rows, batch_id=base.batch_id + path, last=last)
    try:
        result = _try(job, batch, attempts, tally, record)
    except RefusedError as exc:
        tally.errors += 1
        if len(rows) <= 1:
            return [(r.key, r.action, str(exc)) for r in rows]
        middle = len(rows) // 2
        return _split(job, base, rows[:middle], f"{path}.1", attempts, tally, record) + _split(
            job, base, rows[middle:], f"{path}.2", attempts, tally, record
        )
    by_id: dict[str, list[Row]] = {}
    for row in rows:
        by_id.setdefault(str(json_value(row.id)), []).append(row)
    return [
        (row.key, row.action, reason)
        for refused_id, reason in result.rejects
        for row in by_id.get(str(json_value(refused_id)), [])
    ]
