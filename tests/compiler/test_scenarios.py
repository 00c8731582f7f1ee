"""Scenario tables: who is in a segment as `as_of` moves, written out by hand.

This module owns a tiny dataset of four contacts with events at fixed offsets from a base
instant, a few everyday definitions (opened an email in the last 7 days, purchased at least
twice in the last 30 days, last visit more than 14 days ago, birthday within 7 days...) and,
for each, a table of `as_of` values and the member set expected then, computed by hand from
docs/definition-language.md (see the comments). Each row is checked against both the
reference evaluator and the DuckDB engine, so a disagreement shows which one is wrong.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest

from reference.evaluator import evaluate
from reference.strategies import arrow_tables
from segmint.catalog import Catalog, parse_model, resolve_catalog
from segmint.definition import nodes as n

if TYPE_CHECKING:
    from segmint.engines.duckdb import DuckDBEngine

UTC = dt.UTC


def _events(timestamp: str, **extra: str) -> dict[str, Any]:
    attributes = {"contact_id": {"type": "string"}, timestamp: {"type": "timestamp"}}
    attributes |= {name: {"type": typ} for name, typ in extra.items()}
    return {
        "profile": "contact",
        "profile_key": "contact_id",
        "timestamp": timestamp,
        "source": f"data/{timestamp}.parquet",
        "attributes": attributes,
    }


MODEL: dict[str, Any] = {
    "entities": {
        "contact": {
            "key": "contact_id",
            "audience": True,
            "source": "data/contact.parquet",
            "attributes": {
                "contact_id": {"type": "string"},
                "birthday": {"type": "date"},
                "renewal_date": {"type": "date"},
            },
        }
    },
    "interactions": {
        "email_opened": _events("opened_at"),
        "purchase": _events("purchased_at", amount="float"),
        "visit": _events("visited_at"),
    },
}
CATALOG: Catalog = resolve_catalog(parse_model(MODEL))

BASE = dt.datetime(2025, 3, 1, 12)  # naive UTC: Saturday 1 March 2025, noon


def day(offset: int) -> dt.datetime:
    """A stored timestamp `offset` days from BASE."""
    return BASE + dt.timedelta(days=offset)


def at(text: str) -> dt.datetime:
    """An aware UTC as_of from ISO text."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


ROWS: dict[str, list[dict[str, Any]]] = {
    "contact": [
        {
            "contact_id": "ana",
            "birthday": dt.date(1990, 3, 5),
            "renewal_date": dt.date(2025, 2, 28),
        },
        {
            "contact_id": "ben",
            "birthday": dt.date(2000, 2, 29),
            "renewal_date": dt.date(2025, 3, 2),
        },
        {
            "contact_id": "cy",
            "birthday": dt.date(1985, 12, 30),
            "renewal_date": dt.date(2025, 1, 31),
        },
        {"contact_id": "dee", "birthday": None, "renewal_date": None},
    ],
    "email_opened": [
        {"contact_id": "ana", "opened_at": day(-2)},  # 02-27 12:00Z
        {"contact_id": "ben", "opened_at": day(-8)},  # 02-21 12:00Z
        {"contact_id": "cy", "opened_at": day(3)},  # 03-04 12:00Z
        {"contact_id": "dee", "opened_at": dt.datetime(2025, 3, 9, 7, 30)},  # LA: 03-08 23:30 PST
        {"contact_id": "dee", "opened_at": dt.datetime(2025, 3, 10, 6, 30)},  # LA: 03-09 23:30 PDT
    ],
    "purchase": [
        {"contact_id": "ana", "purchased_at": day(-1), "amount": 60.0},  # 02-28
        {"contact_id": "ana", "purchased_at": day(-20), "amount": 50.0},  # 02-09
        {"contact_id": "ben", "purchased_at": day(-29), "amount": 30.0},  # 01-31
        {"contact_id": "ben", "purchased_at": day(-31), "amount": None},  # 01-29
        {"contact_id": "cy", "purchased_at": day(-5), "amount": 120.0},  # 02-24
        {"contact_id": "cy", "purchased_at": day(1), "amount": 10.0},  # 03-02
    ],
    "visit": [
        {"contact_id": "ana", "visited_at": day(-1)},  # 02-28
        {"contact_id": "ben", "visited_at": day(-15)},  # 02-14
        {"contact_id": "cy", "visited_at": day(-30)},  # 01-30
    ],
}


def _definition(condition: Any, timezone: str = "UTC") -> n.Definition:
    return n.Definition(audience="contact", timezone=timezone, condition=condition)


LAST_30_DAYS = n.Window(last=30, unit="day")
DEFINITIONS: dict[str, n.Definition] = {
    "opened-email-last-7-days": _definition(
        n.Behavior(interaction="email_opened", window=n.Window(last=7, unit="day"))
    ),
    "purchased-twice-last-30-days": _definition(
        n.Behavior(
            interaction="purchase",
            window=LAST_30_DAYS,
            count=n.Comparison(op="gte", value=2),
        )
    ),
    "last-visit-over-14-days-ago": _definition(
        n.Behavior(
            interaction="visit",
            occurrence=n.Occurrence(which="last", op="more_than_ago", value=14, unit="day"),
        )
    ),
    "birthday-within-7-days": _definition(
        n.Attribute(field="birthday", op="anniversary_within", value=7)
    ),
    "spent-100-last-30-days": _definition(
        n.Behavior(
            interaction="purchase",
            window=LAST_30_DAYS,
            aggregate=n.Aggregate(fn="sum", field="amount", op="gte", value=100),
        )
    ),
    "never-purchased": _definition(
        n.Behavior(interaction="purchase", count=n.Comparison(op="eq", value=0))
    ),
    "opened-email-today-in-los-angeles": _definition(
        n.Behavior(interaction="email_opened", window=n.Window(last=0, unit="day")),
        timezone="America/Los_Angeles",
    ),
    "renewed-in-the-last-month": _definition(
        n.Attribute(field="renewal_date", op="in_last", value=1, unit="month")
    ),
    "renews-within-a-month": _definition(
        n.Attribute(field="renewal_date", op="in_next", value=1, unit="month")
    ),
    "in-los-angeles-openers-today": _definition(  # a UTC segment made of a Los Angeles one
        n.InSegment(segment="opened-email-today-in-los-angeles")
    ),
}

# segment -> [(as_of, members then)]. Unless said otherwise the zone is UTC and
# "today" is the UTC date of as_of; a window {last: N, unit: day} starts at 00:00Z of
# today - N days and ends at as_of (later events do not count yet).
TIMELINE: dict[str, list[tuple[dt.datetime, set[str]]]] = {
    "opened-email-last-7-days": [
        (at("2025-02-26T12:00"), {"ben"}),  # from 02-19: ben 02-21; ana's 02-27 is later
        (at("2025-03-01T12:00"), {"ana"}),  # from 02-22: ben's 02-21 drops out
        (at("2025-03-04T12:00"), {"ana", "cy"}),  # cy's open is exactly at as_of
        (at("2025-03-04T11:59:59"), {"ana"}),  # ... and one second earlier, not yet
        (at("2025-03-11T12:00"), {"cy", "dee"}),  # from 03-04 00:00: cy 03-04, dee 03-09
        (at("2025-03-12T12:00"), {"dee"}),  # from 03-05
        (at("2025-12-25T12:00"), set()),
    ],
    "purchased-twice-last-30-days": [
        (at("2025-02-26T12:00"), {"ben"}),  # from 01-27: ben 01-29 + 01-31; ana, cy 1 each
        (at("2025-03-01T12:00"), {"ana"}),  # from 01-30: ben's 01-29 drops out
        (at("2025-03-04T12:00"), {"ana", "cy"}),  # from 02-02: cy 02-24 + 03-02
        (at("2025-03-11T12:00"), {"ana", "cy"}),  # from 02-09 00:00: ana's 02-09 12:00 counts
        (at("2025-03-12T12:00"), {"cy"}),  # from 02-10: ana is down to one
        (at("2025-12-25T12:00"), set()),
    ],
    "last-visit-over-14-days-ago": [
        (at("2025-02-26T12:00"), {"cy"}),  # before 02-12: cy 01-30; ana has not visited yet
        (at("2025-03-01T12:00"), {"ben", "cy"}),  # before 02-15: ben 02-14
        (at("2025-03-14T12:00"), {"ben", "cy"}),  # before 02-28: ana's 02-28 is not
        (at("2025-03-15T12:00"), {"ana", "ben", "cy"}),  # before 03-01; dee never visited
    ],
    "birthday-within-7-days": [
        (at("2025-02-26T12:00"), {"ana", "ben"}),  # ana 03-05: 7 days; ben 02-28 in 2025: 2
        (at("2025-03-01T12:00"), {"ana"}),  # ben's next is 2026-02-28
        (at("2025-03-05T12:00"), {"ana"}),  # today is the day: 0 days
        (at("2025-03-06T12:00"), set()),  # ana's next is 2026-03-05
        (at("2025-12-23T12:00"), {"cy"}),  # cy 12-30: 7 days
        (at("2025-12-22T12:00"), set()),  # 8 days
        (at("2027-02-21T12:00"), {"ben"}),  # 2027-02-28: 7 days
        (at("2028-02-21T12:00"), set()),  # 2028 is a leap year: 02-29 is 8 days away
        (at("2028-02-22T12:00"), {"ben"}),
    ],
    "spent-100-last-30-days": [
        (at("2025-02-26T12:00"), {"cy"}),  # from 01-27: ana 50, ben 30 + NULL, cy 120
        (at("2025-03-01T12:00"), {"ana", "cy"}),  # ana 60 + 50
        (at("2025-03-12T12:00"), {"cy"}),  # from 02-10: ana 60; cy 120 + 10
        (at("2025-12-25T12:00"), set()),  # dee: a sum of nothing is 0
    ],
    "never-purchased": [
        (at("2025-01-01T00:00"), {"ana", "ben", "cy", "dee"}),
        (at("2025-01-29T11:59:59"), {"ana", "ben", "cy", "dee"}),
        (at("2025-01-29T12:00"), {"ana", "cy", "dee"}),  # ben's first, exactly at as_of
        (at("2025-02-26T12:00"), {"dee"}),
    ],
    # Los Angeles: 2025-03-09 is 23 hours long (08:00Z to 07:00Z next day).
    "opened-email-today-in-los-angeles": [
        (at("2025-03-09T07:59:59"), {"dee"}),  # 03-08 23:59:59 PST; dee opened at 23:30
        (at("2025-03-09T08:00"), set()),  # 03-09 00:00 PST: a new day (still 03-09 in UTC)
        (at("2025-03-10T06:30"), {"dee"}),  # 03-09 23:30 PDT: dee's second, exactly at as_of
        (at("2025-03-10T07:00"), set()),  # 03-10 00:00 PDT (in UTC, 06:30Z would be today)
    ],
    # The referenced segment keeps its own zone (Los Angeles) inside a UTC segment.
    "in-los-angeles-openers-today": [
        (at("2025-03-09T07:59:59"), {"dee"}),
        (at("2025-03-09T08:00"), set()),  # in UTC, dee's 07:30Z open would be today
    ],
    # Calendar months: the 31st minus one month is the last day of February.
    "renewed-in-the-last-month": [
        (at("2025-02-28T12:00"), {"ana", "cy"}),  # from 01-28; ben's 03-02 is still ahead
        (at("2025-03-03T12:00"), {"ana", "ben"}),  # from 02-03
        (at("2025-03-31T12:00"), {"ana", "ben"}),  # from 02-28 (not 03-03)
        (at("2025-04-01T12:00"), {"ben"}),  # from 03-01
    ],
    "renews-within-a-month": [
        (at("2025-01-30T12:00"), {"ana", "cy"}),  # to 02-28 (not 03-02)
        (at("2025-01-31T12:00"), {"ana", "cy"}),  # to 02-28; cy renews today
        (at("2025-02-01T12:00"), {"ana"}),  # to 03-01; cy's date has passed
        (at("2025-02-02T12:00"), {"ana", "ben"}),  # to 03-02
    ],
}

SCENARIOS = [
    pytest.param(segment, as_of, expected, id=f"{segment}@{as_of:%Y-%m-%dT%H:%M:%S}")
    for segment, rows in TIMELINE.items()
    for as_of, expected in rows
]


@pytest.fixture(scope="module")
def engine() -> DuckDBEngine:
    # imported here so that the reference half of this module runs on its own
    from segmint.engines.duckdb import DuckDBEngine

    return DuckDBEngine.in_memory(CATALOG, arrow_tables(CATALOG, ROWS))


@pytest.mark.parametrize(("segment", "as_of", "expected"), SCENARIOS)
def test_reference_follows_the_timeline(
    segment: str, as_of: dt.datetime, expected: set[str]
) -> None:
    assert evaluate(CATALOG, ROWS, DEFINITIONS[segment], as_of, DEFINITIONS.get) == expected


@pytest.mark.parametrize(("segment", "as_of", "expected"), SCENARIOS)
def test_engine_follows_the_timeline(
    engine: DuckDBEngine, segment: str, as_of: dt.datetime, expected: set[str]
) -> None:
    members = engine.member_keys(DEFINITIONS[segment], as_of=as_of, segments=DEFINITIONS.get)
    assert members == expected
