"""Membership versions in the engine: each refresh writes a full version, then one pointer moves.

Tables (created on first use): `segmint_versions` (segment, version, audience, as_of,
created_at, members), `segmint_current` (segment -> version) and one member table per
audience, `segmint_members_<audience>` (segment, version, key). Readers pin a version number
and read only it, so a refresh never shows partial results.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from segmint.catalog import Catalog
from segmint.errors import NotFoundError

_DUCK_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "float": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}


class MembershipStore:
    """Writes and reads membership versions in the engine's database."""

    def __init__(self, con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
        self.con = con
        self.catalog = catalog
        self._ready: set[str] = set()

    def _members_table(self, audience: str) -> str:
        table = f"segmint_members_{audience}"
        if audience not in self._ready:
            entity = self.catalog.entities[audience]
            key_type = _DUCK_TYPES[entity.attributes[entity.key].type.value]
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS segmint_versions (segment VARCHAR NOT NULL, "
                "version INTEGER NOT NULL, audience VARCHAR NOT NULL, as_of TIMESTAMP, "
                "created_at TIMESTAMP NOT NULL, members BIGINT NOT NULL, "
                "PRIMARY KEY (segment, version))"
            )
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS segmint_current (segment VARCHAR PRIMARY KEY, "
                "version INTEGER NOT NULL)"
            )
            self.con.execute(
                f'CREATE TABLE IF NOT EXISTS "{table}" (segment VARCHAR NOT NULL, '
                f"version INTEGER NOT NULL, key {key_type} NOT NULL)"
            )
            self._ready.add(audience)
        return table

    def write(self, segment: str, audience: str, members_sql: str, *, as_of: dt.datetime) -> int:
        """Store the result of `members_sql` as the next version and make it current."""
        table = self._members_table(audience)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            row = con.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM segmint_versions WHERE segment = ?",
                [segment],
            ).fetchone()
            version = int(row[0]) if row else 1
            con.execute(
                f'INSERT INTO "{table}" SELECT ?, ?, m.* FROM ({members_sql}) AS m',
                [segment, version],
            )
            counted = con.execute(
                f'SELECT count(*) FROM "{table}" WHERE segment = ? AND version = ?',
                [segment, version],
            ).fetchone()
            con.execute(
                "INSERT INTO segmint_versions VALUES (?, ?, ?, ?, ?, ?)",
                [
                    segment,
                    version,
                    audience,
                    as_of.astimezone(dt.UTC).replace(tzinfo=None),
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    int(counted[0]) if counted else 0,
                ],
            )
            con.execute(
                "INSERT INTO segmint_current VALUES (?, ?) "
                "ON CONFLICT (segment) DO UPDATE SET version = excluded.version",
                [segment, version],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return version

    def current(self, segment: str) -> int | None:
        """The version readers should pin now, or None before the first refresh."""
        try:
            row = self.con.execute(
                "SELECT version FROM segmint_current WHERE segment = ?", [segment]
            ).fetchone()
        except duckdb.CatalogException:
            return None
        return int(row[0]) if row else None

    def read(self, segment: str, version: int | None = None) -> tuple[int, list[Any]]:
        """The members of a pinned version (the current one when not given), by key."""
        pinned = version if version is not None else self.current(segment)
        if pinned is None:
            raise NotFoundError(f"segment {segment!r} has no stored members yet")
        row = self.con.execute(
            "SELECT audience FROM segmint_versions WHERE segment = ? AND version = ?",
            [segment, pinned],
        ).fetchone()
        if row is None:
            raise NotFoundError(f"segment {segment!r} has no version {pinned}")
        table = self._members_table(str(row[0]))
        keys = self.con.execute(
            f'SELECT key FROM "{table}" WHERE segment = ? AND version = ? ORDER BY key',
            [segment, pinned],
        ).fetchall()
        return pinned, [k[0] for k in keys]
