"""The embedded engine: evaluates compiled definitions on DuckDB and keeps membership versions.

DuckDB allows one read-write process per database file; opening a file another process
holds fails with a WorkspaceError naming the file, never a raw lock error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import zoneinfo
from collections.abc import Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import ibis
import ibis.expr.types as ir

from segmint.catalog import Catalog
from segmint.compiler import Tables, compile_predicate
from segmint.compiler.compile import StoredResolver
from segmint.compiler.dependencies import dependencies
from segmint.compiler.explain import Step, plan_explain
from segmint.definition.check import SegmentResolver, referenced_segments
from segmint.definition.nodes import Definition
from segmint.engines import tabular
from segmint.engines.base import Explanation, Page
from segmint.engines.changes import Mark
from segmint.engines.templates import ONLY_PARAMETER, Query, Templates
from segmint.engines.versions import MembershipStore, Written
from segmint.errors import InternalError, NotFoundError, UserError, WorkspaceError
from segmint.sources.ingest import q

if TYPE_CHECKING:
    import pyarrow as pa


def connect(path: Path | None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database (in memory when path is None) in UTC."""
    try:
        con = duckdb.connect(str(path) if path else ":memory:", read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WorkspaceError(
                f"{path} is in use by another Segmint process (a running `segmint serve` or "
                "another command); stop it or run the command against that server"
            ) from None
        raise WorkspaceError(f"cannot open {path}: {exc}") from None
    con.execute("SET TimeZone = 'UTC'")
    return con


class DuckDBEngine:
    """Evaluates definitions over a catalog's tables in one DuckDB database."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
        self.con = con
        self.catalog = catalog
        self.tables = Tables(catalog)
        self.versions = MembershipStore(con, catalog)
        self._backend: Any = None
        self.last_write_incremental = False

    @property
    def backend(self) -> Any:
        """The Ibis backend on this connection (made on first use: it costs a little)."""
        if self._backend is None:
            self._backend = ibis.duckdb.from_connection(self.con)
        return self._backend

    @classmethod
    def open(cls, path: Path, catalog: Catalog) -> DuckDBEngine:
        return cls(connect(path), catalog)

    @classmethod
    def in_memory(cls, catalog: Catalog, tables: Mapping[str, pa.Table]) -> DuckDBEngine:
        """An engine over in-memory Arrow tables (tests, notebooks)."""
        con = connect(None)
        for name, data in tables.items():
            con.register("__arrow_input", data)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM __arrow_input')
            con.unregister("__arrow_input")
        return cls(con, catalog)

    def close(self) -> None:
        self.con.close()

    def fork(self) -> DuckDBEngine:
        """An engine on its own cursor of the same database, for another thread.

        Forks share what has been prepared: concurrent CREATE ... IF NOT EXISTS from two
        cursors would conflict in DuckDB's catalog, so the tables are made once, up front.
        """
        forked = DuckDBEngine(self.con.cursor(), self.catalog)
        forked.versions.share(self.versions)
        return forked

    def prepare(self) -> None:
        """Create the engine's own tables (members per audience, the change log) once."""
        for audience in self.catalog.audiences():
            self.versions.table(audience)
        self.versions.changes.ensure()

    def interrupt(self) -> None:
        """Stop the query running on this engine's connection, if any."""
        self.con.interrupt()

    # --- compiling -------------------------------------------------------------------

    def members_query(
        self, definition: Definition, *, as_of: dt.datetime, segments: SegmentResolver | None
    ) -> ir.Table:
        table, pred = compile_predicate(
            self.catalog, definition, as_of=as_of, segments=segments, tables=self.tables
        )
        return table.filter(pred)

    def sql(
        self,
        definition: Definition,
        *,
        as_of: dt.datetime,
        segments: SegmentResolver | None = None,
    ) -> str:
        key = self.catalog.entities[definition.audience].key
        query = self.members_query(definition, as_of=as_of, segments=segments).select(key)
        return str(ibis.to_sql(query, dialect="duckdb"))

    # --- running ---------------------------------------------------------------------

    def _run(self, expr: ir.Expr) -> Any:
        try:
            return self.backend.execute(expr)
        except duckdb.Error as exc:
            raise InternalError(f"the engine failed: {exc}", sql=str(ibis.to_sql(expr))) from exc

    def keys_query(
        self,
        definition: Definition,
        *,
        as_of: dt.datetime,
        segments: SegmentResolver | None,
        stored: StoredResolver | None = None,
        only: bool = False,
    ) -> Query:
        """The (cached) SQL selecting the member keys, with its parameters' binding; with
        `only`, right just for the text keys bound as `$segmint_only`."""
        return TEMPLATES.keys_query(
            self.catalog,
            self.tables,
            definition,
            as_of=as_of,
            segments=segments,
            fingerprint=fingerprint(definition, segments),
            stored=stored,
            only=only,
        )

    def _fetch(self, sql: str, params: dict[str, Any]) -> list[Any]:
        try:
            return self.con.execute(sql, params).fetchall()
        except duckdb.Error as exc:
            raise InternalError(f"the engine failed: {exc}", sql=sql) from exc

    def count(
        self,
        definition: Definition,
        *,
        as_of: dt.datetime,
        segments: SegmentResolver | None = None,
    ) -> int:
        """The exact number of members."""
        query = self.keys_query(definition, as_of=as_of, segments=segments)
        rows = self._fetch(f"SELECT count(*) FROM ({query.sql})", query.params(as_of))
        return int(rows[0][0])

    def member_keys(
        self,
        definition: Definition,
        *,
        as_of: dt.datetime,
        segments: SegmentResolver | None = None,
    ) -> set[Any]:
        """Every member's key."""
        query = self.keys_query(definition, as_of=as_of, segments=segments)
        return {row[0] for row in self._fetch(query.sql, query.params(as_of))}

    def _arrow(self, expr: ir.Table) -> pa.Table:
        try:
            return self.backend.to_pyarrow(expr)
        except duckdb.Error as exc:
            raise InternalError(f"the engine failed: {exc}", sql=str(ibis.to_sql(expr))) from exc

    def members(
        self,
        definition: Definition,
        *,
        as_of: dt.datetime,
        fields: Sequence[str] = (),
        limit: int = 100,
        offset: int = 0,
        segments: SegmentResolver | None = None,
    ) -> Page:
        """One page of members ordered by key, with the chosen (possibly dotted) fields."""
        entity = self.catalog.entities[definition.audience]
        chosen = list(fields) or [entity.key]
        bad = []
        for name in chosen:
            try:
                self.catalog.resolve_field(entity.name, name)
            except KeyError as exc:
                bad.append(str(exc.args[0]))
        if bad:
            raise UserError("unknown fields: " + "; ".join(bad))
        query = self.keys_query(definition, as_of=as_of, segments=segments)
        columns, joins, names = tabular.select_fields(
            self.catalog, entity.name, chosen, for_csv=False
        )
        sql = (
            f"WITH page AS (SELECT k.* FROM ({query.sql}) AS k ORDER BY 1 "
            f"LIMIT {int(limit)} OFFSET {int(offset)}) "
            f"SELECT {', '.join(columns)} FROM page JOIN {q(entity.table)} AS e "
            f"ON e.{q(entity.key)} = page.{q(entity.key)} {' '.join(joins)} "
            f"ORDER BY e.{q(entity.key)}"
        )
        rows = [dict(zip(names, row, strict=True)) for row in self._fetch(sql, query.params(as_of))]
        return Page(fields=names, rows=rows, limit=limit, offset=offset)

    def explain(
        self,
        definition: Definition,
        profile: Any,
        *,
        as_of: dt.datetime,
        segments: SegmentResolver | None = None,
    ) -> Explanation:
        """For one profile: each condition, whether it holds, and the values that decided."""
        entity = self.catalog.entities[definition.audience]
        table = self.tables.entity(entity.name)
        key_type = table[entity.key].type()
        try:
            typed = (
                ibis.literal(profile).cast(key_type).execute()
                if key_type.is_integer()
                else str(profile)
            )
        except Exception:  # noqa: BLE001 - any cast failure means no such profile
            typed = None
        exists = (
            typed is not None
            and int(
                self._run(
                    table.filter(table[entity.key] == ibis.literal(typed, type=key_type)).count()
                )
            )
            > 0
        )
        if not exists:
            raise NotFoundError(f"no {entity.name} with {entity.key} = {profile!r}")
        plan = plan_explain(self.catalog, definition, typed, as_of=as_of, segments=segments)
        return Explanation(profile=typed, root=self._fill(plan))

    def _fill(self, step: Step) -> dict[str, Any]:
        values = {name: _plain(self._run(expr)) for name, expr in step.values.items()}
        return {
            "path": step.path,
            "type": step.type,
            "text": step.text,
            "result": bool(self._run(step.test)),
            "values": values,
            "children": [self._fill(c) for c in step.children],
        }

    # --- membership versions -----------------------------------------------------------

    def write_version(
        self,
        segment: str,
        definition: Definition,
        *,
        version: int,
        previous: int | None,
        as_of: dt.datetime,
        segments: SegmentResolver | None = None,
        stored: StoredResolver | None = None,
        incremental: bool = True,
        reuse: StoredResolver | None = None,
    ) -> Written:
        """Evaluate and store the members as `version` (not yet current: the store says so).

        When the previous version came from the same definition and only some profiles can
        have changed since (see `segmint.engines.changes`), only those are re-evaluated and
        the rest are carried over; the result is the same version a full refresh gives.

        `reuse` names referenced segments whose members were just stored at this very as_of
        from the definition `segments` gives (earlier in the same run): a full evaluation
        reads those members instead of evaluating the referenced definitions again.
        """
        entity = self.catalog.entities[definition.audience]
        query = self.keys_query(definition, as_of=as_of, segments=segments, stored=stored)
        mark = Mark(self.versions.changes.latest(), as_of, fingerprint(definition, segments))
        params = query.params(as_of)
        plan = None
        if incremental and stored is None and previous is not None:
            plan = self._incremental(segment, definition, previous, mark, segments)
        if plan is None and stored is None and _reusable(definition, reuse):
            query = self.keys_query(definition, as_of=as_of, segments=segments, stored=reuse)
            params = query.params(as_of)
        if plan is None:
            sql = query.sql
        else:
            # Only the affected profiles are evaluated, their interactions and related
            # records read alone; the others keep their previous membership.
            members = q(self.versions.table(definition.audience))
            some = self.keys_query(definition, as_of=as_of, segments=segments, only=True)
            keys = [row[0] for row in self.con.execute(f"SELECT k FROM {q(plan)}").fetchall()]
            sql = (
                f"SELECT key AS {q(entity.key)} FROM {members} WHERE segment = $previous_segment "
                f"AND version = $previous AND CAST(key AS VARCHAR) NOT IN "
                f"(SELECT k FROM {q(plan)}) UNION ALL SELECT f.* FROM ({some.sql}) AS f "
                f"WHERE CAST(f.{q(entity.key)} AS VARCHAR) IN (SELECT k FROM {q(plan)})"
            )
            params = {**some.params(as_of), "previous_segment": segment, "previous": previous}
            if f"${ONLY_PARAMETER}" in some.sql:  # some definitions read no such rows
                params[ONLY_PARAMETER] = keys
        self.last_write_incremental = plan is not None
        try:
            return self.versions.write(
                segment, definition.audience, version, sql, previous, params=params, mark=mark
            )
        except duckdb.Error as exc:
            raise InternalError(f"the engine failed: {exc}", sql=sql) from exc

    def _incremental(
        self,
        segment: str,
        definition: Definition,
        previous: int,
        mark: Mark,
        segments: SegmentResolver | None,
    ) -> str | None:
        """The temp table of profiles to re-evaluate, or None when a full refresh is due."""
        before = self.versions.changes.mark_of(segment, previous)
        if before is None or before.fingerprint != mark.fingerprint:
            return None
        if mark.as_of < before.as_of:
            return None
        deps = dependencies(self.catalog, definition, segments)
        if deps.hourly:
            return None
        for zone_name in deps.timezones:
            zone = zoneinfo.ZoneInfo(zone_name)
            if before.as_of.astimezone(zone).date() != mark.as_of.astimezone(zone).date():
                return None  # a local day passed: relative dates moved for everyone
        name = f"segmint_affected_{abs(hash((segment, previous))) % 10**9}"
        count = self.versions.changes.affected(
            deps.reads,
            before.change_seq,
            sorted(deps.instants),
            (before.as_of, mark.as_of),
            name,
        )
        entity = self.catalog.entities[definition.audience]
        size = self.con.execute(f"SELECT count(*) FROM {q(entity.table)}").fetchall()[0][0]
        if count > INCREMENTAL_SHARE * int(size):
            return None  # so much changed that a full evaluation is cheaper
        return name


INCREMENTAL_SHARE = 0.2
TEMPLATES = Templates()


def fingerprint(definition: Definition, segments: SegmentResolver | None) -> str:
    """A hash of the definition and every definition it references (their changes matter)."""
    parts = [definition.model_dump_json()]
    seen: set[str] = set()
    stack = [definition]
    while stack:
        current = stack.pop()
        for _, ref in referenced_segments(current.condition):
            if ref in seen or segments is None:
                continue
            seen.add(ref)
            target = segments(ref)
            if target is not None:
                parts.append(f"{ref}={target.model_dump_json()}")
                stack.append(target)
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


def _reusable(definition: Definition, reuse: StoredResolver | None) -> bool:
    """Whether some segment the definition references has members to reuse."""
    if reuse is None:
        return False
    return any(reuse(key) is not None for _, key in referenced_segments(definition.condition))


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _plain(value: Any) -> Any:
    """Engine scalars as JSON-able Python values."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        with suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):  # NaN from an empty aggregate
        return None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    return value
