"""The demo workspace's data: deterministic synthetic accounts, contacts, leads, orders and
interactions, written as Parquet files at any scale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import IntEnum
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from segmint.demo import distributions as d
from segmint.demo import interactions as ix
from segmint.demo.distributions import DEMO_AS_OF, HISTORY_DAYS, Floats, Ints, People

Progress = Callable[[str, int, int], None]
"""Called as `progress(step, done, total)`; a step is a file name without `.parquet`."""

_WRITE_ROWS: Final = 500_000  # rows per Parquet write (and row group)
_COMPRESSION: Final = "zstd"
_TIMESTAMP = pa.timestamp("us")


class _Stream(IntEnum):
    """One independent random stream per table, so tables do not shift each other."""

    ACCOUNTS = 1
    CONTACTS = 2
    ORDERS = 3
    PROFILE = 4
    LEADS = 5
    EMAIL = 6
    WEB = 7
    FORMS = 8
    EVENTS = 9


def _rng(seed: int, stream: _Stream) -> np.random.Generator:
    return np.random.default_rng([int(stream), seed])


def _no_progress(step: str, done: int, total: int) -> None:
    """The default progress callback: report nothing."""


# --- accounts -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Accounts:
    ids: Any  # pa.StringArray
    city: Ints
    employees: Ints
    domain: Any  # pa.StringArray: the e-mail domain of the account's staff
    engagement: Floats  # multiplies the activity of the account's contacts
    table: Any  # pa.Table


def _accounts(rng: np.random.Generator, count: int) -> _Accounts:
    industries = d.INDUSTRIES
    industry = d.choice(rng, [i[1] for i in industries], count)
    city = d.choice(rng, [c[3] for c in d.CITIES], count)
    country = d.COUNTRY_OF_CITY[city]
    size = np.clip(np.round(rng.lognormal(np.log(80), 1.7, count)), 2, 400_000)
    employees = size.astype(np.int64)
    per_employee = np.array([i[2] for i in industries])[industry]
    revenue = np.round(employees * per_employee * rng.lognormal(0.0, 0.45, count), -2)
    tier = np.where(employees >= 1000, 0, np.where(employees >= 100, 1, 2))
    created = rng.integers(d.day_number(dt.date(2008, 1, 1)), d.AS_OF_DAY - 30, count)
    renewal_start = d.AS_OF_DAY - 30
    renewal = renewal_start + (created - renewal_start) % 365
    no_contract = rng.random(count) < 0.2

    suffixes = [s for i in industries for s in i[3]]
    offsets = np.cumsum([0] + [len(i[3]) for i in industries])[:-1]
    sizes = np.array([len(i[3]) for i in industries])
    suffix = offsets[industry] + (rng.random(count) * sizes[industry]).astype(np.int64)
    head = rng.integers(0, len(d.NAME_HEADS), count)
    tail = rng.integers(0, len(d.NAME_TAILS), count)
    legal = [d.LEGAL_FORMS[c] for c in d.COUNTRIES]
    name = d.arrow_join(
        d.arrow_take(d.NAME_HEADS, head), d.arrow_take(d.NAME_TAILS, tail), " ",
        d.arrow_take(suffixes, suffix), " ", d.arrow_take(legal, country),
    )  # fmt: skip
    slugs = [d.ascii_fold(s.replace(" ", "-")) for s in suffixes]
    domain = d.arrow_join(
        d.arrow_take([h.lower() for h in d.NAME_HEADS], head), d.arrow_take(d.NAME_TAILS, tail),
        "-", d.arrow_take(slugs, suffix), ".example",
    )  # fmt: skip
    ids = d.arrow_ids("A", np.arange(1, count + 1), d.id_width(count, 6))
    table = pa.table(
        {
            "account_id": ids,
            "name": name,
            "industry": d.arrow_take([i[0] for i in industries], industry),
            "country": d.arrow_take(d.COUNTRIES, country),
            "city": d.arrow_take([c[0] for c in d.CITIES], city),
            "employees": pa.array(employees, pa.int64()),
            "annual_revenue": pa.array(revenue, pa.float64()),
            "tier": d.arrow_take(d.TIERS, tier),
            "created_date": pa.array(created.astype(np.int32), pa.date32()),
            "renewal_date": pa.array(renewal.astype(np.int32), pa.date32(), mask=no_contract),
        }
    )
    engagement = rng.gamma(2.0, 0.5, count)
    return _Accounts(ids, city, employees, domain, engagement, table)


# --- contacts: the numbers every other table depends on --------------------------------


def _people(rng: np.random.Generator, count: int, accounts: _Accounts) -> People:
    city = d.choice(rng, [c[3] for c in d.CITIES], count)
    business = rng.random(count) < 0.6
    account = np.full(count, -1, dtype=np.int64)
    account[business] = d.choice(
        rng, accounts.employees.astype(np.float64) ** 0.6, int(business.sum())
    )
    same_city = business & (rng.random(count) < 0.65)
    city[same_city] = accounts.city[account[same_city]]

    age_years = 18 + rng.gamma(3.0, 7.5, count)  # adults, most between 25 and 55
    old_age = age_years > 95
    age_years[old_age] = rng.uniform(18, 95, int(old_age.sum()))
    birth_day = d.AS_OF_DAY - (age_years * 365.2425).astype(np.int64)
    years_ago = 6 * 365.25 * (1 - np.sqrt(rng.random(count)))  # more sign-ups lately
    signup_day = d.AS_OF_DAY - 1 - years_ago.astype(np.int64)
    signup_day = np.minimum(np.maximum(signup_day, birth_day + 16 * 365), d.AS_OF_DAY - 1)
    start = np.clip(signup_day - d.FIRST_DAY, 0, HISTORY_DAYS - 1)
    tenure = (HISTORY_DAYS - start) / HISTORY_DAYS

    activity = rng.gamma(0.6, 1 / 0.6, count)
    activity[rng.random(count) < 0.2] *= 0.05  # dormant contacts
    activity[business] *= accounts.engagement[account[business]]
    activity /= activity.mean()
    opt_in = d.choice(rng, (65, 22, 13), count)
    return People(
        count=count,
        ids=d.arrow_ids("C", np.arange(1, count + 1), d.id_width(count, 7)),
        city=city,
        account=account,
        birth_day=birth_day,
        signup_day=signup_day,
        start=start,
        activity=activity,
        tenure=tenure,
        opt_in=opt_in,
        loyalty=np.full(count, len(d.LOYALTY_TIERS), dtype=np.int64),  # known after orders
    )


# --- orders ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Orders:
    owner: Ints
    day: Ints  # local day index
    ts: Ints  # UTC microseconds
    status: Ints  # index into ORDER_STATUSES
    channel: Ints
    items: Ints
    total: Floats
    category: Ints
    spend_factor: Floats  # per contact

    @property
    def count(self) -> int:
        return len(self.owner)


def _shopping_days() -> Floats:
    spikes = [(f, f + 3, 1.8) for f in (d.thanksgiving_friday(y) for y in (2024, 2025, 2026))]
    return d.day_weights(
        d.FIRST_DAY, HISTORY_DAYS, d.WEEKDAY_SHOPPING, d.MONTH_SHOPPING, 1.08, spikes
    )


def _orders(rng: np.random.Generator, people: People) -> _Orders:
    weight = people.activity * people.tenure * np.where(people.business, 0.7, 1.0)
    owner = np.repeat(np.arange(people.count), d.scaled_poisson(rng, 1.5, weight))
    m = len(owner)
    day = d.sample_days(rng, _shopping_days(), people.start[owner])
    ts = people.to_utc(owner, day, d.sample_time_of_day(rng, d.HOURS_SHOPPING, m))
    late = ts >= d.AS_OF_US
    day, ts = np.where(late, day - 1, day), d.not_after_as_of(ts)
    order = np.argsort(ts, kind="stable")
    owner, day, ts = owner[order], day[order], ts[order]

    u = rng.random(m)
    status = np.where(day >= HISTORY_DAYS - 4, 1, 0)  # shipped lately, delivered before
    status[(u < 0.12) & (day < HISTORY_DAYS - 10)] = 2  # returned
    status[u < 0.04] = 3  # cancelled
    channel_weights = [c[1] for c in d.CHANNELS]
    preferred = d.choice(rng, channel_weights, people.count)
    channel = np.where(rng.random(m) < 0.7, preferred[owner], d.choice(rng, channel_weights, m))
    items = 1 + rng.poisson(0.9, m) + (rng.random(m) < 0.04) * rng.geometric(0.25, m)
    spend_factor = rng.lognormal(0.0, 0.35, people.count)
    total = np.round(items * rng.lognormal(np.log(34), 0.55, m) * spend_factor[owner], 2)
    category = d.choice(rng, [c[1] for c in d.PRODUCT_CATEGORIES], m)
    return _Orders(owner, day, ts, status, channel, items, total, category, spend_factor)


def _order_ids(count: int) -> Any:
    return d.arrow_ids("O", np.arange(1, count + 1), d.id_width(count, 8))


def _orders_table(orders: _Orders, people: People) -> Any:
    return pa.table(
        {
            "order_id": _order_ids(orders.count),
            "contact_id": people.ids.take(pa.array(orders.owner)),
            "order_date": pa.array((d.FIRST_DAY + orders.day).astype(np.int32), pa.date32()),
            "status": d.arrow_take(d.ORDER_STATUSES, orders.status),
            "total": pa.array(orders.total, pa.float64()),
            "channel": d.arrow_take([c[0] for c in d.CHANNELS], orders.channel),
            "item_count": pa.array(orders.items, pa.int64()),
        }
    )


# --- the contacts table ---------------------------------------------------------------


def _name_pools(
    locale: Ints, gender: Ints, rng: np.random.Generator
) -> tuple[list[str], Ints, list[str], Ints]:
    """First and last name indices drawn from each contact's locale (and gender) pool."""
    locales = list(d.FIRST_NAMES)
    firsts: list[str] = []
    first_at: dict[tuple[int, int], tuple[int, int]] = {}
    for li, loc in enumerate(locales):
        for g in (0, 1):
            pool = d.FIRST_NAMES[loc][g]
            first_at[li, g] = (len(firsts), len(pool))
            firsts.extend(pool)
    lasts: list[str] = []
    last_at: dict[int, tuple[int, int]] = {}
    for li, loc in enumerate(locales):
        last_at[li] = (len(lasts), len(d.LAST_NAMES[loc]))
        lasts.extend(d.LAST_NAMES[loc])
    pool_gender = np.where(gender <= 1, gender, rng.integers(0, 2, len(gender)))
    first_off = np.array([[first_at[li, g][0] for g in (0, 1)] for li in range(len(locales))])
    first_len = np.array([[first_at[li, g][1] for g in (0, 1)] for li in range(len(locales))])
    last_off = np.array([last_at[li][0] for li in range(len(locales))])
    last_len = np.array([last_at[li][1] for li in range(len(locales))])
    u, v = rng.random(len(locale)), rng.random(len(locale))
    first = first_off[locale, pool_gender] + (u * first_len[locale, pool_gender]).astype(np.int64)
    last = last_off[locale] + (v * last_len[locale]).astype(np.int64)
    return firsts, first, lasts, last


def _interests(rng: np.random.Generator, count: int) -> Any:
    """A list of distinct interests per contact (about a fifth have none), by popularity."""
    names = [i[0] for i in d.INTERESTS]
    weights = np.array([i[1] for i in d.INTERESTS], dtype=np.float32)
    sizes = np.where(rng.random(count) < 0.22, 0, 1 + rng.binomial(4, 0.35, count))
    # Exponential keys divided by the weights: the k smallest are a weighted sample.
    keys = rng.exponential(1.0, (count, len(names))).astype(np.float32) / weights
    cutoff = np.sort(keys, axis=1)[np.arange(count), np.maximum(sizes - 1, 0)]
    chosen = (keys <= cutoff[:, None]) & (sizes > 0)[:, None]
    offsets = np.concatenate([[0], np.cumsum(chosen.sum(axis=1))]).astype(np.int32)
    values = np.nonzero(chosen)[1]
    return pa.ListArray.from_arrays(pa.array(offsets), d.arrow_take(names, values))


def _contacts_table(
    rng: np.random.Generator, people: People, accounts: _Accounts, orders: _Orders
) -> tuple[Any, Ints]:
    """The contacts table, and each contact's loyalty tier (which depends on spending)."""
    n = people.count
    country = d.COUNTRY_OF_CITY[people.city]
    locales = list(d.FIRST_NAMES)
    locale = np.array([locales.index(d.LOCALE_OF_COUNTRY[c]) for c in d.COUNTRIES])[country]
    gender = d.choice(rng, [g[1] for g in d.GENDERS] + [1.5], n)  # last: not recorded
    firsts, first, lasts, last = _name_pools(locale, gender, rng)
    kind = d.choice(rng, (99.5, 0.3, 0.2), n)  # 0 customer, 1 test record, 2 our staff
    test = kind == 1

    # e-mail: first.last1234@domain, at the account's domain for most business contacts
    personal = d.choice(rng, [p[1] for p in d.PERSONAL_DOMAINS], n)
    domain = np.where(
        people.business & (rng.random(n) < 0.8),
        1 + len(d.PERSONAL_DOMAINS) + people.account,
        personal,
    )
    domain[kind == 2] = len(d.PERSONAL_DOMAINS)
    domains = pa.concat_arrays(
        [pa.array([p[0] for p in d.PERSONAL_DOMAINS] + [d.STAFF_DOMAIN]), accounts.domain]
    )
    separator = d.choice(rng, (60, 15, 25), n)
    first_text = pa.array(firsts).take(pa.array(first))
    last_text = pa.array(lasts).take(pa.array(last))
    first_text = pc.if_else(pa.array(test), "Test", first_text)
    last_text = pc.if_else(pa.array(test), "User", last_text)
    email = d.arrow_join(
        pa.array([d.ascii_fold(s) for s in firsts] + ["test"]).take(
            pa.array(np.where(test, len(firsts), first))
        ),
        d.arrow_take((".", "_", ""), separator),
        pa.array([d.ascii_fold(s) for s in lasts] + ["user"]).take(
            pa.array(np.where(test, len(lasts), last))
        ),
        pa.array(np.arange(1, n + 1)).cast(pa.string()),
        "@",
        domains.take(pa.array(domain)),
    )

    # phone: +1 (fictional 555-01xx numbers) and national numbers elsewhere; 28% unknown
    width = np.array([d.NATIONAL_DIGITS[c] for c in d.COUNTRIES])[country]
    national = rng.integers(10 ** (width - 1), 10**width)
    north_america = np.isin(country, [d.COUNTRIES.index("US"), d.COUNTRIES.index("CA")])
    fictional = rng.integers(201, 990, n) * 10**7 + 5_550_100 + rng.integers(0, 100, n)
    national = np.where(north_america, fictional, national)
    codes = [d.CALLING_CODES[c] for c in d.COUNTRIES]
    phone = d.arrow_join(
        d.arrow_take(codes, country),
        " ",
        pa.array(national, mask=rng.random(n) < 0.28).cast(pa.string()),
    )

    # birthday (10% unknown), and age on DEMO_AS_OF
    birth_day, signup_day = people.birth_day, people.signup_day
    birthday = birth_day.astype("datetime64[D]")
    year = birthday.astype("datetime64[Y]").astype(np.int64) + 1970
    month = birthday.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (birthday - birthday.astype("datetime64[M]")).astype(np.int64) + 1
    as_of = DEMO_AS_OF.date()
    before = (month > as_of.month) | ((month == as_of.month) & (day > as_of.day))
    age = as_of.year - year - before
    no_birthday = rng.random(n) < 0.10

    # last login: recent for active contacts; 12% never logged in
    since = rng.exponential(20.0 / np.maximum(people.activity, 0.03) ** 0.8)
    member_days = d.AS_OF_DAY - signup_day
    since = np.where(since < member_days, since, member_days * rng.random(n))
    last_login = d.AS_OF_US - (since * d.US_PER_DAY).astype(np.int64) - rng.integers(1, 10**9, n)
    last_login = np.maximum(last_login, signup_day * d.US_PER_DAY)

    # lifetime value: spending in the window plus an estimate of the years before it
    kept = orders.status <= 1
    spent = np.bincount(orders.owner[kept], weights=orders.total[kept], minlength=n)
    before_years = np.maximum(0, d.FIRST_DAY - signup_day) / 365.25
    earlier = before_years * people.activity * 40 * orders.spend_factor
    lifetime = np.round(spent + earlier * rng.lognormal(0.0, 0.5, n), 2)
    member = rng.random(n) < np.where(lifetime > 0, 0.78, 0.4)
    score = np.log1p(lifetime) + rng.normal(0.0, 0.7, n)
    cuts = np.quantile(score[member], [0.5, 0.78, 0.93]) if member.any() else np.zeros(3)
    loyalty = np.where(member, np.searchsorted(cuts, score), len(d.LOYALTY_TIERS))

    table = pa.table(
        {
            "contact_id": people.ids,
            "first_name": first_text,
            "last_name": last_text,
            "email": email,
            "phone": phone,
            "gender": d.arrow_take([g[0] for g in d.GENDERS] + [None], gender),
            "birthday": pa.array(birth_day.astype(np.int32), pa.date32(), mask=no_birthday),
            "age": pa.array(age, pa.int64(), mask=no_birthday),
            "city": pa.array([c[0] for c in d.CITIES], pa.string()).take(
                pa.array(people.city, mask=rng.random(n) < 0.015)
            ),
            "country": d.arrow_take(d.COUNTRIES, country),
            "signup_date": pa.array(signup_day.astype(np.int32), pa.date32()),
            "last_login": pa.array(last_login, _TIMESTAMP, mask=rng.random(n) < 0.12),
            "email_opt_in": pa.array(people.opt_in == 0, pa.bool_(), mask=people.opt_in == 2),
            "loyalty_tier": d.arrow_take([*d.LOYALTY_TIERS, None], loyalty),
            "lifetime_value": pa.array(lifetime, pa.float64()),
            "interests": _interests(rng, n),
            "account_id": accounts.ids.take(pa.array(people.account, mask=people.account < 0)),
        }
    )
    return table, loyalty


# --- leads ----------------------------------------------------------------------------


def _leads_table(rng: np.random.Generator, people: People, accounts: _Accounts) -> Any:
    weight = np.where(people.business, 1.0, 0.25)
    owner = np.repeat(np.arange(people.count), d.scaled_poisson(rng, 0.3, weight))
    m = len(owner)
    low = np.maximum(people.signup_day[owner] - 60, d.AS_OF_DAY - 3 * 365)
    created = low + (rng.random(m) * (d.AS_OF_DAY - low)).astype(np.int64)
    order = np.argsort(created, kind="stable")
    owner, created = owner[order], created[order]
    age = d.AS_OF_DAY - created
    stage = np.where(age < 14, 0, np.where(age < 60, 1, 2))
    status = d.choice_by_group(
        rng, stage, [(60, 40, 0, 0, 0), (10, 40, 30, 15, 5), (3, 10, 15, 42, 30)]
    )
    mean = np.array([40.0, 52.0, 74.0, 24.0, 82.0])[status]
    spread = np.array([14.0, 14.0, 10.0, 12.0, 9.0])[status]
    score = np.clip(np.round(rng.normal(mean, spread)), 0, 100).astype(np.int64)
    unscored = (status == 0) & (rng.random(m) < 0.3)
    account = people.account[owner]
    return pa.table(
        {
            "lead_id": d.arrow_ids("L", np.arange(1, m + 1), d.id_width(m, 7)),
            "contact_id": people.ids.take(pa.array(owner)),
            "account_id": accounts.ids.take(pa.array(account, mask=account < 0)),
            "source": d.arrow_take(
                [s[0] for s in d.LEAD_SOURCES], d.choice(rng, [s[1] for s in d.LEAD_SOURCES], m)
            ),
            "status": d.arrow_take(d.LEAD_STATUSES, status),
            "score": pa.array(score, pa.int64(), mask=unscored),
            "created_date": pa.array(created.astype(np.int32), pa.date32()),
        }
    )


def _purchases(orders: _Orders) -> ix.Events:
    """One purchase per order that was not cancelled, at the moment it was placed."""
    placed = np.nonzero(orders.status != 3)[0]
    ids = _order_ids(orders.count)
    return ix.Events(
        "purchase", "PU", orders.owner[placed], orders.ts[placed],
        {
            "order_id": ix.Column(placed, lambda idx: ids.take(pa.array(idx))),
            "product_category": ix.Column(
                orders.category[placed], ix.text([c[0] for c in d.PRODUCT_CATEGORIES])
            ),
            "amount": ix.Column(orders.total[placed], ix.typed(pa.float64())),
            "quantity": ix.Column(orders.items[placed], ix.typed(pa.int64())),
        },
    )  # fmt: skip


# --- writing --------------------------------------------------------------------------


def _write(path: Path, table: Any, report: Progress) -> int:
    name = path.stem
    report(name, 0, table.num_rows)
    pq.write_table(table, path, compression=_COMPRESSION, row_group_size=_WRITE_ROWS)
    report(name, table.num_rows, table.num_rows)
    return int(table.num_rows)


def _write_events(folder: Path, events: ix.Events, people: People, report: Progress) -> int:
    """Sort one interaction kind by time and write it in chunks, numbering events in order."""
    order = np.argsort(events.ts, kind="stable")
    ts, owner = events.ts[order], events.owner[order]
    columns = {name: (col.data[order], col.to_arrow) for name, col in events.columns.items()}
    total, width = len(ts), d.id_width(len(ts), 8)

    def chunk(lo: int, hi: int) -> Any:
        return pa.table(
            {
                "event_id": d.arrow_ids(events.prefix, np.arange(lo + 1, hi + 1), width),
                "contact_id": people.ids.take(pa.array(owner[lo:hi])),
                "occurred_at": pa.array(ts[lo:hi], _TIMESTAMP),
                **{name: convert(data[lo:hi]) for name, (data, convert) in columns.items()},
            }
        )

    first = chunk(0, min(total, _WRITE_ROWS))
    report(events.name, 0, total)
    # Dictionary-encode the repeating columns, not the unique ids and times.
    repeating = [n for n in first.column_names if n not in ("event_id", "occurred_at")]
    path = folder / f"{events.name}.parquet"
    with pq.ParquetWriter(
        path, first.schema, compression=_COMPRESSION, use_dictionary=repeating
    ) as out:
        out.write_table(first, row_group_size=_WRITE_ROWS)
        report(events.name, first.num_rows, total)
        for lo in range(_WRITE_ROWS, total, _WRITE_ROWS):
            hi = min(lo + _WRITE_ROWS, total)
            out.write_table(chunk(lo, hi), row_group_size=_WRITE_ROWS)
            report(events.name, hi, total)
    return total


# --- the public entry points ----------------------------------------------------------


def generate_workspace_data(
    folder: Path, contacts: int, seed: int, progress: Progress | None = None
) -> dict[str, int]:
    """Write the demo's Parquet files into `folder / "data"`; return the rows of each file.

    The keys of the result are the file names without `.parquet`, which are also the entity
    and interaction names of the demo's `model.yaml`. About 20 interactions per contact are
    drawn, all in the two years before `DEMO_AS_OF`, each kind sorted by `occurred_at`.

    Every table draws from its own random stream (`default_rng([stream, seed])`), so the
    same `(contacts, seed)` always writes byte-identical files. Sampling is vectorised and
    files are written in chunks of rows, so a million contacts take well under a minute.
    """
    if contacts < 1:
        raise ValueError(f"contacts must be at least 1, not {contacts}")
    if seed < 0:
        raise ValueError(f"seed must be zero or positive, not {seed}")
    report = progress or _no_progress
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}

    accounts = _accounts(_rng(seed, _Stream.ACCOUNTS), max(5, round(contacts / 20)))
    rows["accounts"] = _write(data / "accounts.parquet", accounts.table, report)
    people = _people(_rng(seed, _Stream.CONTACTS), contacts, accounts)
    orders = _orders(_rng(seed, _Stream.ORDERS), people)
    table, loyalty = _contacts_table(_rng(seed, _Stream.PROFILE), people, accounts, orders)
    people = replace(people, loyalty=loyalty)
    rows["contacts"] = _write(data / "contacts.parquet", table, report)
    del table
    leads = _leads_table(_rng(seed, _Stream.LEADS), people, accounts)
    rows["leads"] = _write(data / "leads.parquet", leads, report)
    rows["orders"] = _write(data / "orders.parquet", _orders_table(orders, people), report)

    events = ix.event_calendar()
    campaigns = ix.campaign_calendar(events)
    for kind in ix.email(_rng(seed, _Stream.EMAIL), people, campaigns):
        rows[kind.name] = _write_events(data, kind, people, report)
    kinds: list[Callable[[], ix.Events]] = [
        lambda: ix.form_submissions(_rng(seed, _Stream.FORMS), people),
        lambda: ix.event_registrations(_rng(seed, _Stream.EVENTS), people, events),
        lambda: ix.web_visits(_rng(seed, _Stream.WEB), people),
        lambda: _purchases(orders),
    ]
    for make in kinds:
        kind = make()
        rows[kind.name] = _write_events(data, kind, people, report)
    return rows


def definition_files() -> dict[str, str]:
    """The demo's `model.yaml` and `segments/*.yaml`, by path relative to the workspace."""
    package = resources.files("segmint.demo")
    files = {"model.yaml": package.joinpath("model.yaml").read_text(encoding="utf-8")}
    for entry in sorted(package.joinpath("segments").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            files[f"segments/{entry.name}"] = entry.read_text(encoding="utf-8")
    return files
