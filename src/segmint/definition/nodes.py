"""The definition tree: frozen, typed nodes tagged by `type`, one class per kind of condition.

A definition knows nothing about engines. Values are kept as JSON-able Python values
(lists become tuples so every node is hashable); the checker validates them against the
data model, the compiler turns them into engine expressions.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class TimeUnit(StrEnum):
    """Units of relative time; `hour` applies to timestamps only."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


def _freeze(value: Any) -> Any:
    """Make a JSON-ish value hashable and engine-neutral: lists to tuples, dates to ISO text."""
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    return value


class Node(BaseModel):
    """Base of every node: immutable, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class And(Node):
    """Selects profiles matching every one of its conditions."""

    type: Literal["and"] = "and"
    conditions: tuple[Condition, ...] = Field(min_length=1)


class Or(Node):
    """Selects profiles matching at least one of its conditions."""

    type: Literal["or"] = "or"
    conditions: tuple[Condition, ...] = Field(min_length=1)


class Not(Node):
    """Selects profiles that do not match its condition ("but not")."""

    type: Literal["not"] = "not"
    condition: Condition


class Attribute(Node):
    """Selects profiles whose attribute (possibly via many-to-one links) passes a test."""

    type: Literal["attribute"] = "attribute"
    field: str  # attribute name, or a path through many-to-one links: "account.industry"
    op: str  # operator; which ones are valid depends on the attribute's type
    value: Any = None  # scalar, list (in / between / has_any...) or number (relative dates)
    unit: TimeUnit | None = None  # for in_last / in_next / more_than_ago

    _freeze = field_validator("value", mode="before")(_freeze)


class Comparison(Node):
    """A test on a computed number or date: `op` and `value` as for attributes."""

    op: str
    value: Any = None
    unit: TimeUnit | None = None

    _freeze = field_validator("value", mode="before")(_freeze)


class Related(Node):
    """Selects profiles by their one-to-many related records (any / all / none match)."""

    type: Literal["related"] = "related"
    relationship: str  # a one-to-many relationship of the current entity, e.g. "orders"
    match: Literal["any", "all", "none"] | None = None  # default any; all: >= 1 and every one
    where: Condition | None = None  # a condition on the related entity; none: every record
    count: Comparison | None = None  # instead of match: how many related records match


class Window(Node):
    """When interactions count: the last N units up to as_of, or a range of local dates."""

    last: int | None = None  # with unit: from the start of the local day N units ago
    unit: TimeUnit | None = None
    from_: dt.date | None = Field(default=None, alias="from")  # inclusive local date
    to: dt.date | None = None  # inclusive local date


class Aggregate(Node):
    """A sum, average, minimum or maximum of an interaction attribute, and a test on it."""

    fn: Literal["sum", "avg", "min", "max"]
    field: str  # an attribute of the interaction
    op: str
    value: Any = None
    unit: TimeUnit | None = None

    _freeze = field_validator("value", mode="before")(_freeze)


class Occurrence(Node):
    """The first or last time a matching interaction happened, and a date test on it."""

    which: Literal["first", "last"]
    op: str
    value: Any = None
    unit: TimeUnit | None = None

    _freeze = field_validator("value", mode="before")(_freeze)


class Behavior(Node):
    """Selects profiles by their interactions of one kind (count, aggregate or occurrence)."""

    type: Literal["behavior"] = "behavior"
    interaction: str  # an interaction kind of the audience entity, e.g. "email_opened"
    where: Condition | None = None  # a condition on the interaction's own attributes
    window: Window | None = None  # none: every interaction up to as_of
    count: Comparison | None = None  # how many matching interactions (default: at least 1)
    aggregate: Aggregate | None = None
    occurrence: Occurrence | None = None


class InSegment(Node):
    """Selects the members of another segment (evaluated at the same as_of)."""

    type: Literal["in_segment"] = "in_segment"
    segment: str  # the other segment's key


Condition = Annotated[
    And | Or | Not | Attribute | Related | Behavior | InSegment,
    Field(discriminator="type"),
]


class Definition(Node):
    """A segment definition: who it is about, in which time zone, and the condition."""

    audience: str  # the audience entity, e.g. contact or account
    timezone: str = "UTC"  # relative dates are computed in this IANA zone
    condition: Condition


class SegmentDocument(Node):
    """A segment as written in a file: its key, name and settings, and its definition."""

    key: str | None = None  # immutable slug, e.g. "vip-seattle"
    name: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    type: Literal["dynamic", "static", "compound"] = "dynamic"
    state: Literal["draft", "live"] | None = None  # segments as code: the wanted state
    active: bool | None = None  # segments as code: whether it should be active
    members: tuple[str, ...] | None = None  # static segments: the member keys
    audience: str
    timezone: str = "UTC"
    condition: Condition | None = None  # required except for static segments

    @property
    def definition(self) -> Definition:
        if self.condition is None:
            from segmint.errors import DefinitionError, Problem

            raise DefinitionError(
                f"segment {self.key or ''} has no condition".replace("  ", " "),
                [Problem("condition", "required")],
            )
        return Definition(audience=self.audience, timezone=self.timezone, condition=self.condition)


for _model in (And, Or, Not, Related, Behavior, Definition, SegmentDocument):
    _model.model_rebuild()

LEAF_TYPES = (Attribute, Related, Behavior, InSegment)
