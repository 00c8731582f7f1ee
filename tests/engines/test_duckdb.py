"""The DuckDB engine: exact results per node type, members pages, explain, versions."""

from __future__ import annotations

import pytest

from fixtures import shop
from segmint.engines.duckdb import DuckDBEngine
from segmint.errors import NotFoundError, UserError


@pytest.fixture(scope="module")
def engine() -> DuckDBEngine:
    return DuckDBEngine.in_memory(shop.catalog(), shop.tables())


CASES = [
    ("{type: attribute, field: city, op: eq, value: Seattle}", {"c1"}),
    ("{type: attribute, field: city, op: neq, value: Seattle}", {"c4"}),
    (
        "{type: not, condition: {type: attribute, field: city, op: eq, value: Seattle}}",
        {"c2", "c3", "c4"},
    ),
    ("{type: attribute, field: city, op: is_empty}", {"c2", "c3"}),
    ("{type: attribute, field: city, op: contains, value: '100%_\\'}", {"c4"}),
    ("{type: attribute, field: city, op: contains, value: '%'}", {"c4"}),
    ("{type: attribute, field: city, op: starts_with, value: '_'}", set()),
    ("{type: attribute, field: age, op: between, value: [17, 30]}", {"c1", "c4"}),
    ("{type: attribute, field: age, op: not_in, value: [30]}", {"c3", "c4"}),
    ("{type: attribute, field: score, op: lt, value: 0}", {"c4"}),
    ("{type: attribute, field: opt_in, op: is_false}", {"c2"}),
    ("{type: attribute, field: interests, op: is_empty}", {"c2", "c3"}),
    ("{type: attribute, field: interests, op: has_none, value: [golf]}", {"c1"}),
    ("{type: attribute, field: interests, op: has_all, value: [yoga, running]}", {"c1"}),
    ("{type: attribute, field: birthday, op: anniversary_within, value: 3}", {"c2"}),
    ("{type: attribute, field: birthday, op: before, value: 1990-11-05}", {"c4"}),
    ("{type: attribute, field: last_login, op: in_last, value: 1, unit: day}", {"c1", "c4"}),
    ("{type: attribute, field: last_login, op: in_last, value: 2, unit: hour}", {"c4"}),
    ("{type: attribute, field: last_login, op: more_than_ago, value: 1, unit: year}", {"c3"}),
    ("{type: attribute, field: last_login, op: on, value: 2026-11-01}", {"c1"}),
    ("{type: attribute, field: account.industry, op: eq, value: Retail}", {"c1"}),
    ("{type: attribute, field: account.industry, op: is_empty}", {"c2", "c3"}),
    ("{type: attribute, field: account.region.name, op: eq, value: West}", {"c1"}),
    ("{type: attribute, field: account.region.name, op: is_empty}", {"c2", "c3", "c4"}),
    ("{type: related, relationship: orders}", {"c1", "c2"}),
    ("{type: related, relationship: orders, match: none}", {"c3", "c4"}),
    (
        "{type: related, relationship: orders, match: all, "
        "where: {type: attribute, field: status, op: eq, value: delivered}}",
        {"c2"},
    ),
    ("{type: related, relationship: orders, count: {op: lt, value: 2}}", {"c2", "c3", "c4"}),
    ("{type: behavior, interaction: purchase}", {"c1", "c2"}),
    ("{type: behavior, interaction: purchase, count: {op: eq, value: 0}}", {"c3", "c4"}),
    ("{type: behavior, interaction: purchase, window: {last: 7, unit: day}}", {"c1", "c2"}),
    ("{type: behavior, interaction: purchase, window: {from: 2026-05-01, to: 2026-05-01}}", {"c1"}),
    (
        "{type: behavior, interaction: purchase, aggregate: {fn: sum, field: amount, op: lt, "
        "value: 5}}",
        {"c2", "c3", "c4"},
    ),
    (
        "{type: behavior, interaction: purchase, aggregate: {fn: max, field: amount, "
        "op: is_empty}}",
        {"c3", "c4"},
    ),
    (
        "{type: behavior, interaction: purchase, occurrence: {which: first, op: before, "
        "value: 2026-06-01}}",
        {"c1"},
    ),
    (
        "{type: behavior, interaction: purchase, where: {type: attribute, field: category, "
        "op: eq, value: Bags}}",
        {"c1"},
    ),
]


@pytest.mark.parametrize(("condition", "expected"), CASES)
def test_members_match_hand_computed_sets(
    engine: DuckDBEngine, condition: str, expected: set[str]
) -> None:
    assert engine.member_keys(shop.definition(condition), as_of=shop.AS_OF) == expected


def test_count_equals_number_of_members(engine: DuckDBEngine) -> None:
    d = shop.definition("{type: attribute, field: city, op: is_not_empty}")
    assert engine.count(d, as_of=shop.AS_OF) == 2


def test_account_audience_reaches_contacts(engine: DuckDBEngine) -> None:
    d = shop.definition(
        "{type: related, relationship: contacts, where: "
        "{type: attribute, field: age, op: gte, value: 18}}",
        audience="account",
    )
    assert engine.member_keys(d, as_of=shop.AS_OF) == {"a1"}


def test_in_segment_uses_the_referenced_time_zone(engine: DuckDBEngine) -> None:
    # c4 logged in at 2026-11-02 11:00 UTC: already 3 November in Kiritimati (UTC+14).
    inner = shop.definition(
        "{type: attribute, field: last_login, op: on, value: 2026-11-03}",
        timezone="Pacific/Kiritimati",
    )
    outer = shop.definition("{type: in_segment, segment: inner}")  # outer is in UTC
    assert engine.member_keys(outer, as_of=shop.AS_OF, segments={"inner": inner}.get) == {"c4"}
    assert (
        engine.member_keys(inner.model_copy(update={"timezone": "UTC"}), as_of=shop.AS_OF) == set()
    )


def test_members_page_with_dotted_fields(engine: DuckDBEngine) -> None:
    d = shop.definition("{type: attribute, field: contact_id, op: is_not_empty}")
    page = engine.members(
        d,
        as_of=shop.AS_OF,
        fields=["city", "account.industry", "account.region.name"],
        limit=2,
        offset=1,
    )
    assert page.fields == ["contact_id", "city", "account.industry", "account.region.name"]
    assert page.rows == [
        {"contact_id": "c2", "city": None, "account.industry": None, "account.region.name": None},
        {"contact_id": "c3", "city": "", "account.industry": None, "account.region.name": None},
    ]


def test_members_rejects_unknown_fields(engine: DuckDBEngine) -> None:
    d = shop.definition("{type: attribute, field: city, op: is_empty}")
    with pytest.raises(UserError, match="no attribute named 'nope'"):
        engine.members(d, as_of=shop.AS_OF, fields=["nope"])


def test_explain_gives_verdicts_and_values(engine: DuckDBEngine) -> None:
    d = shop.definition(
        """
        type: and
        conditions:
          - {type: attribute, field: account.industry, op: eq, value: Retail}
          - type: behavior
            interaction: purchase
            aggregate: {fn: sum, field: amount, op: gte, value: 50}
        """
    )
    result = engine.explain(d, "c1", as_of=shop.AS_OF)
    assert result.member is False
    first, second = result.root["children"]
    assert first["result"] is True
    assert first["values"] == {"account.industry": "Retail"}
    assert second["result"] is False
    assert second["values"] == {"matching interactions": 2, "sum of amount": 10.0}
    assert second["path"] == "condition.conditions[1]"


def test_explain_unknown_profile(engine: DuckDBEngine) -> None:
    d = shop.definition("{type: attribute, field: city, op: is_empty}")
    with pytest.raises(NotFoundError, match="nobody"):
        engine.explain(d, "nobody", as_of=shop.AS_OF)


def test_versions_count_entered_and_exited() -> None:
    engine = DuckDBEngine.in_memory(shop.catalog(), shop.tables())
    d1 = shop.definition("{type: attribute, field: city, op: is_not_empty}")
    d2 = shop.definition("{type: attribute, field: city, op: is_empty}")
    first = engine.write_version("s", d1, version=1, previous=None, as_of=shop.AS_OF)
    assert (first.members, first.entered, first.exited) == (2, 2, 0)
    second = engine.write_version("s", d2, version=2, previous=1, as_of=shop.AS_OF)
    assert (second.members, second.entered, second.exited) == (2, 2, 2)
    assert engine.versions.read("s", "contact", 1) == ["c1", "c4"]
    assert engine.versions.read("s", "contact", 2) == ["c2", "c3"]
    assert engine.versions.read("s", "contact", 2, limit=1, offset=1) == ["c3"]


def test_rewriting_a_version_replaces_leftover_rows() -> None:
    engine = DuckDBEngine.in_memory(shop.catalog(), shop.tables())
    d1 = shop.definition("{type: attribute, field: city, op: is_not_empty}")
    d2 = shop.definition("{type: attribute, field: city, op: eq, value: Seattle}")
    engine.write_version("s", d1, version=1, previous=None, as_of=shop.AS_OF)
    again = engine.write_version("s", d2, version=1, previous=None, as_of=shop.AS_OF)
    assert again.members == 1
    assert engine.versions.read("s", "contact", 1) == ["c1"]


def test_failed_write_leaves_no_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = DuckDBEngine.in_memory(shop.catalog(), shop.tables())
    d = shop.definition("{type: attribute, field: city, op: eq, value: Seattle}")
    engine.write_version("s", d, version=1, previous=None, as_of=shop.AS_OF)

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine.versions, "_counts", broken)
    with pytest.raises(RuntimeError):
        engine.write_version("s", d, version=2, previous=1, as_of=shop.AS_OF)
    assert engine.versions.read("s", "contact", 2) == []
    assert engine.versions.read("s", "contact", 1) == ["c1"]


def test_static_keys_keep_only_existing_profiles() -> None:
    engine = DuckDBEngine.in_memory(shop.catalog(), shop.tables())
    written = engine.versions.write_keys("st", "contact", 1, ["c2", "ghost", "c1", "c1"], None)
    assert written.members == 2
    assert engine.versions.read("st", "contact", 1) == ["c1", "c2"]


def test_stored_members_are_read_by_version_from_one_kept_query() -> None:
    """A query reading stored members compiles once; each run binds the versions it reads."""
    from segmint.engines.duckdb import TEMPLATES

    engine = DuckDBEngine.in_memory(shop.catalog(), shop.tables())
    named = shop.definition("{type: attribute, field: city, op: is_not_empty}")
    seattle = shop.definition("{type: attribute, field: city, op: eq, value: Seattle}")
    engine.write_version("in", named, version=1, previous=None, as_of=shop.AS_OF)
    engine.write_version("in", seattle, version=2, previous=1, as_of=shop.AS_OF)
    table = engine.versions.table("contact")
    compound = shop.definition("{type: not, condition: {type: in_segment, segment: in}}")

    def at(version: int) -> list[str]:
        engine.write_version(
            "out",
            compound,
            version=version,
            previous=None,
            as_of=shop.AS_OF,
            stored=lambda key: (table, version) if key == "in" else None,
        )
        return engine.versions.read("out", "contact", version)

    assert at(1) == ["c2", "c3"]
    misses = TEMPLATES.misses
    assert at(2) == ["c2", "c3", "c4"]
    assert TEMPLATES.misses == misses  # the same SQL, another version bound
