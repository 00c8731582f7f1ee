"""Membership rows in the engine: each refresh writes one complete version of a segment.

One table per audience, `segmint_members_<audience>` (segment, version, key). Writing a
version replaces any leftover rows of that number (from a refresh that died before it was
recorded) in one transaction. Which version is current lives in the metadata store, so a
version becomes visible only when the store records it: never partially.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from segmint.catalog import Catalog
from segmint.engines.changes import ChangeLog, Mark
from segmint.sources.ingest import DUCK_TYPES, q


@dataclass(frozen=True)
class Written:
    """What writing a version found: its size and the change from the previous version."""

    members: int
    entered: int
    exited: int


class MembershipStore:
    """Writes, reads and drops membership versions in the engine's database."""

    def __init__(self, con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
        self.con = con
        self.catalog = catalog
        self.changes = ChangeLog(con, catalog)
        self._ready: set[str] = set()

    def share(self, other: MembershipStore) -> None:
        """Know what `other` (the same database) has already created."""
        self._ready = other._ready
        self.changes._ready = other.changes._ready

    def table(self, audience: str) -> str:
        """The member table of an audience, created on first use."""
        name = f"segmint_members_{audience}"
        if audience not in self._ready:
            entity = self.catalog.entities[audience]
            key_type = DUCK_TYPES[entity.attributes[entity.key].type]
            self.con.execute(
                f"CREATE TABLE IF NOT EXISTS {q(name)} (segment VARCHAR NOT NULL, "
                f"version INTEGER NOT NULL, key {key_type} NOT NULL)"
            )
            self._ready.add(audience)
        return name

    def write(
        self,
        segment: str,
        audience: str,
        version: int,
        members_sql: str,
        previous: int | None,
        *,
        params: Mapping[str, Any] | None = None,
        mark: Mark | None = None,
    ) -> Written:
        """Store the keys selected by `members_sql` (with `params`) as `version`; count
        entered and exited; remember the change `mark` the version saw."""
        table = q(self.table(audience))
        con = self.con
        if mark is not None:
            self.changes.ensure()
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                f"DELETE FROM {table} WHERE segment = ? AND version = ?", [segment, version]
            )
            # Named parameters: the members' SQL may bind its own ($as_of...). Keys are
            # unique in a profile table, so no DISTINCT is needed.
            inserted = con.execute(
                f"INSERT INTO {table} SELECT $segmint_segment, $segmint_version, m.* "
                f"FROM ({members_sql}) AS m",
                {**(params or {}), "segmint_segment": segment, "segmint_version": version},
            ).fetchall()
            written = self._counts(table, segment, version, previous, int(inserted[0][0]))
            if mark is not None:
                self.changes.mark(segment, version, mark)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return written

    def write_keys(
        self, segment: str, audience: str, version: int, keys: list[Any], previous: int | None
    ) -> Written:
        """Store an explicit list of keys (static segments) as `version`."""
        import pyarrow as pa

        data = pa.table({"key": pa.array(keys, type=pa.string())})
        self.con.register("segmint_incoming_keys", data)
        try:
            entity = self.catalog.entities[audience]
            key_type = DUCK_TYPES[entity.attributes[entity.key].type]
            sql = (
                f"SELECT DISTINCT TRY_CAST(key AS {key_type}) FROM segmint_incoming_keys "
                f"WHERE TRY_CAST(key AS {key_type}) IN (SELECT {q(entity.key)} FROM "
                f"{q(entity.table)})"
            )
            return self.write(segment, audience, version, sql, previous)
        finally:
            self.con.unregister("segmint_incoming_keys")

    def _counts(
        self, table: str, segment: str, version: int, previous: int | None, members: int
    ) -> Written:
        """Entered and exited from the sizes and the overlap: one pass over both versions
        (keys are unique within a version)."""
        if previous is None:
            return Written(members, members, 0)
        rows = self.con.execute(
            f"SELECT (SELECT count(*) FROM {table} WHERE segment = $s AND version = $old), "
            f"(SELECT count(*) FROM {table} WHERE segment = $s AND version = $new AND key IN "
            f"(SELECT key FROM {table} WHERE segment = $s AND version = $old))",
            {"s": segment, "old": previous, "new": version},
        ).fetchall()
        before, kept = int(rows[0][0]), int(rows[0][1])
        return Written(members, members - kept, before - kept)

    def _scalar(self, sql: str, params: list[Any]) -> int:
        # fetchall: DuckDB 2 keeps a partly read result open on the connection otherwise.
        rows = self.con.execute(sql, params).fetchall()
        return int(rows[0][0]) if rows else 0

    def read(
        self,
        segment: str,
        audience: str,
        version: int,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Any]:
        """The keys of one pinned version, in key order."""
        table = q(self.table(audience))
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        rows = self.con.execute(
            f"SELECT key FROM {table} WHERE segment = ? AND version = ? ORDER BY key{page}",
            [segment, version],
        ).fetchall()
        return [r[0] for r in rows]

    def drop(self, segment: str, audience: str, versions: list[int] | None = None) -> None:
        """Delete the rows of some versions of a segment (all of them when None)."""
        table = q(self.table(audience))
        if versions is None:
            self.con.execute(f"DELETE FROM {table} WHERE segment = ?", [segment])
        elif versions:
            marks = ", ".join("?" for _ in versions)
            self.con.execute(
                f"DELETE FROM {table} WHERE segment = ? AND version IN ({marks})",
                [segment, *versions],
            )
