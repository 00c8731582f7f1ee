"""The metadata tables (SQLAlchemy Core): segments, revisions, usage, runs, versions, audit,
exports.

Alembic migrations in `segmint/store/migrations` create and evolve exactly these tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant, stored as UTC and handed back timezone-aware in UTC on every backend.

    SQLite keeps no offset (SQLAlchemy writes the wall-clock time as given) and PostgreSQL
    answers in the session's time zone, so values are converted to UTC on the way in and
    on the way out. Naive values are taken to be UTC. In the database this is exactly
    `DateTime(timezone=True)`, so the migrations do not know about it.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
        return value.astimezone(dt.UTC)  # type: ignore[no-any-return]


def _when(name: str, *, nullable: bool = True) -> Column[dt.datetime]:
    return Column(name, UTCDateTime(), nullable=nullable)


segments = Table(
    "segments",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("audience", String(64), nullable=False),
    Column("type", String(16), nullable=False),  # dynamic, static, compound, expansion, external
    Column("state", String(16), nullable=False),  # draft, live
    Column("active", Boolean, nullable=False, default=True),
    _when("activate_at"),
    _when("deactivate_at"),
    Column("timezone", String(64), nullable=False),
    Column("owner", String(200), nullable=False, default=""),
    Column("business_unit", String(100), nullable=False, default=""),
    Column("revision", Integer, nullable=False),  # the latest saved revision
    Column("live_revision", Integer),  # the revision serving while live
    Column("pending_revision", Integer),  # an edit of a live segment, not yet swapped in
    Column("current_version", Integer),  # the membership version readers pin
    Column("members", Integer),  # size of the current version
    _when("last_refreshed_at"),  # last successful refresh
    Column("last_status", String(16)),  # status of the latest refresh task
    Column("last_error", Text),
    Column("external_source", String(200)),  # external segments: which system manages it
    Column("external_url", Text),
    _when("created_at", nullable=False),
    Column("created_by", String(200), nullable=False),
    _when("updated_at", nullable=False),
    Column("updated_by", String(200), nullable=False),
)

revisions = Table(
    "segment_revisions",
    metadata,
    Column(
        "segment", String(100), ForeignKey("segments.key", ondelete="CASCADE"), primary_key=True
    ),
    Column("revision", Integer, primary_key=True),
    Column("definition", JSON, nullable=False),  # the definition as JSON
    _when("created_at", nullable=False),
    Column("created_by", String(200), nullable=False),
)

tags = Table(
    "segment_tags",
    metadata,
    Column(
        "segment", String(100), ForeignKey("segments.key", ondelete="CASCADE"), primary_key=True
    ),
    Column("tag", String(100), primary_key=True),
)

static_members = Table(
    "static_members",
    metadata,
    Column(
        "segment", String(100), ForeignKey("segments.key", ondelete="CASCADE"), primary_key=True
    ),
    Column("profile", String(200), primary_key=True),  # the profile key, as text
    _when("added_at", nullable=False),
    Column("added_by", String(200), nullable=False),
)

consumers = Table(
    "consumers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "segment",
        String(100),
        ForeignKey("segments.key", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(50), nullable=False),  # journey, campaign, export...
    Column("name", String(200), nullable=False),
    Column("role", String(50), nullable=False, default="target"),  # target, suppression
    Column("link", Text, nullable=False, default=""),
    _when("registered_at", nullable=False),
    UniqueConstraint("segment", "kind", "name", name="uq_consumers_segment_kind_name"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # manual, scheduled, go_live
    Column("status", String(16), nullable=False),
    Column("schedule_key", String(100), unique=True),  # scheduled runs: one per tick time
    Column("requested_by", String(200), nullable=False),
    _when("as_of"),  # evaluate as of this instant; empty: when each task runs
    _when("created_at", nullable=False),
    _when("started_at"),
    _when("finished_at"),
    Column("lease_owner", String(200)),
    _when("lease_expires_at"),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("error", Text),
)

tasks = Table(
    "run_tasks",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("segment", String(100), primary_key=True),
    Column("position", Integer, nullable=False),  # order in the plan
    Column("depends_on", JSON, nullable=False),  # keys of tasks that must succeed first
    Column("revision", Integer),  # the definition revision refreshed
    Column("status", String(16), nullable=False),
    _when("started_at"),
    _when("finished_at"),
    Column("members", Integer),
    Column("entered", Integer),
    Column("exited", Integer),
    Column("version", Integer),
    Column("error", Text),
    Index("ix_run_tasks_segment_status", "segment", "status"),
)

versions = Table(
    "versions",
    metadata,
    Column(
        "segment", String(100), ForeignKey("segments.key", ondelete="CASCADE"), primary_key=True
    ),
    Column("version", Integer, primary_key=True),
    Column("run_id", Integer),
    _when("as_of", nullable=False),
    _when("created_at", nullable=False),
    Column("members", Integer, nullable=False),
    Column("entered", Integer, nullable=False),
    Column("exited", Integer, nullable=False),
    Column("pruned", Boolean, nullable=False, default=False),
)

pins = Table(
    "version_pins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("segment", String(100), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("reader", String(200), nullable=False),  # who reads it (a download, an export)
    _when("expires_at", nullable=False),  # a reader that dies stops pinning at this time
)

settings = Table(
    "system_settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", JSON, nullable=False),
)

audit = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _when("at", nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(50), nullable=False),
    Column("segment", String(100), index=True),
    Column("detail", JSON, nullable=False),
)

# --- exports (see segmint/exports/README.md) -----------------------------------------------

destinations = Table(
    "destinations",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("name", String(200), nullable=False),  # the display name
    Column("type", String(16), nullable=False),  # file, database, webhook, segmint
    Column("settings", JSON, nullable=False),  # the type's settings, secrets left out
    # secret settings, encrypted (store/sealing.py; none: no secrets), never shown back
    Column("sealed_secrets", Text),
    Column("id_field", String(200), nullable=False),  # the field identifying a customer there
    _when("created_at", nullable=False),
    Column("created_by", String(200), nullable=False),
    _when("updated_at", nullable=False),
    Column("updated_by", String(200), nullable=False),
)

exports = Table(
    "exports",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column(
        "destination",
        String(100),
        ForeignKey("destinations.key"),
        nullable=False,
        index=True,
    ),
    Column("fields", JSON, nullable=False),  # output name -> source field path
    _when("created_at", nullable=False),
    Column("created_by", String(200), nullable=False),
    _when("updated_at", nullable=False),
    Column("updated_by", String(200), nullable=False),
)

export_segments = Table(
    "export_segments",
    metadata,
    Column("export", String(100), ForeignKey("exports.key", ondelete="CASCADE"), primary_key=True),
    Column(
        "segment",
        String(100),
        ForeignKey("segments.key", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    _when("added_at", nullable=False),
    Column("added_by", String(200), nullable=False),
)

export_state = Table(
    "export_state",
    metadata,
    Column("export", String(100), ForeignKey("exports.key", ondelete="CASCADE"), primary_key=True),
    Column("segment", String(100), primary_key=True),
    Column("version", Integer),  # the membership version the destination holds in full
    Column("pin", Integer),  # the version pin that keeps it from being pruned
    _when("delivered_at"),
    Column("snapshot", Boolean, nullable=False, default=False),  # next delivery: a snapshot
)

export_runs = Table(
    "export_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "export",
        String(100),
        ForeignKey("exports.key", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("trigger", String(16), nullable=False),  # manual, refresh
    Column("status", String(16), nullable=False),  # queued, running, succeeded, failed
    Column("segments", JSON),  # the segments asked for; empty: all of the export's
    Column("snapshot", Boolean, nullable=False, default=False),  # full snapshots asked for
    Column("requested_by", String(200), nullable=False),
    _when("created_at", nullable=False),
    _when("started_at"),
    _when("finished_at"),
    Column("lease_owner", String(200)),
    _when("lease_expires_at"),
    Column("rows", Integer, nullable=False, default=0),  # rows delivered
    Column("batches", Integer, nullable=False, default=0),  # batches delivered
    Column("rejects", Integer, nullable=False, default=0),  # rows the destination refused
    Column("errors", Integer, nullable=False, default=0),  # failed attempts
    Column("error", Text),
    Column("detail", JSON, nullable=False),  # one entry per segment: status, counts, reason
)

export_deliveries = Table(
    "export_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("export", String(100), ForeignKey("exports.key", ondelete="CASCADE"), nullable=False),
    Column("segment", String(100), nullable=False),
    Column("run_id", Integer, nullable=False),  # the run that planned it
    Column("kind", String(16), nullable=False),  # snapshot, changes
    Column("base_version", Integer),  # what the destination held before (none: nothing)
    Column("version", Integer, nullable=False),  # the pinned version it delivers
    Column("pin", Integer),
    Column("status", String(16), nullable=False),  # planning, pending, delivered, superseded
    Column("rows", Integer),  # rows in its change list
    Column("error", Text),  # why the last attempt stopped
    _when("created_at", nullable=False),
    _when("finished_at"),
    Index("ix_export_deliveries_export_status", "export", "status"),
)

export_batches = Table(
    "export_batches",
    metadata,
    Column(
        "delivery",
        Integer,
        ForeignKey("export_deliveries.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("number", Integer, primary_key=True),
    Column("batch_id", String(100), nullable=False, unique=True),  # stable across retries
    Column("first_row", Integer, nullable=False),  # rows first_row..last_row of the delivery
    Column("last_row", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # sending, delivered
    Column("attempts", Integer, nullable=False, default=0),
    Column("rows", Integer, nullable=False, default=0),
    Column("rejects", Integer, nullable=False, default=0),
    Column("error", Text),
    _when("delivered_at"),
)

export_rejects = Table(
    "export_rejects",
    metadata,
    Column("export", String(100), ForeignKey("exports.key", ondelete="CASCADE"), primary_key=True),
    Column("segment", String(100), primary_key=True),
    Column("profile", String(200), primary_key=True),  # the profile key, as text
    Column("action", String(8), nullable=False),  # add, remove
    Column("reason", Text, nullable=False),
    Column("run_id", Integer, nullable=False),
    _when("at", nullable=False),
)

mirrors = Table(
    "mirrors",
    metadata,
    Column(
        "segment", String(100), ForeignKey("segments.key", ondelete="CASCADE"), primary_key=True
    ),
    _when("exported_at", nullable=False),  # when the last export arrived
    Column("batch_id", String(100)),  # the last export's id (repeats are dropped)
    Column("received", Integer, nullable=False),  # ids sent by the last export
    Column("matched", Integer, nullable=False),  # of them, existing profiles
    Column("unmatched", Integer, nullable=False),
    _when("edited_at"),  # edited here since the last export (overwritten by the next)
    Column("edited_by", String(200)),
)
