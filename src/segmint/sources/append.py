"""Adding data between ingests: append interaction events, upsert profile rows.

Rows arrive as JSON-like records (the API, the CLI). Values are cast to the catalog's
types; any value that does not fit is an error naming the row and column, and nothing is
written. Every write records the changed keys in the change log, in the same transaction,
so the next refresh can re-evaluate only the profiles it affects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from segmint.catalog import Attribute, AttrType, Catalog
from segmint.engines.changes import ChangeLog
from segmint.errors import NotFoundError, Problem, UserError
from segmint.sources.ingest import DUCK_TYPES, q

MAX_ROWS = 1_000_000
INCOMING = "segmint_incoming_rows"


def _text(value: Any, attr: Attribute) -> Any:
    """A JSON value as the text DuckDB casts from (lists stay lists)."""
    if value is None:
        return None
    if attr.type is AttrType.LIST:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError("must be a list of text")
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _arrow(
    rows: Sequence[Mapping[str, Any]],
    attributes: Mapping[str, Attribute],
    required: Sequence[str],
    where: str,
) -> Any:
    import pyarrow as pa

    if not rows:
        raise UserError(f"{where}: no rows")
    if len(rows) > MAX_ROWS:
        raise UserError(f"{where}: more than {MAX_ROWS:,} rows in one request")
    problems: list[Problem] = []
    columns: dict[str, list[Any]] = {name: [] for name in attributes}
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            problems.append(Problem(f"{where}: row {i}", "must be an object"))
            continue
        problems.extend(
            Problem(f"{where}: row {i}, column {name}", "unknown column")
            for name in row
            if name not in attributes
        )
        problems.extend(
            Problem(f"{where}: row {i}, column {name}", "required")
            for name in required
            if row.get(name) in (None, "")
        )
        for name, attr in attributes.items():
            try:
                columns[name].append(_text(row.get(name), attr))
            except TypeError as exc:
                problems.append(Problem(f"{where}: row {i}, column {name}", str(exc)))
                columns[name].append(None)
    if problems:
        raise UserError(f"{where}: rows rejected; nothing was written", problems[:50])
    arrays = {
        name: pa.array(
            values,
            type=pa.list_(pa.string()) if attributes[name].type is AttrType.LIST else pa.string(),
        )
        for name, values in columns.items()
    }
    return pa.table(arrays)


def _cast(name: str, attr: Attribute) -> str:
    if attr.type is AttrType.TIMESTAMP:
        return f"CAST(TRY_CAST({q(name)} AS TIMESTAMPTZ) AS TIMESTAMP)"
    if attr.type is AttrType.STRING:
        return q(name)
    if attr.type is AttrType.LIST:
        return q(name)
    if attr.type is AttrType.INTEGER:
        return (
            f"CASE WHEN TRY_CAST({q(name)} AS DOUBLE) = TRY_CAST({q(name)} AS BIGINT) "
            f"THEN TRY_CAST({q(name)} AS BIGINT) END"
        )
    return f"TRY_CAST({q(name)} AS {DUCK_TYPES[attr.type]})"


def _typed(con: duckdb.DuckDBPyConnection, attributes: Mapping[str, Attribute], where: str) -> str:
    """Check every value casts; return the SELECT list producing typed columns."""
    problems = []
    for name, attr in attributes.items():
        if attr.type in (AttrType.STRING, AttrType.LIST):
            continue
        bad = con.execute(
            f"SELECT row_number, value FROM (SELECT row_number() OVER () AS row_number, "
            f"{q(name)} AS value, {_cast(name, attr)} AS typed FROM {INCOMING}) "
            "WHERE value IS NOT NULL AND value <> '' AND typed IS NULL LIMIT 5"
        ).fetchall()
        for row, value in bad:
            problems.append(
                Problem(
                    f"{where}: row {row}, column {name}",
                    f"{value!r} is not a valid {attr.type.value}",
                )
            )
    if problems:
        raise UserError(f"{where}: rows rejected; nothing was written", problems)
    return ", ".join(f"{_cast(name, attr)} AS {q(name)}" for name, attr in attributes.items())


def append_interactions(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    changes: ChangeLog,
    kind: str,
    rows: Sequence[Mapping[str, Any]],
) -> int:
    """Append events of one interaction kind; all or nothing."""
    inter = catalog.interactions.get(kind)
    if inter is None:
        raise NotFoundError(
            f"no interaction kind {kind!r}; known: {', '.join(catalog.interactions)}"
        )
    where = f"{kind} events"
    data = _arrow(rows, inter.attributes, (inter.profile_key, inter.timestamp), where)
    con.register(INCOMING, data)
    try:
        select = _typed(con, inter.attributes, where)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                f"INSERT INTO {q(inter.table)} ({', '.join(q(c) for c in inter.attributes)}) "
                f"SELECT {select} FROM {INCOMING}"
            )
            keys = [
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT CAST({q(inter.profile_key)} AS VARCHAR) FROM {INCOMING}"
                ).fetchall()
            ]
            changes.record(kind, keys)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister(INCOMING)
    return int(data.num_rows)


def upsert_rows(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    changes: ChangeLog,
    entity: str,
    rows: Sequence[Mapping[str, Any]],
) -> int:
    """Insert profile rows, replacing rows with the same key; all or nothing."""
    ent = catalog.entities.get(entity)
    if ent is None:
        raise NotFoundError(f"no entity {entity!r}; known: {', '.join(catalog.entities)}")
    where = f"{entity} rows"
    data = _arrow(rows, ent.attributes, (ent.key,), where)
    keys = data.column(ent.key).to_pylist()
    if len(set(keys)) != len(keys):
        raise UserError(f"{where}: the same {ent.key} appears twice; nothing was written")
    fks = [r.foreign_key for r in ent.relationships.values() if r.type == "many_to_one"]
    con.register(INCOMING, data)
    try:
        select = _typed(con, ent.attributes, where)
        key_cast = _cast(ent.key, ent.attributes[ent.key])
        con.execute("BEGIN TRANSACTION")
        try:
            old: dict[str, list[str]] = {}
            for fk in fks:
                old[fk] = [
                    r[0]
                    for r in con.execute(
                        f"SELECT DISTINCT CAST({q(fk)} AS VARCHAR) FROM {q(ent.table)} WHERE "
                        f"{q(ent.key)} IN (SELECT {key_cast} FROM {INCOMING})"
                    ).fetchall()
                ]
            con.execute(
                f"DELETE FROM {q(ent.table)} WHERE {q(ent.key)} IN "
                f"(SELECT {key_cast} FROM {INCOMING})"
            )
            con.execute(
                f"INSERT INTO {q(ent.table)} ({', '.join(q(c) for c in ent.attributes)}) "
                f"SELECT {select} FROM {INCOMING}"
            )
            changes.record(entity, [str(k) for k in keys])
            for fk in fks:
                new = [
                    r[0]
                    for r in con.execute(
                        f"SELECT DISTINCT CAST({q(fk)} AS VARCHAR) FROM {INCOMING}"
                    ).fetchall()
                ]
                changes.record(f"{entity}.{fk}", old[fk] + new)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister(INCOMING)
    return int(data.num_rows)
