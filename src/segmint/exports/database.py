"""The database destination: members as rows of a table in any SQLAlchemy database.

`table` names the table: with `{segment}` in it, one table per segment (the key's dashes
become underscores); without, one table with a `segment` column. Columns: (`segment`,) `id`
(the ID field, the primary key), then the export's mapped fields, typed from the data model.
The table is created when missing; an existing one must have these columns.

`mode = "replace"`: each export replaces the segment's rows in one transaction. `mode =
"diff"`: the first export (and a snapshot on demand) replaces them, later ones delete the
removed and upsert the added rows, one transaction per batch; a batch applied twice changes
nothing. Connection failures are retried; other database errors stop the delivery.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr, field_validator
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Double,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    insert,
    inspect,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from segmint.exports.base import (
    Batch,
    BatchResult,
    Context,
    DestinationError,
    Row,
    TransientError,
    TypeSettings,
)

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
CHUNK = 5_000

TYPES: dict[str, Any] = {
    "string": Text,
    "integer": BigInteger,
    "float": Double,
    "boolean": Boolean,
    "date": Date,
    "timestamp": lambda: DateTime(timezone=True),
    "list": JSON,
}


class DatabaseSettings(TypeSettings):
    """A table (or a table per segment) in a SQLAlchemy database."""

    SECRETS: ClassVar[tuple[str, ...]] = ("url",)

    url: SecretStr  # a SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db
    table: str = "segmint_{segment}"  # with {segment}: a table per segment
    mode: Literal["replace", "diff"] = "replace"
    schema_name: str | None = None  # the database schema holding the table(s)
    batch_rows: int = Field(default=10_000, ge=1, le=1_000_000)  # rows per diff batch

    @field_validator("url")
    @classmethod
    def _url(cls, value: SecretStr) -> SecretStr:
        try:
            make_url(value.get_secret_value())
        except ArgumentError:
            raise ValueError("not a SQLAlchemy database URL") from None
        return value

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        if not IDENTIFIER.match(value.replace("{segment}", "s")):
            raise ValueError("letters, digits and _ only (and {segment}), at most 63 characters")
        return value

    def masked(self) -> dict[str, Any]:
        shown = super().masked()
        shown["url"] = make_url(self.url.get_secret_value()).render_as_string(hide_password=True)
        return shown


def _value(value: Any, kind: str) -> Any:
    if kind == "timestamp" and isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


class DatabaseTable:
    """Writes members into tables of one database."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self.settings = settings
        self.full_replace = settings.mode == "replace"
        self.batch_rows = settings.batch_rows
        self.batch_bytes: int | None = None
        self.per_segment = "{segment}" in settings.table
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.settings.url.get_secret_value(), poolclass=NullPool)
        return self._engine

    def row_bytes(self, row: Row) -> int:  # noqa: ARG002 - batches are limited by rows only
        return 0

    def table_name(self, segment: str) -> str:
        return self.settings.table.replace("{segment}", segment.replace("-", "_"))[:63]

    def table(self, batch: Batch) -> Table:
        columns: list[Column[Any]] = []
        if not self.per_segment:
            columns.append(Column("segment", String(100), primary_key=True))
        id_type = batch.types.get("id", "string")
        columns.append(
            Column("id", String(255) if id_type == "string" else TYPES[id_type](), primary_key=True)
        )
        fields = batch.source.columns if batch.source is not None else tuple(batch.types)[1:]
        columns.extend(
            Column(name, TYPES[batch.types.get(name, "string")](), nullable=True) for name in fields
        )
        return Table(
            self.table_name(batch.segment.key),
            MetaData(),
            *columns,
            schema=self.settings.schema_name,
        )

    def _prepare(self, conn: Connection, table: Table) -> None:
        if not inspect(conn).has_table(table.name, schema=table.schema):
            table.create(conn)
            return
        have = {c["name"] for c in inspect(conn).get_columns(table.name, schema=table.schema)}
        missing = [c.name for c in table.columns if c.name not in have]
        if missing:
            raise DestinationError(
                f"table {table.name} exists without the columns {', '.join(missing)}; "
                "drop it or choose another table"
            )

    def _records(self, batch: Batch, rows: list[Row]) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            record = {"id": _value(row.id, batch.types.get("id", "string"))}
            for name, value in row.fields.items():
                record[name] = _value(value, batch.types.get(name, "string"))
            if not self.per_segment:
                record["segment"] = batch.segment.key
            out.append(record)
        return out

    def _scope(self, table: Table, batch: Batch) -> Any:
        statement = delete(table)
        if not self.per_segment:
            statement = statement.where(table.c.segment == batch.segment.key)
        return statement

    def send(self, batch: Batch) -> BatchResult:
        try:
            with self.engine.begin() as conn:
                if self.full_replace:
                    return self._replace(conn, batch)
                return self._diff(conn, batch)
        except OperationalError as exc:
            raise TransientError(f"the database is unavailable: {_first(exc)}") from None
        except (DBAPIError, SQLAlchemyError) as exc:
            raise DestinationError(f"the database refused the rows: {_first(exc)}") from None

    def _chunks(self, batch: Batch) -> Iterator[list[Row]]:
        if batch.source is not None:
            yield from batch.source.chunks()
        else:
            yield list(batch.rows)

    def _replace(self, conn: Connection, batch: Batch) -> BatchResult:
        table = self.table(batch)
        self._prepare(conn, table)
        conn.execute(self._scope(table, batch))
        written = 0
        for chunk in self._chunks(batch):
            added = [r for r in chunk if r.action == "add"]
            for start in range(0, len(added), CHUNK):
                records = self._records(batch, added[start : start + CHUNK])
                if records:
                    conn.execute(insert(table), records)
                    written += len(records)
        return BatchResult(info={"table": table.name, "rows": written})

    def _diff(self, conn: Connection, batch: Batch) -> BatchResult:
        table = self.table(batch)
        self._prepare(conn, table)
        if batch.kind == "snapshot" and batch.number == 1:
            conn.execute(self._scope(table, batch))
        rows = list(batch.rows)
        rejects = [
            (r.id, "the profile no longer exists; its ID is unknown") for r in rows if r.id is None
        ]
        usable = [r for r in rows if r.id is not None]
        ids = [_value(r.id, batch.types.get("id", "string")) for r in usable]
        for start in range(0, len(ids), CHUNK):
            conn.execute(
                self._scope(table, batch).where(table.c.id.in_(ids[start : start + CHUNK]))
            )
        added = self._records(batch, [r for r in usable if r.action == "add"])
        for start in range(0, len(added), CHUNK):
            conn.execute(insert(table), added[start : start + CHUNK])
        return BatchResult(rejects=rejects, info={"table": table.name})

    def test(self) -> str:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise DestinationError(f"cannot connect: {_first(exc)}") from None
        shown = make_url(self.settings.url.get_secret_value()).render_as_string(hide_password=True)
        return f"connected to {shown}"

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _first(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]


class DatabaseType:
    """Rows in a table of any SQLAlchemy database."""

    name = "database"
    settings = DatabaseSettings
    description = "a table per segment (or one with a segment column) in a SQL database"

    def open(self, settings: Any, id_field: str, context: Context) -> DatabaseTable:  # noqa: ARG002
        return DatabaseTable(settings)
