"""The change log: which rows changed since a membership version, and whom that affects.

Appends and upserts record the keys they touch (`segmint_changes`, numbered by a sequence);
each version remembers the last change it saw (`segmint_version_marks`). Incremental refresh
turns the changes since a version into the set of audience profiles that may have changed
membership, walking back from each changed row along the relationships by which the
definition reaches it. A full ingest
forgets every mark, so the next refresh of each segment is a full one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from segmint.catalog import Catalog
from segmint.compiler.dependencies import Path
from segmint.sources.ingest import q

CHANGES = "segmint_changes"
MARKS = "segmint_version_marks"
SEQUENCE = "segmint_change_seq"


@dataclass(frozen=True)
class Mark:
    """What a version saw: the last change number and the as_of it was evaluated at."""

    change_seq: int
    as_of: dt.datetime
    fingerprint: str  # the definition (and the ones it references) the version came from


class ChangeLog:
    """Records changed keys and works out the affected profiles of an audience."""

    def __init__(self, con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
        self.con = con
        self.catalog = catalog
        self._ready = False

    def ensure(self) -> None:
        if self._ready:
            return
        self.con.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START 1")
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {CHANGES} (seq BIGINT NOT NULL, "
            "source VARCHAR NOT NULL, key VARCHAR NOT NULL)"
        )
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKS} (segment VARCHAR NOT NULL, "
            "version INTEGER NOT NULL, change_seq BIGINT NOT NULL, as_of TIMESTAMP NOT NULL, "
            "fingerprint VARCHAR NOT NULL)"
        )
        self._ready = True

    # --- writing ------------------------------------------------------------------------

    def record(self, source: str, keys: Iterable[str]) -> int:
        """Log changed keys of a source under one new change number (caller's transaction)."""
        self.ensure()
        rows = self.con.execute(f"SELECT nextval('{SEQUENCE}')").fetchall()
        seq = int(rows[0][0])
        data = sorted({str(k) for k in keys if k is not None})
        if data:
            self.con.executemany(
                f"INSERT INTO {CHANGES} VALUES (?, ?, ?)", [(seq, source, k) for k in data]
            )
        return seq

    def latest(self) -> int:
        self.ensure()
        rows = self.con.execute(f"SELECT coalesce(max(seq), 0) FROM {CHANGES}").fetchall()
        return int(rows[0][0])

    def mark(self, segment: str, version: int, mark: Mark) -> None:
        """Remember what a version saw (inside the transaction writing the version)."""
        self.ensure()
        self.con.execute(
            f"DELETE FROM {MARKS} WHERE segment = ? AND version = ?", [segment, version]
        )
        self.con.execute(
            f"INSERT INTO {MARKS} VALUES (?, ?, ?, ?, ?)",
            [
                segment,
                version,
                mark.change_seq,
                mark.as_of.astimezone(dt.UTC).replace(tzinfo=None),
                mark.fingerprint,
            ],
        )

    def mark_of(self, segment: str, version: int) -> Mark | None:
        self.ensure()
        rows = self.con.execute(
            f"SELECT change_seq, as_of, fingerprint FROM {MARKS} WHERE segment = ? AND version = ?",
            [segment, version],
        ).fetchall()
        if not rows:
            return None
        return Mark(int(rows[0][0]), rows[0][1].replace(tzinfo=dt.UTC), str(rows[0][2]))

    def forget_marks(self) -> None:
        """After a full reload nothing is known to be unchanged."""
        self.ensure()
        self.con.execute(f"DELETE FROM {MARKS}")
        self.con.execute(f"DELETE FROM {CHANGES}")

    # --- reading ------------------------------------------------------------------------

    def changed_count(self, since: int) -> int:
        self.ensure()
        rows = self.con.execute(
            f"SELECT count(DISTINCT source || ':' || key) FROM {CHANGES} WHERE seq > ?", [since]
        ).fetchall()
        return int(rows[0][0])

    def affected(
        self,
        reads: Iterable[tuple[Path, str]],
        since: int,
        instants: Sequence[tuple[str, str]],
        window: tuple[dt.datetime, dt.datetime],
        into: str,
    ) -> int:
        """Fill table `into` (k VARCHAR) with the audience keys that may have changed
        membership: for every table a definition reads (by a path of relationships from the
        audience), its rows changed after change `since` or with a time value in `window`,
        walked back along that path to the profiles that reach them. Returns how many keys."""
        self.ensure()
        low, high = (w.astimezone(dt.UTC).replace(tzinfo=None) for w in window)
        parts: list[str] = []
        params: list[Any] = []
        for path, table in sorted(reads):
            sql, args = self._seeds(table, since, instants, low, high)
            for source, name in reversed(path):
                sql, more = self._back(source, name, sql, since)
                args += more
            parts.append(sql)
            params += args
        union = " UNION ALL ".join(f"SELECT k FROM ({part})" for part in parts)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {q(into)} AS SELECT DISTINCT k FROM ({union}) "
            "WHERE k IS NOT NULL",
            params,
        )
        rows = self.con.execute(f"SELECT count(*) FROM {q(into)}").fetchall()
        return int(rows[0][0])

    def _seeds(
        self,
        table: str,
        since: int,
        instants: Sequence[tuple[str, str]],
        low: dt.datetime,
        high: dt.datetime,
    ) -> tuple[str, list[Any]]:
        """Keys of the rows of `table` (an entity's own keys; an interaction's profile keys)
        that changed, or whose time value the move of as_of may have carried across."""
        if table in self.catalog.interactions:
            inter = self.catalog.interactions[table]
            physical, key = inter.table, inter.profile_key
        else:
            entity = self.catalog.entities[table]
            physical, key = entity.table, entity.key
        sql = f"SELECT key AS k FROM {CHANGES} WHERE seq > ? AND source = ?"
        args: list[Any] = [since, table]
        for holder, column in instants:
            if holder == table:
                sql += (
                    f" UNION ALL SELECT CAST({q(key)} AS VARCHAR) FROM {q(physical)} "
                    f"WHERE {q(column)} BETWEEN ? AND ?"
                )
                args += [low, high]
        return sql, args

    def _back(self, source: str, name: str, keys: str, since: int) -> tuple[str, list[Any]]:
        """From keys at the far end of a relationship to the keys of the rows it starts from."""
        rel = self.catalog.entities[source].relationships[name]
        src, dst = self.catalog.entities[source], self.catalog.entities[rel.target]
        if rel.type == "many_to_one":  # my rows pointing at affected targets
            mine = (
                f"SELECT CAST(s.{q(src.key)} AS VARCHAR) AS k FROM {q(src.table)} s "
                f"WHERE CAST(s.{q(rel.foreign_key)} AS VARCHAR) IN (SELECT k FROM ({keys}))"
            )
            return mine, []
        # Affected related rows affect the row they point at, now and before a move.
        pointed = (
            f"SELECT CAST(t.{q(rel.foreign_key)} AS VARCHAR) AS k FROM {q(dst.table)} t "
            f"WHERE CAST(t.{q(dst.key)} AS VARCHAR) IN (SELECT k FROM ({keys})) "
            f"UNION ALL SELECT key FROM {CHANGES} WHERE seq > ? AND source = ?"
        )
        return pointed, [since, f"{rel.target}.{rel.foreign_key}"]
