"""File (CSV, Parquet) and database (PostgreSQL) destinations round-trip exactly: what is read
back from the destination is the segment's members with their fields, value for value."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from export_support import set_members
from sqlalchemy import create_engine, text

from segmint.definition.load import parse_document
from segmint.definition.nodes import SegmentDocument
from segmint.services import export_runs, exports, members, segments, static
from segmint.services.context import App
from segmint.store import SegmentType
from segmint.store.exports import ExportReader

FIELDS = {
    "email": "email",
    "city": "city",
    "age": "age",
    "signup_date": "signup_date",
    "last_login": "last_login",
    "email_opt_in": "email_opt_in",
    "interests": "interests",
    "industry": "account.industry",
}


def _everyone(app: App) -> None:
    doc = parse_document(
        {
            "key": "everyone",
            "audience": "contact",
            "condition": {"type": "attribute", "field": "contact_id", "op": "is_not_empty"},
        },
        "test",
    )
    segments.create(app, doc)
    segments.go_live(app, "everyone")


def _source(app: App, key: str) -> list[dict[str, Any]]:
    """The segment's members with the mapped fields, as the engine has them, by id."""
    page = members.page(app, key, fields=list(FIELDS.values()), limit=1000)
    return [
        {"id": row["contact_id"], **{name: row[path] for name, path in FIELDS.items()}}
        for row in page.rows
    ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat() + "Z"
    return str(value)


def test_csv_and_parquet_files_round_trip(workspace: Path) -> None:
    with App.open(workspace) as app:
        _everyone(app)
        for name, fmt in (("csv-drop", "csv"), ("parquet-drop", "parquet")):
            exports.add_destination(
                app, name, type="file", settings={"path": f"drops/{fmt}", "format": fmt}
            )
            exports.create_export(
                app, f"to-{fmt}", destination=name, segments=["everyone"], fields=FIELDS
            )
            assert export_runs.run_export(app, f"to-{fmt}").status == "succeeded"
        expected = _source(app, "everyone")
    assert len(expected) == 4
    folder = workspace / "drops"
    assert sorted(p.name for p in (folder / "csv").iterdir()) == ["everyone-v1.csv"]
    with (folder / "csv" / "everyone-v1.csv").open(encoding="utf-8", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert read == [{k: _text(v) for k, v in row.items()} for row in expected]
    assert sorted(p.name for p in (folder / "parquet").iterdir()) == ["everyone-v1.parquet"]
    assert pq.read_table(folder / "parquet" / "everyone-v1.parquet").to_pylist() == expected


def test_a_new_version_is_a_new_file(workspace: Path) -> None:
    with App.open(workspace) as app:
        segments.create(
            app, SegmentDocument(key="picked", audience="contact"), type_=SegmentType.STATIC
        )
        static.add(app, "picked", ["1", "2"])
        segments.go_live(app, "picked")
        exports.add_destination(app, "drop", type="file", settings={"path": "out"})
        exports.create_export(app, "files", destination="drop", segments=["picked"])
        export_runs.run_export(app, "files")
        set_members(app, "picked", ["2", "3", "4"])  # exported after the refresh
    names = sorted(p.name for p in (workspace / "out").iterdir())
    assert names == ["picked-v1.csv", "picked-v2.csv"]  # no partial file left behind
    text = (workspace / "out" / "picked-v2.csv").read_text(encoding="utf-8")
    assert text.splitlines() == ["id", "2", "3", "4"]


def _table(url: str, sql: str) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _as_stored(row: dict[str, Any]) -> dict[str, Any]:
    """Source values as PostgreSQL hands them back: instants in UTC, aware."""
    return {
        k: (v.replace(tzinfo=dt.UTC) if isinstance(v, dt.datetime) else v) for k, v in row.items()
    }


def test_postgresql_tables_round_trip_replaced_and_diffed(workspace: Path, pg_url: str) -> None:
    with App.open(workspace) as app:
        _everyone(app)
        segments.create(
            app, SegmentDocument(key="picked", audience="contact"), type_=SegmentType.STATIC
        )
        static.add(app, "picked", ["1", "2", "3"])
        segments.go_live(app, "picked")
        exports.add_destination(app, "pg", type="database", settings={"url": pg_url})
        exports.add_destination(
            app,
            "pg-diff",
            type="database",
            settings={"url": pg_url, "table": "segment_members", "mode": "diff"},
        )
        shown = exports.show_destination(app, "pg")["settings"]["url"]
        assert shown.startswith("postgresql+psycopg://")
        assert "connected to" in exports.test_destination(app, "pg")
        exports.create_export(
            app, "to-pg", destination="pg", segments=["everyone", "picked"], fields=FIELDS
        )
        exports.create_export(
            app, "to-pg-diff", destination="pg-diff", segments=["picked"], fields=FIELDS
        )
        assert export_runs.run_export(app, "to-pg").status == "succeeded"
        assert export_runs.run_export(app, "to-pg-diff").status == "succeeded"
        everyone = _source(app, "everyone")
        replaced = _table(pg_url, "SELECT * FROM segmint_everyone ORDER BY id")
        assert replaced == [_as_stored(r) for r in everyone]
        assert [type(v) for v in replaced[0].values()] == [type(v) for v in everyone[0].values()]

        set_members(app, "picked", ["2", "3", "4"])  # both exports follow the refresh
        picked = [_as_stored(r) for r in _source(app, "picked")]
        assert [r["id"] for r in picked] == [2, 3, 4]
        assert _table(pg_url, "SELECT * FROM segmint_picked ORDER BY id") == picked
        diffed = _table(
            pg_url, "SELECT * FROM segment_members WHERE segment = 'picked' ORDER BY id"
        )
        assert diffed == [{"segment": "picked", **r} for r in picked]
        with app.store.read() as r:
            changes = ExportReader(r).runs("to-pg-diff", limit=1)[0].detail[0]
        assert (changes["kind"], changes["added"], changes["removed"]) == ("changes", 1, 1)
        last = export_runs.run_export(app, "to-pg-diff")
        assert last.detail[0]["status"] == "up_to_date"


def test_files_at_an_fsspec_url(workspace: Path) -> None:
    import fsspec

    with App.open(workspace) as app:
        _everyone(app)
        exports.add_destination(
            app, "mem", type="file", settings={"path": "memory://drops/x", "format": "parquet"}
        )
        assert "writable" in exports.test_destination(app, "mem")
        exports.create_export(app, "to-mem", destination="mem", segments=["everyone"])
        assert export_runs.run_export(app, "to-mem").status == "succeeded"
    fs = fsspec.filesystem("memory")
    names = sorted(p.rsplit("/", 1)[1] for p in fs.ls("/drops/x", detail=False))
    assert names == ["everyone-v1.parquet"]
    with fs.open("/drops/x/everyone-v1.parquet", "rb") as handle:
        assert pq.read_table(handle).column("id").to_pylist() == [1, 2, 3, 4]


def test_export_bookkeeping_on_a_postgresql_metadata_store(workspace: Path, pg_url: str) -> None:
    settings = workspace / "segmint.toml"
    text_ = settings.read_text(encoding="utf-8").replace(
        'url = "sqlite:///segmint.db"', f'url = "{pg_url}"'
    )
    settings.write_text(text_, encoding="utf-8")
    with App.open(workspace) as app:
        assert app.store.engine.dialect.name == "postgresql"
        segments.create(
            app, SegmentDocument(key="picked", audience="contact"), type_=SegmentType.STATIC
        )
        static.add(app, "picked", ["1", "2"])
        segments.go_live(app, "picked")
        exports.add_destination(app, "drop", type="file", settings={"path": "out"})
        exports.add_destination(
            app, "dw", type="database", settings={"url": pg_url, "mode": "diff", "batch_rows": 1}
        )
        exports.create_export(app, "files", destination="drop", segments=["picked"])
        exports.create_export(app, "rows", destination="dw", segments=["picked"])
        assert export_runs.run_export(app, "files").status == "succeeded"
        assert export_runs.run_export(app, "rows").status == "succeeded"
        set_members(app, "picked", ["2", "3", "4"])
        with app.store.read() as r:
            runs = ExportReader(r).runs("rows")
        assert [(x.trigger, x.status, x.batches) for x in runs] == [
            ("refresh", "succeeded", 3),
            ("manual", "succeeded", 2),
        ]
        assert [r["id"] for r in _table(pg_url, "SELECT id FROM segmint_picked ORDER BY id")] == [
            2, 3, 4,
        ]  # fmt: skip
        exports.delete_export(app, "rows")
        assert exports.show_export(app, "files")["segment_status"][0]["delivered_version"] == 2
