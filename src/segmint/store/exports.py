"""The export tables: destinations, exports, their runs, the outbox (deliveries and batches),
rejects, what each destination holds, and the mirrors this instance receives.

`ExportReader(reader)` and `ExportWriter(writer)` wrap the store's Reader and Writer and
work inside their transaction, so export bookkeeping commits or rolls back with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from segmint.errors import ConflictError, NotFoundError
from segmint.store import schema as s
from segmint.store.sealing import Sealer, SecretKeyError
from segmint.store.store import Reader, Writer, now

FAR_FUTURE = dt.timedelta(days=365 * 100)
"""How long a delivery's version pin lasts: until the export releases it."""


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _at(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class DestinationRecord:
    """Where exports go: a type, its settings and secrets, and the ID mapping."""

    key: str
    name: str
    type: str
    settings: dict[str, Any]
    secrets: dict[str, Any]
    id_field: str
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str


@dataclass(frozen=True)
class ExportRecord:
    """A destination, the segments it receives and the field mapping."""

    key: str
    name: str
    destination: str
    fields: dict[str, str]  # output name -> source field path
    segments: tuple[str, ...]
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str


@dataclass(frozen=True)
class ExportRunRecord:
    """One export run: what it delivered, refused, failed at, and how long it took."""

    id: int
    export: str
    trigger: str
    status: str
    segments: tuple[str, ...] | None
    snapshot: bool
    requested_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    lease_owner: str | None
    lease_expires_at: dt.datetime | None
    rows: int
    batches: int
    rejects: int
    errors: int
    error: str | None
    detail: list[dict[str, Any]] = field(default_factory=list)

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class DeliveryRecord:
    """The outbox entry of one segment's change set towards one destination."""

    id: int
    export: str
    segment: str
    run_id: int
    kind: str  # snapshot, changes
    base_version: int | None
    version: int
    pin: int | None
    status: str  # planning, pending, delivered, superseded
    rows: int | None
    error: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class BatchRecord:
    """One numbered batch of a delivery: rows first_row..last_row, under a stable id."""

    delivery: int
    number: int
    batch_id: str
    first_row: int
    last_row: int
    status: str  # sending, delivered
    attempts: int
    rows: int
    rejects: int
    error: str | None
    delivered_at: dt.datetime | None


@dataclass(frozen=True)
class StateRecord:
    """What a destination holds of a segment: a whole membership version, or nothing yet."""

    export: str
    segment: str
    version: int | None
    pin: int | None
    delivered_at: dt.datetime | None
    snapshot: bool


@dataclass(frozen=True)
class RejectRecord:
    """A row a destination refused; it is sent again with the next delivery."""

    export: str
    segment: str
    profile: str
    action: str
    reason: str
    run_id: int
    at: dt.datetime


@dataclass(frozen=True)
class MirrorRecord:
    """What the last export into a mirror (an external segment here) brought."""

    segment: str
    exported_at: dt.datetime
    batch_id: str | None
    received: int
    matched: int
    unmatched: int
    edited_at: dt.datetime | None
    edited_by: str | None


def _destination(row: Any, sealer: Sealer | None) -> DestinationRecord:
    m = row._mapping
    sealed = m["sealed_secrets"]
    if sealed and sealer is None:
        raise SecretKeyError(f"destination {m['key']}: no key to decrypt its secrets")
    secrets = sealer.open(sealed, f"destination {m['key']}") if sealer is not None else {}
    return DestinationRecord(
        key=m["key"],
        name=m["name"],
        type=m["type"],
        settings=dict(m["settings"] or {}),
        secrets=secrets,
        id_field=m["id_field"],
        created_at=_at(m["created_at"]),
        created_by=m["created_by"],
        updated_at=_at(m["updated_at"]),
        updated_by=m["updated_by"],
    )


def _run(row: Any) -> ExportRunRecord:
    m = row._mapping
    return ExportRunRecord(
        id=m["id"],
        export=m["export"],
        trigger=m["trigger"],
        status=m["status"],
        segments=tuple(m["segments"]) if m["segments"] is not None else None,
        snapshot=bool(m["snapshot"]),
        requested_by=m["requested_by"],
        created_at=_at(m["created_at"]),
        started_at=_aware(m["started_at"]),
        finished_at=_aware(m["finished_at"]),
        lease_owner=m["lease_owner"],
        lease_expires_at=_aware(m["lease_expires_at"]),
        rows=m["rows"] or 0,
        batches=m["batches"] or 0,
        rejects=m["rejects"] or 0,
        errors=m["errors"] or 0,
        error=m["error"],
        detail=list(m["detail"] or []),
    )


def _delivery(row: Any) -> DeliveryRecord:
    m = row._mapping
    return DeliveryRecord(
        id=m["id"],
        export=m["export"],
        segment=m["segment"],
        run_id=m["run_id"],
        kind=m["kind"],
        base_version=m["base_version"],
        version=m["version"],
        pin=m["pin"],
        status=m["status"],
        rows=m["rows"],
        error=m["error"],
        created_at=_at(m["created_at"]),
        finished_at=_aware(m["finished_at"]),
    )


def _batch(row: Any) -> BatchRecord:
    m = row._mapping
    return BatchRecord(
        delivery=m["delivery"],
        number=m["number"],
        batch_id=m["batch_id"],
        first_row=m["first_row"],
        last_row=m["last_row"],
        status=m["status"],
        attempts=m["attempts"] or 0,
        rows=m["rows"] or 0,
        rejects=m["rejects"] or 0,
        error=m["error"],
        delivered_at=_aware(m["delivered_at"]),
    )


class ExportReader:
    """Read-only export queries inside the transaction of a store Reader."""

    def __init__(self, reader: Reader) -> None:
        self.r = reader
        self.conn = reader.conn

    # --- destinations -------------------------------------------------------------------

    def destination(self, key: str) -> DestinationRecord | None:
        row = self.conn.execute(select(s.destinations).where(s.destinations.c.key == key)).first()
        return _destination(row, self.r.sealer) if row else None

    def require_destination(self, key: str) -> DestinationRecord:
        found = self.destination(key)
        if found is None:
            raise NotFoundError(f"no destination with key {key!r}")
        return found

    def destination_types(self) -> dict[str, str]:
        """Destination key -> type (no secrets decrypted)."""
        rows = self.conn.execute(select(s.destinations.c.key, s.destinations.c.type))
        return {str(k): str(t) for k, t in rows}

    def destinations(self) -> list[DestinationRecord]:
        rows = self.conn.execute(select(s.destinations).order_by(s.destinations.c.key))
        return [_destination(r, self.r.sealer) for r in rows]

    # --- exports ------------------------------------------------------------------------

    def _segments_of(self, keys: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {k: [] for k in keys}
        if keys:
            rows = self.conn.execute(
                select(s.export_segments.c.export, s.export_segments.c.segment)
                .where(s.export_segments.c.export.in_(list(keys)))
                .order_by(s.export_segments.c.segment)
            )
            for export, segment in rows:
                found[export].append(segment)
        return found

    def _exports(self, rows: list[Any]) -> list[ExportRecord]:
        segs = self._segments_of([r._mapping["key"] for r in rows])
        out = []
        for row in rows:
            m = row._mapping
            out.append(
                ExportRecord(
                    key=m["key"],
                    name=m["name"],
                    destination=m["destination"],
                    fields=dict(m["fields"] or {}),
                    segments=tuple(segs[m["key"]]),
                    created_at=_at(m["created_at"]),
                    created_by=m["created_by"],
                    updated_at=_at(m["updated_at"]),
                    updated_by=m["updated_by"],
                )
            )
        return out

    def export(self, key: str) -> ExportRecord | None:
        rows = list(self.conn.execute(select(s.exports).where(s.exports.c.key == key)))
        found = self._exports(rows)
        return found[0] if found else None

    def require_export(self, key: str) -> ExportRecord:
        found = self.export(key)
        if found is None:
            raise NotFoundError(f"no export with key {key!r}")
        return found

    def exports(
        self, *, destination: str | None = None, segment: str | None = None
    ) -> list[ExportRecord]:
        """Exports, optionally only those to a destination or those receiving a segment."""
        query = select(s.exports).order_by(s.exports.c.key)
        if destination is not None:
            query = query.where(s.exports.c.destination == destination)
        if segment is not None:
            query = query.where(
                s.exports.c.key.in_(
                    select(s.export_segments.c.export).where(s.export_segments.c.segment == segment)
                )
            )
        return self._exports(list(self.conn.execute(query)))

    def exports_of_segments(self, segments: Sequence[str]) -> dict[str, list[str]]:
        """Export key -> those of `segments` it receives (exports receiving none left out)."""
        found: dict[str, list[str]] = {}
        if segments:
            rows = self.conn.execute(
                select(s.export_segments.c.export, s.export_segments.c.segment)
                .where(s.export_segments.c.segment.in_(list(segments)))
                .order_by(s.export_segments.c.export, s.export_segments.c.segment)
            )
            for export, segment in rows:
                found.setdefault(export, []).append(segment)
        return found

    # --- runs ---------------------------------------------------------------------------

    def run(self, run_id: int) -> ExportRunRecord:
        row = self.conn.execute(select(s.export_runs).where(s.export_runs.c.id == run_id)).first()
        if row is None:
            raise NotFoundError(f"no export run {run_id}")
        return _run(row)

    def runs(
        self, export: str | None = None, *, status: Sequence[str] = (), limit: int = 50
    ) -> list[ExportRunRecord]:
        """Runs, newest first."""
        query = select(s.export_runs).order_by(s.export_runs.c.id.desc()).limit(limit)
        if export is not None:
            query = query.where(s.export_runs.c.export == export)
        if status:
            query = query.where(s.export_runs.c.status.in_(list(status)))
        return [_run(r) for r in self.conn.execute(query)]

    def oldest_queued(self, export: str) -> ExportRunRecord | None:
        row = self.conn.execute(
            select(s.export_runs)
            .where(s.export_runs.c.export == export, s.export_runs.c.status == "queued")
            .order_by(s.export_runs.c.id)
            .limit(1)
        ).first()
        return _run(row) if row else None

    # --- outbox -------------------------------------------------------------------------

    def delivery(self, delivery_id: int) -> DeliveryRecord:
        row = self.conn.execute(
            select(s.export_deliveries).where(s.export_deliveries.c.id == delivery_id)
        ).first()
        if row is None:
            raise NotFoundError(f"no delivery {delivery_id}")
        return _delivery(row)

    def open_deliveries(self, export: str) -> list[DeliveryRecord]:
        """Deliveries still to finish (planning or pending), oldest first."""
        rows = self.conn.execute(
            select(s.export_deliveries)
            .where(
                s.export_deliveries.c.export == export,
                s.export_deliveries.c.status.in_(["planning", "pending"]),
            )
            .order_by(s.export_deliveries.c.id)
        )
        return [_delivery(r) for r in rows]

    def deliveries_of_run(self, run_id: int) -> list[DeliveryRecord]:
        rows = self.conn.execute(
            select(s.export_deliveries)
            .where(s.export_deliveries.c.run_id == run_id)
            .order_by(s.export_deliveries.c.id)
        )
        return [_delivery(r) for r in rows]

    def batches(self, delivery_id: int) -> list[BatchRecord]:
        rows = self.conn.execute(
            select(s.export_batches)
            .where(s.export_batches.c.delivery == delivery_id)
            .order_by(s.export_batches.c.number)
        )
        return [_batch(r) for r in rows]

    def state(self, export: str, segment: str) -> StateRecord:
        row = self.conn.execute(
            select(s.export_state).where(
                s.export_state.c.export == export, s.export_state.c.segment == segment
            )
        ).first()
        if row is None:
            return StateRecord(export, segment, None, None, None, False)
        m = row._mapping
        return StateRecord(
            export,
            segment,
            m["version"],
            m["pin"],
            _aware(m["delivered_at"]),
            bool(m["snapshot"]),
        )

    def rejects(self, export: str, segment: str | None = None) -> list[RejectRecord]:
        query = select(s.export_rejects).where(s.export_rejects.c.export == export)
        if segment is not None:
            query = query.where(s.export_rejects.c.segment == segment)
        rows = self.conn.execute(
            query.order_by(s.export_rejects.c.segment, s.export_rejects.c.profile)
        )
        return [
            RejectRecord(r.export, r.segment, r.profile, r.action, r.reason, r.run_id, _at(r.at))
            for r in rows
        ]

    # --- mirrors (this instance as a target) --------------------------------------------

    def mirror(self, segment: str) -> MirrorRecord | None:
        row = self.conn.execute(select(s.mirrors).where(s.mirrors.c.segment == segment)).first()
        if row is None:
            return None
        m = row._mapping
        return MirrorRecord(
            segment=m["segment"],
            exported_at=_at(m["exported_at"]),
            batch_id=m["batch_id"],
            received=m["received"],
            matched=m["matched"],
            unmatched=m["unmatched"],
            edited_at=_aware(m["edited_at"]),
            edited_by=m["edited_by"],
        )


class ExportWriter(ExportReader):
    """Export changes inside the transaction of a store Writer (audited where people act)."""

    def __init__(self, writer: Writer) -> None:
        super().__init__(writer)
        self.w = writer

    # --- destinations -------------------------------------------------------------------

    def add_destination(
        self,
        *,
        key: str,
        name: str,
        type: str,
        settings: dict[str, Any],
        secrets: dict[str, Any],
        id_field: str,
    ) -> DestinationRecord:
        when = now()
        try:
            with self.conn.begin_nested():
                self.conn.execute(
                    insert(s.destinations).values(
                        key=key,
                        name=name,
                        type=type,
                        settings=settings,
                        sealed_secrets=self._seal(secrets),
                        id_field=id_field,
                        created_at=when,
                        created_by=self.w.actor,
                        updated_at=when,
                        updated_by=self.w.actor,
                    )
                )
        except IntegrityError:
            raise ConflictError(f"a destination with key {key!r} already exists") from None
        self.w.log("destination_add", None, destination=key, type=type)
        return self.require_destination(key)

    def _seal(self, secrets: dict[str, Any]) -> str | None:
        if not secrets:
            return None
        if self.w.sealer is None:
            raise SecretKeyError("no secret key to encrypt destination secrets with")
        return self.w.sealer.seal(secrets)

    def update_destination(
        self,
        key: str,
        *,
        name: str | None = None,
        settings: dict[str, Any] | None = None,
        secrets: dict[str, Any] | None = None,
        id_field: str | None = None,
        changed: Sequence[str] = (),
    ) -> DestinationRecord:
        """Change what is given; `changed` names what changed for the audit (secret values
        are never logged)."""
        self.require_destination(key)
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = name
        if settings is not None:
            values["settings"] = settings
        if secrets is not None:
            values["sealed_secrets"] = self._seal(secrets)
        if id_field is not None:
            values["id_field"] = id_field
        self.conn.execute(
            update(s.destinations)
            .where(s.destinations.c.key == key)
            .values(updated_at=now(), updated_by=self.w.actor, **values)
        )
        self.w.log("destination_edit", None, destination=key, changed=sorted(changed))
        return self.require_destination(key)

    def reseal_destinations(self) -> int:
        """Encrypt every destination's secrets again with the current key (key rotation)."""
        if self.w.sealer is None:
            raise SecretKeyError("no secret key to encrypt destination secrets with")
        count = 0
        for key, sealed in list(
            self.conn.execute(select(s.destinations.c.key, s.destinations.c.sealed_secrets))
        ):
            if not sealed:
                continue
            self.conn.execute(
                update(s.destinations)
                .where(s.destinations.c.key == key)
                .values(sealed_secrets=self.w.sealer.reseal(sealed, f"destination {key}"))
            )
            count += 1
        self.w.log("secret_key_rotate", None, destinations=count)
        return count

    def remove_destination(self, key: str) -> None:
        self.require_destination(key)
        self.conn.execute(delete(s.destinations).where(s.destinations.c.key == key))
        self.w.log("destination_remove", None, destination=key)

    # --- exports ------------------------------------------------------------------------

    def create_export(
        self, *, key: str, name: str, destination: str, fields: dict[str, str]
    ) -> ExportRecord:
        self.require_destination(destination)
        when = now()
        try:
            with self.conn.begin_nested():
                self.conn.execute(
                    insert(s.exports).values(
                        key=key,
                        name=name,
                        destination=destination,
                        fields=fields,
                        created_at=when,
                        created_by=self.w.actor,
                        updated_at=when,
                        updated_by=self.w.actor,
                    )
                )
        except IntegrityError:
            raise ConflictError(f"an export with key {key!r} already exists") from None
        self.w.log("export_create", None, export=key, destination=destination)
        return self.require_export(key)

    def update_export(self, key: str, **values: Any) -> ExportRecord:
        self.require_export(key)
        self.conn.execute(
            update(s.exports)
            .where(s.exports.c.key == key)
            .values(updated_at=now(), updated_by=self.w.actor, **values)
        )
        self.w.log("export_edit", None, export=key, **values)
        return self.require_export(key)

    def add_segments(self, export: str, segments: Iterable[str]) -> list[str]:
        have = set(self.require_export(export).segments)
        new = sorted(set(segments) - have)
        when = now()
        for key in new:
            self.w.require(key)
            self.conn.execute(
                insert(s.export_segments).values(
                    export=export, segment=key, added_at=when, added_by=self.w.actor
                )
            )
            self.w.log("export_add_segment", key, export=export)
        return new

    def remove_segments(self, export: str, segments: Iterable[str]) -> list[str]:
        """Stop exporting segments; what the destination holds stays as it is."""
        have = set(self.require_export(export).segments)
        gone = sorted(set(segments) & have)
        for key in gone:
            self.conn.execute(
                delete(s.export_segments).where(
                    s.export_segments.c.export == export, s.export_segments.c.segment == key
                )
            )
            self.w.log("export_remove_segment", key, export=export)
        return gone

    def delete_export(self, key: str) -> None:
        self.require_export(key)
        pins = [
            r[0]
            for r in self.conn.execute(
                select(s.export_state.c.pin).where(
                    s.export_state.c.export == key, s.export_state.c.pin.is_not(None)
                )
            )
        ]
        pins += [
            r[0]
            for r in self.conn.execute(
                select(s.export_deliveries.c.pin).where(
                    s.export_deliveries.c.export == key, s.export_deliveries.c.pin.is_not(None)
                )
            )
        ]
        for pin in pins:
            self.w.unpin(pin)
        delivery_ids = select(s.export_deliveries.c.id).where(s.export_deliveries.c.export == key)
        self.conn.execute(
            delete(s.export_batches).where(s.export_batches.c.delivery.in_(delivery_ids))
        )
        for table in (
            s.export_deliveries,
            s.export_state,
            s.export_rejects,
            s.export_runs,
            s.export_segments,
        ):
            self.conn.execute(delete(table).where(table.c.export == key))
        self.conn.execute(delete(s.exports).where(s.exports.c.key == key))
        self.w.log("export_delete", None, export=key)

    # --- runs ---------------------------------------------------------------------------

    def create_run(
        self, export: str, *, trigger: str, segments: Sequence[str] | None, snapshot: bool
    ) -> ExportRunRecord:
        result = self.conn.execute(
            insert(s.export_runs).values(
                export=export,
                trigger=trigger,
                status="queued",
                segments=list(segments) if segments is not None else None,
                snapshot=snapshot,
                requested_by=self.w.actor,
                created_at=now(),
                rows=0,
                batches=0,
                rejects=0,
                errors=0,
                detail=[],
            )
        )
        run_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        self.w.log("export_run", None, export=export, run=run_id, trigger=trigger)
        return self.run(run_id)

    def lock_export(self, key: str) -> None:
        """Hold the export's row until the transaction ends (PostgreSQL; SQLite writers
        hold the whole database already)."""
        self.conn.execute(select(s.exports.c.key).where(s.exports.c.key == key).with_for_update())

    def claim_run(self, run_id: int, owner: str, seconds: float) -> bool:
        """Start a queued run unless another run of the same export is running."""
        run = self.run(run_id)
        self.lock_export(run.export)
        if run.status != "queued":
            return False
        busy = self.conn.execute(
            select(s.export_runs.c.id).where(
                s.export_runs.c.export == run.export, s.export_runs.c.status == "running"
            )
        ).first()
        if busy is not None:
            return False
        when = now()
        self.conn.execute(
            update(s.export_runs)
            .where(s.export_runs.c.id == run_id)
            .values(
                status="running",
                started_at=when,
                lease_owner=owner,
                lease_expires_at=when + dt.timedelta(seconds=seconds),
            )
        )
        return True

    def extend_lease(self, run_id: int, owner: str, seconds: float) -> bool:
        done = self.conn.execute(
            update(s.export_runs)
            .where(
                s.export_runs.c.id == run_id,
                s.export_runs.c.status == "running",
                s.export_runs.c.lease_owner == owner,
            )
            .values(lease_expires_at=now() + dt.timedelta(seconds=seconds))
        )
        return bool(done.rowcount)

    def progress_run(
        self,
        run_id: int,
        *,
        rows: int,
        batches: int,
        rejects: int,
        errors: int,
        detail: list[dict[str, Any]],
    ) -> None:
        """Keep a running run's counts current, so a run that dies still tells what it did."""
        self.conn.execute(
            update(s.export_runs)
            .where(s.export_runs.c.id == run_id, s.export_runs.c.status == "running")
            .values(rows=rows, batches=batches, rejects=rejects, errors=errors, detail=detail)
        )

    def running_runs(self) -> list[ExportRunRecord]:
        rows = self.conn.execute(select(s.export_runs).where(s.export_runs.c.status == "running"))
        return [_run(r) for r in rows]

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        rows: int,
        batches: int,
        rejects: int,
        errors: int,
        error: str | None,
        detail: list[dict[str, Any]],
        owner: str | None = None,
    ) -> bool:
        """Record a run's end; with `owner`, only while that owner still holds it."""
        query = update(s.export_runs).where(
            s.export_runs.c.id == run_id, s.export_runs.c.status == "running"
        )
        if owner is not None:
            query = query.where(s.export_runs.c.lease_owner == owner)
        done = self.conn.execute(
            query.values(
                status=status,
                finished_at=now(),
                lease_owner=None,
                lease_expires_at=None,
                rows=rows,
                batches=batches,
                rejects=rejects,
                errors=errors,
                error=error,
                detail=detail,
            )
        )
        return bool(done.rowcount)

    # --- outbox -------------------------------------------------------------------------

    def plan_delivery(
        self,
        *,
        export: str,
        segment: str,
        run_id: int,
        kind: str,
        base_version: int | None,
        version: int,
    ) -> DeliveryRecord:
        """A new delivery in `planning`, its version pinned until the export lets go."""
        pin = self.w.pin(segment, version, f"export:{export}", FAR_FUTURE.total_seconds())
        result = self.conn.execute(
            insert(s.export_deliveries).values(
                export=export,
                segment=segment,
                run_id=run_id,
                kind=kind,
                base_version=base_version,
                version=version,
                pin=pin,
                status="planning",
                created_at=now(),
            )
        )
        return self.delivery(int(result.inserted_primary_key[0]))  # type: ignore[index]

    def delivery_planned(self, delivery_id: int, rows: int, retried: Sequence[str]) -> None:
        """The change list is written: the delivery is pending; the rejects it retries are
        now part of it."""
        found = self.delivery(delivery_id)
        self.conn.execute(
            update(s.export_deliveries)
            .where(s.export_deliveries.c.id == delivery_id)
            .values(status="pending", rows=rows)
        )
        if retried:
            self.conn.execute(
                delete(s.export_rejects).where(
                    s.export_rejects.c.export == found.export,
                    s.export_rejects.c.segment == found.segment,
                    s.export_rejects.c.profile.in_(list(retried)),
                )
            )

    def delivery_error(self, delivery_id: int, error: str) -> None:
        self.conn.execute(
            update(s.export_deliveries)
            .where(s.export_deliveries.c.id == delivery_id)
            .values(error=error)
        )

    def supersede(self, delivery_id: int) -> None:
        """Drop a delivery nothing of which was sent: a newer one replaces it."""
        found = self.delivery(delivery_id)
        if found.pin is not None:
            self.w.unpin(found.pin)
        self.conn.execute(
            update(s.export_deliveries)
            .where(s.export_deliveries.c.id == delivery_id)
            .values(status="superseded", pin=None, finished_at=now())
        )

    def delivered(self, delivery_id: int) -> None:
        """The destination now holds the delivery's version: it becomes the base of the next
        one, and the previous base is let go."""
        found = self.delivery(delivery_id)
        state = self.state(found.export, found.segment)
        if state.pin is not None:
            self.w.unpin(state.pin)
        when = now()
        self.conn.execute(
            update(s.export_deliveries)
            .where(s.export_deliveries.c.id == delivery_id)
            .values(status="delivered", error=None, finished_at=when)
        )
        values = {
            "version": found.version,
            "pin": found.pin,
            "delivered_at": when,
            "snapshot": False,
        }
        self._set_state(found.export, found.segment, values)

    def request_snapshot(self, export: str, segment: str) -> None:
        self._set_state(export, segment, {"snapshot": True})

    def _set_state(self, export: str, segment: str, values: dict[str, Any]) -> None:
        where = and_(s.export_state.c.export == export, s.export_state.c.segment == segment)
        exists = self.conn.execute(select(s.export_state.c.export).where(where)).first()
        if exists:
            self.conn.execute(update(s.export_state).where(where).values(**values))
        else:
            self.conn.execute(
                insert(s.export_state).values(
                    export=export, segment=segment, **{"snapshot": False, **values}
                )
            )

    def record_batch(
        self, delivery_id: int, number: int, batch_id: str, first_row: int, last_row: int
    ) -> BatchRecord:
        """A batch about to be sent (status `sending` until the destination confirms it)."""
        self.conn.execute(
            insert(s.export_batches).values(
                delivery=delivery_id,
                number=number,
                batch_id=batch_id,
                first_row=first_row,
                last_row=last_row,
                status="sending",
                attempts=0,
                rows=0,
                rejects=0,
            )
        )
        return next(b for b in self.batches(delivery_id) if b.number == number)

    def batch_done(
        self,
        delivery_id: int,
        number: int,
        *,
        attempts: int,
        rows: int,
        rejects: int,
        error: str | None = None,
        delivered: bool,
    ) -> None:
        values: dict[str, Any] = {
            "attempts": s.export_batches.c.attempts + attempts,
            "error": error,
        }
        if delivered:
            values.update(status="delivered", rows=rows, rejects=rejects, delivered_at=now())
        self.conn.execute(
            update(s.export_batches)
            .where(s.export_batches.c.delivery == delivery_id, s.export_batches.c.number == number)
            .values(**values)
        )

    def add_rejects(
        self, export: str, segment: str, run_id: int, rejects: Sequence[tuple[str, str, str]]
    ) -> None:
        """Record refused rows (profile key, action, reason); a newer refusal replaces one."""
        if not rejects:
            return
        profiles = sorted({p for p, _, _ in rejects})
        self.conn.execute(
            delete(s.export_rejects).where(
                s.export_rejects.c.export == export,
                s.export_rejects.c.segment == segment,
                s.export_rejects.c.profile.in_(profiles),
            )
        )
        when = now()
        latest = {p: (a, r) for p, a, r in rejects}
        self.conn.execute(
            insert(s.export_rejects),
            [
                {
                    "export": export,
                    "segment": segment,
                    "profile": p,
                    "action": a,
                    "reason": r[:2000],
                    "run_id": run_id,
                    "at": when,
                }
                for p, (a, r) in sorted(latest.items())
            ],
        )

    # --- mirrors ------------------------------------------------------------------------

    def set_mirror(
        self, segment: str, *, batch_id: str | None, received: int, matched: int, unmatched: int
    ) -> None:
        values = {
            "exported_at": now(),
            "batch_id": batch_id,
            "received": received,
            "matched": matched,
            "unmatched": unmatched,
            "edited_at": None,
            "edited_by": None,
        }
        if self.mirror(segment) is None:
            self.conn.execute(insert(s.mirrors).values(segment=segment, **values))
        else:
            self.conn.execute(
                update(s.mirrors).where(s.mirrors.c.segment == segment).values(**values)
            )

    def mirror_edited(self, segment: str) -> None:
        self.conn.execute(
            update(s.mirrors)
            .where(s.mirrors.c.segment == segment)
            .values(edited_at=now(), edited_by=self.w.actor)
        )


def stale_runs(runs: Sequence[ExportRunRecord], dead: Any) -> list[int]:
    """Running runs whose lease expired or whose owner `dead(owner)` says has stopped."""
    moment = now()
    return [
        run.id
        for run in runs
        if run.lease_expires_at is None
        or run.lease_expires_at < moment
        or (run.lease_owner is not None and dead(run.lease_owner))
    ]


__all__ = [
    "BatchRecord",
    "DeliveryRecord",
    "DestinationRecord",
    "ExportReader",
    "ExportRecord",
    "ExportRunRecord",
    "ExportWriter",
    "MirrorRecord",
    "RejectRecord",
    "StateRecord",
]
