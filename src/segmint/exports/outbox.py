"""The rows of the outbox: each delivery's change list, numbered, kept in the engine.

Planning a delivery writes its list once into `segmint_export_rows_<audience>` (delivery,
seq, key, action): removals first, then additions, each in key order, numbered from 1. A
batch is a range of those numbers, recorded in the metadata store before it is sent, so a
batch sent again after a crash or a retry holds exactly the same rows under the same id.
The list is computed from two pinned (so never pruned) membership versions, plus the
refused rows being retried; it is deleted when the delivery is done.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from segmint.engines import tabular
from segmint.exports.base import Row, Source
from segmint.sources.ingest import DUCK_TYPES, q

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from segmint.engines.duckdb import DuckDBEngine

CHUNK_ROWS = 10_000


class Outbox:
    """Change lists of deliveries, over one engine connection."""

    def __init__(self, engine: DuckDBEngine) -> None:
        self.engine = engine
        self.con: duckdb.DuckDBPyConnection = engine.con
        self.catalog = engine.catalog

    def table(self, audience: str) -> str:
        entity = self.catalog.entities[audience]
        key_type = DUCK_TYPES[entity.attributes[entity.key].type]
        name = f"segmint_export_rows_{audience}"
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {q(name)} (delivery INTEGER NOT NULL, "
            f"seq BIGINT NOT NULL, key {key_type} NOT NULL, action VARCHAR NOT NULL)"
        )
        return name

    def plan(
        self,
        delivery: int,
        segment: str,
        audience: str,
        *,
        version: int,
        base: int | None,
        everything: bool,
        removals: bool,
        retry: Sequence[tuple[str, str]] = (),
    ) -> int:
        """Write the change list of a delivery; returns its length.

        `everything`: every member of `version` is an addition (a snapshot), else only those
        not in `base`. `removals`: members of `base` not in `version` are removals. `retry`:
        (profile key, action) of refused rows, sent again while they still apply.
        """
        import pyarrow as pa

        rows = q(self.table(audience))
        members = q(self.engine.versions.table(audience))
        entity = self.catalog.entities[audience]
        key_type = DUCK_TYPES[entity.attributes[entity.key].type]
        new = f"SELECT key FROM {members} WHERE segment = $segment AND version = $version"
        old = f"SELECT key FROM {members} WHERE segment = $segment AND version = $base"
        parts = [f"SELECT key, 'add' AS action FROM ({new})"]
        if not everything and base is not None:
            parts = [f"SELECT key, 'add' AS action FROM ({new} EXCEPT {old})"]
        if removals and base is not None:
            parts.append(f"SELECT key, 'remove' AS action FROM ({old} EXCEPT {new})")
        retried = pa.table(
            {
                "key": pa.array([k for k, _ in retry], pa.string()),
                "action": pa.array([a for _, a in retry], pa.string()),
            }
        )
        self.con.register("segmint_export_retry", retried)
        try:
            typed = f"TRY_CAST(key AS {key_type})"
            parts.append(
                f"SELECT {typed} AS key, 'add' AS action FROM segmint_export_retry "
                f"WHERE action = 'add' AND {typed} IN ({new})"
            )
            if removals:
                parts.append(
                    f"SELECT {typed} AS key, 'remove' AS action FROM segmint_export_retry "
                    f"WHERE action = 'remove' AND {typed} IS NOT NULL "
                    f"AND {typed} NOT IN ({new})"
                )
            union = " UNION ".join(parts)  # UNION: a retried row already listed counts once
            params: dict[str, Any] = {"segment": segment, "version": version, "delivery": delivery}
            if "$base" in union:
                params["base"] = base
            self.con.execute("BEGIN TRANSACTION")
            try:
                self.con.execute(f"DELETE FROM {rows} WHERE delivery = ?", [delivery])
                self.con.execute(
                    f"INSERT INTO {rows} SELECT $delivery, row_number() OVER "
                    f"(ORDER BY action DESC, key), key, action FROM ({union})",
                    params,
                )
                count = self.con.execute(
                    f"SELECT count(*) FROM {rows} WHERE delivery = $delivery",
                    {"delivery": delivery},
                ).fetchall()[0][0]
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
        finally:
            self.con.unregister("segmint_export_retry")
        return int(count)

    def drop(self, delivery: int, audience: str) -> None:
        self.con.execute(f"DELETE FROM {q(self.table(audience))} WHERE delivery = ?", [delivery])

    def _query(self, audience: str, id_field: str, fields: dict[str, str]) -> tuple[str, list[str]]:
        """Rows of a range with the ID and mapped fields (joined from the profiles)."""
        paths = list(dict.fromkeys([id_field, *fields.values()]))
        columns, joins, names = tabular.select_fields(self.catalog, audience, paths, for_csv=False)
        entity = self.catalog.entities[audience]
        sql = (
            f"SELECT r.seq AS __seq, r.action AS __action, CAST(r.key AS VARCHAR) AS __key, "
            f"r.key AS __typed_key, {', '.join(columns)} FROM {q(self.table(audience))} AS r "
            f"LEFT JOIN {q(entity.table)} AS e ON e.{q(entity.key)} = r.key "
            + " ".join(joins)
            + " WHERE r.delivery = ? AND r.seq BETWEEN ? AND ? ORDER BY r.seq"
        )
        return sql, names

    def check_fields(self, audience: str, id_field: str, fields: dict[str, str]) -> None:
        """Raise a UserError naming the fields the audience does not have."""
        self._query(audience, id_field, fields)

    def rows(
        self,
        delivery: int,
        audience: str,
        id_field: str,
        fields: dict[str, str],
        first: int,
        last: int,
    ) -> Iterator[list[Row]]:
        """The rows first..last of a delivery, in chunks."""
        sql, _ = self._query(audience, id_field, fields)
        # A profile gone from the data still has its key: when the key is the ID, a removal
        # can still name it.
        by_key = id_field == self.catalog.entities[audience].key
        start = first
        while start <= last:
            end = min(last, start + CHUNK_ROWS - 1)
            cursor = self.con.execute(sql, [delivery, start, end])
            names = [d[0] for d in cursor.description or []]
            chunk = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
            yield [
                Row(
                    seq=int(r["__seq"]),
                    action=str(r["__action"]),
                    key=str(r["__key"]),
                    id=r["__typed_key"] if by_key and r[id_field] is None else r[id_field],
                    fields={name: r[path] for name, path in fields.items()},
                )
                for r in chunk
            ]
            start = end + 1

    def arrow(
        self,
        delivery: int,
        audience: str,
        id_field: str,
        fields: dict[str, str],
        first: int,
        last: int,
    ) -> Iterator[pa.RecordBatch]:
        """The rows first..last as Arrow record batches with `id` and the mapped names."""
        import pyarrow as pa

        sql, _ = self._query(audience, id_field, fields)
        reader: Any = self.con.sql(sql, params=[delivery, first, last]).to_arrow_reader(CHUNK_ROWS)
        out_names = ["id", *fields]
        produced = False
        for batch in reader:
            produced = True
            yield _renamed(batch, id_field, fields, out_names)
        if not produced:  # still one (empty) batch: writers need the columns and types
            empty = pa.RecordBatch.from_pylist([], schema=reader.schema)
            yield _renamed(empty, id_field, fields, out_names)

    def source(
        self,
        delivery: int,
        audience: str,
        id_field: str,
        fields: dict[str, str],
        first: int,
        last: int,
    ) -> Source:
        return Source(
            chunks=lambda: self.rows(delivery, audience, id_field, fields, first, last),
            arrow=lambda: self.arrow(delivery, audience, id_field, fields, first, last),
            columns=tuple(fields),
        )


def _renamed(
    batch: pa.RecordBatch, id_field: str, fields: dict[str, str], names: list[str]
) -> pa.RecordBatch:
    import pyarrow as pa

    arrays = [batch.column(id_field), *(batch.column(p) for p in fields.values())]
    return pa.RecordBatch.from_arrays(arrays, names=names)
