"""Evaluating segment files in a workspace: validate, count, members, explain, SQL, materialise."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segmint.catalog import Catalog
from segmint.definition.check import ensure_valid
from segmint.definition.describe import describe
from segmint.definition.load import load_document
from segmint.definition.nodes import Definition, SegmentDocument
from segmint.engines.base import Explanation, Page
from segmint.engines.duckdb import DuckDBEngine
from segmint.errors import UserError
from segmint.workspace import Workspace, document_key


def parse_as_of(text: str | None) -> dt.datetime:
    """An ISO date or date-time; without an offset it is UTC. None means now."""
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UserError(
            f"--as-of {text!r}: not an ISO date or date-time (e.g. 2026-11-01T09:00:00+01:00)"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@contextmanager
def open_engine(ws: Workspace, *, read_only: bool = True) -> Iterator[DuckDBEngine]:
    """The workspace's engine, with the catalog completed from the loaded tables."""
    path = ws.database_path
    if read_only and not path.exists():
        raise UserError(f"{path} does not exist; run `segmint ingest` first")
    con = ws.connect(read_only=read_only)
    try:
        catalog = ws.catalog(con)
        engine = DuckDBEngine(con, catalog)
        missing = [n for n in [*catalog.entities, *catalog.interactions] if not _has_table(con, n)]
        if missing and read_only:
            raise UserError(f"not loaded yet: {', '.join(missing)}; run `segmint ingest`")
        stale = _stale(ws, catalog, con)
        if stale:
            raise UserError(
                f"model.yaml has changed since the data was loaded ({', '.join(stale)}); "
                "run `segmint ingest`"
            )
        yield engine
    finally:
        con.close()


def _stale(ws: Workspace, catalog: Catalog, con: Any) -> list[str]:
    """Attributes of loaded tables that are missing from them or of another type there."""
    from segmint.sources.ingest import loaded_types

    loaded = loaded_types(con, ws.model)
    groups = [
        *((n, e.attributes) for n, e in catalog.entities.items()),
        *((n, i.attributes) for n, i in catalog.interactions.items()),
    ]
    return [
        f"{name}.{col}"
        for name, attrs in groups
        if name in loaded
        for col, attr in attrs.items()
        if loaded[name].get(col) is not attr.type
    ]


def _has_table(con: Any, name: str) -> bool:
    # fetchall, not fetchone: DuckDB 2 keeps a partly read result open on the connection,
    # and the engine's next query (through Ibis) then fails with "unfinished result".
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    return bool(rows and rows[0][0])


@dataclass(frozen=True)
class Checked:
    """A segment file that passed validation."""

    key: str
    document: SegmentDocument
    definition: Definition
    sentence: str


def check_file(ws: Workspace, catalog: Catalog, path: Path) -> Checked:
    """Load and validate a segment file against the workspace's model and segments."""
    doc = load_document(path)
    key = document_key(doc, path)
    definition = doc.definition
    ensure_valid(
        catalog,
        definition,
        where=str(path),
        key=key,
        limits=ws.settings.limits.to_limits(),
        segments=ws.segment,
    )
    return Checked(key, doc, definition, describe(definition, catalog))


def validate(ws: Workspace, path: Path) -> Checked:
    """Validate a file; needs the loaded data only when model.yaml leaves types out."""
    if ws.database_path.exists():
        # The loaded tables only complete the types; a fully typed model needs no ingest.
        con = ws.connect(read_only=True)
        try:
            return check_file(ws, ws.catalog(con), path)
        finally:
            con.close()
    return check_file(ws, ws.catalog(), path)


@dataclass(frozen=True)
class Counted:
    key: str
    count: int
    seconds: float
    as_of: dt.datetime


def count(ws: Workspace, path: Path, as_of: dt.datetime) -> Counted:
    with open_engine(ws) as engine:
        checked = check_file(ws, engine.catalog, path)
        start = time.perf_counter()
        n = engine.count(checked.definition, as_of=as_of, segments=ws.segment)
        return Counted(checked.key, n, time.perf_counter() - start, as_of)


def members(
    ws: Workspace, path: Path, as_of: dt.datetime, *, fields: list[str], limit: int, offset: int
) -> Page:
    if not 1 <= limit <= 100_000:
        raise UserError("--limit must be between 1 and 100000")
    if offset < 0:
        raise UserError("--offset must not be negative")
    with open_engine(ws) as engine:
        checked = check_file(ws, engine.catalog, path)
        return engine.members(
            checked.definition,
            as_of=as_of,
            fields=fields,
            limit=limit,
            offset=offset,
            segments=ws.segment,
        )


def explain(ws: Workspace, path: Path, profile: str, as_of: dt.datetime) -> Explanation:
    with open_engine(ws) as engine:
        checked = check_file(ws, engine.catalog, path)
        return engine.explain(checked.definition, profile, as_of=as_of, segments=ws.segment)


def sql(ws: Workspace, path: Path, as_of: dt.datetime) -> str:
    with open_engine(ws) as engine:
        checked = check_file(ws, engine.catalog, path)
        return engine.sql(checked.definition, as_of=as_of, segments=ws.segment)
