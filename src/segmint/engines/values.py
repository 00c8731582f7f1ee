"""The most frequent distinct values of one text column, for value suggestions in the builder.

The table and column come from the catalog (quoted identifiers); the prefix and the limit
are bound as parameters, never written into the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from segmint.errors import InternalError
from segmint.sources.ingest import q


@dataclass(frozen=True)
class ValueCount:
    """A distinct value and how many rows hold it."""

    value: str
    count: int


def top_values(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    *,
    is_list: bool,
    prefix: str,
    limit: int,
) -> list[ValueCount]:
    """Distinct non-empty values starting with `prefix` (any case), most frequent first.

    A list column counts each element: a row holding ["golf", "wine"] counts once for each.
    """
    source = f"unnest({q(column)})" if is_list else q(column)
    sql = (
        f"SELECT v, count(*) AS n FROM (SELECT CAST({source} AS VARCHAR) AS v FROM {q(table)}) "
        "WHERE v IS NOT NULL AND v <> '' AND starts_with(lower(v), lower($prefix)) "
        "GROUP BY v ORDER BY n DESC, v LIMIT $limit"
    )
    try:
        rows = con.execute(sql, {"prefix": prefix, "limit": limit}).fetchall()
    except duckdb.Error as exc:
        raise InternalError(f"the engine failed: {exc}", sql=sql) from exc
    return [ValueCount(str(v), int(n)) for v, n in rows]
