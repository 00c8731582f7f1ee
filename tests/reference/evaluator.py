"""A pure-Python reference evaluator for segment definitions, written from the spec alone.

This module owns the *meaning* of a definition as `docs/definition-language.md` states it,
and nothing else: given the catalog, every entity's and interaction's rows as plain Python
values, a definition and an evaluation instant, `evaluate` returns the keys of the audience
rows the definition selects. It never looks at the compiler or an engine; they are checked
against it. It is naive on purpose (plain loops over plain rows) so that every function can
be read side by side with the sentence of the spec it implements. Speed is irrelevant.

Values in rows: str, int, float, bool, datetime.date, naive datetime.datetime (UTC),
list[str] or None. Values in definitions are as the definition nodes freeze them (dates as
ISO text, lists as tuples); plain dates and lists are accepted too.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from segmint.catalog import AttrType, Catalog, Entity, Interaction
from segmint.definition import nodes as n

Row = Mapping[str, Any]
Data = Mapping[str, Sequence[Row]]
Resolver = Callable[[str], n.Definition | None]

UTC = dt.UTC


class Test(Protocol):
    """A test on one value: Attribute, Comparison, Aggregate and Occurrence nodes all are."""

    @property
    def op(self) -> str: ...
    @property
    def value(self) -> Any: ...
    @property
    def unit(self) -> n.TimeUnit | None: ...


def evaluate(
    catalog: Catalog,
    data: Data,
    definition: n.Definition,
    as_of: dt.datetime,
    segments: Resolver | None = None,
) -> set[Any]:
    """The keys of the audience rows `definition` selects at `as_of` (an aware datetime)."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be an aware datetime")
    return _Evaluator(catalog, data, as_of.astimezone(UTC), segments).members(definition)


# --- values -----------------------------------------------------------------------------


def is_missing(value: Any) -> bool:
    """Missing: NULL, an empty string or an empty list (spec: two-valued logic)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, list | tuple):
        return len(value) == 0
    return False


def as_utc(timestamp: dt.datetime) -> dt.datetime:
    """A stored timestamp (naive means UTC) as an aware UTC datetime."""
    if timestamp.tzinfo is None:
        return timestamp.replace(tzinfo=UTC)
    return timestamp.astimezone(UTC)


def as_date(value: Any) -> dt.date:
    """An absolute date operand: ISO text or a date."""
    if isinstance(value, dt.datetime):
        raise TypeError(f"expected a date, not a datetime: {value!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise TypeError(f"expected an ISO date, got {value!r}")


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


# --- calendar arithmetic -----------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months: the day of month is clamped to the last day of the target month.

    Results outside the representable range are clamped to date.min / date.max, which keeps
    every comparison with them right (nothing is before date.min or after date.max).
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    if year < dt.MINYEAR:
        return dt.date.min
    if year > dt.MAXYEAR:
        return dt.date.max
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def add_days(day: dt.date, days: int) -> dt.date:
    """Plain day arithmetic, clamped to the representable range."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min if days < 0 else dt.date.max


def shift(day: dt.date, amount: int, unit: n.TimeUnit) -> dt.date:
    """`day` moved by `amount` calendar units (negative: back). Not for hours."""
    if unit is n.TimeUnit.DAY:
        return add_days(day, amount)
    if unit is n.TimeUnit.WEEK:
        return add_days(day, 7 * amount)
    if unit is n.TimeUnit.MONTH:
        return add_months(day, amount)
    if unit is n.TimeUnit.YEAR:
        return add_months(day, 12 * amount)
    raise ValueError(f"{unit} is not a calendar unit")


def anniversary_in(day: dt.date, year: int) -> dt.date:
    """The anniversary of `day` in `year`; 29 February falls on 28 February in other years."""
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return dt.date(year, day.month, day.day)


def days_to_next_anniversary(day: dt.date, today: dt.date) -> int:
    """Days from `today` to the next anniversary of `day` that is today or later."""
    this_year = anniversary_in(day, today.year)
    if this_year >= today:
        return (this_year - today).days
    return (anniversary_in(day, today.year + 1) - today).days


# --- the clock: as_of seen from one time zone ---------------------------------------------


@dataclass(frozen=True)
class Clock:
    """The evaluation instant and the segment's time zone, which together define *today*."""

    as_of: dt.datetime  # aware, UTC
    zone: ZoneInfo

    @classmethod
    def at(cls, as_of: dt.datetime, timezone: str) -> Clock:
        return cls(as_of.astimezone(UTC), ZoneInfo(timezone))

    @property
    def today(self) -> dt.date:
        return self.as_of.astimezone(self.zone).date()

    def local_day(self, timestamp: dt.datetime) -> dt.date:
        """The date of the instant on the wall clock of the segment's zone."""
        return as_utc(timestamp).astimezone(self.zone).date()


# --- operators ----------------------------------------------------------------------------


def passes(clock: Clock, typ: AttrType, value: Any, test: Test) -> bool:
    """Whether `value` (of type `typ`) passes `test` (its op, operand value and unit)."""
    op, operand = test.op, test.value
    if op == "is_empty":
        return is_missing(value)
    if op == "is_not_empty":
        return not is_missing(value)
    if is_missing(value):
        return False  # a missing value matches nothing but is_empty
    if typ is AttrType.STRING:
        return text_passes(value, op, operand)
    if typ in (AttrType.INTEGER, AttrType.FLOAT):
        return number_passes(value, op, operand)
    if typ is AttrType.BOOLEAN:
        return boolean_passes(value, op)
    if typ is AttrType.DATE:
        return temporal_passes(clock, value, None, test)
    if typ is AttrType.TIMESTAMP:
        return temporal_passes(clock, clock.local_day(value), as_utc(value), test)
    if typ is AttrType.LIST:
        return list_passes(value, op, operand)
    raise ValueError(f"unknown type {typ}")


def text_passes(value: str, op: str, operand: Any) -> bool:
    """Text operators: exact, case- and accent-sensitive; % _ \\ are ordinary characters."""
    if op == "eq":
        return bool(value == operand)
    if op == "neq":
        return bool(value != operand)
    if op == "in":
        return any(value == item for item in operand)
    if op == "not_in":
        return all(value != item for item in operand)
    if op == "contains":
        return operand in value
    if op == "not_contains":
        return operand not in value
    if op == "starts_with":
        return value.startswith(operand)
    if op == "ends_with":
        return value.endswith(operand)
    raise ValueError(f"not a text operator: {op}")


def number_passes(value: float, op: str, operand: Any) -> bool:
    """Number operators on a known number (counts, attributes, aggregates)."""
    if op == "eq":
        return bool(value == operand)
    if op == "neq":
        return bool(value != operand)
    if op == "lt":
        return bool(value < operand)
    if op == "lte":
        return bool(value <= operand)
    if op == "gt":
        return bool(value > operand)
    if op == "gte":
        return bool(value >= operand)
    if op == "between":
        low, high = operand
        return bool(low <= value <= high)
    if op == "in":
        return any(value == item for item in operand)
    if op == "not_in":
        return all(value != item for item in operand)
    raise ValueError(f"not a number operator: {op}")


def boolean_passes(value: bool, op: str) -> bool:
    if op == "is_true":
        return value is True
    if op == "is_false":
        return value is False
    raise ValueError(f"not a boolean operator: {op}")


def list_passes(value: Sequence[str], op: str, operand: Any) -> bool:
    if op == "has":
        return operand in value
    if op == "has_any":
        return any(item in value for item in operand)
    if op == "has_all":
        return all(item in value for item in operand)
    if op == "has_none":
        return not any(item in value for item in operand)
    raise ValueError(f"not a list operator: {op}")


def temporal_passes(clock: Clock, day: dt.date, instant: dt.datetime | None, test: Test) -> bool:
    """Date operators on `day` (the date, or the local day of the timestamp `instant`)."""
    op, operand, unit = test.op, test.value, test.unit
    if op == "on":
        return day == as_date(operand)
    if op == "before":
        return day < as_date(operand)
    if op == "after":
        return day > as_date(operand)
    if op == "between":
        low, high = operand
        return as_date(low) <= day <= as_date(high)
    if op in ("in_last", "in_next", "more_than_ago"):
        if unit is None:
            raise ValueError(f"{op} needs a unit")
        if unit is n.TimeUnit.HOUR:
            if instant is None:
                raise ValueError("the hour unit applies to timestamps only")
            return hours_pass(clock.as_of, instant, op, _whole(operand))
        return relative_days_pass(clock, day, instant, op=op, amount=_whole(operand), unit=unit)
    if op == "anniversary_within":
        if instant is not None:
            raise ValueError("anniversary_within applies to dates only")
        return days_to_next_anniversary(day, clock.today) <= _whole(operand)
    raise ValueError(f"not a date operator: {op}")


def relative_days_pass(
    clock: Clock,
    day: dt.date,
    instant: dt.datetime | None,
    *,
    op: str,
    amount: int,
    unit: n.TimeUnit,
) -> bool:
    """in_last / in_next / more_than_ago in calendar units, counted from today."""
    today = clock.today
    if op == "in_last":
        in_days = shift(today, -amount, unit) <= day <= today
        return in_days and (instant is None or instant <= clock.as_of)
    if op == "in_next":
        in_days = today <= day <= shift(today, amount, unit)
        return in_days and (instant is None or instant >= clock.as_of)
    return day < shift(today, -amount, unit)  # more_than_ago


def hours_pass(as_of: dt.datetime, instant: dt.datetime, op: str, hours: int) -> bool:
    """in_last / in_next / more_than_ago in exact hours from as_of."""
    span = dt.timedelta(hours=hours)
    if op == "in_last":
        return as_of - span <= instant <= as_of
    if op == "in_next":
        return as_of <= instant <= as_of + span
    return instant < as_of - span  # more_than_ago


# --- the tree -----------------------------------------------------------------------------

_HAS_DONE_IT = n.Comparison(op="gte", value=1)


class _Evaluator:
    """Walks a definition over the rows; one instance per `evaluate` call."""

    def __init__(
        self, catalog: Catalog, data: Data, as_of: dt.datetime, segments: Resolver | None
    ) -> None:
        self.catalog = catalog
        self.data = data
        self.as_of = as_of
        self.segments = segments
        self._segment_members: dict[str, frozenset[Any]] = {}
        self._resolving: set[str] = set()

    def rows(self, name: str) -> Sequence[Row]:
        return self.data.get(name, ())

    # -- whole definitions

    def members(self, definition: n.Definition) -> set[Any]:
        clock = Clock.at(self.as_of, definition.timezone)
        entity = self.catalog.entities[definition.audience]
        keys: set[Any] = set()
        for row in self.rows(entity.name):
            key = row.get(entity.key)
            if key is not None and self.holds(clock, entity.name, row, definition.condition):
                keys.add(key)
        return keys

    def members_of_segment(self, segment: str, audience: str) -> frozenset[Any]:
        """Members of a referenced segment: same as_of, the segment's own time zone."""
        if segment not in self._segment_members:
            if segment in self._resolving:
                raise ValueError(f"segment references form a cycle through {segment!r}")
            definition = self.segments(segment) if self.segments is not None else None
            if definition is None:
                raise KeyError(f"unknown segment {segment!r}")
            if definition.audience != audience:
                raise ValueError(f"segment {segment!r} is about {definition.audience}")
            self._resolving.add(segment)
            try:
                self._segment_members[segment] = frozenset(self.members(definition))
            finally:
                self._resolving.discard(segment)
        return self._segment_members[segment]

    # -- conditions

    def holds(self, clock: Clock, owner: str, row: Row, condition: Any) -> bool:
        """Whether `condition` holds for `row` of the entity or interaction `owner`."""
        if isinstance(condition, n.And):
            return all(self.holds(clock, owner, row, c) for c in condition.conditions)
        if isinstance(condition, n.Or):
            return any(self.holds(clock, owner, row, c) for c in condition.conditions)
        if isinstance(condition, n.Not):
            return not self.holds(clock, owner, row, condition.condition)
        if isinstance(condition, n.Attribute):
            return self.attribute_holds(clock, owner, row, condition)
        if isinstance(condition, n.Related):
            return self.related_holds(clock, self.catalog.entities[owner], row, condition)
        if isinstance(condition, n.Behavior):
            return self.behavior_holds(clock, self.catalog.entities[owner], row, condition)
        if isinstance(condition, n.InSegment):
            entity = self.catalog.entities[owner]
            members = self.members_of_segment(condition.segment, entity.name)
            return row.get(entity.key) in members
        raise TypeError(f"unknown condition {condition!r}")

    def attribute_holds(self, clock: Clock, owner: str, row: Row, node: n.Attribute) -> bool:
        typ, value = self.field_value(owner, row, node.field)
        return passes(clock, typ, value, node)

    def field_value(self, owner: str, row: Row, path: str) -> tuple[AttrType, Any]:
        """The type and value of a field, following many-to-one links for dotted paths."""
        if owner in self.catalog.interactions:
            return self.catalog.interactions[owner].attributes[path].type, row.get(path)
        entity = self.catalog.entities[owner]
        *links, name = path.split(".")
        current: Row | None = row
        for link in links:
            rel = entity.relationships[link]
            if rel.type != "many_to_one":
                raise ValueError(f"{entity.name}.{link} is not many-to-one")
            entity = self.catalog.entities[rel.target]
            current = None if current is None else self.find(entity, current.get(rel.foreign_key))
        typ = entity.attributes[name].type
        return typ, (current.get(name) if current is not None else None)

    def find(self, entity: Entity, key: Any) -> Row | None:
        """The row of `entity` with this key; None for a missing key or an orphan link."""
        if is_missing(key):
            return None
        for row in self.rows(entity.name):
            if row.get(entity.key) == key:
                return row
        return None

    def related_holds(self, clock: Clock, entity: Entity, row: Row, node: n.Related) -> bool:
        rel = entity.relationships[node.relationship]
        if rel.type != "one_to_many":
            raise ValueError(f"{entity.name}.{rel.name} is not one-to-many")
        key = row.get(entity.key)
        related = [
            r
            for r in self.rows(rel.target)
            if key is not None
            and r.get(rel.foreign_key) is not None
            and r.get(rel.foreign_key) == key
        ]
        matching = [
            r for r in related if node.where is None or self.holds(clock, rel.target, r, node.where)
        ]
        if node.count is not None:
            return number_passes(len(matching), node.count.op, node.count.value)
        if node.match in (None, "any"):  # any is the default
            return len(matching) > 0
        if node.match == "all":
            return len(related) > 0 and len(matching) == len(related)
        return len(matching) == 0  # none

    # -- behavior

    def behavior_holds(self, clock: Clock, entity: Entity, row: Row, node: n.Behavior) -> bool:
        interaction = self.catalog.interactions[node.interaction]
        matched = self.matching_interactions(clock, entity, row, interaction, node)
        given = [t for t in (node.count, node.aggregate, node.occurrence) if t is not None]
        if len(given) > 1:
            raise ValueError("a behavior takes one of count, aggregate, occurrence")
        if node.aggregate is not None:
            return self.aggregate_passes(clock, interaction, matched, node.aggregate)
        if node.occurrence is not None:
            return occurrence_passes(clock, interaction, matched, node.occurrence)
        count = node.count or _HAS_DONE_IT
        return number_passes(len(matched), count.op, count.value)

    def matching_interactions(
        self, clock: Clock, entity: Entity, row: Row, interaction: Interaction, node: n.Behavior
    ) -> list[Row]:
        """The profile's interactions at or before as_of, in the window, matching `where`."""
        if interaction.profile != entity.name:
            raise ValueError(f"{interaction.name} is not an interaction of {entity.name}")
        key = row.get(entity.key)
        matched: list[Row] = []
        for r in self.rows(interaction.name):
            if key is None or r.get(interaction.profile_key) != key:
                continue
            if not in_window(clock, r.get(interaction.timestamp), node.window):
                continue
            if node.where is None or self.holds(clock, interaction.name, r, node.where):
                matched.append(r)
        return matched

    def aggregate_passes(
        self, clock: Clock, interaction: Interaction, matched: list[Row], agg: n.Aggregate
    ) -> bool:
        typ = interaction.attributes[agg.field].type
        values: list[Any] = [r.get(agg.field) for r in matched if not is_missing(r.get(agg.field))]
        result: Any
        if agg.fn == "sum":
            result = sum(values) if values else 0  # sum of nothing (or only NULLs) is 0
        elif agg.fn == "avg":
            result = sum(values) / len(values) if values else None
            typ = AttrType.FLOAT
        elif agg.fn == "min":
            result = min(values) if values else None
        else:
            result = max(values) if values else None
        return passes(clock, typ, result, agg)


def in_window(clock: Clock, timestamp: dt.datetime | None, window: n.Window | None) -> bool:
    """At or before as_of, and inside the window (local days of the segment's zone)."""
    if timestamp is None:
        return False
    instant = as_utc(timestamp)
    if instant > clock.as_of:
        return False
    if window is None:
        return True
    if window.last is not None:
        if window.unit is None:
            raise ValueError("window.last needs a unit")
        if window.unit is n.TimeUnit.HOUR:
            return instant >= clock.as_of - dt.timedelta(hours=window.last)
        # from the start of the local day N units ago: its local day is that day or later
        return clock.local_day(timestamp) >= shift(clock.today, -window.last, window.unit)
    day = clock.local_day(timestamp)
    if window.from_ is not None and day < window.from_:
        return False
    return window.to is None or day <= window.to


def occurrence_passes(
    clock: Clock, interaction: Interaction, matched: list[Row], occ: n.Occurrence
) -> bool:
    times = [r[interaction.timestamp] for r in matched]
    if not times:
        result = None
    elif occ.which == "first":
        result = min(times, key=as_utc)
    else:
        result = max(times, key=as_utc)
    return passes(clock, AttrType.TIMESTAMP, result, occ)
