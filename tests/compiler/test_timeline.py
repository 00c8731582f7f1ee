"""Calendar arithmetic: month clamping, local-day starts across DST and skipped midnights."""

from __future__ import annotations

import datetime as dt

import pytest

from segmint.compiler.timeline import Clock, clamp_shift, shift
from segmint.definition.nodes import TimeUnit


@pytest.mark.parametrize(
    ("day", "amount", "unit", "expected"),
    [
        (dt.date(2026, 3, 31), -1, TimeUnit.MONTH, dt.date(2026, 2, 28)),
        (dt.date(2024, 3, 31), -1, TimeUnit.MONTH, dt.date(2024, 2, 29)),
        (dt.date(2024, 2, 29), 1, TimeUnit.YEAR, dt.date(2025, 2, 28)),
        (dt.date(2026, 1, 31), 13, TimeUnit.MONTH, dt.date(2027, 2, 28)),
        (dt.date(2026, 1, 1), -1, TimeUnit.WEEK, dt.date(2025, 12, 25)),
        (dt.date(2026, 1, 1), -1, TimeUnit.DAY, dt.date(2025, 12, 31)),
    ],
)
def test_shift(day: dt.date, amount: int, unit: TimeUnit, expected: dt.date) -> None:
    assert shift(day, amount, unit) == expected


def test_shift_saturates_at_the_ends_of_time() -> None:
    assert clamp_shift(dt.date(2026, 1, 1), -100_000, TimeUnit.YEAR) == dt.date.min
    assert clamp_shift(dt.date(2026, 1, 1), 100_000, TimeUnit.YEAR) == dt.date.max
    with pytest.raises(ValueError, match="hour"):
        shift(dt.date(2026, 1, 1), 1, TimeUnit.HOUR)


def test_today_is_the_local_day_of_as_of() -> None:
    as_of = dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC)
    assert Clock.at(as_of, "UTC").today == dt.date(2026, 11, 2)
    assert Clock.at(as_of, "America/Los_Angeles").today == dt.date(2026, 11, 1)
    with pytest.raises(ValueError, match="time zone"):
        Clock.at(as_of.replace(tzinfo=None), "UTC")


def test_day_start_across_dst_changes() -> None:
    clock = Clock.at(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), "America/Los_Angeles")
    # Spring forward on 2026-03-08: the day starts at 08:00 UTC (PST), the next at 07:00 (PDT).
    assert clock.day_start(dt.date(2026, 3, 8)) == dt.datetime(2026, 3, 8, 8)
    assert clock.day_after(dt.date(2026, 3, 8)) == dt.datetime(2026, 3, 9, 7)


def test_day_start_when_midnight_is_skipped() -> None:
    # Santiago springs forward at 24:00 on 2026-09-05: local 2026-09-06 starts at 01:00 -03.
    clock = Clock.at(dt.datetime(2026, 10, 1, tzinfo=dt.UTC), "America/Santiago")
    start = clock.day_start(dt.date(2026, 9, 6))
    assert start == dt.datetime(2026, 9, 6, 4)
    before = (start - dt.timedelta(seconds=1)).replace(tzinfo=dt.UTC)
    assert before.astimezone(clock.zone).date() == dt.date(2026, 9, 5)
    assert start.replace(tzinfo=dt.UTC).astimezone(clock.zone).date() == dt.date(2026, 9, 6)


def test_hours_saturate() -> None:
    clock = Clock.at(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "UTC")
    assert clock.hours(-3) == dt.datetime(2025, 12, 31, 21)
    assert clock.hours(10**12) == dt.datetime.max
