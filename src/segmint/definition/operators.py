"""The operator table: which operators each value type has, what value each takes, how each reads.

This is the single list the checker, the describer, the compiler and the docs agree on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from segmint.catalog import AttrType


class Shape(StrEnum):
    """What the `value` of an operator must look like."""

    NONE = "none"  # no value (is_empty, is_true...)
    SCALAR = "scalar"  # one value of the attribute's type
    LIST = "list"  # a non-empty list of values of the attribute's type
    PAIR = "pair"  # [low, high], inclusive, low <= high
    RELATIVE = "relative"  # a whole number N >= 0, with a `unit`
    DAYS = "days"  # a whole number of days >= 0


@dataclass(frozen=True)
class Operator:
    """One operator: its name, the value it takes and how it reads in a sentence."""

    name: str
    shape: Shape
    phrase: str  # e.g. "is", "is one of", "was in the last"
    matches_missing: bool = False  # True only for is_empty: a missing value matches nothing else


def _ops(*items: tuple[str, Shape, str]) -> dict[str, Operator]:
    return {
        name: Operator(name, shape, phrase, matches_missing=(name == "is_empty"))
        for name, shape, phrase in items
    }


_EMPTY = (("is_empty", Shape.NONE, "is empty"), ("is_not_empty", Shape.NONE, "is not empty"))

TEXT = _ops(
    ("eq", Shape.SCALAR, "is"),
    ("neq", Shape.SCALAR, "is not"),
    ("in", Shape.LIST, "is one of"),
    ("not_in", Shape.LIST, "is none of"),
    ("contains", Shape.SCALAR, "contains"),
    ("not_contains", Shape.SCALAR, "does not contain"),
    ("starts_with", Shape.SCALAR, "begins with"),
    ("ends_with", Shape.SCALAR, "ends with"),
    *_EMPTY,
)

NUMBER = _ops(
    ("eq", Shape.SCALAR, "="),
    ("neq", Shape.SCALAR, "≠"),
    ("lt", Shape.SCALAR, "<"),
    ("lte", Shape.SCALAR, "≤"),
    ("gt", Shape.SCALAR, ">"),
    ("gte", Shape.SCALAR, "≥"),
    ("between", Shape.PAIR, "is between"),
    ("in", Shape.LIST, "is one of"),
    ("not_in", Shape.LIST, "is none of"),
    *_EMPTY,
)

_TEMPORAL = (
    ("on", Shape.SCALAR, "is on"),
    ("before", Shape.SCALAR, "is before"),
    ("after", Shape.SCALAR, "is after"),
    ("between", Shape.PAIR, "is between"),
    ("in_last", Shape.RELATIVE, "is in the last"),
    ("in_next", Shape.RELATIVE, "is in the next"),
    ("more_than_ago", Shape.RELATIVE, "is more than"),
    *_EMPTY,
)

DATE = _ops(*_TEMPORAL, ("anniversary_within", Shape.DAYS, "has its anniversary within"))

TIMESTAMP = _ops(*_TEMPORAL)

BOOLEAN = _ops(
    ("is_true", Shape.NONE, "is true"),
    ("is_false", Shape.NONE, "is false"),
    *_EMPTY,
)

LIST = _ops(
    ("has", Shape.SCALAR, "includes"),
    ("has_any", Shape.LIST, "includes any of"),
    ("has_all", Shape.LIST, "includes all of"),
    ("has_none", Shape.LIST, "includes none of"),
    *_EMPTY,
)

# Counts are never missing: the empty-value operators make no sense on them.
COUNT = {name: op for name, op in NUMBER.items() if op.shape is not Shape.NONE}

BY_TYPE: dict[AttrType, dict[str, Operator]] = {
    AttrType.STRING: TEXT,
    AttrType.INTEGER: NUMBER,
    AttrType.FLOAT: NUMBER,
    AttrType.BOOLEAN: BOOLEAN,
    AttrType.DATE: DATE,
    AttrType.TIMESTAMP: TIMESTAMP,
    AttrType.LIST: LIST,
}


def operators_for(typ: AttrType) -> dict[str, Operator]:
    """The operators valid on values of `typ`."""
    return BY_TYPE[typ]


def compare_numbers(op: str, left: float, value: Any) -> bool:
    """Apply a number operator to a known (not missing) number; used to decide zero counts."""
    if op == "between":
        return bool(value[0] <= left <= value[1])
    if op == "in":
        return left in value
    if op == "not_in":
        return left not in value
    tests: dict[str, Callable[[float, float], bool]] = {
        "eq": lambda a, b: a == b,
        "neq": lambda a, b: a != b,
        "lt": lambda a, b: a < b,
        "lte": lambda a, b: a <= b,
        "gt": lambda a, b: a > b,
        "gte": lambda a, b: a >= b,
    }
    if op not in tests:
        raise ValueError(f"not a number operator: {op}")
    return tests[op](left, float(value))
