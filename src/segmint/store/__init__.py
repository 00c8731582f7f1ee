"""Metadata: segments, revisions, usage, runs, versions and audit, on SQLite or PostgreSQL."""

from segmint.store.records import (
    AuditEntry,
    Consumer,
    Run,
    Segment,
    SegmentState,
    SegmentType,
    Task,
    Version,
)
from segmint.store.store import Reader, Store, Writer

__all__ = [
    "AuditEntry",
    "Consumer",
    "Reader",
    "Run",
    "Segment",
    "SegmentState",
    "SegmentType",
    "Store",
    "Task",
    "Version",
    "Writer",
]
