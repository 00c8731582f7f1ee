"""Tests of the demo workspace: the generated data, its data model and the example segments."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from segmint.catalog import AttrType, Catalog, ModelSpec, parse_model, resolve_catalog
from segmint.definition import nodes as n
from segmint.definition.check import check_definition
from segmint.definition.load import load_document
from segmint.definition.operators import operators_for
from segmint.demo import DEMO_AS_OF, definition_files, generate_workspace_data
from segmint.demo import distributions as d
from segmint.demo import generate as g

DEMO = Path(g.__file__).parent
CONTACTS = 2_000
SEED = 7
INTERACTIONS = (
    "email_sent", "email_opened", "email_clicked", "form_submitted",
    "event_registered", "web_visit", "purchase",
)  # fmt: skip
AS_OF_NAIVE = DEMO_AS_OF.replace(tzinfo=None)


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((folder / "data").glob("*.parquet"))
    }


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, generate_workspace_data(folder, CONTACTS, SEED)


@pytest.fixture(scope="module")
def tables(workspace: tuple[Path, dict[str, int]]) -> dict[str, pa.Table]:
    folder, rows = workspace
    return {name: pq.read_table(folder / "data" / f"{name}.parquet") for name in rows}


@pytest.fixture(scope="module")
def spec() -> ModelSpec:
    return parse_model(yaml.safe_load((DEMO / "model.yaml").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def catalog(spec: ModelSpec) -> Catalog:
    return resolve_catalog(spec)


@pytest.fixture(scope="module")
def examples() -> dict[str, n.SegmentDocument]:
    return {
        path.stem: n.SegmentDocument.model_validate(yaml.safe_load(path.read_text("utf-8")))
        for path in sorted((DEMO / "segments").glob("*.yaml"))
    }


# --- determinism and scale ------------------------------------------------------------


def test_the_same_seed_writes_identical_files(
    workspace: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    folder, rows = workspace
    again = generate_workspace_data(tmp_path, CONTACTS, SEED)
    assert again == rows
    assert _hashes(tmp_path) == _hashes(folder)


def test_another_seed_writes_other_data(
    workspace: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    folder, _ = workspace
    generate_workspace_data(tmp_path, CONTACTS, SEED + 1)
    ours, theirs = _hashes(folder), _hashes(tmp_path)
    assert ours.keys() == theirs.keys()
    assert all(ours[name] != theirs[name] for name in ours)


def test_row_counts_are_reported_and_scale_with_contacts(
    workspace: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    folder, rows = workspace
    assert set(rows) == {"accounts", "contacts", "leads", "orders", *INTERACTIONS}
    for name, count in rows.items():
        assert pq.read_metadata(folder / "data" / f"{name}.parquet").num_rows == count
    assert rows["contacts"] == CONTACTS
    assert rows["accounts"] == CONTACTS // 20
    assert 0.2 <= rows["leads"] / CONTACTS <= 0.4
    assert 1.2 <= rows["orders"] / CONTACTS <= 1.8
    assert 16 <= sum(rows[k] for k in INTERACTIONS) / CONTACTS <= 24

    small = generate_workspace_data(tmp_path, CONTACTS // 4, SEED)
    assert small["contacts"] == CONTACTS // 4
    for name in ("orders", "email_sent", "web_visit"):
        assert 0.15 < small[name] / rows[name] < 0.35
    assert generate_workspace_data(tmp_path / "tiny", 3, SEED)["accounts"] == 5


def test_progress_reaches_the_total_of_every_step(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    rows = generate_workspace_data(tmp_path, 200, SEED, progress=lambda *c: calls.append(c))
    finals = {step: (done, total) for step, done, total in calls}
    assert finals == {name: (count, count) for name, count in rows.items()}
    assert all(0 <= done <= total for _, done, total in calls)


@pytest.mark.parametrize(("contacts", "seed"), [(0, 1), (10, -1)])
def test_bad_arguments_are_refused(tmp_path: Path, contacts: int, seed: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        generate_workspace_data(tmp_path, contacts, seed)


# --- integrity ------------------------------------------------------------------------


def _values(table: pa.Table, column: str) -> set[object]:
    return set(table.column(column).drop_null().to_pylist())


def test_every_reference_points_to_an_existing_row(tables: dict[str, pa.Table]) -> None:
    contacts, accounts = (
        _values(tables["contacts"], "contact_id"),
        _values(tables["accounts"], "account_id"),
    )
    assert len(contacts) == CONTACTS
    assert _values(tables["contacts"], "account_id") <= accounts
    for name in ("leads", "orders", *INTERACTIONS):
        assert _values(tables[name], "contact_id") <= contacts, name
    assert _values(tables["leads"], "account_id") <= accounts
    # a lead's account is its contact's account; a purchase is a placed order of its contact
    account_of = {r["contact_id"]: r["account_id"] for r in tables["contacts"].to_pylist()}
    for lead in tables["leads"].to_pylist():
        assert account_of[lead["contact_id"]] == lead["account_id"]
    orders = {r["order_id"]: r for r in tables["orders"].to_pylist()}
    for purchase in tables["purchase"].to_pylist():
        order = orders[purchase["order_id"]]
        assert order["contact_id"] == purchase["contact_id"]
        assert order["status"] != "cancelled"
        assert order["total"] == purchase["amount"]
        assert order["item_count"] == purchase["quantity"]


def test_interactions_are_sorted_unique_and_before_as_of(tables: dict[str, pa.Table]) -> None:
    earliest = AS_OF_NAIVE - dt.timedelta(days=d.HISTORY_DAYS + 1)
    for name in INTERACTIONS:
        table = tables[name]
        ts = table.column("occurred_at")
        assert ts.type == pa.timestamp("us"), name
        values = ts.to_numpy()
        assert (np.diff(values.astype(np.int64)) >= 0).all(), name
        assert values.min() >= np.datetime64(earliest) and values.max() < np.datetime64(AS_OF_NAIVE)
        assert table.column("event_id").null_count == 0
        assert len(_values(table, "event_id")) == table.num_rows


def test_the_email_funnel_is_consistent(tables: dict[str, pa.Table]) -> None:
    def per_contact(name: str) -> Counter[str]:
        return Counter(tables[name].column("contact_id").to_pylist())

    sent, opened = per_contact("email_sent"), per_contact("email_opened")
    clicked = per_contact("email_clicked")
    assert all(opened[c] <= sent[c] for c in opened)
    assert all(clicked[c] <= opened[c] for c in clicked)
    assert 0.2 <= sum(opened.values()) / sum(sent.values()) <= 0.3
    assert 0.1 <= sum(clicked.values()) / sum(opened.values()) <= 0.2
    sends = {
        (r["contact_id"], r["campaign"], r["email_name"])
        for r in tables["email_sent"].select(["contact_id", "campaign", "email_name"]).to_pylist()
    }
    for r in tables["email_opened"].select(["contact_id", "campaign", "email_name"]).to_pylist():
        assert (r["contact_id"], r["campaign"], r["email_name"]) in sends


# --- distributions --------------------------------------------------------------------


def _share(mask: pa.Array) -> float:
    return float(pc.sum(mask.cast(pa.int64())).as_py() or 0) / len(mask)


def test_contacts_look_like_customers(tables: dict[str, pa.Table]) -> None:
    contacts = tables["contacts"]
    column = contacts.column
    assert 0.55 <= 1 - _share(pc.is_null(column("account_id"))) <= 0.65
    assert 0.07 <= _share(pc.is_null(column("birthday"))) <= 0.13
    for nullable in ("phone", "last_login", "email_opt_in", "loyalty_tier", "city", "gender"):
        assert 0 < column(nullable).null_count < CONTACTS / 2, nullable
    assert 0.1 < _share(pc.equal(pc.list_value_length(column("interests")), 0)) < 0.35
    tiers = Counter(column("loyalty_tier").drop_null().to_pylist())
    assert tiers["Bronze"] > tiers["Silver"] > tiers["Gold"] > tiers["Platinum"] > 0
    cities = {c[0]: c[1] for c in d.CITIES}
    for row in contacts.select(["city", "country", "phone"]).to_pylist():
        if row["city"] is not None:
            assert cities[row["city"]] == row["country"]
        if row["phone"] is not None:
            assert row["phone"].startswith(d.CALLING_CODES[row["country"]] + " ")
    as_of = DEMO_AS_OF.date()
    for row in contacts.select(["birthday", "age"]).to_pylist():
        born = row["birthday"]
        if born is None:
            assert row["age"] is None
        else:
            before = (born.month, born.day) > (as_of.month, as_of.day)
            assert row["age"] == as_of.year - born.year - before >= 18
    assert len(_values(contacts, "email")) == CONTACTS
    industries = Counter(tables["accounts"].column("industry").to_pylist())
    assert set(industries) <= {i[0] for i in d.INDUSTRIES}
    assert max(industries.values()) >= 3 * min(industries.values())  # skewed


def test_birthdays_include_29_february() -> None:
    # 1 day in 1,461: too rare to rely on in the small workspace, so draw 20,000 people
    accounts = g._accounts(np.random.default_rng(1), 100)
    people = g._people(np.random.default_rng(2), 20_000, accounts)
    days = people.birth_day.astype("datetime64[D]").astype(str)
    assert np.char.endswith(days, "-02-29").sum() > 0


def test_activity_is_skewed_and_purchases_peak_at_the_holidays(
    tables: dict[str, pa.Table],
) -> None:
    orders = Counter(tables["orders"].column("contact_id").to_pylist())
    assert CONTACTS - len(orders) > 0.3 * CONTACTS  # many never ordered
    assert max(orders.values()) >= 8  # a few order a lot
    visits = sorted(Counter(tables["web_visit"].column("contact_id").to_pylist()).values())
    assert sum(visits[-CONTACTS // 10 :]) > 0.35 * sum(visits)  # the top tenth visit most
    months = Counter(day.month for day in tables["orders"].column("order_date").to_pylist())
    holidays = (months[11] + months[12]) / 2
    assert holidays > 1.3 * np.mean([months[m] for m in range(1, 11)])


# --- the data model -------------------------------------------------------------------

ARROW_TYPES = {
    AttrType.STRING: pa.string(),
    AttrType.INTEGER: pa.int64(),
    AttrType.FLOAT: pa.float64(),
    AttrType.BOOLEAN: pa.bool_(),
    AttrType.DATE: pa.date32(),
    AttrType.TIMESTAMP: pa.timestamp("us"),
    AttrType.LIST: pa.list_(pa.string()),
}


def test_the_model_describes_every_file_and_column(
    spec: ModelSpec, catalog: Catalog, workspace: tuple[Path, dict[str, int]]
) -> None:
    folder, rows = workspace
    assert catalog.audiences() == ["contact", "account"]
    sources = [*spec.entities.values(), *spec.interactions.values()]
    assert sorted(Path(s.source.path).stem for s in sources) == sorted(rows)
    for name, declared in [*spec.entities.items(), *spec.interactions.items()]:
        assert declared.attributes is not None and declared.label
        schema = pq.read_schema(folder / declared.source.path)
        assert schema.names == list(declared.attributes), name
        for column, attr in declared.attributes.items():
            assert attr.type is not None and attr.label, (name, column)
            assert schema.field(column).type == ARROW_TYPES[attr.type], (name, column)
    pii = {a for a, v in (spec.entities["contact"].attributes or {}).items() if v.pii}
    assert {"first_name", "last_name", "email", "phone"} <= pii


def test_the_model_links_contacts_accounts_leads_and_orders(catalog: Catalog) -> None:
    links = {
        (rel.source, rel.name, rel.target, rel.type, rel.foreign_key)
        for entity in catalog.entities.values()
        for rel in entity.relationships.values()
    }
    assert links == {
        ("contact", "account", "account", "many_to_one", "account_id"),
        ("contact", "orders", "order", "one_to_many", "contact_id"),
        ("contact", "leads", "lead", "one_to_many", "contact_id"),
        ("account", "contacts", "contact", "one_to_many", "account_id"),
        ("account", "leads", "lead", "one_to_many", "account_id"),
        ("lead", "contact", "contact", "many_to_one", "contact_id"),
        ("lead", "account", "account", "many_to_one", "account_id"),
        ("order", "contact", "contact", "many_to_one", "contact_id"),
    }
    assert sorted(catalog.interactions_of("contact")) == sorted(INTERACTIONS)


def test_definition_files_are_the_packaged_model_and_examples() -> None:
    files = definition_files()
    assert files["model.yaml"] == (DEMO / "model.yaml").read_text(encoding="utf-8")
    examples = sorted(f"segments/{p.name}" for p in (DEMO / "segments").glob("*.yaml"))
    assert sorted(files) == ["model.yaml", *examples]


# --- the example segments -------------------------------------------------------------

FAMILIES = {
    AttrType.STRING: "text",
    AttrType.INTEGER: "number",
    AttrType.FLOAT: "number",
    AttrType.DATE: "date",
    AttrType.TIMESTAMP: "timestamp",
    AttrType.BOOLEAN: "boolean",
    AttrType.LIST: "list",
}


def _features(node: n.Condition, scope: str, catalog: Catalog) -> Iterator[tuple[str, ...]]:
    """Everything a condition uses, checking each name and operator against the model.

    `scope` is the entity (or interaction) whose rows the condition is about.
    """
    yield ("node", node.type)
    if isinstance(node, n.And | n.Or):
        for child in node.conditions:
            yield from _features(child, scope, catalog)
    elif isinstance(node, n.Not):
        if isinstance(node.condition, n.InSegment):
            yield ("not in_segment",)
        yield from _features(node.condition, scope, catalog)
    elif isinstance(node, n.Attribute):
        if scope in catalog.interactions:
            typ = catalog.interactions[scope].attributes[node.field].type
        else:
            ref = catalog.resolve_field(scope, node.field)
            typ = ref.attribute.type
            if ref.hops:
                yield ("path", "many_to_one")
        yield _operator(typ, node.op)
    elif isinstance(node, n.Related):
        rel = catalog.entities[scope].relationships[node.relationship]
        assert rel.type == "one_to_many"
        test = "count" if node.count is not None else (node.match or "any")
        yield ("related", test)
        yield ("related", f"{scope}->{rel.target}")
        if node.count is not None:
            yield _operator(AttrType.INTEGER, node.count.op)
        if node.where is not None:
            yield from _features(node.where, rel.target, catalog)
    elif isinstance(node, n.Behavior):
        yield from _behavior(node, scope, catalog)


def _behavior(node: n.Behavior, scope: str, catalog: Catalog) -> Iterator[tuple[str, ...]]:
    interaction = catalog.interactions[node.interaction]
    assert interaction.profile == scope
    if node.window is not None:
        yield ("window", "last" if node.window.last is not None else "from/to")
    if node.where is not None:
        yield ("behavior", "where")
        yield from _features(node.where, node.interaction, catalog)
    if node.aggregate is not None:
        agg = node.aggregate
        yield ("behavior", agg.fn)
        field = interaction.attributes[agg.field].type
        yield _operator(field if agg.fn in ("min", "max") else AttrType.FLOAT, agg.op)
    elif node.occurrence is not None:
        yield ("behavior", node.occurrence.which)
        yield _operator(AttrType.TIMESTAMP, node.occurrence.op)
    else:
        yield ("behavior", "count")
        if node.count is not None:
            yield _operator(AttrType.INTEGER, node.count.op)


def _operator(typ: AttrType, op: str) -> tuple[str, ...]:
    assert op in operators_for(typ), (typ, op)
    return ("op", FAMILIES[typ], op)


def test_examples_are_named_by_their_keys_and_fully_described(
    examples: dict[str, n.SegmentDocument], catalog: Catalog
) -> None:
    assert 15 <= len(examples) <= 25
    for stem, doc in examples.items():
        assert doc.key == stem
        assert doc.name and doc.description and doc.tags
        assert doc.audience in catalog.audiences()
        assert ZoneInfo(doc.timezone).key == doc.timezone


def test_examples_pass_the_definition_checker(
    examples: dict[str, n.SegmentDocument], catalog: Catalog
) -> None:
    loaded = {path.stem: load_document(path) for path in (DEMO / "segments").glob("*.yaml")}
    assert loaded == examples  # the CLI's loader reads them as plain safe YAML does

    def resolve(key: str) -> n.Definition | None:
        return examples[key].definition if key in examples else None

    for key, doc in examples.items():
        assert check_definition(catalog, doc.definition, key=key, segments=resolve) == [], key


def test_example_references_exist_share_the_audience_and_have_no_cycle(
    examples: dict[str, n.SegmentDocument],
) -> None:
    def references(node: n.Condition) -> Iterator[str]:
        if isinstance(node, n.InSegment):
            yield node.segment
        elif isinstance(node, n.And | n.Or):
            for child in node.conditions:
                yield from references(child)
        elif isinstance(node, n.Not):
            yield from references(node.condition)

    graph = {key: set(references(doc.condition)) for key, doc in examples.items()}
    for key, targets in graph.items():
        for target in targets:
            assert examples[target].audience == examples[key].audience
    done: set[str] = set()
    while len(done) < len(graph):  # peel off segments whose references are all done
        ready = {k for k, targets in graph.items() if k not in done and targets <= done}
        assert ready, f"reference cycle among {sorted(set(graph) - done)}"
        done |= ready


def test_examples_together_use_the_whole_language(
    examples: dict[str, n.SegmentDocument], catalog: Catalog
) -> None:
    used = {
        feature
        for doc in examples.values()
        for feature in _features(doc.condition, doc.audience, catalog)
    }
    nodes = {"and", "or", "not", "attribute", "related", "behavior", "in_segment"}
    assert {("node", t) for t in nodes} <= used
    ops = {f[1:] for f in used if f[0] == "op"}
    assert {f for f, _ in ops} == set(FAMILIES.values())
    required = {
        ("text", op)
        for op in ("eq", "neq", "in", "not_in", "contains", "not_contains", "starts_with",
                   "ends_with", "is_empty", "is_not_empty")
    } | {
        ("number", op) for op in ("eq", "lt", "lte", "gt", "gte", "between", "is_empty")
    } | {
        ("date", op)
        for op in ("on", "before", "after", "between", "in_last", "in_next", "more_than_ago",
                   "anniversary_within", "is_empty")
    } | {
        ("timestamp", op) for op in ("before", "between", "in_last", "more_than_ago", "is_empty")
    } | {
        ("boolean", op) for op in ("is_true", "is_false", "is_empty", "is_not_empty")
    } | {
        ("list", op) for op in ("has", "has_any", "has_all", "has_none", "is_empty")
    }  # fmt: skip
    assert required <= ops, sorted(required - ops)
    assert {
        ("path", "many_to_one"),
        ("related", "any"), ("related", "all"), ("related", "none"), ("related", "count"),
        ("related", "contact->order"), ("related", "account->contact"),
        ("related", "account->lead"),
        ("behavior", "count"), ("behavior", "sum"), ("behavior", "avg"), ("behavior", "min"),
        ("behavior", "max"), ("behavior", "first"), ("behavior", "last"),
        ("behavior", "where"), ("window", "last"), ("window", "from/to"),
        ("not in_segment",),
    } <= used  # fmt: skip
    zones = {doc.timezone for doc in examples.values()}
    assert len(zones) >= 2
    assert "account" in {doc.audience for doc in examples.values()}
