"""Checks of the reference evaluator itself, and of the definition generator feeding it.

The reference is only worth comparing engines against if it is right, so these tests pin
it to small cases computed by hand from docs/definition-language.md: local days across DST
changes, 29 February anniversaries, missing values under `not`, `related all` with no
records, `count eq 0`, calendar clamping, exact hours, segment references in their own time
zone. The last tests check that `strategies.definitions` reaches every node and operator,
and that the reference agrees with itself (`not` is the complement) on generated input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from reference.evaluator import Resolver, evaluate
from reference.strategies import (
    CATALOG,
    SEGMENTS,
    ZONES,
    cases,
    make_dataset,
    resolve_segment,
)
from segmint.catalog import AttrType
from segmint.definition import nodes as n
from segmint.definition.operators import COUNT, TIMESTAMP, operators_for

UTC = dt.UTC
Rows = Mapping[str, Sequence[Mapping[str, Any]]]


def at(text: str) -> dt.datetime:
    """An aware UTC instant from ISO text without an offset."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def naive(text: str) -> dt.datetime:
    """A stored timestamp: naive UTC."""
    return dt.datetime.fromisoformat(text)


def members(
    data: Rows,
    condition: Any,
    as_of: dt.datetime,
    timezone: str = "UTC",
    segments: Resolver | None = resolve_segment,
) -> set[Any]:
    definition = n.Definition(audience="contact", timezone=timezone, condition=condition)
    return evaluate(CATALOG, data, definition, as_of, segments)


def contacts(**columns: Any) -> list[dict[str, Any]]:
    """One contact row per keyword: `key={column: value, ...}`."""
    return [{"contact_id": key, **value} for key, value in columns.items()]


def with_column(column: str, **values: Any) -> list[dict[str, Any]]:
    """One contact row per keyword, `key=value` setting just `column`."""
    return [{"contact_id": key, column: value} for key, value in values.items()]


def attr(field: str, op: str, value: Any = None, unit: str | None = None) -> n.Attribute:
    return n.Attribute(field=field, op=op, value=value, unit=unit)


# --- local days and DST ---------------------------------------------------------------------


def test_timestamps_compare_by_local_day_of_the_segment_zone() -> None:
    data = {
        "contact": with_column(
            "last_login",
            pst_evening=naive("2025-03-09T07:30:00"),  # 2025-03-08 23:30 in Los Angeles
            pst_midnight=naive("2025-03-09T08:00:00"),  # 2025-03-09 00:00 in Los Angeles
        )
    }
    on_day = attr("last_login", "on", "2025-03-09")
    as_of = at("2025-03-20T00:00:00")
    assert members(data, on_day, as_of, "America/Los_Angeles") == {"pst_midnight"}
    assert members(data, on_day, as_of, "UTC") == {"pst_evening", "pst_midnight"}
    assert members(
        data, attr("last_login", "before", "2025-03-09"), as_of, "America/Los_Angeles"
    ) == {"pst_evening"}


def _opens(**times: str) -> Rows:
    return {
        "contact": contacts(**{key: {} for key in times}),
        "email_opened": [{"contact_id": key, "opened_at": naive(t)} for key, t in times.items()],
    }


TODAY = n.Behavior(interaction="email_opened", window=n.Window(last=0, unit="day"))


def test_window_covers_the_whole_23_hour_day_of_spring_forward() -> None:
    data = _opens(
        before_day="2025-03-09T07:59:59",  # 03-08 23:59:59 PST
        day_start="2025-03-09T08:00:00",  # 03-09 00:00 PST
        day_end="2025-03-10T06:59:59",  # 03-09 23:59:59 PDT
    )
    as_of = at("2025-03-10T06:59:59")
    assert members(data, TODAY, as_of, "America/Los_Angeles") == {"day_start", "day_end"}
    assert members(data, TODAY, as_of, "UTC") == {"day_end"}


def test_window_starts_when_a_day_without_midnight_starts() -> None:
    # Santiago, 2025-09-07: clocks jump from 00:00 (-04) to 01:00 (-03); the day starts 04:00Z.
    data = _opens(late="2025-09-07T03:59:59", early="2025-09-07T04:00:00")
    assert members(data, TODAY, at("2025-09-07T12:00:00"), "America/Santiago") == {"early"}


def test_window_on_a_25_hour_day_and_half_hour_zones() -> None:
    # Berlin, 2025-10-26 runs from 2025-10-25T22:00Z to 2025-10-26T23:00Z (25 hours).
    data = _opens(
        first="2025-10-25T22:00:00",
        last="2025-10-26T22:59:59",
        next_day="2025-10-26T23:00:00",
    )
    assert members(data, TODAY, at("2025-10-26T23:30:00"), "Europe/Berlin") == {"next_day"}
    assert members(data, TODAY, at("2025-10-26T22:59:59"), "Europe/Berlin") == {"first", "last"}
    # Kolkata is +05:30: "first" is 10-26 03:30 there, "last" and "next_day" are on 10-27.
    assert members(data, TODAY, at("2025-10-26T18:29:59"), "Asia/Kolkata") == {"first"}
    assert members(data, TODAY, at("2025-10-26T23:30:00"), "Asia/Kolkata") == {"last", "next_day"}


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birthday", "today", "days", "expected"),
    [
        ("2000-02-29", "2025-02-28", 0, True),  # falls on 28 February in 2025
        ("2000-02-29", "2025-02-27", 0, False),
        ("2000-02-29", "2025-02-27", 1, True),
        ("2000-02-29", "2025-03-01", 363, False),  # next one: 2026-02-28, 364 days away
        ("2000-02-29", "2025-03-01", 364, True),
        ("2000-02-29", "2028-02-28", 0, False),  # 2028 is a leap year: 29 February
        ("2000-02-29", "2028-02-28", 1, True),
        ("2000-02-29", "2028-02-29", 0, True),
        ("1990-02-28", "2028-02-29", 365, True),  # 2029-02-28 is 365 days away
        ("1990-02-28", "2028-02-29", 364, False),
        ("1990-12-31", "2025-12-31", 0, True),
        ("1990-12-31", "2026-01-01", 363, False),
        ("1990-12-31", "2026-01-01", 364, True),
        ("2030-06-01", "2025-05-30", 2, True),  # a date in the future: only month and day count
    ],
)
def test_anniversary_within(birthday: str, today: str, days: int, expected: bool) -> None:
    data = {"contact": with_column("birthday", x=dt.date.fromisoformat(birthday))}
    as_of = at(f"{today}T12:00:00")
    got = members(data, attr("birthday", "anniversary_within", days), as_of)
    assert got == ({"x"} if expected else set())


def test_calendar_months_clamp_to_the_last_day() -> None:
    days = {
        "d0227": "2025-02-27",
        "d0228": "2025-02-28",
        "d0331": "2025-03-31",
        "d0401": "2025-04-01",
    }
    data = {
        "contact": with_column(
            "signup_date", **{k: dt.date.fromisoformat(v) for k, v in days.items()}
        )
    }
    as_of = at("2025-03-31T12:00:00")  # today - 1 month = 2025-02-28
    assert members(data, attr("signup_date", "in_last", 1, "month"), as_of) == {"d0228", "d0331"}
    assert members(data, attr("signup_date", "more_than_ago", 1, "month"), as_of) == {"d0227"}
    jan_31 = at("2025-01-31T12:00:00")  # today + 1 month = 2025-02-28
    assert members(data, attr("signup_date", "in_next", 1, "month"), jan_31) == {"d0227", "d0228"}
    leap_day = at("2024-02-29T12:00:00")  # today + 1 year = 2025-02-28
    assert members(data, attr("signup_date", "in_next", 1, "year"), leap_day) == {"d0227", "d0228"}
    assert members(data, attr("signup_date", "in_next", 1, "week"), jan_31) == set()


def test_hours_count_exactly_from_as_of() -> None:
    logins = {
        "h0559": "2025-03-09T05:59:59",
        "h0600": "2025-03-09T06:00:00",
        "h1200": "2025-03-09T12:00:00",
        "h1200plus": "2025-03-09T12:00:00.000001",
        "h1800": "2025-03-09T18:00:00",
        "h1801": "2025-03-09T18:00:01",
    }
    data = {"contact": with_column("last_login", **{k: naive(v) for k, v in logins.items()})}
    as_of = at("2025-03-09T12:00:00")
    assert members(data, attr("last_login", "in_last", 6, "hour"), as_of) == {"h0600", "h1200"}
    assert members(data, attr("last_login", "in_next", 6, "hour"), as_of) == {
        "h1200",
        "h1200plus",
        "h1800",
    }
    assert members(data, attr("last_login", "more_than_ago", 6, "hour"), as_of) == {"h0559"}


def test_timestamps_in_last_days_stop_at_as_of_and_in_next_starts_there() -> None:
    logins = {
        "morning": "2025-06-01T08:00:00",
        "noon": "2025-06-01T12:00:00",
        "evening": "2025-06-01T20:00:00",
    }
    data = {"contact": with_column("last_login", **{k: naive(v) for k, v in logins.items()})}
    as_of = at("2025-06-01T12:00:00")
    assert members(data, attr("last_login", "in_last", 0, "day"), as_of) == {"morning", "noon"}
    assert members(data, attr("last_login", "in_next", 0, "day"), as_of) == {"noon", "evening"}
    assert members(data, attr("last_login", "more_than_ago", 0, "day"), as_of) == set()


# --- missing values -------------------------------------------------------------------------


def test_missing_values_match_only_is_empty_and_not_flips() -> None:
    data = {"contact": with_column("city", a="Seattle", b="Tacoma", c=None, d="")}
    as_of = at("2025-06-01T00:00:00")
    assert members(data, attr("city", "eq", "Seattle"), as_of) == {"a"}
    assert members(data, attr("city", "neq", "Seattle"), as_of) == {"b"}
    assert members(data, n.Not(condition=attr("city", "eq", "Seattle")), as_of) == {"b", "c", "d"}
    assert members(data, attr("city", "not_in", ["Seattle"]), as_of) == {"b"}
    assert members(data, attr("city", "not_contains", "x"), as_of) == {"a", "b"}
    assert members(data, attr("city", "is_empty"), as_of) == {"c", "d"}
    assert members(data, attr("city", "is_not_empty"), as_of) == {"a", "b"}
    assert members(data, n.Not(condition=attr("city", "is_empty")), as_of) == {"a", "b"}


def test_empty_lists_are_missing() -> None:
    data = {"contact": with_column("interests", golf=["golf"], empty=[], null=None)}
    as_of = at("2025-06-01T00:00:00")
    assert members(data, attr("interests", "has_none", ["yoga"]), as_of) == {"golf"}
    assert members(data, attr("interests", "is_empty"), as_of) == {"empty", "null"}
    assert members(data, n.Not(condition=attr("interests", "has", "golf")), as_of) == {
        "empty",
        "null",
    }


def test_text_is_exact_and_wildcards_are_ordinary_characters() -> None:
    data = {
        "contact": with_column(
            "city", pct="100%", under="a_b", slash="C:\\dir", accent="Séattle", plain="ab"
        )
    }
    as_of = at("2025-06-01T00:00:00")
    assert members(data, attr("city", "contains", "%"), as_of) == {"pct"}
    assert members(data, attr("city", "contains", "_"), as_of) == {"under"}
    assert members(data, attr("city", "starts_with", "a_"), as_of) == {"under"}
    assert members(data, attr("city", "ends_with", "\\dir"), as_of) == {"slash"}
    assert members(data, attr("city", "eq", "Seattle"), as_of) == set()
    assert members(data, attr("city", "eq", "séattle"), as_of) == set()


def test_dotted_paths_through_missing_and_orphan_links_are_missing() -> None:
    data: Rows = {
        "contact": contacts(
            full={"account_id": "a1"},
            no_region={"account_id": "a2"},
            orphan={"account_id": "ghost"},
            no_account={"account_id": None},
        ),
        "account": [
            {"account_id": "a1", "region_id": 1},
            {"account_id": "a2", "region_id": None},
        ],
        "region": [{"region_id": 1, "name": "West"}],
    }
    as_of = at("2025-06-01T00:00:00")
    assert members(data, attr("account.region.name", "eq", "West"), as_of) == {"full"}
    assert members(data, attr("account.region.name", "is_empty"), as_of) == {
        "no_region",
        "orphan",
        "no_account",
    }
    assert members(data, attr("account.region_id", "is_empty"), as_of) == {
        "no_region",
        "orphan",
        "no_account",
    }


# --- related --------------------------------------------------------------------------------


def _orders() -> Rows:
    return {
        "contact": contacts(none={}, returned={}, mixed={}),
        "orders": [
            {"order_id": 1, "contact_id": "returned", "status": "returned"},
            {"order_id": 2, "contact_id": "returned", "status": "returned"},
            {"order_id": 3, "contact_id": "mixed", "status": "returned"},
            {"order_id": 4, "contact_id": "mixed", "status": None},
            {"order_id": 5, "contact_id": None, "status": "returned"},
            {"order_id": 6, "contact_id": "ghost", "status": "shipped"},
        ],
    }


@pytest.mark.parametrize(
    ("match", "with_where", "expected"),
    [
        ("any", True, {"returned", "mixed"}),
        ("all", True, {"returned"}),  # "none" has no orders: all needs at least one
        ("none", True, {"none"}),
        ("any", False, {"returned", "mixed"}),
        ("all", False, {"returned", "mixed"}),
        ("none", False, {"none"}),
    ],
)
def test_related_match(match: str, with_where: bool, expected: set[str]) -> None:
    where = attr("status", "eq", "returned") if with_where else None
    node = n.Related(relationship="orders", match=match, where=where)
    assert members(_orders(), node, at("2025-06-01T00:00:00")) == expected


def test_related_count_counts_zero() -> None:
    where = attr("status", "eq", "returned")
    as_of = at("2025-06-01T00:00:00")
    zero = n.Related(relationship="orders", where=where, count=n.Comparison(op="eq", value=0))
    assert members(_orders(), zero, as_of) == {"none"}
    two = n.Related(relationship="orders", where=where, count=n.Comparison(op="eq", value=2))
    assert members(_orders(), two, as_of) == {"returned"}
    not_all = n.Not(condition=n.Related(relationship="orders", match="all", where=where))
    assert members(_orders(), not_all, as_of) == {"none", "mixed"}


# --- behavior -------------------------------------------------------------------------------


def _purchases() -> Rows:
    rows = [
        ("before", "2025-05-01T00:00:00", None),
        ("before", "2025-05-02T00:00:00", None),
        ("mixed", "2025-05-03T00:00:00", 10.0),
        ("mixed", "2025-05-04T00:00:00", None),
        ("mixed", "2025-05-05T00:00:00", 20.5),
        ("after", "2025-06-01T00:00:00.000001", 99.0),
        ("undated", None, 5.0),
    ]
    return {
        "contact": contacts(before={}, mixed={}, after={}, never={}, undated={}),
        "purchase": [
            {"contact_id": c, "purchased_at": t and naive(t), "amount": amount}
            for c, t, amount in rows
        ],
    }


AS_OF = at("2025-06-01T00:00:00")


def test_count_eq_0_selects_those_who_never_did_it_by_as_of() -> None:
    never = n.Behavior(interaction="purchase", count=n.Comparison(op="eq", value=0))
    assert members(_purchases(), never, AS_OF) == {"after", "never", "undated"}
    assert members(_purchases(), n.Behavior(interaction="purchase"), AS_OF) == {"before", "mixed"}
    later = at("2025-06-01T00:00:00.000001")
    assert members(_purchases(), never, later) == {"never", "undated"}


@pytest.mark.parametrize(
    ("fn", "op", "value", "expected"),
    [
        ("sum", "eq", 0, {"before", "after", "never", "undated"}),  # nothing / only NULLs: 0
        ("sum", "eq", 30.5, {"mixed"}),
        ("sum", "is_empty", None, set()),
        ("avg", "eq", 15.25, {"mixed"}),
        ("avg", "is_empty", None, {"before", "after", "never", "undated"}),
        ("max", "is_empty", None, {"before", "after", "never", "undated"}),
        ("min", "eq", 10.0, {"mixed"}),
        ("max", "gt", 20, {"mixed"}),
    ],
)
def test_aggregates_of_nothing(fn: str, op: str, value: Any, expected: set[str]) -> None:
    aggregate = n.Aggregate(fn=fn, field="amount", op=op, value=value)
    assert (
        members(_purchases(), n.Behavior(interaction="purchase", aggregate=aggregate), AS_OF)
        == expected
    )


def test_min_max_of_timestamps_and_occurrence() -> None:
    first = n.Occurrence(which="first", op="on", value="2025-05-01")
    assert members(_purchases(), n.Behavior(interaction="purchase", occurrence=first), AS_OF) == {
        "before"
    }
    last = n.Occurrence(which="last", op="more_than_ago", value=28, unit="day")  # before 05-04
    assert members(_purchases(), n.Behavior(interaction="purchase", occurrence=last), AS_OF) == {
        "before"
    }
    latest = n.Aggregate(fn="max", field="purchased_at", op="after", value="2025-05-04")
    node = n.Behavior(interaction="purchase", aggregate=latest)
    assert members(_purchases(), node, AS_OF) == {"mixed"}
    missing = n.Occurrence(which="last", op="is_empty")
    assert members(_purchases(), n.Behavior(interaction="purchase", occurrence=missing), AS_OF) == {
        "after",
        "never",
        "undated",
    }


def test_windows() -> None:
    as_of = at("2025-05-05T12:00:00")
    last_2_days = n.Behavior(interaction="purchase", window=n.Window(last=2, unit="day"))
    assert members(_purchases(), last_2_days, as_of) == {"mixed"}  # from 05-03 00:00
    last_3_days = n.Behavior(interaction="purchase", window=n.Window(last=3, unit="day"))
    assert members(_purchases(), last_3_days, as_of) == {"before", "mixed"}  # 05-02 counts
    hours = n.Behavior(interaction="purchase", window=n.Window(last=84, unit="hour"))
    assert members(_purchases(), hours, as_of) == {"before", "mixed"}  # from 05-02T00:00Z
    hours = n.Behavior(interaction="purchase", window=n.Window(last=83, unit="hour"))
    assert members(_purchases(), hours, as_of) == {"mixed"}  # from 05-02T01:00Z
    dates = n.Window(from_=dt.date(2025, 5, 2), to=dt.date(2025, 5, 2))
    assert members(_purchases(), n.Behavior(interaction="purchase", window=dates), as_of) == {
        "before"
    }
    from_only = n.Behavior(interaction="purchase", window=n.Window(from_=dt.date(2025, 5, 4)))
    assert members(_purchases(), from_only, AS_OF) == {"mixed"}  # but not "after"
    # in Los Angeles 05-03T00:00Z is still 05-02
    assert members(
        _purchases(), n.Behavior(interaction="purchase", window=dates), as_of, "America/Los_Angeles"
    ) == {"mixed"}


def test_behavior_where_filters_before_counting() -> None:
    where = attr("amount", "gt", 15)
    node = n.Behavior(interaction="purchase", where=where, count=n.Comparison(op="eq", value=1))
    assert members(_purchases(), node, AS_OF) == {"mixed"}


# --- segment references ---------------------------------------------------------------------


def test_in_segment_uses_the_referenced_segments_time_zone() -> None:
    berlin_today = n.Definition(
        audience="contact",
        timezone="Europe/Berlin",
        condition=attr("last_login", "in_last", 0, "day"),
    )
    resolver = {"berlin-today": berlin_today}.get
    data = {
        "contact": with_column(
            "last_login",
            berlin_02=naive("2025-06-01T22:30:00"),  # 06-02 00:30 in Berlin
            berlin_01=naive("2025-06-01T21:00:00"),  # 06-01 23:00 in Berlin
        )
    }
    as_of = at("2025-06-01T23:30:00")  # 06-02 01:30 in Berlin
    reference = n.InSegment(segment="berlin-today")
    assert members(data, reference, as_of, "UTC", resolver) == {"berlin_02"}
    assert members(data, attr("last_login", "in_last", 0, "day"), as_of, "UTC") == {
        "berlin_02",
        "berlin_01",
    }
    assert members(data, n.Not(condition=reference), as_of, "UTC", resolver) == {"berlin_01"}


def test_fixed_segments_reference_each_other() -> None:
    dataset = make_dataset(seed=1)
    as_of = at("2025-06-01T00:00:00")
    quiet = evaluate(CATALOG, dataset.rows, SEGMENTS["quiet-big-spenders"], as_of, resolve_segment)
    big = evaluate(CATALOG, dataset.rows, SEGMENTS["big-spenders"], as_of, resolve_segment)
    recent = evaluate(CATALOG, dataset.rows, SEGMENTS["recent-openers"], as_of, resolve_segment)
    assert quiet == big - recent
    assert big
    assert recent


# --- the generator --------------------------------------------------------------------------

DATASET = make_dataset(seed=3)


def _walk(condition: Any, owner: str, depth: int = 1) -> Iterator[tuple[Any, ...]]:
    """Features of a condition tree: node kinds, (type, op) pairs, modes, depths."""
    yield ("depth", depth)
    yield ("node", condition.type)
    if isinstance(condition, n.And | n.Or):
        for child in condition.conditions:
            yield from _walk(child, owner, depth + 1)
    elif isinstance(condition, n.Not):
        yield from _walk(condition.condition, owner, depth + 1)
    elif isinstance(condition, n.Attribute):
        yield from _attribute_features(condition, owner)
    elif isinstance(condition, n.Related):
        yield ("related", "count" if condition.count else condition.match)
        if condition.count:
            yield ("count op", condition.count.op)
        target = CATALOG.entities[owner].relationships[condition.relationship].target
        if condition.where is not None:
            yield ("nested in", condition.relationship)
            yield from _walk(condition.where, target, depth + 1)
    elif isinstance(condition, n.Behavior):
        yield from _behavior_features(condition, depth)


def _attribute_features(node: n.Attribute, owner: str) -> Iterator[tuple[Any, ...]]:
    if owner in CATALOG.interactions:
        typ = CATALOG.interactions[owner].attributes[node.field].type
    else:
        typ = CATALOG.resolve_field(owner, node.field).attribute.type
    yield ("op", typ, node.op)
    yield ("hops", node.field.count("."))
    if node.unit is not None:
        yield ("unit", typ, node.unit)


def _behavior_features(node: n.Behavior, depth: int) -> Iterator[tuple[Any, ...]]:
    if node.window is None:
        yield ("window", None)
    elif node.window.last is not None:
        yield ("window", node.window.unit)
    else:
        yield ("window", node.window.from_ is not None, node.window.to is not None)
    if node.count is not None:
        yield ("behavior", "count")
        yield ("count op", node.count.op)
    elif node.aggregate is not None:
        yield ("behavior", "aggregate")
        typ = CATALOG.interactions[node.interaction].attributes[node.aggregate.field].type
        yield ("aggregate", node.aggregate.fn, typ)
        yield ("aggregate op", node.aggregate.op)
    elif node.occurrence is not None:
        yield ("behavior", "occurrence")
        yield ("occurrence", node.occurrence.which)
        yield ("occurrence op", node.occurrence.op)
    else:
        yield ("behavior", "has done it")
    if node.where is not None:
        yield from _walk(node.where, node.interaction, depth + 1)


def _expected_features() -> set[tuple[Any, ...]]:
    expected: set[tuple[Any, ...]] = {("depth", 5), ("hops", 0), ("hops", 1), ("hops", 2)}
    expected |= {
        ("node", kind)
        for kind in ("and", "or", "not", "attribute", "related", "behavior", "in_segment")
    }
    expected |= {("op", typ, op) for typ in AttrType for op in operators_for(typ)}
    expected |= {("unit", AttrType.TIMESTAMP, unit) for unit in n.TimeUnit}
    expected |= {
        ("unit", AttrType.DATE, unit) for unit in n.TimeUnit if unit is not n.TimeUnit.HOUR
    }
    expected |= {("related", mode) for mode in ("any", "all", "none", "count")}
    expected |= {("behavior", kind) for kind in ("has done it", "count", "aggregate", "occurrence")}
    expected |= {("count op", op) for op in COUNT}
    expected |= {("window", unit) for unit in (None, *n.TimeUnit)}
    expected |= {("window", True, False), ("window", False, True), ("window", True, True)}
    expected |= {("occurrence", which) for which in ("first", "last")}
    expected |= {("occurrence op", op) for op in TIMESTAMP}
    expected |= {("aggregate", fn, AttrType.FLOAT) for fn in ("sum", "avg", "min", "max")}
    expected |= {("aggregate", fn, AttrType.INTEGER) for fn in ("sum", "avg", "min", "max")}
    expected |= {
        ("aggregate", fn, t) for fn in ("min", "max") for t in (AttrType.DATE, AttrType.TIMESTAMP)
    }
    expected |= {("nested in", "orders"), ("nested in", "lines")}
    expected |= {("zone", zone) for zone in ZONES}
    return expected


def test_generated_definitions_cover_the_whole_language() -> None:
    seen: set[tuple[Any, ...]] = set()

    @settings(
        max_examples=1500,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(CATALOG, DATASET.rows))
    def collect(case: tuple[n.Definition, dt.datetime]) -> None:
        definition, _ = case
        seen.add(("zone", definition.timezone))
        seen.update(_walk(definition.condition, definition.audience))

    collect()
    assert _expected_features() - seen == set()


@settings(max_examples=200, deadline=None)
@given(case=cases(CATALOG, DATASET.rows))
def test_not_is_the_complement_on_generated_definitions(
    case: tuple[n.Definition, dt.datetime],
) -> None:
    definition, as_of = case
    everyone = {row["contact_id"] for row in DATASET.rows["contact"]}
    selected = evaluate(CATALOG, DATASET.rows, definition, as_of, resolve_segment)
    negated = definition.model_copy(update={"condition": n.Not(condition=definition.condition)})
    assert selected <= everyone
    assert evaluate(CATALOG, DATASET.rows, negated, as_of, resolve_segment) == everyone - selected


def test_generated_values_are_sometimes_in_the_data() -> None:
    hits: list[int] = []

    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(CATALOG, DATASET.rows))
    def collect(case: tuple[n.Definition, dt.datetime]) -> None:
        definition, as_of = case
        hits.append(len(evaluate(CATALOG, DATASET.rows, definition, as_of, resolve_segment)))

    collect()
    everyone = len(DATASET.rows["contact"])
    assert sum(0 < h < everyone for h in hits) > len(hits) // 3  # most select some, not all
