"""Loading CSV, Parquet and JSONL sources: types, UTC timestamps, order, located errors.

Every failing case first has good data loaded (the `workspace` fixture), then breaks one
file, re-ingests and checks both the reported problems and that the loaded tables are
exactly as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from segmint.catalog import AttrType
from segmint.errors import IngestError
from segmint.services.ingestion import ingest_workspace
from segmint.sources.ingest import IngestReport, attr_type_of
from segmint.workspace import init_workspace, open_workspace
from workspace_files import CONTACTS_HEADER

TABLES = ("contact", "account", "order", "email_opened")


def query(root: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(root / "segmint.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def column(root: Path, table: str, name: str) -> list[Any]:
    return [r[0] for r in query(root, f'SELECT "{name}" FROM "{table}"')]


def types(root: Path, table: str) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in query(root, f'DESCRIBE "{table}"')}


def snapshot(root: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {t: query(root, f'SELECT * FROM "{t}"') for t in TABLES}


def reingest(root: Path) -> IngestReport:
    return ingest_workspace(open_workspace(root))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- loading good data -----------------------------------------------------------------


def test_every_source_is_loaded_with_its_row_count(workspace: Path) -> None:
    report = reingest(workspace)
    assert report.rows == {"contact": 4, "account": 2, "order": 4, "email_opened": 4}
    for table, rows in report.rows.items():
        assert query(workspace, f'SELECT count(*) FROM "{table}"') == [(rows,)]


def test_reingest_replaces_the_data(workspace: Path) -> None:
    edit(
        workspace / "data" / "contacts.csv", "1,ann@example.com,Seattle", "1,ann@example.com,Tacoma"
    )
    reingest(workspace)
    assert column(workspace, "contact", "city") == ["Tacoma", "Portland", "Seattle", "Boston"]


def test_declared_types_are_used_and_undeclared_ones_inferred(shop: Path) -> None:
    assert types(shop, "contact") == {
        "contact_id": "BIGINT",
        "email": "VARCHAR",
        "city": "VARCHAR",
        "household_size": "BIGINT",  # untyped in model.yaml: inferred from the CSV
        "age": "BIGINT",
        "signup_date": "DATE",
        "last_login": "TIMESTAMP",
        "email_opt_in": "BOOLEAN",
        "interests": "VARCHAR[]",
        "zip": "VARCHAR",  # declared string, though the values look like numbers
        "account_id": "VARCHAR",
    }
    assert column(shop, "contact", "zip") == ["60601", "98101", None, "10001"]
    # account declares no attributes: every Parquet column, typed from the file, int32
    # widened to BIGINT and the tz-aware timestamp stored as plain UTC.
    assert types(shop, "account") == {
        "account_id": "VARCHAR",
        "name": "VARCHAR",
        "industry": "VARCHAR",
        "employees": "BIGINT",
        "tags": "VARCHAR[]",
        "renews_at": "TIMESTAMP",
    }


def test_the_catalog_takes_inferred_types_from_the_loaded_tables(shop: Path) -> None:
    ws = open_workspace(shop)
    con = duckdb.connect(str(ws.database_path), read_only=True)
    try:
        catalog = ws.catalog(con)
    finally:
        con.close()
    contact = catalog.entities["contact"].attributes
    assert contact["household_size"].type is AttrType.INTEGER
    assert contact["email"].pii
    assert contact["email"].label == "E-mail"
    assert contact["signup_date"].label == "Signup date"
    account = catalog.entities["account"].attributes
    assert {n: a.type for n, a in account.items()} == {
        "account_id": AttrType.STRING,
        "name": AttrType.STRING,
        "industry": AttrType.STRING,
        "employees": AttrType.INTEGER,
        "tags": AttrType.LIST,
        "renews_at": AttrType.TIMESTAMP,
    }


def test_a_declared_type_overrides_the_inferred_one(workspace: Path) -> None:
    edit(workspace / "model.yaml", "zip: {type: string}", "zip: {}")
    reingest(workspace)
    assert types(workspace, "contact")["zip"] == "BIGINT"  # what the CSV alone suggests
    assert column(workspace, "contact", "zip") == [60601, 98101, None, 10001]


def test_csv_values_of_each_type_are_read(shop: Path) -> None:
    rows = query(
        shop,
        "SELECT contact_id, household_size, age, signup_date, email_opt_in, interests FROM contact",
    )
    assert rows == [
        (1, 2, 34, dt.date(2024, 1, 15), True, ["running", "yoga"]),
        (2, 1, 41, dt.date(2024, 3, 1), False, ["golf"]),
        (3, 4, None, dt.date(2024, 5, 20), None, []),
        (4, None, 29, None, True, ["yoga"]),  # "yes" is true
    ]
    assert column(shop, "account", "tags") == [["b2b", "priority"], []]


def test_a_quoted_delimiter_far_into_a_csv_file_stays_in_its_value(workspace: Path) -> None:
    """DuckDB's sniffer samples the first rows only; quoting is stated, not guessed."""
    rows = ["contact_id,opened_at,email_name"]
    rows += [f"1,2025-06-01T09:00:00Z,plain {i}" for i in range(40_000)]
    rows.append('2,2025-06-02T09:00:00Z,"sale, last ""chance"""')
    (workspace / "data" / "email_opened.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = reingest(workspace)
    assert report.rows["email_opened"] == 40_001
    names = query(workspace, "SELECT email_name FROM email_opened WHERE contact_id = 2")
    assert names == [('sale, last "chance"',)]


def test_timestamps_are_stored_in_utc(shop: Path) -> None:
    assert column(shop, "contact", "last_login") == [
        dt.datetime(2025, 6, 1, 8, 0),  # 10:00+02:00
        dt.datetime(2025, 6, 2, 8, 30),  # no offset: taken as UTC
        None,
        dt.datetime(2025, 5, 31, 6, 30),  # 23:30-07:00 the day before
    ]
    assert column(shop, "order", "ordered_at")[0] == dt.datetime(2025, 5, 1, 19, 0)  # JSONL
    assert column(shop, "account", "renews_at") == [dt.datetime(2025, 9, 1, 12, 0), None]


def test_interactions_are_stored_sorted_by_time(shop: Path) -> None:
    assert query(shop, "SELECT contact_id, opened_at FROM email_opened") == [
        (1, dt.datetime(2025, 5, 1, 9, 0)),
        (4, dt.datetime(2025, 6, 1, 10, 0)),
        (1, dt.datetime(2025, 6, 1, 14, 0)),
        (2, dt.datetime(2025, 6, 3, 9, 0)),
    ]


def test_orphan_foreign_keys_are_counted_warnings_and_the_rows_kept(workspace: Path) -> None:
    report = reingest(workspace)
    assert [str(w) for w in report.warnings] == [
        "data/contacts.csv: column account_id (contact.account): 1 row(s) point to no account",
        "data/orders.jsonl: column contact_id (contact.orders): 1 row(s) point to no contact",
    ]
    assert 3 in column(workspace, "contact", "contact_id")  # its account A9 is unknown
    assert 13 in column(workspace, "order", "order_id")  # its contact 7 is unknown


def test_orphan_interactions_are_counted(workspace: Path) -> None:
    with (workspace / "data" / "email_opened.csv").open("a", encoding="utf-8") as f:
        f.write("8,2025-06-05T00:00:00Z,x\n9,2025-06-05T00:00:00Z,y\n")
    report = reingest(workspace)
    assert (
        "data/email_opened.csv: column contact_id (email_opened): 2 row(s) point to no contact"
        in [str(w) for w in report.warnings]
    )
    assert report.rows["email_opened"] == 6


# --- bad input: located problems, and the previous data stays -------------------------

CONTACTS = "data/contacts.csv"
ORDERS = "data/orders.jsonl"
OPENS = "data/email_opened.csv"


def breaks(file: str, old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit(root / file, old, new)


def not_valid(where: str, what: str, example: str) -> tuple[str, str]:
    return where, f"1 value(s) are not a valid {what} (e.g. {example!r})"


Problems = list[tuple[str, str]]

ACCOUNT_COLUMNS = (
    "data/accounts.parquet",
    "the columns read from the file are: account_id, name, industry, employees, tags, renews_at",
)

BAD_INPUTS: dict[str, tuple[Callable[[Path], None], Problems]] = {
    "integer": (
        breaks(CONTACTS, ",Portland,1,41,", ",Portland,1,forty,"),
        [not_valid("data/contacts.csv: column age, row 2", "integer", "forty")],
    ),
    "fractional integer": (
        breaks(CONTACTS, ",Portland,1,41,", ",Portland,1,41.5,"),
        [not_valid("data/contacts.csv: column age, row 2", "integer", "41.5")],
    ),
    "date": (
        breaks(CONTACTS, "2024-03-01", "2024-02-30"),
        [not_valid("data/contacts.csv: column signup_date, row 2", "date", "2024-02-30")],
    ),
    "timestamp": (
        breaks(CONTACTS, "2025-06-02 08:30:00", "last tuesday"),
        [not_valid("data/contacts.csv: column last_login, row 2", "timestamp", "last tuesday")],
    ),
    "boolean": (
        breaks(CONTACTS, ",false,", ",maybe,"),
        [not_valid("data/contacts.csv: column email_opt_in, row 2", "boolean", "maybe")],
    ),
    "list": (
        breaks(CONTACTS, "[golf]", "golf;tennis"),
        [not_valid("data/contacts.csv: column interests, row 2", "list", "golf;tennis")],
    ),
    "float in JSONL": (
        breaks(ORDERS, '"amount": 99,', '"amount": "lots",'),
        [not_valid("data/orders.jsonl: column amount, row 2", "float", '"lots"')],
    ),
    "missing key": (
        breaks(CONTACTS, "3,cy@example.com", ",cy@example.com"),
        [("data/contacts.csv: column contact_id, row 3", "1 row(s) have no contact_id")],
    ),
    "duplicate key": (
        breaks(CONTACTS, "4,di@example.com", "2,di@example.com"),
        [("data/contacts.csv: column contact_id, rows 2, 4", "duplicate key 2 (2 rows)")],
    ),
    "missing interaction timestamp": (
        breaks(OPENS, "1,2025-06-01T09:00:00-05:00,", "1,,"),
        [("data/email_opened.csv: column opened_at, row 2", "1 row(s) have no opened_at")],
    ),
    "missing interaction profile key": (
        breaks(OPENS, "4,2025-06-01T12:00:00+02:00", ",2025-06-01T12:00:00+02:00"),
        [("data/email_opened.csv: column contact_id, row 4", "1 row(s) have no contact_id")],
    ),
    "missing file": (
        lambda root: (root / ORDERS).unlink(),
        [("data/orders.jsonl", "file not found (for order)")],
    ),
    "missing column": (
        breaks(CONTACTS, CONTACTS_HEADER, CONTACTS_HEADER.replace(",zip,", ",postcode,")),
        [
            ("data/contacts.csv: column zip", "not in the file"),
            (
                "data/contacts.csv",
                "the columns read from the file are: "
                + CONTACTS_HEADER.replace(",zip,", ",postcode,").replace(",", ", "),
            ),
        ],
    ),
    # account declares no attributes: the key and foreign keys must still be in the file.
    "key column missing from a source read whole": (
        breaks("model.yaml", "    key: account_id\n", "    key: acct_id\n"),
        [("data/accounts.parquet: column acct_id", "not in the file"), ACCOUNT_COLUMNS],
    ),
    "foreign key column missing from a source read whole": (
        breaks(
            "model.yaml",
            "    source: {path: data/accounts.parquet}\n",
            "    source: {path: data/accounts.parquet}\n    relationships:\n"
            "      parent: {entity: account, type: many_to_one, foreign_key: parent_id}\n",
        ),
        [("data/accounts.parquet: column parent_id", "not in the file"), ACCOUNT_COLUMNS],
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_located_and_changes_nothing(workspace: Path, case: str) -> None:
    before = snapshot(workspace)
    damage, expected = BAD_INPUTS[case]
    damage(workspace)
    with pytest.raises(IngestError) as caught:
        reingest(workspace)
    assert caught.value.message == "ingest failed; nothing was changed and the previous data stays"
    assert [(p.path, p.message) for p in caught.value.problems] == expected
    assert snapshot(workspace) == before


@pytest.mark.parametrize(
    ("file", "content", "reason"),
    [
        ("data/accounts.parquet", b"not a parquet file", "No magic bytes"),
        (CONTACTS, CONTACTS_HEADER.encode() + b"\n1,a\xff\xfe@x,,,,,,,,,\n", "not utf-8 encoded"),
        (ORDERS, b'{"order_id": 10, "contact_id": 1\n', "Malformed JSON"),
    ],
    ids=["parquet", "csv", "jsonl"],
)
def test_an_unreadable_file_is_named_and_changes_nothing(
    workspace: Path, file: str, content: bytes, reason: str
) -> None:
    before = snapshot(workspace)
    (workspace / file).write_bytes(content)
    with pytest.raises(IngestError) as caught:
        reingest(workspace)
    [problem] = caught.value.problems
    assert problem.path == file
    assert problem.message.startswith("cannot be read: ")
    assert reason in problem.message
    assert "Original Line" not in problem.message  # the engine's echo of the (personal) data
    assert snapshot(workspace) == before


def test_every_problem_in_every_file_is_reported_at_once(workspace: Path) -> None:
    before = snapshot(workspace)
    edit(workspace / CONTACTS, ",Portland,1,41,", ",Portland,1,forty,")
    edit(workspace / ORDERS, '"amount": 99,', '"amount": "lots",')
    (workspace / OPENS).unlink()
    with pytest.raises(IngestError) as caught:
        reingest(workspace)
    assert [p.path.split(":")[0] for p in caught.value.problems] == [CONTACTS, ORDERS, OPENS]
    assert snapshot(workspace) == before


def test_one_bad_file_keeps_the_good_changes_of_the_others_out(workspace: Path) -> None:
    edit(workspace / CONTACTS, "1,ann@example.com,Seattle", "1,ann@example.com,Tacoma")
    edit(workspace / ORDERS, '"amount": 99,', '"amount": "lots",')
    with pytest.raises(IngestError):
        reingest(workspace)
    assert column(workspace, "contact", "city")[0] == "Seattle"
    leftovers = query(
        workspace,
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'segmint_staging%'",
    )
    assert leftovers == []


def test_many_bad_rows_are_summarised(workspace: Path) -> None:
    lines = [CONTACTS_HEADER, *(f"{i},x{i}@example.com,,,old,,,,,," for i in range(1, 9))]
    (workspace / CONTACTS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        reingest(workspace)
    [problem] = caught.value.problems
    assert problem.path == "data/contacts.csv: column age, rows 1, 2, 3, 4, 5 and 3 more"
    assert problem.message == "8 value(s) are not a valid integer (e.g. 'old')"


def test_a_failed_first_ingest_loads_nothing(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "fresh")
    with pytest.raises(IngestError) as caught:
        ingest_workspace(ws)
    assert [str(p) for p in caught.value.problems] == [
        "data/contacts.csv: file not found (for contact)"
    ]
    assert query(ws.root, "SELECT table_name FROM information_schema.tables") == []


def test_engine_types_map_to_attribute_types() -> None:
    assert attr_type_of("VARCHAR") is AttrType.STRING
    assert attr_type_of("INTEGER") is AttrType.INTEGER
    assert attr_type_of("DECIMAL(10,2)") is AttrType.FLOAT
    assert attr_type_of("TIMESTAMP WITH TIME ZONE") is AttrType.TIMESTAMP
    assert attr_type_of("BIGINT[]") is AttrType.LIST
    assert attr_type_of("STRUCT(a INTEGER)") is None
