"""The demo's interactions: e-mail funnel, web visits, forms and event registrations, drawn
per kind as numpy columns that `generate` sorts by time and writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from segmint.demo import distributions as d
from segmint.demo.distributions import Floats, Ints, People


@dataclass(frozen=True)
class Column:
    """One attribute of an interaction: per-row numbers and how a slice of them becomes Arrow."""

    data: npt.NDArray[Any]
    to_arrow: Callable[[npt.NDArray[Any]], Any]


@dataclass(frozen=True)
class Events:
    """The rows of one interaction kind, unsorted: who, when (UTC microseconds) and what."""

    name: str
    prefix: str  # of event_id, e.g. "WV" for web visits
    owner: Ints  # contact index
    ts: Ints
    columns: dict[str, Column]


def text(values: Sequence[str | None]) -> Callable[[Ints], Any]:
    """A converter from indices into `values` to an Arrow string array."""
    array = pa.array(values, pa.string())
    return lambda idx: array.take(pa.array(idx))


def typed(kind: Any) -> Callable[[npt.NDArray[Any]], Any]:
    """A converter from a numpy slice to an Arrow array of `kind`."""
    return lambda values: pa.array(values, kind)


def _day(day_number: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=day_number)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


# --- the calendars --------------------------------------------------------------------


class _Event(NamedTuple):
    date: dt.date
    name: str
    kind: str  # webinar, workshop or conference
    popularity: float


@dataclass(frozen=True)
class EventCalendar:
    """Webinars, workshops and conferences, from before the window to two months after it."""

    day: Ints
    name: list[str]
    kind: list[str]
    popularity: Floats


def event_calendar() -> EventCalendar:
    """Two webinars and a workshop a month, a partner summit in May, a conference in November."""
    events: list[_Event] = []
    first, last = _day(d.FIRST_DAY - 60), _day(d.AS_OF_DAY + 60)
    year, month, k = first.year, first.month, 0
    cities = ("London", "New York", "Berlin", "Sydney", "Toronto", "Paris")
    while (year, month) <= (last.year, last.month):
        for nth, weekday in ((2, 1), (4, 3)):  # second Tuesday, fourth Thursday
            topic = d.WEBINAR_TOPICS[k % len(d.WEBINAR_TOPICS)]
            topic = f"{topic} {year}" if topic == "Retail trends" else topic
            events.append(
                _Event(_nth_weekday(year, month, weekday, nth), f"Webinar: {topic}", "webinar", 1.0)
            )
            k += 1
        topic = d.WORKSHOP_TOPICS[month % len(d.WORKSHOP_TOPICS)]
        city = cities[(year * 12 + month) % len(cities)]
        events.append(
            _Event(_nth_weekday(year, month, 5, 3), f"Workshop: {topic}, {city}", "workshop", 0.5)
        )
        if month == 5:
            name = f"Harbor & Pine Partner Summit {year}"
            events.append(_Event(_nth_weekday(year, 5, 1, 3), name, "conference", 5.0))
        if month == 11:
            name = f"Retail Futures Conference {year}"
            events.append(_Event(_nth_weekday(year, 11, 2, 2), name, "conference", 6.0))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    events = sorted(e for e in events if first <= e.date <= last)
    return EventCalendar(
        day=np.array([d.day_number(e.date) for e in events], dtype=np.int64),
        name=[e.name for e in events],
        kind=[e.kind for e in events],
        popularity=np.array([e.popularity for e in events]),
    )


class _Send(NamedTuple):
    day: int  # day number
    hour: int  # local hour the send starts
    group: int  # 0 everyone, 1 loyalty members, 2 business contacts
    weight: float  # relative reach
    campaign: str
    email_name: str
    landing: str  # the path of the main link


@dataclass(frozen=True)
class Campaigns:
    """Every e-mail send of the window: when (local time), to whom, and its links."""

    day: Ints  # day number
    minute: Ints  # local minute of the day the send starts
    group: Ints  # 0 everyone, 1 loyalty members, 2 business contacts
    weight: Floats  # relative reach
    campaign: list[str]
    email_name: list[str]
    links: list[str]  # three per send: main, new arrivals, store finder


def _slug(text_: str) -> str:
    return "-".join(d.ascii_fold(w) for w in text_.replace("'", "").split() if d.ascii_fold(w))


def _sends_on(number: int, events: EventCalendar, black_fridays: set[int]) -> Iterator[_Send]:
    """The sends of one day: a Tuesday newsletter, a Thursday seasonal email, Black Friday
    and Cyber Monday blasts, a monthly loyalty email and a monthly business invitation."""
    day = _day(number)
    theme, emails = d.CAMPAIGN_THEMES[day.month]
    weekday, year = day.weekday(), day.year
    if weekday == 1:
        yield _Send(
            number, 9, 0, 0.6, f"Weekly Newsletter {year}", "This week's picks", "new-arrivals"
        )
    if weekday == 3:
        email = emails[((day.day - 1) // 7) % len(emails)]
        yield _Send(number, 11, 0, 1.0, f"{theme} {year}", email, _slug(theme))
    if number in black_fridays or number - 3 in black_fridays:
        email = "Black Friday is live" if number in black_fridays else "Cyber Monday deals"
        yield _Send(number, 7, 0, 1.3, f"Black Friday {year}", email, "black-friday")
    if weekday == 5 and day.day <= 7:
        email = d.LOYALTY_EMAILS[day.month % len(d.LOYALTY_EMAILS)]
        yield _Send(number, 10, 1, 1.2, f"Loyalty Rewards {year}", email, "rewards")
    if weekday == 2 and 8 <= day.day <= 14:
        upcoming = min(int(np.searchsorted(events.day, number + 7)), len(events.name) - 1)
        email = f"You're invited: {events.name[upcoming]}"
        yield _Send(number, 15, 2, 1.5, f"Events & Webinars {year}", email, "events")


def campaign_calendar(events: EventCalendar) -> Campaigns:
    """Every send of the history window, in day order."""
    black_fridays = {d.thanksgiving_friday(y) for y in range(2024, 2027)}
    sends = [
        send
        for number in range(d.FIRST_DAY, d.AS_OF_DAY - 1)
        for send in _sends_on(number, events, black_fridays)
    ]
    links: list[str] = []
    for send in sends:
        utm = f"?utm_source=email&utm_campaign={_slug(send.campaign)}"
        main = f"{d.CORPORATE}/events" if send.landing == "events" else f"{d.SHOP}/{send.landing}"
        links += [main + utm, f"{d.SHOP}/new-arrivals{utm}", f"{d.SHOP}/stores{utm}"]
    return Campaigns(
        day=np.array([s.day for s in sends], dtype=np.int64),
        minute=np.array([s.hour * 60 for s in sends], dtype=np.int64),
        group=np.array([s.group for s in sends], dtype=np.int64),
        weight=np.array([s.weight for s in sends]),
        campaign=[s.campaign for s in sends],
        email_name=[s.email_name for s in sends],
        links=links,
    )


# --- e-mail ---------------------------------------------------------------------------


def _recipients(
    rng: np.random.Generator, people: People, camps: Campaigns, per_contact: float
) -> tuple[Ints, Ints]:
    """(contact, campaign) pairs: each contact gets each campaign sent after their signup
    with a probability proportional to their reach and the campaign's weight."""
    reach = np.array([1.0, 0.0, 0.5])[people.opt_in]
    eligible = np.stack(
        [np.ones(people.count), people.loyalty < 4, people.business], axis=1
    ).astype(np.float64)
    # expected sends per unit of scale: the weight of campaigns each contact can receive
    expected = np.zeros(people.count)
    for g in range(3):
        w = np.where(camps.group == g, camps.weight, 0.0)
        after = np.concatenate([np.cumsum(w[::-1])[::-1], [0.0]])
        expected += eligible[:, g] * after[np.searchsorted(camps.day, people.signup_day)]
    total = float((reach * expected).sum())
    scale = per_contact * people.count / total if total > 0 else 0.0
    # Contacts of one class (reach, loyalty member, business) share every campaign's
    # probability; sorted by signup, those a campaign can reach are a prefix of the class.
    members = (people.loyalty < 4).astype(np.int64)
    klass = people.opt_in * 4 + members * 2 + people.business
    owners: list[Ints] = []
    sends: list[Ints] = []
    for k in np.unique(klass[reach > 0]):
        idx = np.nonzero(klass == k)[0]
        idx = idx[np.argsort(people.signup_day[idx], kind="stable")]
        reachable = np.searchsorted(people.signup_day[idx], camps.day, side="right")
        row = np.array([1.0, float(members[idx[0]]), float(people.business[idx[0]])])
        p = np.minimum(scale * reach[idx[0]] * camps.weight * row[camps.group], 0.95)
        for c in range(len(camps.day)):
            hits = d.bernoulli_positions(rng, float(p[c]), int(reachable[c]))
            owners.append(idx[hits])
            sends.append(np.full(len(hits), c, dtype=np.int64))
    return np.concatenate(owners), np.concatenate(sends)


def email(rng: np.random.Generator, people: People, camps: Campaigns) -> list[Events]:
    """Sends, then opens of some sends, then clicks of some opens, per contact propensities."""
    owner, send = _recipients(rng, people, camps, per_contact=9.0)
    day = camps.day[send] - d.FIRST_DAY
    local = camps.minute[send] * 60_000_000 + rng.integers(0, 20 * 60_000_000, len(send))
    sent_at = people.to_utc(owner, day, local)

    open_rate = rng.beta(2.0, 4.5, people.count) * np.where(people.activity < 0.1, 0.3, 1.0)
    opened = rng.random(len(send)) < open_rate[owner]
    delay = np.minimum(
        rng.lognormal(np.log(2 * d.US_PER_HOUR), 1.3, int(opened.sum())), 5 * d.US_PER_DAY
    )
    opened_at = sent_at[opened] + delay.astype(np.int64)
    keep = opened_at < d.AS_OF_US
    o_owner, o_send, opened_at = owner[opened][keep], send[opened][keep], opened_at[keep]

    click_rate = rng.beta(1.3, 7.0, people.count)
    clicked = rng.random(len(o_send)) < click_rate[o_owner]
    delay = rng.lognormal(np.log(40e6), 1.0, int(clicked.sum())).astype(np.int64)
    clicked_at = opened_at[clicked] + delay
    keep = clicked_at < d.AS_OF_US
    c_owner, c_send, clicked_at = o_owner[clicked][keep], o_send[clicked][keep], clicked_at[keep]
    link = c_send * 3 + d.choice(rng, (60, 25, 15), len(c_send))

    def described(sends: Ints) -> dict[str, Column]:
        return {
            "campaign": Column(sends, text(camps.campaign)),
            "email_name": Column(sends, text(camps.email_name)),
        }

    return [
        Events("email_sent", "ES", owner, sent_at, described(send)),
        Events("email_opened", "EO", o_owner, opened_at, described(o_send)),
        Events(
            "email_clicked", "EC", c_owner, clicked_at,
            {**described(c_send), "link_url": Column(link, text(camps.links))},
        ),
    ]  # fmt: skip


# --- the web --------------------------------------------------------------------------


def _browsing_days() -> Floats:
    return d.day_weights(d.FIRST_DAY, d.HISTORY_DAYS, d.WEEKDAY_BROWSING, d.MONTH_BROWSING, 1.12)


def _business_days() -> Floats:
    return d.day_weights(d.FIRST_DAY, d.HISTORY_DAYS, d.WEEKDAY_BUSINESS, d.MONTH_BUSINESS, 1.1)


def _timestamps(
    rng: np.random.Generator, people: People, owner: Ints, days: Floats, hours: tuple[float, ...]
) -> Ints:
    day = d.sample_days(rng, days, people.start[owner])
    ts = people.to_utc(owner, day, d.sample_time_of_day(rng, hours, len(owner)))
    return d.not_after_as_of(ts)


def web_visits(rng: np.random.Generator, people: People) -> Events:
    """Visits of the shop: evenings and weekends, device habits, short and long sessions."""
    weight = people.activity * people.tenure * np.where(people.business, 0.8, 1.0)
    owner = np.repeat(np.arange(people.count), d.scaled_poisson(rng, 6.5, weight))
    m = len(owner)
    ts = _timestamps(rng, people, owner, _browsing_days(), d.HOURS_SHOPPING)
    page = d.choice(rng, [p[1] for p in d.PAGES], m)
    referrer = d.choice(rng, [r[1] for r in d.REFERRERS], m)
    device_weights = [x[1] for x in d.DEVICES]
    habit = d.choice(rng, device_weights, people.count)
    device = np.where(rng.random(m) < 0.75, habit[owner], d.choice(rng, device_weights, m))
    duration = np.clip(rng.lognormal(np.log(70), 1.1, m), 1, 7200).astype(np.int64)
    bounce = rng.random(m) < 0.15
    duration[bounce] = rng.integers(1, 11, int(bounce.sum()))
    return Events(
        "web_visit", "WV", owner, ts,
        {
            "page_url": Column(page, text([d.SHOP + p[0] for p in d.PAGES])),
            "referrer": Column(referrer, text([r[0] for r in d.REFERRERS])),
            "device": Column(device, text([x[0] for x in d.DEVICES])),
            "duration_seconds": Column(duration, typed(pa.int64())),
        },
    )  # fmt: skip


def form_submissions(rng: np.random.Generator, people: People) -> Events:
    """Forms: newsletter and reviews from consumers, quotes and sales contacts from businesses."""
    weight = np.sqrt(people.activity) * people.tenure * np.where(people.business, 2.0, 1.0)
    owner = np.repeat(np.arange(people.count), d.scaled_poisson(rng, 0.4, weight))
    ts = _timestamps(rng, people, owner, _business_days(), d.HOURS_BUSINESS)
    group = people.business[owner].astype(np.int64)
    form = d.choice_by_group(rng, group, [[f[2] for f in d.FORMS], [f[3] for f in d.FORMS]])
    return Events(
        "form_submitted", "FS", owner, ts,
        {
            "form_name": Column(form, text([f[0] for f in d.FORMS])),
            "page_url": Column(form, text([f[1] for f in d.FORMS])),
        },
    )  # fmt: skip


def event_registrations(rng: np.random.Generator, people: People, events: EventCalendar) -> Events:
    """Registrations a few days to weeks before each event, mostly by business contacts;
    registrations for events after DEMO_AS_OF happened before it."""
    weight = np.sqrt(people.activity) * people.tenure * np.where(people.business, 3.0, 1.0)
    owner = np.repeat(np.arange(people.count), d.scaled_poisson(rng, 0.3, weight))
    m = len(owner)
    event = d.choice(rng, events.popularity, m)
    lead = np.clip(rng.lognormal(np.log(9), 0.9, m), 0, 75).astype(np.int64)
    day = events.day[event] - lead
    day = np.minimum(day, d.AS_OF_DAY - 1 - rng.integers(0, 7, m))
    valid = (day >= np.maximum(d.FIRST_DAY, people.signup_day[owner])) & (day <= events.day[event])
    owner, event, day = owner[valid], event[valid], day[valid]
    _, first = np.unique(owner * len(events.name) + event, return_index=True)
    first.sort()
    owner, event, day = owner[first], event[first], day[first]
    tod = d.sample_time_of_day(rng, d.HOURS_BUSINESS, len(owner))
    ts = d.not_after_as_of(people.to_utc(owner, day - d.FIRST_DAY, tod))
    return Events(
        "event_registered", "ER", owner, ts,
        {
            "event_name": Column(event, text(events.name)),
            "event_type": Column(event, text(events.kind)),
            "event_date": Column(events.day[event].astype(np.int32), typed(pa.date32())),
        },
    )  # fmt: skip
