"""Members of a stored version with profile fields: pages for previews, CSV for downloads.

Fields may follow many-to-one links (`account.industry`): each hop is a LEFT JOIN on the
catalog's keys. Identifiers come only from the catalog and are quoted; the segment and
version are bound parameters. CSV output is RFC 4180, UTF-8, ISO-8601 times, and text cells
that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) are defused with a leading apostrophe. Output is produced batch by batch.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb

from segmint.catalog import AttrType, Catalog
from segmint.errors import UserError
from segmint.sources.ingest import q

BATCH_ROWS = 100_000


def select_fields(
    catalog: Catalog, audience: str, fields: Sequence[str], *, for_csv: bool
) -> tuple[list[str], list[str], list[str]]:
    """Column expressions, join clauses and output names for the chosen fields."""
    entity = catalog.entities[audience]
    columns: list[str] = []
    joins: list[str] = []
    names: list[str] = []
    joined: set[str] = set()
    problems = []
    for path in dict.fromkeys([entity.key, *fields]):
        try:
            ref = catalog.resolve_field(audience, path)
        except KeyError as exc:
            problems.append(str(exc.args[0]))
            continue
        holder = "e"
        prefix = ""
        for hop in ref.hops:
            prefix = f"{prefix}__{hop.name}" if prefix else f"j__{hop.name}"
            if prefix not in joined:
                target = catalog.entities[hop.target]
                joins.append(
                    f"LEFT JOIN {q(target.table)} AS {q(prefix)} ON "
                    f"{q(holder)}.{q(hop.foreign_key)} = {q(prefix)}.{q(target.key)}"
                )
                joined.add(prefix)
            holder = prefix
        column = f"{q(holder)}.{q(ref.attribute.name)}"
        columns.append(f"{_format(column, ref.attribute.type, for_csv)} AS {q(path)}")
        names.append(path)
    if problems:
        raise UserError("unknown fields: " + "; ".join(problems))
    return columns, joins, names


def _format(column: str, typ: AttrType, for_csv: bool) -> str:
    if not for_csv:
        return column
    if typ is AttrType.TIMESTAMP:
        return f"strftime({column}, '%Y-%m-%dT%H:%M:%S.%fZ')"
    if typ is AttrType.DATE:
        return f"strftime({column}, '%Y-%m-%d')"
    if typ is AttrType.LIST:
        column = f"array_to_string({column}, '; ')"
    elif typ is not AttrType.STRING:
        return column
    # Defuse spreadsheet formulas: = + - @ tab CR at the start get a leading apostrophe.
    return (
        f"CASE WHEN regexp_matches({column}, '^[=+\\-@\\t\\r]') "
        f"THEN '''' || {column} ELSE {column} END"
    )


def _query(
    catalog: Catalog, audience: str, members_table: str, fields: Sequence[str], *, for_csv: bool
) -> tuple[str, list[str]]:
    entity = catalog.entities[audience]
    columns, joins, names = select_fields(catalog, audience, fields, for_csv=for_csv)
    sql = (
        f"SELECT {', '.join(columns)} FROM {q(members_table)} AS m "
        f"JOIN {q(entity.table)} AS e ON e.{q(entity.key)} = m.key "
        + " ".join(joins)
        + " WHERE m.segment = ? AND m.version = ? ORDER BY m.key"
    )
    return sql, names


def page(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    audience: str,
    members_table: str,
    segment: str,
    version: int,
    fields: Sequence[str],
    limit: int,
    offset: int,
) -> tuple[list[str], list[dict[str, Any]]]:
    """One page of a stored version's members with fields, in key order."""
    sql, names = _query(catalog, audience, members_table, fields, for_csv=False)
    rows = con.execute(
        f"{sql} LIMIT {int(limit)} OFFSET {int(offset)}", [segment, version]
    ).fetchall()
    return names, [dict(zip(names, row, strict=True)) for row in rows]


def csv_chunks(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    audience: str,
    members_table: str,
    segment: str,
    version: int,
    fields: Sequence[str],
) -> Iterator[bytes]:
    """The version's members as CSV, one encoded chunk per batch (header first)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    sql, names = _query(catalog, audience, members_table, fields, for_csv=True)
    reader: Iterator[Any] = con.sql(sql, params=[segment, version]).to_arrow_reader(BATCH_ROWS)
    header = True
    for batch in reader:
        table = pa.Table.from_batches([batch]).cast(
            pa.schema([pa.field(n, pa.string()) for n in names])
        )
        sink = io.BytesIO()
        pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=header, eol="\r\n"))
        header = False
        yield sink.getvalue()
    if header:  # no rows at all: still a header line
        yield (",".join('"' + n.replace('"', '""') + '"' for n in names) + "\r\n").encode()
