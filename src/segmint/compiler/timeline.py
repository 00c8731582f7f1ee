"""Calendar arithmetic in a time zone: today, shifting by units, and local-day boundaries in UTC.

Relative dates are turned into UTC instants at compile time, so engines compare plain
timestamp columns with literals (no per-row time zone conversion, and sorted data can skip).
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from dataclasses import dataclass

from segmint.definition.nodes import TimeUnit

UTC = dt.UTC


def shift(day: dt.date, amount: int, unit: TimeUnit) -> dt.date:
    """Move a calendar day by whole units; months and years clamp to the month's last day."""
    if unit is TimeUnit.DAY:
        return day + dt.timedelta(days=amount)
    if unit is TimeUnit.WEEK:
        return day + dt.timedelta(weeks=amount)
    months = amount * (12 if unit is TimeUnit.YEAR else 1)
    if unit not in (TimeUnit.MONTH, TimeUnit.YEAR):
        raise ValueError(f"cannot shift a date by {unit.value}s")
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise OverflowError("date out of range")
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def clamp_shift(day: dt.date, amount: int, unit: TimeUnit) -> dt.date:
    """`shift`, saturating at the smallest and largest representable dates."""
    try:
        return shift(day, amount, unit)
    except (OverflowError, ValueError):
        return dt.date.min if amount < 0 else dt.date.max


@dataclass(frozen=True)
class Clock:
    """The evaluation time and the zone relative dates are read in."""

    as_of: dt.datetime  # aware
    zone: zoneinfo.ZoneInfo
    # Compiling a reusable query: this instant stands in for as_of in the SQL, to be replaced
    # by a bound parameter; local dates still come from the real as_of.
    stand_in: dt.datetime | None = None

    @classmethod
    def at(cls, as_of: dt.datetime, timezone: str, stand_in: dt.datetime | None = None) -> Clock:
        if as_of.tzinfo is None:
            raise ValueError("as_of must carry a time zone")
        return cls(as_of=as_of.astimezone(UTC), zone=zoneinfo.ZoneInfo(timezone), stand_in=stand_in)

    def in_zone(self, timezone: str) -> Clock:
        """The same instant read in another zone (a referenced segment's)."""
        return Clock(self.as_of, zoneinfo.ZoneInfo(timezone), self.stand_in)

    @property
    def today(self) -> dt.date:
        return self.as_of.astimezone(self.zone).date()

    @property
    def now_utc(self) -> dt.datetime:
        """as_of as a naive UTC timestamp, the way engines store instants."""
        if self.stand_in is not None:
            return self.stand_in
        return self.as_of.replace(tzinfo=None)

    def day_start(self, day: dt.date) -> dt.datetime:
        """The first instant of a local day, as a naive UTC timestamp.

        Local midnight, or on a day whose midnight is skipped by a clock change, the
        instant the clocks jump.
        """
        if day <= dt.date.min + dt.timedelta(days=2):
            return dt.datetime.min
        if day >= dt.date.max - dt.timedelta(days=2):
            return dt.datetime.max
        local = dt.datetime.combine(day, dt.time(0), tzinfo=self.zone)
        instant = local.astimezone(UTC).replace(tzinfo=None)
        # A skipped midnight resolves to an instant on the previous local day; step forward.
        if (instant.replace(tzinfo=UTC)).astimezone(self.zone).date() < day:
            instant = _first_instant_of(day, self.zone, instant)
        return instant

    def day_after(self, day: dt.date) -> dt.datetime:
        """The first instant after a local day, as a naive UTC timestamp."""
        if day >= dt.date.max - dt.timedelta(days=2):
            return dt.datetime.max
        return self.day_start(day + dt.timedelta(days=1))

    def relative(self, amount: int, unit: TimeUnit) -> dt.date:
        return clamp_shift(self.today, amount, unit)

    def hours(self, amount: int) -> dt.datetime:
        """as_of moved by whole hours, naive UTC, saturating at the ends of time."""
        if self.stand_in is not None:
            raise ValueError("hour units need the exact as_of; compile without a stand-in")
        try:
            return self.now_utc + dt.timedelta(hours=amount)
        except OverflowError:
            return dt.datetime.min if amount < 0 else dt.datetime.max


def _first_instant_of(day: dt.date, zone: zoneinfo.ZoneInfo, guess: dt.datetime) -> dt.datetime:
    """Search forward minute by minute (at most a day) for the first instant of a local day."""
    instant = guess
    for _ in range(24 * 60):
        instant += dt.timedelta(minutes=1)
        if instant.replace(tzinfo=UTC).astimezone(zone).date() >= day:
            return instant
    return instant
