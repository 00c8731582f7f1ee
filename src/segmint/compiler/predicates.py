"""Value tests: one operator applied to one column, as a strict (never NULL) Ibis boolean.

A missing value (NULL, empty text, empty list) fails every test but `is_empty`. Values
enter only as typed Ibis literals; text tests use literal string functions, never LIKE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir

from segmint.catalog import AttrType
from segmint.compiler.timeline import Clock
from segmint.definition.nodes import TimeUnit
from segmint.errors import InternalError

Test = Callable[[ir.Value, Any, TimeUnit | None, Clock], ir.BooleanValue]


def missing(col: ir.Value, typ: AttrType) -> ir.BooleanValue:
    """True where the value counts as missing for its type."""
    if typ is AttrType.STRING:
        return col.isnull() | (col == ibis.literal("", type="string"))
    if typ is AttrType.LIST:
        return col.isnull() | (col.length() == 0)
    return col.isnull()


def _lit(value: Any, typ: AttrType) -> ir.Value:
    if typ is AttrType.STRING or typ is AttrType.LIST:
        return ibis.literal(value, type="string")
    if typ is AttrType.INTEGER:
        return ibis.literal(value, type="int64")
    if typ is AttrType.FLOAT:
        return ibis.literal(float(value), type="float64")
    if typ is AttrType.DATE:
        return ibis.literal(dt.date.fromisoformat(value), type="date")
    raise InternalError(f"no literal for {typ.value}")


def _unit(unit: TimeUnit | None) -> TimeUnit:
    if unit is None:  # the checker requires a unit for relative operators
        raise InternalError("relative date test without a unit")
    return unit


def _ts(value: dt.datetime) -> ir.Value:
    return ibis.literal(value, type="timestamp")


def _day(value: dt.date) -> ir.Value:
    return ibis.literal(value, type="date")


# --- text, numbers and lists --------------------------------------------------------------


def _scalar_tests(typ: AttrType) -> dict[str, Test]:
    def lit(v: Any) -> ir.Value:
        return _lit(v, typ)

    def values(v: Any) -> list[ir.Value]:
        return [lit(x) for x in v]

    return {
        "eq": lambda c, v, u, k: c == lit(v),
        "neq": lambda c, v, u, k: c != lit(v),
        "lt": lambda c, v, u, k: c < lit(v),
        "lte": lambda c, v, u, k: c <= lit(v),
        "gt": lambda c, v, u, k: c > lit(v),
        "gte": lambda c, v, u, k: c >= lit(v),
        "between": lambda c, v, u, k: (c >= lit(v[0])) & (c <= lit(v[1])),
        "in": lambda c, v, u, k: c.isin(values(v)),
        "not_in": lambda c, v, u, k: c.notin(values(v)),
        "contains": lambda c, v, u, k: c.contains(lit(v)),
        "not_contains": lambda c, v, u, k: ~c.contains(lit(v)),
        "starts_with": lambda c, v, u, k: c.startswith(lit(v)),
        "ends_with": lambda c, v, u, k: c.endswith(lit(v)),
    }


def _any_of(col: ir.Value, items: Any) -> ir.BooleanValue:
    tests = [col.contains(ibis.literal(x, type="string")) for x in items]
    return ibis.or_(*tests)


LIST_TESTS: dict[str, Test] = {
    "has": lambda c, v, u, k: c.contains(ibis.literal(v, type="string")),
    "has_any": lambda c, v, u, k: _any_of(c, v),
    "has_all": lambda c, v, u, k: ibis.and_(
        *[c.contains(ibis.literal(x, type="string")) for x in v]
    ),
    "has_none": lambda c, v, u, k: ~_any_of(c, v),
}

BOOLEAN_TESTS: dict[str, Test] = {
    "is_true": lambda c, v, u, k: c == ibis.literal(True),
    "is_false": lambda c, v, u, k: c == ibis.literal(False),
}


# --- dates: calendar days compared with calendar days ---------------------------------------


def _date_in_last(c: ir.Value, v: Any, u: TimeUnit | None, k: Clock) -> ir.BooleanValue:
    u = _unit(u)
    return (c >= _day(k.relative(-v, u))) & (c <= _day(k.today))


def _date_in_next(c: ir.Value, v: Any, u: TimeUnit | None, k: Clock) -> ir.BooleanValue:
    u = _unit(u)
    return (c >= _day(k.today)) & (c <= _day(k.relative(v, u)))


def _anniversary(c: ir.Value, v: Any, _u: TimeUnit | None, k: Clock) -> ir.BooleanValue:
    today = k.today
    month, day = c.month(), c.day()

    def in_year(year: int) -> ir.Value:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        fixed = day if leap else ibis.ifelse((month == 2) & (day == 29), 28, day)
        return ibis.date(year, month, fixed)

    if today.year >= dt.MAXYEAR:
        return ibis.literal(False)
    this_year = in_year(today.year)
    upcoming = ibis.ifelse(this_year >= _day(today), this_year, in_year(today.year + 1))
    return upcoming <= _day(today + dt.timedelta(days=v))


DATE_TESTS: dict[str, Test] = {
    "on": lambda c, v, u, k: c == _lit(v, AttrType.DATE),
    "before": lambda c, v, u, k: c < _lit(v, AttrType.DATE),
    "after": lambda c, v, u, k: c > _lit(v, AttrType.DATE),
    "between": lambda c, v, u, k: (
        (c >= _lit(v[0], AttrType.DATE)) & (c <= _lit(v[1], AttrType.DATE))
    ),
    "in_last": _date_in_last,
    "in_next": _date_in_next,
    "more_than_ago": lambda c, v, u, k: c < _day(k.relative(-v, _unit(u))),
    "anniversary_within": _anniversary,
}


# --- timestamps: instants compared with the UTC bounds of local days -----------------------


def _start(k: Clock, day: dt.date) -> ir.Value:
    return _ts(k.day_start(day))


def _after_day(k: Clock, day: dt.date) -> ir.Value:
    """The first instant after a local day."""
    return _ts(k.day_after(day))


def _ts_in_last(c: ir.Value, v: Any, u: TimeUnit | None, k: Clock) -> ir.BooleanValue:
    u = _unit(u)
    low = _ts(k.hours(-v)) if u is TimeUnit.HOUR else _start(k, k.relative(-v, u))
    return (c >= low) & (c <= _ts(k.now_utc))


def _ts_in_next(c: ir.Value, v: Any, u: TimeUnit | None, k: Clock) -> ir.BooleanValue:
    u = _unit(u)
    if u is TimeUnit.HOUR:
        return (c >= _ts(k.now_utc)) & (c <= _ts(k.hours(v)))
    return (c >= _ts(k.now_utc)) & (c < _after_day(k, k.relative(v, u)))


def _ts_more_than_ago(c: ir.Value, v: Any, u: TimeUnit | None, k: Clock) -> ir.BooleanValue:
    u = _unit(u)
    if u is TimeUnit.HOUR:
        return c < _ts(k.hours(-v))
    return c < _start(k, k.relative(-v, u))


def _iso(v: Any) -> dt.date:
    return dt.date.fromisoformat(v)


TIMESTAMP_TESTS: dict[str, Test] = {
    "on": lambda c, v, u, k: (c >= _start(k, _iso(v))) & (c < _after_day(k, _iso(v))),
    "before": lambda c, v, u, k: c < _start(k, _iso(v)),
    "after": lambda c, v, u, k: c >= _after_day(k, _iso(v)),
    "between": lambda c, v, u, k: (c >= _start(k, _iso(v[0]))) & (c < _after_day(k, _iso(v[1]))),
    "in_last": _ts_in_last,
    "in_next": _ts_in_next,
    "more_than_ago": _ts_more_than_ago,
}


TESTS: dict[AttrType, dict[str, Test]] = {
    AttrType.STRING: _scalar_tests(AttrType.STRING),
    AttrType.INTEGER: _scalar_tests(AttrType.INTEGER),
    AttrType.FLOAT: _scalar_tests(AttrType.FLOAT),
    AttrType.BOOLEAN: BOOLEAN_TESTS,
    AttrType.DATE: DATE_TESTS,
    AttrType.TIMESTAMP: TIMESTAMP_TESTS,
    AttrType.LIST: LIST_TESTS,
}


# Tests that are already false or NULL on a missing value: NULL propagates through them, and
# an empty text or list fails them as long as no operand is empty itself.
_NULL_TYPES = frozenset(
    {AttrType.INTEGER, AttrType.FLOAT, AttrType.DATE, AttrType.TIMESTAMP, AttrType.BOOLEAN}
)
_FAILS_ON_EMPTY = {
    AttrType.STRING: frozenset({"eq", "in", "contains", "starts_with", "ends_with"}),
    AttrType.LIST: frozenset({"has", "has_any", "has_all"}),
}


def _fails_when_missing(typ: AttrType, op: str, value: Any) -> bool:
    if typ in _NULL_TYPES:
        return True
    operands = value if isinstance(value, list | tuple) else [value]
    return op in _FAILS_ON_EMPTY.get(typ, frozenset()) and all(v != "" for v in operands)


def value_test(
    col: ir.Value,
    typ: AttrType,
    op: str,
    value: Any,
    unit: TimeUnit | None,
    clock: Clock,
    strict: bool = True,
) -> ir.BooleanValue:
    """`col op value`: missing values match only is_empty. Strict (never NULL) unless told
    otherwise; then NULL may stand for false where a missing value fails anyway, which
    spares the engine the guard."""
    gone = missing(col, typ)
    if op == "is_empty":
        return gone
    if op == "is_not_empty":
        return ~gone
    table = TESTS[typ]
    if op not in table:
        raise InternalError(f"operator {op!r} has no compiler for {typ.value}")
    if not strict and _fails_when_missing(typ, op, value):
        return table[op](col, value, unit, clock)
    # The test is NULL only where the column is NULL, which `~gone` already rules out, so
    # the conjunction is never NULL; it stays a plain comparison the engine can prune on.
    return ~gone & table[op](col, value, unit, clock)
