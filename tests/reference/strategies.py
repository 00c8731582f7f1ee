"""Test vocabulary for checking engines against the reference evaluator.

This module owns:

- `MODEL` / `CATALOG`: a small, fixed but rich data model. `contact` (the audience) has an
  attribute of every type, a many-to-one `account` (which has a many-to-one `region`, so
  two-hop paths exist) and one-to-many `orders` (which have one-to-many `lines`, so related
  conditions nest); `email_opened` and `purchase` are interactions of contacts.
- `make_dataset(seed)`: rows deterministic from a seed, both as plain Python values (for
  the reference evaluator) and as explicitly typed pyarrow tables (for engines). Values are
  chosen to be awkward: NULLs everywhere, empty strings and lists, Unicode, `%`, `_`, `\\`,
  quotes, 29 February, year ends, instants around the DST changes of the zones under test,
  orphan and NULL foreign keys, interactions after any likely `as_of`.
- `SEGMENTS`: a few named definitions that generated `in_segment` conditions refer to.
- `definitions(catalog, data)`, `as_of_instants()`, `cases(catalog, data)`: Hypothesis
  strategies for random *valid* definitions covering every node and every operator of every
  type, with operands partly drawn from the data so that conditions are sometimes true.
  `cases` draws the zone and `as_of` first, so that date operands and windows can be put
  right at the boundary of a value in the data (`Moment`, `boundary_operands`).
- `time_cases(catalog, data)`: single date/time tests with `as_of` anchored on one value in
  the data, for the boundaries random trees rarely reach.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import pyarrow as pa
from hypothesis import strategies as st

from reference.evaluator import anniversary_in, days_to_next_anniversary
from segmint.catalog import (
    Attribute,
    AttrType,
    Catalog,
    Entity,
    Interaction,
    parse_model,
    resolve_catalog,
)
from segmint.definition import nodes as n
from segmint.definition.operators import COUNT, Shape, operators_for

UTC = dt.UTC
Rows = dict[str, list[dict[str, Any]]]
T = TypeVar("T")

ZONES = (
    "UTC",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Asia/Kolkata",
    "America/Santiago",
    "Australia/Lord_Howe",
)

# --- the data model -----------------------------------------------------------------------


def _attrs(**types: str) -> dict[str, dict[str, str]]:
    return {name: {"type": typ} for name, typ in types.items()}


def _link(entity: str, kind: str, foreign_key: str) -> dict[str, str]:
    return {"entity": entity, "type": kind, "foreign_key": foreign_key}


MODEL: dict[str, Any] = {
    "entities": {
        "contact": {
            "key": "contact_id",
            "audience": True,
            "source": "data/contact.parquet",
            "attributes": _attrs(
                contact_id="string",
                first_name="string",
                city="string",
                age="integer",
                score="float",
                email_opt_in="boolean",
                birthday="date",
                signup_date="date",
                last_login="timestamp",
                interests="list",
                account_id="string",
            ),
            "relationships": {
                "account": _link("account", "many_to_one", "account_id"),
                "orders": _link("orders", "one_to_many", "contact_id"),
            },
        },
        "account": {
            "key": "account_id",
            "source": "data/account.parquet",
            "attributes": _attrs(
                account_id="string",
                industry="string",
                employees="integer",
                revenue="float",
                is_partner="boolean",
                renewal_date="date",
                created_at="timestamp",
                tags="list",
                region_id="integer",
            ),
            "relationships": {
                "region": _link("region", "many_to_one", "region_id"),
            },
        },
        "region": {
            "key": "region_id",
            "source": "data/region.parquet",
            "attributes": _attrs(
                region_id="integer",
                name="string",
                launched_on="date",
                opened_at="timestamp",
                tax_rate="float",
            ),
        },
        "orders": {
            "key": "order_id",
            "source": "data/orders.parquet",
            "attributes": _attrs(
                order_id="integer",
                contact_id="string",
                status="string",
                total="float",
                items="integer",
                is_gift="boolean",
                placed_on="date",
                placed_at="timestamp",
                labels="list",
            ),
            "relationships": {
                "contact": _link("contact", "many_to_one", "contact_id"),
                "lines": _link("order_lines", "one_to_many", "order_id"),
            },
        },
        "order_lines": {
            "key": "line_id",
            "source": "data/order_lines.parquet",
            "attributes": _attrs(
                line_id="integer",
                order_id="integer",
                sku="string",
                quantity="integer",
                unit_price="float",
                backordered="boolean",
            ),
        },
    },
    "interactions": {
        "email_opened": {
            "profile": "contact",
            "profile_key": "contact_id",
            "timestamp": "opened_at",
            "source": "data/email_opened.parquet",
            "attributes": _attrs(
                contact_id="string",
                opened_at="timestamp",
                email_name="string",
                device="string",
                read_seconds="integer",
            ),
        },
        "purchase": {
            "profile": "contact",
            "profile_key": "contact_id",
            "timestamp": "purchased_at",
            "source": "data/purchase.parquet",
            "attributes": _attrs(
                contact_id="string",
                purchased_at="timestamp",
                amount="float",
                quantity="integer",
                category="string",
                delivery_date="date",
            ),
        },
    },
}

CATALOG: Catalog = resolve_catalog(parse_model(MODEL))

# --- pools of awkward values -------------------------------------------------------------

TEXTS: tuple[str, ...] = (
    "Seattle",
    "seattle",
    "SEATTLE",
    "Séattle",
    "Se\u0301attle",  # the same letters, with a combining accent
    "München",
    "東京",
    "São Paulo",
    "Zürich 🙂",
    "🙂",
    "👩\u200d👩\u200d👧",
    "100%",
    "50% off",
    "a_b",
    "a%b",
    "back\\slash",
    "C:\\dir\\",
    "O'Brien",
    'say "hi"',
    "",
    " ",
    "  padded  ",
    "x",
    "dress",
    "Summer dress sale",
    "%",
    "_",
    "\\",
    "two\nlines",
    "Retail",
)
NEEDLES: tuple[str, ...] = (
    "%", "_", "\\", "'", '"', "e\u0301", "é", "eattle", "SEATTLE", "🙂", " ", "a%b", "50%",
    "x_y", "dress", "ress", "Retail", "\u200d", "\n",
)  # fmt: skip
LIST_ITEMS: tuple[str, ...] = (
    "running", "yoga", "Yoga", "golf", "🙂", "a%b", "_", "back\\slash", "O'Brien",
    "tennis club", "é",
)  # fmt: skip
INTEGERS: tuple[int, ...] = (0, 1, -1, 7, 18, 42, 65, 2**31 - 1, -(2**31), 10**12, -(10**12))
FLOATS: tuple[float, ...] = (0.0, -0.0, 0.1, 0.25, 0.5, 1.5, -2.75, 18.0, 99.75, 100.0, 1e6)
# Purchase amounts are multiples of 1/4 so that sums are exact in any order.
AMOUNTS: tuple[float, ...] = (0.0, 0.25, 9.75, 10.0, 19.5, 50.0, 100.0, 250.25, -5.5, 1000.0)
EDGE_DATES: tuple[dt.date, ...] = (
    dt.date(2024, 2, 29),
    dt.date(2020, 2, 29),
    dt.date(2000, 2, 29),
    dt.date(2023, 2, 28),
    dt.date(2023, 3, 1),
    dt.date(2024, 2, 28),
    dt.date(2024, 3, 1),
    dt.date(2025, 2, 28),
    dt.date(2025, 3, 1),
    dt.date(1999, 12, 31),
    dt.date(2000, 1, 1),
    dt.date(2024, 12, 31),
    dt.date(2025, 1, 1),
    dt.date(2025, 1, 31),
    dt.date(2025, 3, 31),
    dt.date(2025, 4, 30),
    dt.date(2025, 5, 31),
    dt.date(2025, 6, 30),
    dt.date(2025, 11, 30),
    dt.date(2025, 12, 31),
    dt.date(2026, 1, 1),
    dt.date(1970, 1, 1),
    dt.date(1969, 12, 31),
    dt.date(1900, 3, 1),
)
EDGE_INSTANTS: tuple[dt.datetime, ...] = (  # naive UTC
    dt.datetime(1969, 12, 31, 23, 59, 59, 999999),
    dt.datetime(1970, 1, 1),
    dt.datetime(2000, 2, 29, 12),
    dt.datetime(2024, 2, 29, 23, 30),
    dt.datetime(2024, 12, 31, 23, 59, 59),
    dt.datetime(2025, 1, 1),
    dt.datetime(2025, 12, 31, 22, 30),
    dt.datetime(2030, 6, 1, 12),
)
SPAN_START = dt.datetime(2024, 9, 1)  # random instants fall in this span (naive UTC)
SPAN_END = dt.datetime(2026, 3, 1)

# --- instants around DST changes ---------------------------------------------------------


@cache
def dst_changes() -> tuple[dt.datetime, ...]:
    """Every UTC offset change of the zones under test in 2024-2026 (naive UTC instants).

    Found by scanning in 30-minute steps; every change in these zones falls on a
    half-hour boundary of UTC, so each found instant is the exact first instant of the
    new offset.
    """
    step = dt.timedelta(minutes=30)
    found: set[dt.datetime] = set()
    for name in ZONES:
        zone = ZoneInfo(name)
        at = dt.datetime(2024, 1, 1, tzinfo=UTC)
        offset = at.astimezone(zone).utcoffset()
        while at < dt.datetime(2027, 1, 1, tzinfo=UTC):
            at += step
            new_offset = at.astimezone(zone).utcoffset()
            if new_offset != offset:
                found.add(at.replace(tzinfo=None))
            offset = new_offset
    return tuple(sorted(found))


def first_instant_of(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The first instant (naive UTC) of a local day; after a gap at midnight, its end."""
    candidate = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(UTC)
    while (candidate - dt.timedelta(minutes=30)).astimezone(zone).date() == day:
        candidate -= dt.timedelta(minutes=30)
    while candidate.astimezone(zone).date() < day:
        candidate += dt.timedelta(minutes=30)
    return candidate.replace(tzinfo=None)


_NUDGES = tuple(
    dt.timedelta(**kw)
    for kw in (
        {"days": -1},
        {"hours": -1},
        {"seconds": -1},
        {"microseconds": -1},
        {},
        {"microseconds": 1},
        {"seconds": 1},
        {"minutes": 30},
        {"hours": 1},
        {"hours": 23},
        {"days": 1},
    )
)


@cache
def interesting_instants() -> tuple[dt.datetime, ...]:
    """Naive UTC instants at and around DST changes and local midnights around them."""
    found: set[dt.datetime] = set(EDGE_INSTANTS)
    for change in dst_changes():
        found.update(change + nudge for nudge in _NUDGES)
        for name in ZONES:
            zone = ZoneInfo(name)
            local = change.replace(tzinfo=UTC).astimezone(zone).date()
            for day in (local - dt.timedelta(days=1), local, local + dt.timedelta(days=1)):
                start = first_instant_of(day, zone)
                found.update((start - dt.timedelta(microseconds=1), start))
    return tuple(sorted(found))


# --- the dataset --------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """The same rows twice: plain Python values and typed pyarrow tables."""

    rows: Rows
    tables: dict[str, pa.Table]


ARROW_TYPES: dict[AttrType, pa.DataType] = {
    AttrType.STRING: pa.string(),
    AttrType.INTEGER: pa.int64(),
    AttrType.FLOAT: pa.float64(),
    AttrType.BOOLEAN: pa.bool_(),
    AttrType.DATE: pa.date32(),
    AttrType.TIMESTAMP: pa.timestamp("us"),
    AttrType.LIST: pa.list_(pa.string()),
}


def arrow_table(attributes: Mapping[str, Attribute], rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """A pyarrow table with one explicitly typed column per attribute (absent keys: NULL)."""
    schema = pa.schema([pa.field(name, ARROW_TYPES[a.type]) for name, a in attributes.items()])
    columns = {name: [row.get(name) for row in rows] for name in attributes}
    return pa.table(columns, schema=schema)


def arrow_tables(
    catalog: Catalog, rows: Mapping[str, Sequence[Mapping[str, Any]]]
) -> dict[str, pa.Table]:
    """Typed tables for every entity and interaction of the catalog."""
    owners: dict[str, Entity | Interaction] = {**catalog.entities, **catalog.interactions}
    return {
        name: arrow_table(owner.attributes, rows.get(name, ())) for name, owner in owners.items()
    }


class _RowMaker:
    """Draws attribute values from the pools, with a NULL now and then."""

    def __init__(self, rng: random.Random, null_rate: float = 0.15) -> None:
        self.rng = rng
        self.null_rate = null_rate

    def value(self, typ: AttrType, pool: Sequence[Any] | None = None) -> Any:
        if self.rng.random() < self.null_rate:
            return None
        if pool is not None:
            return self.rng.choice(pool)
        return self._draw(typ)

    def _draw(self, typ: AttrType) -> Any:
        rng = self.rng
        if typ is AttrType.STRING:
            return rng.choice(TEXTS)
        if typ is AttrType.INTEGER:
            return rng.choice(INTEGERS) if rng.random() < 0.6 else rng.randint(-5, 80)
        if typ is AttrType.FLOAT:
            return rng.choice(FLOATS)
        if typ is AttrType.BOOLEAN:
            return rng.random() < 0.5
        if typ is AttrType.DATE:
            return self.date()
        if typ is AttrType.TIMESTAMP:
            return self.instant()
        return rng.sample(LIST_ITEMS, rng.choice((0, 0, 1, 2, 3)))  # LIST: often empty

    def date(self) -> dt.date:
        if self.rng.random() < 0.4:
            return self.rng.choice(EDGE_DATES)
        return self.instant().date()

    def instant(self) -> dt.datetime:
        if self.rng.random() < 0.5:
            return self.rng.choice(interesting_instants())
        seconds = int((SPAN_END - SPAN_START).total_seconds())
        at = SPAN_START + dt.timedelta(seconds=self.rng.randrange(seconds))
        if self.rng.random() < 0.2:
            at += dt.timedelta(microseconds=self.rng.randrange(1_000_000))
        return at

    def row(
        self,
        attributes: Mapping[str, Attribute],
        fixed: Mapping[str, Any],
        pools: Mapping[str, Sequence[Any]] | None = None,
    ) -> dict[str, Any]:
        pools = pools or {}
        return {
            name: fixed[name] if name in fixed else self.value(a.type, pools.get(name))
            for name, a in attributes.items()
        }


def make_dataset(seed: int = 0, contacts: int | None = None) -> Dataset:
    """A dataset of 30-60 contacts (or `contacts`) and everything around them, from a seed."""
    rng = random.Random(seed)
    maker = _RowMaker(rng)
    ents = CATALOG.entities
    rows: Rows = {}
    rows["region"] = [maker.row(ents["region"].attributes, {"region_id": i}) for i in (1, 2, 3, 4)]
    region_ids = (1, 2, 3, 4, None, 99)  # 99: an orphan link
    rows["account"] = [
        maker.row(
            ents["account"].attributes,
            {"account_id": f"a{i}", "region_id": rng.choice(region_ids)},
        )
        for i in range(1, 9)
    ]
    rows["contact"] = _contacts(maker, contacts or rng.randint(30, 60))
    contact_ids = [c["contact_id"] for c in rows["contact"]]
    rows["orders"] = _children(
        maker, "orders", key="order_id", parent_key="contact_id", parents=contact_ids, most=4
    )
    order_ids = [o["order_id"] for o in rows["orders"]]
    rows["order_lines"] = _children(
        maker, "order_lines", key="line_id", parent_key="order_id", parents=order_ids, most=3
    )
    rows["email_opened"] = _interactions(maker, "email_opened", contact_ids, 6)
    rows["purchase"] = _interactions(maker, "purchase", contact_ids, 5, {"amount": AMOUNTS})
    return Dataset(rows=rows, tables=arrow_tables(CATALOG, rows))


_ODD_CONTACT_IDS = ("c-ü", "c'o", "c%_\\", "c🙂")


def _contacts(maker: _RowMaker, count: int) -> list[dict[str, Any]]:
    ids = [*_ODD_CONTACT_IDS, *(f"c{i:03d}" for i in range(count - len(_ODD_CONTACT_IDS)))]
    account_ids = (*(f"a{i}" for i in range(1, 9)), None, "a-ghost")
    attributes = CATALOG.entities["contact"].attributes
    return [
        maker.row(attributes, {"contact_id": cid, "account_id": maker.rng.choice(account_ids)})
        for cid in ids
    ]


def _children(
    maker: _RowMaker, entity: str, *, key: str, parent_key: str, parents: Sequence[Any], most: int
) -> list[dict[str, Any]]:
    """0..most children per parent, plus children with a NULL or an orphan parent key."""
    orphan: Any = "c-ghost" if isinstance(parents[0], str) else 999_999
    parent_keys = [p for p in parents for _ in range(maker.rng.randint(0, most))]
    parent_keys += [None, None, orphan, orphan]
    attributes = CATALOG.entities[entity].attributes
    return [
        maker.row(attributes, {key: i, parent_key: parent})
        for i, parent in enumerate(parent_keys, start=1)
    ]


def _interactions(
    maker: _RowMaker,
    interaction: str,
    contact_ids: Sequence[str],
    most: int,
    pools: Mapping[str, Sequence[Any]] | None = None,
) -> list[dict[str, Any]]:
    """0..most interactions per contact, some with a NULL time, a NULL or orphan contact."""
    spec = CATALOG.interactions[interaction]
    owners: list[str | None] = [c for c in contact_ids for _ in range(maker.rng.randint(0, most))]
    owners += [None, None, "c-ghost", "c-ghost"]
    out = []
    for owner in owners:
        when = None if maker.rng.random() < 0.04 else maker.instant()
        fixed = {spec.profile_key: owner, spec.timestamp: when}
        out.append(maker.row(spec.attributes, fixed, pools))
    return out


# --- named segments for in_segment ---------------------------------------------------------

SEGMENTS: dict[str, n.Definition] = {
    "recent-openers": n.Definition(
        audience="contact",
        timezone="Europe/Berlin",
        condition=n.Behavior(interaction="email_opened", window=n.Window(last=30, unit="day")),
    ),
    "big-spenders": n.Definition(
        audience="contact",
        timezone="America/Los_Angeles",
        condition=n.Behavior(
            interaction="purchase",
            window=n.Window(last=6, unit="month"),
            aggregate=n.Aggregate(fn="sum", field="amount", op="gte", value=100),
        ),
    ),
    "quiet-big-spenders": n.Definition(
        audience="contact",
        timezone="Australia/Lord_Howe",
        condition=n.And(
            conditions=(
                n.InSegment(segment="big-spenders"),
                n.Not(condition=n.InSegment(segment="recent-openers")),
            )
        ),
    ),
    "opened-today-lord-howe": n.Definition(
        audience="contact",
        timezone="Australia/Lord_Howe",
        condition=n.Behavior(interaction="email_opened", window=n.Window(last=0, unit="day")),
    ),
    "birthday-this-week-kolkata": n.Definition(
        audience="contact",
        timezone="Asia/Kolkata",
        condition=n.Attribute(field="birthday", op="anniversary_within", value=6),
    ),
    "seattle-ish": n.Definition(
        audience="contact",
        timezone="America/Santiago",
        condition=n.Or(
            conditions=(
                n.Attribute(field="city", op="contains", value="eattle"),
                n.Attribute(field="last_login", op="in_last", value=1, unit="day"),
            )
        ),
    ),
}


def resolve_segment(key: str) -> n.Definition | None:
    """The resolver engines and the reference are given for `in_segment`."""
    return SEGMENTS.get(key)


# --- the vocabulary definitions are drawn from ---------------------------------------------

MAX_DEPTH = 4  # and / or / not nest this deep; related and behavior `where` count too
MAX_HOPS = 2  # dotted paths follow at most this many many-to-one links


@dataclass(frozen=True)
class FieldChoice:
    """A field a condition can test: its path, who holds the attribute, the attribute."""

    path: str
    holder: str
    attribute: Attribute


@dataclass(frozen=True, repr=False)
class Vocabulary:
    """What definitions are made of: the catalog and values actually present in the data."""

    catalog: Catalog
    audience: str
    observed: Mapping[tuple[str, str], tuple[Any, ...]]  # operand-ready values per field
    raw: Mapping[tuple[str, str], tuple[Any, ...]]  # the dates and timestamps themselves
    segment_keys: tuple[str, ...]
    # strategies are built once per vocabulary: building and validating them is the slow part
    _built: dict[tuple[Any, ...], Any] = field(default_factory=dict, init=False, compare=False)

    def memo(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """`build()`, once per key."""
        if key not in self._built:
            self._built[key] = build()
        return cast("T", self._built[key])

    @classmethod
    def build(
        cls,
        catalog: Catalog,
        data: Mapping[str, Sequence[Mapping[str, Any]]],
        audience: str,
        segment_keys: Sequence[str],
    ) -> Vocabulary:
        observed: dict[tuple[str, str], tuple[Any, ...]] = {}
        raw: dict[tuple[str, str], tuple[Any, ...]] = {}
        owners: dict[str, Entity | Interaction] = {**catalog.entities, **catalog.interactions}
        for name, owner in owners.items():
            for attr in owner.attributes.values():
                column = [row.get(attr.name) for row in data.get(name, ())]
                observed[name, attr.name] = _operand_values(attr.type, column)
                if attr.type.is_temporal:
                    raw[name, attr.name] = tuple(dict.fromkeys(v for v in column if v is not None))
        return cls(catalog, audience, observed, raw, tuple(segment_keys))

    def __repr__(self) -> str:  # Hypothesis shows strategies' arguments: keep it short
        return f"Vocabulary(audience={self.audience!r}, segment_keys={self.segment_keys!r})"

    def attributes(self, owner: str) -> Mapping[str, Attribute]:
        if owner in self.catalog.interactions:
            return self.catalog.interactions[owner].attributes
        return self.catalog.entities[owner].attributes

    def fields(self, owner: str) -> list[FieldChoice]:
        """Every field of `owner`, including dotted many-to-one paths (entities only)."""
        return self.memo(("fields", owner), lambda: self._fields(owner))

    def _fields(self, owner: str) -> list[FieldChoice]:
        found = [FieldChoice(a.name, owner, a) for a in self.attributes(owner).values()]
        if owner in self.catalog.interactions:
            return found
        frontier = [("", owner)]
        for _ in range(MAX_HOPS):
            next_frontier = []
            for prefix, entity in frontier:
                for rel in self.catalog.entities[entity].relationships.values():
                    if rel.type != "many_to_one":
                        continue
                    path = f"{prefix}{rel.name}."
                    target = self.catalog.entities[rel.target]
                    found += [
                        FieldChoice(path + a, target.name, attr)
                        for a, attr in target.attributes.items()
                    ]
                    next_frontier.append((path, target.name))
            frontier = next_frontier
        return found

    def one_to_many(self, owner: str) -> list[str]:
        if owner not in self.catalog.entities:
            return []
        rels = self.catalog.entities[owner].relationships.values()
        return sorted(r.name for r in rels if r.type == "one_to_many")

    def interactions_of(self, owner: str) -> list[str]:
        if owner not in self.catalog.entities:
            return []
        return sorted(self.catalog.interactions_of(owner))


def _operand_values(typ: AttrType, column: Iterable[Any]) -> tuple[Any, ...]:
    """Distinct present values of a column, as operands (list items; days around instants)."""
    out: dict[Any, None] = {}
    for value in column:
        if value is None or value in ("", []):
            continue
        if typ is AttrType.LIST:
            out.update(dict.fromkeys(value))
        elif typ is AttrType.TIMESTAMP:
            day = value.date()
            out.update(dict.fromkeys((day - dt.timedelta(days=1), day, day + dt.timedelta(days=1))))
        else:
            out[value] = None
    return tuple(out)


# --- operands -----------------------------------------------------------------------------

_TEXT_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
_CALENDAR_UNITS = (n.TimeUnit.DAY, n.TimeUnit.WEEK, n.TimeUnit.MONTH, n.TimeUnit.YEAR)
_MEDIUM = {
    n.TimeUnit.HOUR: 400,
    n.TimeUnit.DAY: 800,
    n.TimeUnit.WEEK: 120,
    n.TimeUnit.MONTH: 40,
    n.TimeUnit.YEAR: 5,
}
_LARGE = {  # the limit is 100,000; months and years that far leave the calendar
    n.TimeUnit.HOUR: 100_000,
    n.TimeUnit.DAY: 100_000,
    n.TimeUnit.WEEK: 100_000,
    n.TimeUnit.MONTH: 1_200,
    n.TimeUnit.YEAR: 100,
}


def _substrings(text: str) -> st.SearchStrategy[str]:
    return st.integers(0, len(text) - 1).flatmap(
        lambda i: st.integers(i + 1, len(text)).map(lambda j: text[i:j])
    )


@cache
def _generic(typ: AttrType) -> st.SearchStrategy[Any]:
    """Operands of a type that need not occur in the data."""
    if typ is AttrType.STRING:
        return st.sampled_from(NEEDLES) | st.text(_TEXT_CHARS, min_size=1, max_size=4)
    if typ is AttrType.INTEGER:
        return st.sampled_from(INTEGERS) | st.integers(-100, 100)
    if typ is AttrType.FLOAT:
        return st.sampled_from(FLOATS + AMOUNTS) | st.integers(-100, 100)
    if typ.is_temporal:
        return st.sampled_from(EDGE_DATES) | st.dates(dt.date(2023, 1, 1), dt.date(2027, 12, 31))
    if typ is AttrType.LIST:
        return st.sampled_from(LIST_ITEMS)
    raise ValueError(f"no scalar operands for {typ}")


def scalars(vocab: Vocabulary, holder: str, name: str, typ: AttrType) -> st.SearchStrategy[Any]:
    """One operand value for a field: often one present in the data."""
    return vocab.memo(("scalar", holder, name, typ), lambda: _scalars(vocab, holder, name, typ))


def _scalars(vocab: Vocabulary, holder: str, name: str, typ: AttrType) -> st.SearchStrategy[Any]:
    seen = [v for v in vocab.observed.get((holder, name), ()) if not isinstance(v, bool)]
    if typ is AttrType.INTEGER:
        seen = [v for v in seen if isinstance(v, int)]
    options = [_generic(typ)]
    if seen:
        options.append(st.sampled_from(seen))
        if typ is AttrType.STRING:
            options.append(st.sampled_from(seen).flatmap(_substrings))
    return st.one_of(*options)


@cache
def amounts(unit: n.TimeUnit) -> st.SearchStrategy[int]:
    """A relative amount N for a unit: small, medium, or at the far end."""
    return st.integers(0, 10) | st.integers(0, _MEDIUM[unit]) | st.just(_LARGE[unit])


@cache
def relative(typ: AttrType) -> st.SearchStrategy[tuple[int, n.TimeUnit]]:
    units = (*_CALENDAR_UNITS, n.TimeUnit.HOUR) if typ is AttrType.TIMESTAMP else _CALENDAR_UNITS
    return st.sampled_from(units).flatmap(lambda u: amounts(u).map(lambda k: (k, u)))


def operands(
    vocab: Vocabulary, holder: str, name: str, typ: AttrType, op: str
) -> st.SearchStrategy[tuple[Any, n.TimeUnit | None]]:
    """A (value, unit) pair valid for `op` on a field of type `typ`."""
    key = ("operand", holder, name, typ, op)
    return vocab.memo(key, lambda: _operands(vocab, holder, name, typ, op))


def _operands(
    vocab: Vocabulary, holder: str, name: str, typ: AttrType, op: str
) -> st.SearchStrategy[tuple[Any, n.TimeUnit | None]]:
    shape = operators_for(typ)[op].shape
    if shape is Shape.NONE:
        return st.just((None, None))
    if shape is Shape.RELATIVE:
        return relative(typ)
    if shape is Shape.DAYS:
        days = st.integers(0, 10) | st.integers(0, 400) | st.just(100_000)
        return days.map(lambda k: (k, None))
    one = scalars(vocab, holder, name, typ)
    if shape is Shape.SCALAR:
        return one.map(lambda v: (v, None))
    if shape is Shape.LIST:
        return st.lists(one, min_size=1, max_size=4).map(lambda vs: (vs, None))
    return st.tuples(one, one).map(lambda pair: (sorted(pair), None))  # PAIR


@cache
def counts() -> st.SearchStrategy[n.Comparison]:
    """A test on a count: number operators without is_empty / is_not_empty."""
    small = st.integers(0, 6)
    by_shape: dict[Shape, st.SearchStrategy[Any]] = {
        Shape.SCALAR: small,
        Shape.LIST: st.lists(small, min_size=1, max_size=3),
        Shape.PAIR: st.tuples(small, small).map(sorted),
    }
    return st.sampled_from(sorted(COUNT)).flatmap(
        lambda op: by_shape[COUNT[op].shape].map(lambda v: n.Comparison(op=op, value=v))
    )


@cache
def window_dates() -> st.SearchStrategy[dt.date]:
    near = st.sampled_from(interesting_instants()).map(lambda t: t.date())
    return near | st.dates(SPAN_START.date(), SPAN_END.date())


@cache
def windows() -> st.SearchStrategy[n.Window]:
    last = st.sampled_from(tuple(n.TimeUnit)).flatmap(
        lambda u: amounts(u).map(lambda k: n.Window(last=k, unit=u))
    )
    since = window_dates().map(lambda d: n.Window(from_=d))
    until = window_dates().map(lambda d: n.Window(to=d))
    between = (
        st.tuples(window_dates(), window_dates())
        .map(sorted)
        .map(lambda p: n.Window(from_=p[0], to=p[1]))
    )
    return st.one_of(last, since, until, between)


# --- operands at the boundaries of the data -----------------------------------------------


@dataclass(frozen=True)
class Moment:
    """The zone and as_of a condition will be evaluated at, when known while drawing it.

    Knowing them, relative amounts, anniversary days, windows and dates can be drawn right
    at (or one unit beside) the boundary that a value in the data sits on: where engines
    that get local days, DST, month ends or 29 February wrong give themselves away.
    """

    zone: str
    as_of: dt.datetime  # aware UTC

    @property
    def today(self) -> dt.date:
        return self.as_of.astimezone(ZoneInfo(self.zone)).date()

    def day_of(self, value: dt.date) -> dt.date:
        """The date itself, or the local day of a stored (naive UTC) timestamp."""
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=UTC).astimezone(ZoneInfo(self.zone)).date()
        return value

    def distance(self, value: dt.date, unit: n.TimeUnit) -> int:
        """How many whole units lie between `value` and as_of (hours) or today (either way)."""
        if unit is n.TimeUnit.HOUR and isinstance(value, dt.datetime):
            return int(abs((self.as_of - value.replace(tzinfo=UTC)).total_seconds()) // 3600)
        day, today = self.day_of(value), self.today
        if unit is n.TimeUnit.WEEK:
            return abs((today - day).days) // 7
        if unit is n.TimeUnit.MONTH:
            return abs((today.year - day.year) * 12 + today.month - day.month)
        if unit is n.TimeUnit.YEAR:
            return abs(today.year - day.year)
        return abs((today - day).days)


_NEAR = st.sampled_from((-1, 0, 0, 1))  # on the boundary, or one unit either side
_THIRDS = st.integers(0, 2)


def _clamp(amount: int, unit: n.TimeUnit) -> int:
    return max(0, min(amount, _LARGE[unit]))


def _units(typ: AttrType) -> tuple[n.TimeUnit, ...]:
    return (*_CALENDAR_UNITS, n.TimeUnit.HOUR) if typ is AttrType.TIMESTAMP else _CALENDAR_UNITS


@st.composite
def boundary_operands(
    draw: st.DrawFn,
    vocab: Vocabulary,
    holder: str,
    name: str,
    typ: AttrType,
    op: str,
    moment: Moment,
    anchor: dt.date | None = None,
) -> tuple[Any, n.TimeUnit | None]:
    """A date or timestamp operand that puts the boundary right at a value in the data
    (`anchor`, or one drawn from the field's values)."""
    seen = vocab.raw.get((holder, name), ())
    shape = operators_for(typ)[op].shape
    if not seen or shape is Shape.NONE or shape is Shape.LIST:
        return draw(operands(vocab, holder, name, typ, op))
    value = anchor if anchor is not None else seen[draw(st.integers(0, len(seen) - 1))]
    near = draw(_NEAR)
    if shape is Shape.RELATIVE:
        unit = draw(st.sampled_from(_units(typ)))
        return _clamp(moment.distance(value, unit) + near, unit), unit
    if shape is Shape.DAYS:
        return max(0, days_to_next_anniversary(value, moment.today) + near), None
    day = moment.day_of(value) + dt.timedelta(days=near)
    if shape is Shape.SCALAR:
        return day, None
    other = moment.day_of(seen[draw(st.integers(0, len(seen) - 1))])  # PAIR
    return sorted((day, other)), None


@st.composite
def boundary_windows(
    draw: st.DrawFn,
    vocab: Vocabulary,
    interaction: str,
    moment: Moment,
    anchor: dt.datetime | None = None,
) -> n.Window:
    """A window that starts or ends right at an interaction in the data (`anchor`, or one
    drawn from the interaction's times)."""
    seen = vocab.raw.get((interaction, vocab.catalog.interactions[interaction].timestamp), ())
    if not seen:
        return draw(windows())
    value = anchor if anchor is not None else seen[draw(st.integers(0, len(seen) - 1))]
    near = draw(_NEAR)
    kind = draw(st.sampled_from(("last", "last", "from", "to", "between")))
    if kind == "last":
        unit = draw(st.sampled_from(tuple(n.TimeUnit)))
        return n.Window(last=_clamp(moment.distance(value, unit) + near, unit), unit=unit)
    day = moment.day_of(value) + dt.timedelta(days=near)
    if kind == "from":
        return n.Window(from_=day)
    if kind == "to":
        return n.Window(to=day)
    low, high = sorted((day, moment.day_of(seen[draw(st.integers(0, len(seen) - 1))])))
    return n.Window(from_=low, to=high)


def _operand(
    draw: st.DrawFn,
    vocab: Vocabulary,
    holder: str,
    name: str,
    typ: AttrType,
    op: str,
    moment: Moment | None,
) -> tuple[Any, n.TimeUnit | None]:
    """Mostly right at a boundary when the moment is known; otherwise anywhere."""
    if moment is not None and typ.is_temporal and draw(_THIRDS) > 0:
        return draw(boundary_operands(vocab, holder, name, typ, op, moment))
    return draw(operands(vocab, holder, name, typ, op))


# --- conditions ---------------------------------------------------------------------------


def _types(fields: Iterable[FieldChoice]) -> list[AttrType]:
    """Types to draw from: each once (whatever its number of fields), dates and times twice."""
    types = sorted({f.attribute.type for f in fields})
    return types + [t for t in types if t.is_temporal]


def _ops(typ: AttrType) -> list[str]:
    """Operators to draw from: each once, the relative date tests (the risky ones) thrice."""
    ops = sorted(operators_for(typ))
    risky = [op for op in ops if operators_for(typ)[op].shape in (Shape.RELATIVE, Shape.DAYS)]
    return ops + risky * 2


def _fields_of_type(vocab: Vocabulary, owner: str, typ: AttrType) -> st.SearchStrategy[Any]:
    return st.sampled_from([f for f in vocab.fields(owner) if f.attribute.type is typ])


@st.composite
def attributes(
    draw: st.DrawFn, vocab: Vocabulary, owner: str, moment: Moment | None = None
) -> n.Attribute:
    typ = draw(vocab.memo(("types", owner), lambda: st.sampled_from(_types(vocab.fields(owner)))))
    choice = draw(vocab.memo(("fields", owner, typ), lambda: _fields_of_type(vocab, owner, typ)))
    op = draw(vocab.memo(("ops", typ), lambda: st.sampled_from(_ops(typ))))
    value, unit = _operand(draw, vocab, choice.holder, choice.attribute.name, typ, op, moment)
    return n.Attribute(field=choice.path, op=op, value=value, unit=unit)


@st.composite
def related(
    draw: st.DrawFn, vocab: Vocabulary, owner: str, depth: int, moment: Moment | None = None
) -> n.Related:
    name = draw(st.sampled_from(vocab.one_to_many(owner)))
    target = vocab.catalog.entities[owner].relationships[name].target
    inner = conditions(vocab, target, depth + 1, audience_scope=False, moment=moment)
    where = draw(st.none() | inner)
    mode = draw(st.sampled_from(("any", "all", "none", "count", "default")))
    if mode == "count":
        return n.Related(relationship=name, where=where, count=draw(counts()))
    if mode == "default":  # match left out means any
        return n.Related(relationship=name, where=where)
    return n.Related(relationship=name, match=mode, where=where)


def _aggregable(fn: str, typ: AttrType) -> bool:
    return typ.is_number or (fn in ("min", "max") and typ.is_temporal)


@st.composite
def aggregates(
    draw: st.DrawFn, vocab: Vocabulary, interaction: str, moment: Moment | None = None
) -> n.Aggregate:
    attrs = vocab.catalog.interactions[interaction].attributes.values()
    fns = [fn for fn in ("sum", "avg", "min", "max") if any(_aggregable(fn, a.type) for a in attrs)]
    fn = draw(st.sampled_from(fns))
    eligible = [a for a in attrs if _aggregable(fn, a.type)]
    typ = draw(st.sampled_from(sorted({a.type for a in eligible})))  # types evenly
    attr = draw(st.sampled_from([a for a in eligible if a.type is typ]))
    result = AttrType.FLOAT if fn == "avg" else attr.type
    if fn == "sum":  # a sum is never missing: the empty-value operators do not apply
        sum_ops = [o for o in _ops(result) if o not in ("is_empty", "is_not_empty")]
        op = draw(vocab.memo(("sum-ops", result), lambda: st.sampled_from(sum_ops)))
    else:
        op = draw(vocab.memo(("ops", result), lambda: st.sampled_from(_ops(result))))
    value, unit = _operand(draw, vocab, interaction, attr.name, result, op, moment)
    return n.Aggregate(fn=fn, field=attr.name, op=op, value=value, unit=unit)


@st.composite
def occurrences(
    draw: st.DrawFn, vocab: Vocabulary, interaction: str, moment: Moment | None = None
) -> n.Occurrence:
    which = draw(st.sampled_from(("first", "last")))
    op = draw(
        vocab.memo(("ops", AttrType.TIMESTAMP), lambda: st.sampled_from(_ops(AttrType.TIMESTAMP)))
    )
    timestamp = vocab.catalog.interactions[interaction].timestamp
    value, unit = _operand(draw, vocab, interaction, timestamp, AttrType.TIMESTAMP, op, moment)
    return n.Occurrence(which=which, op=op, value=value, unit=unit)


@st.composite
def behaviors(
    draw: st.DrawFn, vocab: Vocabulary, owner: str, depth: int, moment: Moment | None = None
) -> n.Behavior:
    name = draw(st.sampled_from(vocab.interactions_of(owner)))
    inner = conditions(vocab, name, depth + 1, audience_scope=False, moment=moment)
    where = draw(st.none() | inner)
    window_kind = draw(st.integers(0, 3))  # none, anywhere, or (twice as often) at a boundary
    window: n.Window | None = None
    if window_kind == 1 or (window_kind > 1 and moment is None):
        window = draw(windows())
    elif window_kind > 1 and moment is not None:
        window = draw(boundary_windows(vocab, name, moment))
    test = draw(st.sampled_from(("has done it", "count", "aggregate", "occurrence")))
    if test == "count":
        return n.Behavior(interaction=name, where=where, window=window, count=draw(counts()))
    if test == "aggregate":
        aggregate = draw(aggregates(vocab, name, moment))
        return n.Behavior(interaction=name, where=where, window=window, aggregate=aggregate)
    if test == "occurrence":
        occurrence = draw(occurrences(vocab, name, moment))
        return n.Behavior(interaction=name, where=where, window=window, occurrence=occurrence)
    return n.Behavior(interaction=name, where=where, window=window)


def _leaf_kinds(vocab: Vocabulary, owner: str, audience_scope: bool) -> list[str]:
    kinds = ["attribute", "attribute"]
    if vocab.one_to_many(owner):
        kinds.append("related")
    if vocab.interactions_of(owner):
        kinds.append("behavior")
    if audience_scope and owner == vocab.audience and vocab.segment_keys:
        kinds.append("in_segment")
    return kinds


@st.composite
def conditions(
    draw: st.DrawFn,
    vocab: Vocabulary,
    owner: str,
    depth: int = 0,
    audience_scope: bool = True,
    moment: Moment | None = None,
) -> Any:
    """A condition over `owner` (an entity or an interaction), nested at most MAX_DEPTH."""
    kinds = _leaf_kinds(vocab, owner, audience_scope)
    if depth == 0:
        kinds += ["and", "or", "not"] * 2  # a single test (errors in it show) or a combination
    elif depth < MAX_DEPTH:
        kinds += ["and", "or", "not"]
    kind = draw(st.sampled_from(kinds))
    child = conditions(vocab, owner, depth + 1, audience_scope, moment)
    if kind in ("and", "or"):
        parts = tuple(draw(st.lists(child, min_size=1, max_size=4)))
        return n.And(conditions=parts) if kind == "and" else n.Or(conditions=parts)
    if kind == "not":
        return n.Not(condition=draw(child))
    if kind == "related":
        return draw(related(vocab, owner, depth, moment))
    if kind == "behavior":
        return draw(behaviors(vocab, owner, depth, moment))
    if kind == "in_segment":
        return n.InSegment(segment=draw(st.sampled_from(vocab.segment_keys)))
    return draw(attributes(vocab, owner, moment))


def definitions(
    catalog: Catalog,
    data: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    audience: str = "contact",
    segment_keys: Sequence[str] = tuple(SEGMENTS),
) -> st.SearchStrategy[n.Definition]:
    """Random valid definitions over `audience`, in a random zone among ZONES."""
    vocab = Vocabulary.build(catalog, data or {}, audience, segment_keys)
    return st.builds(
        lambda zone, condition: n.Definition(audience=audience, timezone=zone, condition=condition),
        st.sampled_from(ZONES),
        conditions(vocab, audience),
    )


@cache
def as_of_instants() -> st.SearchStrategy[dt.datetime]:
    """Aware UTC evaluation instants: often right at or around a DST change or midnight."""
    near = st.sampled_from(interesting_instants()).map(lambda t: t.replace(tzinfo=UTC))
    anywhere = st.datetimes(SPAN_START, SPAN_END, timezones=st.just(UTC))
    return near | anywhere


def _data_instants(vocab: Vocabulary) -> st.SearchStrategy[dt.datetime]:
    """Aware UTC instants at, or just around, a timestamp in the data."""
    stamps = sorted(
        {v for values in vocab.raw.values() for v in values if isinstance(v, dt.datetime)}
    )
    if not stamps:
        return as_of_instants()
    return st.tuples(st.sampled_from(stamps), st.sampled_from(_NUDGES)).map(
        lambda pair: (pair[0] + pair[1]).replace(tzinfo=UTC)
    )


@st.composite
def _cases(
    draw: st.DrawFn, vocab: Vocabulary, as_ofs: st.SearchStrategy[dt.datetime]
) -> tuple[n.Definition, dt.datetime]:
    zone = draw(st.sampled_from(ZONES))
    as_of = draw(as_ofs)
    condition = draw(conditions(vocab, vocab.audience, moment=Moment(zone, as_of)))
    return n.Definition(audience=vocab.audience, timezone=zone, condition=condition), as_of


def cases(
    catalog: Catalog,
    data: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    audience: str = "contact",
    segment_keys: Sequence[str] = tuple(SEGMENTS),
) -> st.SearchStrategy[tuple[n.Definition, dt.datetime]]:
    """A definition and the instant to evaluate it at, drawn together.

    The zone and `as_of` are drawn first (`as_of` often right at a timestamp in the data),
    then the condition, with most date operands and windows placed right at the boundary
    of a value in the data for that zone and `as_of`.
    """
    vocab = Vocabulary.build(catalog, data or {}, audience, segment_keys)
    return _cases(vocab, as_of_instants() | _data_instants(vocab))


# --- single tests anchored on one value in the data ------------------------------------------


def _month_end(day: dt.date, months_later: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months_later
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, calendar.monthrange(year, month0 + 1)[1])


def _days_around(day: dt.date) -> list[dt.date]:
    """Candidate todays for a date anchor: on it, beside it, a week on, at the month ends
    around it (where month arithmetic clamps), around its anniversaries (29 February!)."""
    near = [day + dt.timedelta(days=k) for k in (-1, 0, 1, 6, 7, 8)]
    ends = [_month_end(day, k) for k in (-1, 0, 1, 12)]
    years = (day.year + 1, 2025, 2027, 2028)
    anniversaries = [
        anniversary_in(day, y) + dt.timedelta(days=k) for y in years for k in (-1, 0, 1)
    ]
    return near + ends + anniversaries


def _anchored_instants(anchor: dt.date, zone: str) -> list[dt.datetime]:
    """Aware UTC as_of candidates around an anchor value, in the segment's zone."""
    tz = ZoneInfo(zone)
    if isinstance(anchor, dt.datetime):
        local_day = anchor.replace(tzinfo=UTC).astimezone(tz).date()
        starts = [first_instant_of(local_day + dt.timedelta(days=k), tz) for k in (0, 1)]
        found = [anchor + nudge for nudge in _NUDGES]
        found += [t + dt.timedelta(microseconds=k) for t in starts for k in (-1, 0)]
    else:
        starts = [first_instant_of(day, tz) for day in _days_around(anchor)]
        found = [t + dt.timedelta(hours=h) for t in starts for h in (0, 12)]
    return [t.replace(tzinfo=UTC) for t in found]


def _anchors(vocab: Vocabulary, holder: str, name: str) -> st.SearchStrategy[Any]:
    """A value of the field: any, or (as often) one of the edge dates and instants."""

    def build() -> st.SearchStrategy[Any]:
        seen = vocab.raw[holder, name]
        edges = set(EDGE_DATES) | set(interesting_instants())
        special = [v for v in seen if v in edges or (v.month, v.day) == (2, 29)]
        return st.sampled_from(seen) | st.sampled_from(special or seen)

    return vocab.memo(("anchors", holder, name), build)


def _temporal_fields(vocab: Vocabulary) -> list[FieldChoice]:
    return [
        f
        for f in vocab.fields(vocab.audience)
        if f.attribute.type.is_temporal and vocab.raw.get((f.holder, f.attribute.name))
    ]


@st.composite
def _anchored_attribute(
    draw: st.DrawFn, vocab: Vocabulary, zone: str
) -> tuple[n.Attribute, dt.datetime]:
    fields = vocab.memo(("temporal fields",), lambda: st.sampled_from(_temporal_fields(vocab)))
    choice = draw(fields)
    holder, name, typ = choice.holder, choice.attribute.name, choice.attribute.type
    anchor = draw(_anchors(vocab, holder, name))
    as_of = draw(st.sampled_from(_anchored_instants(anchor, zone)))
    op = draw(vocab.memo(("ops", typ), lambda: st.sampled_from(_ops(typ))))
    moment = Moment(zone, as_of)
    value, unit = draw(boundary_operands(vocab, holder, name, typ, op, moment, anchor))
    return n.Attribute(field=choice.path, op=op, value=value, unit=unit), as_of


@st.composite
def _anchored_behavior(
    draw: st.DrawFn, vocab: Vocabulary, zone: str
) -> tuple[n.Behavior, dt.datetime]:
    interaction = draw(st.sampled_from(vocab.interactions_of(vocab.audience)))
    timestamp = vocab.catalog.interactions[interaction].timestamp
    anchor = draw(_anchors(vocab, interaction, timestamp))
    as_of = draw(st.sampled_from(_anchored_instants(anchor, zone)))
    moment = Moment(zone, as_of)
    window = draw(st.none() | boundary_windows(vocab, interaction, moment, anchor))
    test = draw(st.sampled_from(("has done it", "count", "occurrence", "occurrence")))
    if test == "count":
        return n.Behavior(interaction=interaction, window=window, count=draw(counts())), as_of
    if test == "occurrence":
        which = draw(st.sampled_from(("first", "last")))
        ts = AttrType.TIMESTAMP
        op = draw(vocab.memo(("ops", ts), lambda: st.sampled_from(_ops(ts))))
        value, unit = draw(boundary_operands(vocab, interaction, timestamp, ts, op, moment, anchor))
        occurrence = n.Occurrence(which=which, op=op, value=value, unit=unit)
        return n.Behavior(interaction=interaction, window=window, occurrence=occurrence), as_of
    return n.Behavior(interaction=interaction, window=window), as_of


@st.composite
def _time_cases(draw: st.DrawFn, vocab: Vocabulary) -> tuple[n.Definition, dt.datetime]:
    zone = draw(st.sampled_from(ZONES))
    anchored = _anchored_attribute(vocab, zone) | _anchored_behavior(vocab, zone)
    test, as_of = draw(anchored)
    condition = n.Not(condition=test) if draw(st.integers(0, 3)) == 0 else test
    return n.Definition(audience=vocab.audience, timezone=zone, condition=condition), as_of


def time_cases(
    catalog: Catalog,
    data: Mapping[str, Sequence[Mapping[str, Any]]],
    audience: str = "contact",
) -> st.SearchStrategy[tuple[n.Definition, dt.datetime]]:
    """One date/time test (maybe negated) and an `as_of`, both set at one value in the data.

    One date or timestamp in the data is the anchor: `as_of` is at it, a microsecond, a
    second, an hour or a day beside it, or at the local midnights around it (for dates: a
    day, a week, a month or a year on, or at a month end), and the test's operand or window
    puts its boundary right at it. Random trees rarely line these up; this is where local
    days, DST, month ends, 29 February and the `as_of` cut-off are decided.
    """
    vocab = Vocabulary.build(catalog, data, audience, ())
    return _time_cases(vocab)


# --- conjunctions whose conditions read the same rows (the compiler fuses them) -------------


@st.composite
def _shared_rows(draw: st.DrawFn, vocab: Vocabulary, moment: Moment) -> Any:
    """Two to four conditions that read the same rows: behaviors on one interaction with one
    window and where, related-record tests over one relationship, or tests through one
    many-to-one hop; sometimes mixed with another condition."""
    owner = vocab.audience
    kind = draw(st.sampled_from(("behavior", "related", "hop")))
    size = st.integers(2, 4)
    parts: list[Any] = []
    if kind == "behavior" and vocab.interactions_of(owner):
        first = draw(behaviors(vocab, owner, 1, moment))
        parts = [first]
        for _ in range(draw(size) - 1):
            other = draw(behaviors(vocab, owner, 1, moment))
            parts.append(
                n.Behavior(
                    interaction=first.interaction,
                    where=first.where,
                    window=first.window,
                    count=other.count,
                    aggregate=other.aggregate if other.interaction == first.interaction else None,
                    occurrence=other.occurrence,
                )
            )
    elif kind == "related" and vocab.one_to_many(owner):
        first = draw(related(vocab, owner, 1, moment))
        parts = [first]
        for _ in range(draw(size) - 1):
            other = draw(related(vocab, owner, 1, moment))
            if other.relationship == first.relationship:
                parts.append(other)
            else:
                parts.append(first.model_copy(update={"match": "all"}))
    else:
        dotted = [f for f in vocab.fields(owner) if "." in f.path]
        if not dotted:
            return draw(conditions(vocab, owner, moment=moment))
        hop = draw(st.sampled_from(sorted({f.path.split(".")[0] for f in dotted})))
        through = [f for f in dotted if f.path.split(".")[0] == hop]
        for _ in range(draw(size)):
            choice = draw(st.sampled_from(through))
            typ = choice.attribute.type
            op = draw(st.sampled_from(_ops(typ)))
            value, unit = _operand(
                draw, vocab, choice.holder, choice.attribute.name, typ, op, moment
            )
            parts.append(n.Attribute(field=choice.path, op=op, value=value, unit=unit))
    if draw(st.booleans()):
        parts.append(draw(conditions(vocab, owner, 2, moment=moment)))
    return n.And(conditions=tuple(parts))


@st.composite
def _shared_cases(
    draw: st.DrawFn, vocab: Vocabulary, as_ofs: st.SearchStrategy[dt.datetime]
) -> tuple[n.Definition, dt.datetime]:
    zone = draw(st.sampled_from(ZONES))
    as_of = draw(as_ofs)
    condition = draw(_shared_rows(vocab, Moment(zone, as_of)))
    return n.Definition(audience=vocab.audience, timezone=zone, condition=condition), as_of


def shared_row_cases(
    catalog: Catalog, data: Mapping[str, Sequence[Mapping[str, Any]]]
) -> st.SearchStrategy[tuple[n.Definition, dt.datetime]]:
    """Definitions whose *and* holds conditions over the same rows, and an as_of."""
    vocab = Vocabulary.build(catalog, data, "contact", tuple(SEGMENTS))
    return _shared_cases(vocab, as_of_instants() | _data_instants(vocab))
