"""The Alembic migrations build exactly `segmint.store.schema`, on SQLite and PostgreSQL.

If schema.py changes without a migration (or a migration without schema.py), the
autogenerate comparison here finds the difference.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, MetaData, String, create_engine, event, inspect, text

from segmint.store import Store
from segmint.store.migrate import alembic_config
from segmint.store.schema import metadata

SCHEMA = {*metadata.tables, "alembic_version"}


def head() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"the migrations have more than one head: {heads}"
    return heads[0]


@pytest.fixture
def opened(empty_url: str) -> Iterator[Store]:
    store = Store.open(empty_url)
    yield store
    store.close()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def version(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


@pytest.mark.parametrize("backend", ["sqlite_file", "postgresql"])
def test_the_databases_start_empty(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        assert tables(engine) == set()
    finally:
        engine.dispose()


def test_open_creates_exactly_the_schema(opened: Store) -> None:
    assert tables(opened.engine) == SCHEMA
    assert version(opened.engine) == head()


def test_the_migrations_match_the_schema(opened: Store) -> None:
    """Autogenerate against the migrated database finds nothing to do."""
    with opened.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, metadata) == []


@pytest.mark.parametrize("backend", ["sqlite_file", "postgresql"])
def test_the_comparison_does_notice_a_difference(opened: Store) -> None:
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["segments"].append_column(Column("colour", String(20)))
    changed.tables["runs"].c.kind.type = String(40)
    with opened.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        found = compare_metadata(context, changed)
    assert [d[0] for d in found if isinstance(d, tuple)] == ["add_column"]
    assert [d[0][0] for d in found if isinstance(d, list)] == ["modify_type"]


@pytest.mark.parametrize("backend", ["sqlite_file", "postgresql"])
def test_opening_again_changes_nothing(empty_url: str) -> None:
    first = Store.open(empty_url)
    with first.write() as w:
        w.set_setting("kept", True)
    first.close()
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(Engine, "before_cursor_execute", record)
    try:
        again = Store.open(empty_url)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    try:
        changes = [
            sql
            for sql in statements
            if sql.split(None, 1)[0].upper() in {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE"}
        ]
        assert statements and changes == []
        assert tables(again.engine) == SCHEMA
        assert version(again.engine) == head()
        with again.read() as r:
            assert r.setting("kept") is True
    finally:
        again.close()


def _alembic(engine: Engine, action: Any, revision: str) -> None:
    """Run an Alembic command on the engine, the way segmint.store.migrate does."""
    cfg = alembic_config()
    with engine.connect() as conn:
        conn.info["write"] = True
        with conn.begin():
            cfg.attributes["connection"] = conn
            action(cfg, revision)


@pytest.mark.parametrize("backend", ["sqlite_file", "postgresql"])
def test_downgrade_to_nothing_and_up_again(opened: Store) -> None:
    _alembic(opened.engine, command.downgrade, "base")
    assert tables(opened.engine) == {"alembic_version"}
    _alembic(opened.engine, command.upgrade, "head")
    assert tables(opened.engine) == SCHEMA
    with opened.write() as w:
        w.set_setting("works", 1)


def test_migrations_do_not_import_the_application() -> None:
    """A migration is frozen in time: importing today's schema.py would change old ones."""
    folder = resources.files("segmint.store") / "migrations" / "versions"
    scripts = [f for f in folder.iterdir() if f.name.endswith(".py") and f.name != "__init__.py"]
    assert scripts
    for script in scripts:
        tree = ast.parse(script.read_text(encoding="utf-8"))
        imported = {
            name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
        }
        assert not {m for m in imported if m.split(".")[0] == "segmint"}, script.name
