"""The change log: which rows changed since a membership version, and whom that affects.

Appends and upserts record the keys they touch (`segmint_changes`, numbered by a sequence);
each version remembers the last change it saw (`segmint_version_marks`). Incremental refresh
turns the changes since a version into the set of audience profiles that may have changed
membership, following relationships both ways until nothing new is found. A full ingest
forgets every mark, so the next refresh of each segment is a full one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from segmint.catalog import Catalog
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
        audience: str,
        tables: set[str],
        since: int,
        instants: Sequence[tuple[str, str]],
        window: tuple[dt.datetime, dt.datetime],
        into: str,
    ) -> int:
        """Fill table `into` (k VARCHAR) with the audience keys that may have changed
        membership: rows changed after change `since`, or with a time value in `window`,
        followed through relationships among `tables`. Returns how many keys."""
        self.ensure()
        con = self.con
        names = sorted(set(self.catalog.entities) & (tables | {audience}))
        scratch = {name: f"segmint_aff_{name}" for name in names}
        for table in scratch.values():
            con.execute(f"CREATE OR REPLACE TEMP TABLE {q(table)} (k VARCHAR)")
        low, high = (w.astimezone(dt.UTC).replace(tzinfo=None) for w in window)
        # Seeds: changed rows of entities, and profiles owning changed interactions.
        for name in names:
            con.execute(
                f"INSERT INTO {q(scratch[name])} SELECT key FROM {CHANGES} "
                "WHERE seq > ? AND source = ?",
                [since, name],
            )
        for inter in sorted(set(self.catalog.interactions) & tables):
            owner = self.catalog.interactions[inter].profile
            if owner in scratch:
                con.execute(
                    f"INSERT INTO {q(scratch[owner])} SELECT key FROM {CHANGES} "
                    "WHERE seq > ? AND source = ?",
                    [since, inter],
                )
        for table, column in instants:
            self._instant_seeds(table, column, low, high, scratch)
        self._spread(names, scratch, since)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {q(into)} AS "
            f"SELECT DISTINCT k FROM {q(scratch[audience])}"
        )
        rows = con.execute(f"SELECT count(*) FROM {q(into)}").fetchall()
        return int(rows[0][0])

    def _instant_seeds(
        self, table: str, column: str, low: dt.datetime, high: dt.datetime, scratch: dict[str, str]
    ) -> None:
        """Rows whose time value lies in [low, high]: the move of as_of may flip them."""
        if table in self.catalog.interactions:
            inter = self.catalog.interactions[table]
            owner, key = inter.profile, inter.profile_key
        else:
            owner, key = table, self.catalog.entities[table].key
        if owner not in scratch:
            return
        self.con.execute(
            f"INSERT INTO {q(scratch[owner])} SELECT CAST({q(key)} AS VARCHAR) FROM {q(table)} "
            f"WHERE {q(column)} BETWEEN ? AND ? AND {q(key)} IS NOT NULL",
            [low, high],
        )

    def _spread(self, names: list[str], scratch: dict[str, str], since: int) -> None:
        """Follow relationships both ways until no new key appears."""
        con = self.con
        for _ in range(len(names) + 1):
            before = self._sizes(scratch)
            for name in names:
                for rel in self.catalog.entities[name].relationships.values():
                    if rel.target not in scratch:
                        continue
                    me, other = q(scratch[name]), q(scratch[rel.target])
                    src, dst = self.catalog.entities[name], self.catalog.entities[rel.target]
                    if rel.type == "many_to_one":
                        # My rows pointing at affected targets are affected.
                        con.execute(
                            f"INSERT INTO {me} SELECT CAST(t.{q(src.key)} AS VARCHAR) "
                            f"FROM {q(src.table)} t WHERE CAST(t.{q(rel.foreign_key)} AS VARCHAR)"
                            f" IN (SELECT k FROM {other})"
                        )
                    else:
                        # Affected related rows affect the row they point at (now and before).
                        con.execute(
                            f"INSERT INTO {me} SELECT CAST(t.{q(rel.foreign_key)} AS VARCHAR) "
                            f"FROM {q(dst.table)} t WHERE CAST(t.{q(dst.key)} AS VARCHAR) IN "
                            f"(SELECT k FROM {other}) AND t.{q(rel.foreign_key)} IS NOT NULL"
                        )
                        con.execute(
                            f"INSERT INTO {me} SELECT key FROM {CHANGES} WHERE seq > ? "
                            "AND source = ?",
                            [since, f"{rel.target}.{rel.foreign_key}"],
                        )
            for table in scratch.values():
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {q(table)} AS SELECT DISTINCT k FROM {q(table)}"
                )
            if self._sizes(scratch) == before:
                return

    def _sizes(self, scratch: dict[str, str]) -> dict[str, int]:
        out = {}
        for name, table in scratch.items():
            rows = self.con.execute(f"SELECT count(*) FROM {q(table)}").fetchall()
            out[name] = int(rows[0][0])
        return out
