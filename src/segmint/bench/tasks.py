"""The measured tasks on one DuckDB database, each done two ways: through Segmint's engine and
with the hand-written SQL. Members, full refresh, exact count, preview and CSV export."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any, Final

import ibis

from segmint.bench.workload import KEYS, WORKLOAD, WorkloadSegment, handwritten_sql, install_macros
from segmint.bench.workload import resolve as resolve_segment
from segmint.catalog import Catalog
from segmint.engines.duckdb import DuckDBEngine, connect
from segmint.errors import InternalError
from segmint.sources.ingest import q

PREVIEW_LIMIT: Final = 100
PREVIEW_FIELDS: Final = {
    "contact": ("email", "city", "account.industry"),
    "account": ("name", "industry", "tier"),
}
EXPORT_FIELDS: Final = {
    "contact": ("email", "first_name", "last_name", "city", "country"),
    "account": ("name", "industry", "country", "city"),
}
# The hand-written preview: the first members by key with the same fields, the page taken
# before the join that fetches the many-to-one field. {page} selects the page's rows.
PREVIEW_COLUMNS: Final = {
    "contact": ("contact_id", "email", "city", "account_id"),
    "account": ("account_id", "name", "industry", "tier"),
}
PREVIEW_SQL: Final = {
    "contact": """
SELECT p.contact_id, p.email, p.city, a.industry
FROM ({page}) AS p LEFT JOIN account a ON a.account_id = p.account_id
ORDER BY p.contact_id
""",
    "account": "{page}",
}
SQL_MEMBERS: Final = "bench_sql_members_{audience}"  # the hand-written refresh's tables
_FILTER: Final = re.compile(r"^SELECT (contact_id|account_id) FROM (contact|account)\n")


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class Database:
    """One benchmark database, with Segmint's engine and the hand-written SQL's macros."""

    def __init__(
        self, path: Path, catalog: Catalog, as_of: dt.datetime, *, read_only: bool = False
    ) -> None:
        self.con = connect(path, read_only=read_only)
        self.engine = DuckDBEngine(self.con, catalog)
        self.as_of = as_of
        self._written: dict[int, set[str]] = {}  # version -> segments stored under it
        self.con.execute("SET enable_progress_bar = false")
        install_macros(self.con, as_of)

    def close(self) -> None:
        self.engine.close()

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    # --- members ------------------------------------------------------------------------

    def segmint_members(self, seg: WorkloadSegment) -> set[Any]:
        return self.engine.member_keys(seg.definition, as_of=self.as_of, segments=resolve_segment)

    def sql_members(self, seg: WorkloadSegment) -> set[Any]:
        rows = [r[0] for r in self.con.execute(handwritten_sql(seg)).fetchall()]
        found = set(rows)
        if len(found) != len(rows):
            raise InternalError(f"the hand-written SQL of {seg.key} returns a member twice")
        return found

    # --- full refresh: one stored version per segment ----------------------------------

    def segmint_write(self, seg: WorkloadSegment, version: int, previous: int | None) -> int:
        """Store a segment as `version`, as a refresh run does: a segment referencing one
        stored earlier under the same version number (the same run) reads its members."""
        done = self._written.setdefault(version, set())
        table = self.engine.versions.table(seg.audience)

        def reuse(key: str) -> tuple[str, int] | None:
            return (table, version) if key in done else None

        written = self.engine.write_version(
            seg.key,
            seg.definition,
            version=version,
            previous=previous,
            as_of=self.as_of,
            segments=resolve_segment,
            reuse=reuse,
            # A full evaluation even against a previous version: the same data and instant
            # would otherwise be carried over whole by the incremental path.
            incremental=False,
        )
        done.add(seg.key)
        return written.members

    def sql_write(self, seg: WorkloadSegment, version: int) -> None:
        table = SQL_MEMBERS.format(audience=seg.audience)
        self.con.execute(
            f"INSERT INTO {table} SELECT ?, ?, m.* FROM ({handwritten_sql(seg)}) AS m",
            [seg.key, version],
        )

    def prepare_versions(self) -> None:
        """Create the member tables of both refreshes, empty."""
        for audience in KEYS:
            self.engine.versions.table(audience)
            self.con.execute(
                f"CREATE OR REPLACE TABLE {SQL_MEMBERS.format(audience=audience)} "
                "(segment VARCHAR NOT NULL, version INTEGER NOT NULL, key VARCHAR NOT NULL)"
            )
        self.reset_versions()

    def reset_versions(self) -> None:
        """Drop every stored version of both refreshes (between measured rounds, untimed)."""
        for audience in KEYS:
            self.con.execute(f"DELETE FROM {self.engine.versions.table(audience)}")
            self.con.execute(f"DELETE FROM {SQL_MEMBERS.format(audience=audience)}")
        self._written.clear()
        self.con.execute("CHECKPOINT")

    def sql_version(self, seg: WorkloadSegment, version: int) -> set[Any]:
        """The keys the hand-written refresh stored for a segment."""
        table = SQL_MEMBERS.format(audience=seg.audience)
        rows = self.con.execute(
            f"SELECT key FROM {table} WHERE segment = ? AND version = ?", [seg.key, version]
        ).fetchall()
        return {r[0] for r in rows}

    def check_versions(self, version: int) -> None:
        """Both refreshes stored the same members for every segment in `version`."""
        for seg in WORKLOAD:
            ours = self.engine.versions.table(seg.audience)
            theirs = SQL_MEMBERS.format(audience=seg.audience)
            differ = self.scalar(
                f"SELECT count(*) FROM ((SELECT key FROM {ours} WHERE segment = ? AND version = ? "
                f"EXCEPT SELECT key FROM {theirs} WHERE segment = ? AND version = ?) UNION ALL "
                f"(SELECT key FROM {theirs} WHERE segment = ? AND version = ? "
                f"EXCEPT SELECT key FROM {ours} WHERE segment = ? AND version = ?))",
                [seg.key, version] * 4,
            )
            if differ:
                raise InternalError(
                    f"full refresh: {seg.key} version {version} differs in {differ} members "
                    "between Segmint and the hand-written SQL"
                )

    # --- exact count, as a draft --------------------------------------------------------

    def segmint_count(self, seg: WorkloadSegment) -> int:
        return self.engine.count(seg.definition, as_of=self.as_of, segments=resolve_segment)

    def sql_count(self, seg: WorkloadSegment) -> int:
        return int(self.scalar(f"SELECT count(*) FROM ({handwritten_sql(seg)})"))

    # --- preview of the first members ---------------------------------------------------

    def segmint_preview(self, seg: WorkloadSegment) -> list[tuple[Any, ...]]:
        page = self.engine.members(
            seg.definition,
            as_of=self.as_of,
            fields=PREVIEW_FIELDS[seg.audience],
            limit=PREVIEW_LIMIT,
            segments=resolve_segment,
        )
        return [tuple(row[f] for f in page.fields) for row in page.rows]

    def sql_preview(self, seg: WorkloadSegment) -> list[tuple[Any, ...]]:
        page = _with_columns(seg, PREVIEW_COLUMNS[seg.audience])
        page += f"\nORDER BY {KEYS[seg.audience]} LIMIT {PREVIEW_LIMIT}"
        sql = PREVIEW_SQL[seg.audience].format(page=page)
        return [tuple(row) for row in self.con.execute(sql).fetchall()]

    # --- CSV export -----------------------------------------------------------------------

    def segmint_export_query(self, seg: WorkloadSegment) -> str:
        """Segmint's compiled members query, with the export's profile fields."""
        key = KEYS[seg.audience]
        query = self.engine.members_query(
            seg.definition, as_of=self.as_of, segments=resolve_segment
        ).select(key, *EXPORT_FIELDS[seg.audience])
        return str(ibis.to_sql(query, dialect="duckdb"))

    def sql_export_query(self, seg: WorkloadSegment) -> str:
        return _with_columns(seg, (KEYS[seg.audience], *EXPORT_FIELDS[seg.audience]))

    def export(self, query: str, target: Path) -> int:
        """Stream a query's rows to a CSV file with DuckDB's COPY; the number of rows."""
        rows = self.con.execute(f"COPY ({query}) TO {_literal(target)} (FORMAT csv, HEADER)")
        return int(rows.fetchall()[0][0])


def unsorted_copy(source: Path, target: Path, catalog: Catalog) -> None:
    """A copy of a benchmark database whose interaction tables are not clustered by time:
    their rows in a fixed pseudo-random order, as a straightforward load of event files
    that are not sorted would leave them (the demo's files happen to be sorted by time)."""
    for path in (target, target.with_name(target.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    con = connect(target)
    try:
        for inter in catalog.interactions.values():
            table = q(inter.table)
            con.execute(
                f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table} ORDER BY hash(rowid)"
            )
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _with_columns(seg: WorkloadSegment, columns: tuple[str, ...]) -> str:
    """The hand-written SQL selecting more columns of the audience table: right in the query
    when it filters that table itself, else by looking its members up in that table."""
    listed = ", ".join(columns)
    sql = handwritten_sql(seg)
    if _FILTER.match(sql):
        return _FILTER.sub(f"SELECT {listed} FROM \\2\n", sql, count=1)
    return f"SELECT {listed} FROM {seg.audience} WHERE {KEYS[seg.audience]} IN ({sql})"
