"""Segment definitions: the typed tree, loading, checking and describing it."""

from segmint.definition.check import Limits, SegmentResolver, check_definition, ensure_valid
from segmint.definition.describe import describe
from segmint.definition.load import load_document, parse_document, parse_text
from segmint.definition.nodes import Definition, SegmentDocument

__all__ = [
    "Definition",
    "Limits",
    "SegmentDocument",
    "SegmentResolver",
    "check_definition",
    "describe",
    "ensure_valid",
    "load_document",
    "parse_document",
    "parse_text",
]
