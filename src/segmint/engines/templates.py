"""Compiled queries kept for reuse: compile a definition once, run it at any as_of that day.

Turning an Ibis expression into SQL costs more than running a typical segment query, so
the engine keeps the SQL of each definition. What as_of changes is of two kinds: local
dates ("today" in each zone the definition uses), which are part of the cache key, and
the instant itself, which is compiled as a stand-in and bound as the `$as_of` parameter at
run time. Definitions using hour units depend on the exact instant and are not kept.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import zoneinfo
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import ibis

from segmint.catalog import Catalog
from segmint.compiler import Tables, compile_predicate
from segmint.compiler.compile import StoredResolver
from segmint.compiler.dependencies import dependencies
from segmint.definition.check import SegmentResolver
from segmint.definition.nodes import Definition

# An instant no definition can produce (microseconds in year 1): it marks where as_of goes.
STAND_IN = dt.datetime(1, 1, 1, 0, 0, 0, 123457)  # noqa: DTZ001 - engines store naive UTC
PARAMETER = "$as_of"
# Queries that need a right answer for some profiles only read their keys from a list
# parameter; the compiler sees a table of that name, which the SQL text then replaces.
ONLY_TABLE = "segmint_only_keys"
ONLY_PARAMETER = "segmint_only"
# Stored members a query reads (compound segments, reuse within a run) are compiled with a
# stand-in version per segment, which becomes the parameter `$segmint_ref_<n>`: the SQL is
# kept while the versions change from one refresh to the next.
REF_PARAMETER = "segmint_ref_{}"
_REF_STAND_IN = -987_650_000
_REF_TEXT = re.compile(r'"version" = (-98765\d{4})\b')
CAPACITY = 512


def _stand_in_text() -> str:
    return (
        str(ibis.to_sql(ibis.literal(STAND_IN, type="timestamp").name("x"), dialect="duckdb"))
        .split("SELECT", 1)[1]
        .rsplit("AS", 1)[0]
        .strip()
    )


@dataclass(frozen=True)
class Query:
    """SQL selecting a definition's member keys, and how to bind it."""

    sql: str
    uses_as_of: bool
    bound: tuple[tuple[str, Any], ...] = ()  # parameters known at compile time (versions)

    def params(self, as_of: dt.datetime) -> dict[str, Any]:
        found = dict(self.bound)
        if self.uses_as_of:
            found["as_of"] = as_of.astimezone(dt.UTC).replace(tzinfo=None)
        return found


class Templates:
    """A bounded cache of compiled member-key queries, shared by an engine's cursors."""

    def __init__(self) -> None:
        # Values keep their catalog: its id in the key stays unique while the entry lives.
        self._cache: OrderedDict[tuple[Any, ...], tuple[Catalog, Query]] = OrderedDict()
        self._lock = threading.Lock()
        self._marker: str | None = None
        self.hits = 0
        self.misses = 0

    def keys_query(
        self,
        catalog: Catalog,
        tables: Tables,
        definition: Definition,
        *,
        as_of: dt.datetime,
        segments: SegmentResolver | None,
        fingerprint: str,
        stored: StoredResolver | None = None,
        only: bool = False,
    ) -> Query:
        """SQL for the member keys of `definition` at `as_of` (its as_of bound at run time).
        With `only`, right for the keys bound as `$segmint_only` (text) and no others."""
        deps = dependencies(catalog, definition, segments)
        key_column = catalog.entities[definition.audience].key
        if deps.hourly:
            return Query(
                self._compile(
                    catalog, tables, definition, key_column, as_of, segments, stored, None, only
                ),
                uses_as_of=False,
            )
        # Stored members to read: which segments, from which table (their versions are bound).
        chosen = {}
        if stored is not None:
            chosen = {k: found for k in sorted(deps.references) if (found := stored(k)) is not None}
        refs = tuple((k, table) for k, (table, _) in chosen.items())
        days = tuple(
            sorted(
                (zone, as_of.astimezone(zoneinfo.ZoneInfo(zone)).date()) for zone in deps.timezones
            )
        )
        key = (id(catalog), fingerprint, days, only, refs)
        query = self._cached(key, catalog)
        if query is None:
            query = self._template(
                catalog, tables, definition, key_column, as_of, segments, only, refs, key
            )
        bound = tuple(
            (REF_PARAMETER.format(i), chosen[k][1])
            for i, (k, _) in enumerate(refs)
            if "$" + REF_PARAMETER.format(i) in query.sql
        )
        return replace(query, bound=bound) if bound else query

    def _cached(self, key: tuple[Any, ...], catalog: Catalog) -> Query | None:
        with self._lock:
            found = self._cache.get(key)
            if found is not None and found[0] is catalog:
                self._cache.move_to_end(key)
                self.hits += 1
                return found[1]
        return None

    def _template(
        self,
        catalog: Catalog,
        tables: Tables,
        definition: Definition,
        key_column: str,
        as_of: dt.datetime,
        segments: SegmentResolver | None,
        only: bool,
        refs: tuple[tuple[str, str], ...],
        key: tuple[Any, ...],
    ) -> Query:
        index = {k: (table, _REF_STAND_IN - i) for i, (k, table) in enumerate(refs)}
        sql = self._compile(
            catalog,
            tables,
            definition,
            key_column,
            as_of,
            segments,
            index.get if refs else None,
            STAND_IN,
            only,
        )
        sql = _REF_TEXT.sub(
            lambda m: '"version" = $' + REF_PARAMETER.format(_REF_STAND_IN - int(m.group(1))), sql
        )
        marker = self._stand_in()
        query = Query(sql.replace(marker, PARAMETER), uses_as_of=marker in sql)
        with self._lock:
            self.misses += 1
            self._cache[key] = (catalog, query)
            self._cache.move_to_end(key)
            while len(self._cache) > CAPACITY:
                self._cache.popitem(last=False)
        return query

    def _stand_in(self) -> str:
        if self._marker is None:
            self._marker = _stand_in_text()
        return self._marker

    @staticmethod
    def _compile(
        catalog: Catalog,
        tables: Tables,
        definition: Definition,
        key_column: str,
        as_of: dt.datetime,
        segments: SegmentResolver | None,
        stored: StoredResolver | None,
        stand_in: dt.datetime | None,
        only: bool = False,
    ) -> str:
        keys = ibis.table({"k": "string"}, name=ONLY_TABLE) if only else None
        table, pred = compile_predicate(
            catalog,
            definition,
            as_of=as_of,
            segments=segments,
            tables=tables,
            stored=stored,
            stand_in=stand_in,
            only=keys,
        )
        sql = str(ibis.to_sql(table.filter(pred).select(key_column), dialect="duckdb"))
        return sql.replace(f'"{ONLY_TABLE}"', f"(SELECT unnest(${ONLY_PARAMETER}) AS k)")
