"""Loading source files into the engine: typed, checked, and swapped in all at once.

Every source is read into a staging table, its values cast to the declared (or inferred)
types. Unparseable values, missing keys and duplicate keys are errors reported with file,
column and row; if there is any, nothing is replaced and the previous data stays. Orphan
foreign keys are warnings with counts. Interactions are stored sorted by time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from segmint.catalog import AttrType, ModelSpec, SourceFormat, SourceSpec
from segmint.errors import IngestError, Problem
from segmint.progress import Progress, silent

STAGING = "segmint_staging_"
MAX_ROWS_SHOWN = 5

DUCK_TYPES: dict[AttrType, str] = {
    AttrType.STRING: "VARCHAR",
    AttrType.INTEGER: "BIGINT",
    AttrType.FLOAT: "DOUBLE",
    AttrType.BOOLEAN: "BOOLEAN",
    AttrType.DATE: "DATE",
    AttrType.TIMESTAMP: "TIMESTAMP",
    AttrType.LIST: "VARCHAR[]",
}


def attr_type_of(duck_type: str) -> AttrType | None:
    """Our type for a DuckDB column type, or None when there is no sensible one."""
    t = duck_type.upper()
    if t.endswith("[]"):
        return AttrType.LIST
    if t in ("VARCHAR", "TEXT", "STRING", "UUID") or t.startswith("VARCHAR"):
        return AttrType.STRING
    if t in (
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "UBIGINT",
        "UINTEGER",
        "USMALLINT",
        "UTINYINT",
        "HUGEINT",
    ):
        return AttrType.INTEGER
    if t in ("DOUBLE", "FLOAT", "REAL") or t.startswith("DECIMAL"):
        return AttrType.FLOAT
    if t == "BOOLEAN":
        return AttrType.BOOLEAN
    if t == "DATE":
        return AttrType.DATE
    if t.startswith("TIMESTAMP"):
        return AttrType.TIMESTAMP
    return None


def q(name: str) -> str:
    """Quote an identifier (names come from the validated model, never from values)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class IngestReport:
    """What an ingest loaded, and the warnings it found."""

    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    name: str
    source: SourceSpec
    declared: dict[str, AttrType | None] | None  # None: every column, inferred
    keys: tuple[str, ...]  # columns that must be present (a key, a timestamp)
    unique: str | None  # the column that must be unique
    sort_by: str | None
    foreign_keys: tuple[str, ...] = ()  # columns that must exist, though values may be missing


def _targets(spec: ModelSpec) -> list[_Target]:
    # With attributes declared, model.yaml is checked to hold these columns; without, the
    # file must have them.
    held: dict[str, list[str]] = {name: [] for name in spec.entities}
    for name, ent in spec.entities.items():
        for rel in ent.relationships.values():
            holder = name if rel.type == "many_to_one" else rel.entity
            if holder in held:
                held[holder].append(rel.foreign_key)
    out = []
    for name, ent in spec.entities.items():
        declared = (
            {a: s.type for a, s in ent.attributes.items()} if ent.attributes is not None else None
        )
        fks = tuple(dict.fromkeys(held[name]))
        out.append(_Target(name, ent.source, declared, (ent.key,), ent.key, None, fks))
    for name, inter in spec.interactions.items():
        declared = (
            {a: s.type for a, s in inter.attributes.items()}
            if inter.attributes is not None
            else None
        )
        out.append(
            _Target(
                name,
                inter.source,
                declared,
                (inter.profile_key, inter.timestamp),
                None,
                inter.timestamp,
            )
        )
    return out


class _Loader:
    def __init__(self, con: duckdb.DuckDBPyConnection, root: Path) -> None:
        self.con = con
        self.root = root
        self.problems: list[Problem] = []

    def reader(self, source: SourceSpec, path: Path, *, as_text: bool) -> str:
        """A table function reading the file; values as text when `as_text`."""
        fmt = source.resolved_format
        literal = "'" + str(path).replace("'", "''") + "'"
        if fmt is SourceFormat.CSV:
            # RFC 4180 quoting, stated: DuckDB's sniffer only samples the first rows, and
            # a quoted delimiter first seen later would otherwise split the row.
            opts = ", quote = '\"', escape = '\"'"
            opts += ", all_varchar = true" if as_text else ""
            if source.delimiter:
                opts += ", delim = '" + source.delimiter.replace("'", "''") + "'"
            return f"read_csv({literal}, header = true{opts})"
        if fmt is SourceFormat.JSONL:
            return f"read_json({literal}, format = 'newline_delimited')"
        return f"read_parquet({literal})"

    def source_types(self, relation: str) -> dict[str, str]:
        rows = self.con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def load(self, target: _Target) -> int | None:
        path = (self.root / target.source.path).resolve()
        where = target.source.path
        if not path.is_file():
            self.problems.append(Problem(where, f"file not found (for {target.name})"))
            return None
        try:
            typed_source = self.source_types(self.reader(target.source, path, as_text=False))
        except duckdb.Error as exc:
            self.problems.append(Problem(where, f"cannot be read: {_first_line(exc)}"))
            return None
        columns = list(target.declared) if target.declared is not None else list(typed_source)
        needed = [*columns, *target.keys, *target.foreign_keys]
        missing = [c for c in dict.fromkeys(needed) if c not in typed_source]
        for col in missing:
            self.problems.append(Problem(f"{where}: column {col}", "not in the file"))
        if missing:
            found = ", ".join(typed_source)
            self.problems.append(Problem(where, f"the columns read from the file are: {found}"))
            return None
        types: dict[str, AttrType] = {}
        for col in columns:
            declared = (target.declared or {}).get(col)
            inferred = attr_type_of(typed_source[col])
            typ = declared or inferred
            if typ is None:
                self.problems.append(
                    Problem(
                        f"{where}: column {col}",
                        f"type {typed_source[col]} is not supported; declare a type",
                    )
                )
                continue
            types[col] = typ
        if len(types) != len(columns):
            return None
        raw = f"{STAGING}raw"
        text = target.source.resolved_format is SourceFormat.CSV
        self.con.execute(f"DROP TABLE IF EXISTS {raw}")
        try:
            self.con.execute(
                f"CREATE TEMP TABLE {raw} AS SELECT {', '.join(q(c) for c in columns)} "
                f"FROM {self.reader(target.source, path, as_text=text)}"
            )
        except duckdb.Error as exc:
            self.problems.append(Problem(where, f"cannot be read: {_first_line(exc)}"))
            return None
        raw_types = self.source_types(raw)
        casts = {c: self.cast(c, raw_types[c], types[c]) for c in columns}
        before = len(self.problems)
        for col in columns:
            if casts[col] != q(col):
                self.bad_values(raw, where, col, casts[col], types[col])
        for col in target.keys:
            self.missing_keys(raw, where, col)
        if target.unique:
            self.duplicates(raw, where, target.unique, casts[target.unique])
        if len(self.problems) > before:
            return None
        order = f" ORDER BY {q(target.sort_by)}" if target.sort_by else ""
        select = ", ".join(f"{casts[c]} AS {q(c)}" for c in columns)
        self.con.execute(f"DROP TABLE IF EXISTS {q(STAGING + target.name)}")
        self.con.execute(
            f"CREATE TABLE {q(STAGING + target.name)} AS SELECT {select} FROM {raw}{order}"
        )
        self.con.execute(f"DROP TABLE {raw}")
        row = _first(self.con, f"SELECT count(*) FROM {q(STAGING + target.name)}")
        return int(row[0]) if row else 0

    @staticmethod
    def cast(col: str, raw_type: str, typ: AttrType) -> str:
        if attr_type_of(raw_type) is typ and (
            typ is not AttrType.TIMESTAMP or raw_type.upper() == "TIMESTAMP"
        ):
            if raw_type.upper() == DUCK_TYPES[typ]:
                return q(col)
            # The same kind in another width or flavour (INTEGER, HUGEINT, DECIMAL, BIGINT[],
            # UUID): stored as the one engine type of the kind; a value that does not fit is
            # reported like any other bad value.
            return f"TRY_CAST({q(col)} AS {DUCK_TYPES[typ]})"
        if typ is AttrType.TIMESTAMP:
            # Text with an offset is converted to UTC; text without one is taken as UTC.
            return f"CAST(TRY_CAST({q(col)} AS TIMESTAMPTZ) AS TIMESTAMP)"
        if typ is AttrType.STRING:
            return f"CAST({q(col)} AS VARCHAR)"
        if typ is AttrType.INTEGER:
            # TRY_CAST alone rounds: '1.5' would load as 2. Only whole numbers are integers.
            number = f"TRY_CAST({q(col)} AS DOUBLE)"
            return f"CASE WHEN {number} = floor({number}) THEN TRY_CAST({q(col)} AS BIGINT) END"
        return f"TRY_CAST({q(col)} AS {DUCK_TYPES[typ]})"

    def rows_where(self, raw: str, condition: str) -> tuple[int, list[int]]:
        found = _first(self.con, f"SELECT count(*) FROM {raw} WHERE {condition}")
        total = int(found[0]) if found else 0
        rows = self.con.execute(
            f"SELECT rowid + 1 FROM {raw} WHERE {condition} ORDER BY rowid LIMIT {MAX_ROWS_SHOWN}"
        ).fetchall()
        return total, [int(r[0]) for r in rows]

    def bad_values(self, raw: str, where: str, col: str, cast: str, typ: AttrType) -> None:
        present = f"{q(col)} IS NOT NULL AND CAST({q(col)} AS VARCHAR) <> ''"
        total, rows = self.rows_where(raw, f"{present} AND {cast} IS NULL")
        if total:
            sample = _first(
                self.con,
                f"SELECT CAST({q(col)} AS VARCHAR) FROM {raw} WHERE {present} AND {cast} IS NULL "
                "ORDER BY rowid LIMIT 1",
            )
            shown = repr(sample[0])[:60] if sample else "?"
            self.problems.append(
                Problem(
                    f"{where}: column {col}, {_rows(rows, total)}",
                    f"{total} value(s) are not a valid {typ.value} (e.g. {shown})",
                )
            )

    def missing_keys(self, raw: str, where: str, col: str) -> None:
        # Absent in the file; a value that is there but unparseable is reported as bad already.
        total, rows = self.rows_where(raw, f"{q(col)} IS NULL OR CAST({q(col)} AS VARCHAR) = ''")
        if total:
            self.problems.append(
                Problem(
                    f"{where}: column {col}, {_rows(rows, total)}", f"{total} row(s) have no {col}"
                )
            )

    def duplicates(self, raw: str, where: str, col: str, cast: str) -> None:
        dupes = self.con.execute(
            f"SELECT k, count(*) AS n, list(rowid + 1 ORDER BY rowid)[1:{MAX_ROWS_SHOWN}] "
            f"FROM (SELECT {cast} AS k, rowid FROM {raw}) WHERE k IS NOT NULL "
            f"GROUP BY k HAVING count(*) > 1 ORDER BY min(rowid) LIMIT {MAX_ROWS_SHOWN + 1}"
        ).fetchall()
        if dupes:
            total_row = _first(
                self.con,
                f"SELECT count(*) FROM (SELECT {cast} AS k FROM {raw} WHERE k IS NOT NULL "
                "GROUP BY k HAVING count(*) > 1)",
            )
            total = int(total_row[0]) if total_row else len(dupes)
            for key, count, rows in dupes[:MAX_ROWS_SHOWN]:
                self.problems.append(
                    Problem(
                        f"{where}: column {col}, rows {', '.join(str(r) for r in rows)}",
                        f"duplicate key {key!r} ({count} rows)",
                    )
                )
            if total > MAX_ROWS_SHOWN:
                self.problems.append(
                    Problem(f"{where}: column {col}", f"{total} duplicate keys in all")
                )


def _first(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...] | None:
    """The first row of a query's result, read to its end.

    DuckDB 2 keeps a partly read result open on the connection, and the next relation (or
    Ibis) query on that connection then fails with "unfinished result"; fetchall closes it.
    """
    rows = con.execute(sql).fetchall()
    return rows[0] if rows else None


def _rows(rows: list[int], total: int) -> str:
    text = ", ".join(str(r) for r in rows)
    more = f" and {total - len(rows)} more" if total > len(rows) else ""
    return f"row {text}{more}" if len(rows) == 1 and not more else f"rows {text}{more}"


def _first_line(exc: Exception) -> str:
    """The engine's reason, without the echoed source line (it may hold personal data) or
    the SQL: for a CSV the reason follows the line number, e.g. "CSV Error on Line: 2 ...
    Invalid unicode (byte sequence mismatch) detected"."""
    lines = []
    for line in str(exc).strip().splitlines():
        if not line.strip():
            break
        if not line.startswith("Original Line:"):
            lines.append(line.strip())
    return " ".join(lines)[:300]


def _orphans(con: duckdb.DuckDBPyConnection, spec: ModelSpec) -> Iterable[Problem]:
    """Foreign keys pointing at nothing: counted, reported, kept."""

    def check(table: str, col: str, target: str, target_key: str, label: str) -> Problem | None:
        row = _first(
            con,
            f"SELECT count(*) FROM {q(STAGING + table)} s WHERE s.{q(col)} IS NOT NULL AND "
            f"NOT EXISTS (SELECT 1 FROM {q(STAGING + target)} t "
            f"WHERE t.{q(target_key)} = s.{q(col)})",
        )
        count = int(row[0]) if row else 0
        return Problem(label, f"{count} row(s) point to no {target}") if count else None

    for name, ent in spec.entities.items():
        for rname, rel in ent.relationships.items():
            target = spec.entities[rel.entity]
            if rel.type == "many_to_one":
                found = check(
                    name,
                    rel.foreign_key,
                    rel.entity,
                    target.key,
                    f"{ent.source.path}: column {rel.foreign_key} ({name}.{rname})",
                )
            else:
                found = check(
                    rel.entity,
                    rel.foreign_key,
                    name,
                    ent.key,
                    f"{target.source.path}: column {rel.foreign_key} ({name}.{rname})",
                )
            if found:
                yield found
    for name, inter in spec.interactions.items():
        profile = spec.entities[inter.profile]
        found = check(
            name,
            inter.profile_key,
            inter.profile,
            profile.key,
            f"{inter.source.path}: column {inter.profile_key} ({name})",
        )
        if found:
            yield found


def ingest(
    con: duckdb.DuckDBPyConnection, root: Path, spec: ModelSpec, progress: Progress = silent
) -> IngestReport:
    """Load every source of the model; all or nothing."""
    targets = _targets(spec)
    loader = _Loader(con, root)
    report = IngestReport()
    try:
        for i, target in enumerate(targets):
            progress("ingest", i, len(targets), f"loading {target.source.path}")
            count = loader.load(target)
            if count is not None:
                report.rows[target.name] = count
        progress("ingest", len(targets), len(targets), "checking references")
        if loader.problems:
            raise IngestError(
                "ingest failed; nothing was changed and the previous data stays",
                loader.problems,
            )
        report.warnings.extend(_orphans(con, spec))
        con.execute("BEGIN TRANSACTION")
        try:
            for target in targets:
                con.execute(f"DROP TABLE IF EXISTS {q(target.name)}")
                con.execute(f"ALTER TABLE {q(STAGING + target.name)} RENAME TO {q(target.name)}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        for target in targets:
            con.execute(f"DROP TABLE IF EXISTS {q(STAGING + target.name)}")
        con.execute(f"DROP TABLE IF EXISTS {STAGING}raw")
    progress("ingest", len(targets), len(targets), "done")
    return report


def loaded_types(con: duckdb.DuckDBPyConnection, spec: ModelSpec) -> dict[str, dict[str, AttrType]]:
    """The column types of the loaded tables, for resolving the catalog."""
    names = [*spec.entities, *spec.interactions]
    found: dict[str, dict[str, AttrType]] = {}
    for name in names:
        try:
            rows = con.execute(f"DESCRIBE {q(name)}").fetchall()
        except duckdb.CatalogException:
            continue
        found[name] = {str(r[0]): t for r in rows if (t := attr_type_of(str(r[1]))) is not None}
    return found
