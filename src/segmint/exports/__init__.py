"""Delivering segments to destinations: the destination protocol, the built-in types (file,
database, webhook, segmint), the outbox and the delivery loop (see README.md)."""

from segmint.exports.base import (
    Batch,
    BatchResult,
    Context,
    Destination,
    DestinationError,
    RefusedError,
    Row,
    TransientError,
)
from segmint.exports.types import TYPES, destination_type, parse_settings

__all__ = [
    "TYPES",
    "Batch",
    "BatchResult",
    "Context",
    "Destination",
    "DestinationError",
    "RefusedError",
    "Row",
    "TransientError",
    "destination_type",
    "parse_settings",
]
