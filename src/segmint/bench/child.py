"""The work the benchmark runs in a fresh process, so that its peak memory is its own:
`python -m segmint.bench.child TASK WORKSPACE DATABASE AS_OF [ARGS...]`.

Tasks: `idle` (open the database, nothing else: the baseline), `export MODE SEGMENT FILE`
(CSV export of one segment, MODE `segmint` or `sql`) and `refresh MODE` (one full refresh of
the workload, MODE `segmint`, `sql` or `pandas`). Each prints one JSON line.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any


def _database(workspace: Path, database: Path, as_of: dt.datetime, *, read_only: bool) -> Any:
    from segmint.bench.tasks import Database
    from segmint.engines.duckdb import connect
    from segmint.workspace import open_workspace

    con = connect(database, read_only=True)
    try:
        catalog = open_workspace(workspace).catalog(con)
    finally:
        con.close()
    return Database(database, catalog, as_of, read_only=read_only)


def idle(workspace: Path, database: Path, as_of: dt.datetime) -> dict[str, Any]:
    db = _database(workspace, database, as_of, read_only=True)
    db.scalar("SELECT 1")
    db.close()
    return {}


def export(
    workspace: Path, database: Path, as_of: dt.datetime, mode: str, key: str, target: str
) -> dict[str, Any]:
    from segmint.bench.workload import BY_KEY

    db = _database(workspace, database, as_of, read_only=True)
    seg = BY_KEY[key]
    start = time.perf_counter()
    query = db.segmint_export_query(seg) if mode == "segmint" else db.sql_export_query(seg)
    compiled = time.perf_counter()
    rows = db.export(query, Path(target))
    done = time.perf_counter()
    db.close()
    return {
        "compile_seconds": compiled - start,  # the first compile in a fresh process
        "copy_seconds": done - compiled,
        "rows": rows,
        "bytes": Path(target).stat().st_size,
    }


def refresh(workspace: Path, database: Path, as_of: dt.datetime, mode: str) -> dict[str, Any]:
    from segmint.bench.workload import WORKLOAD

    if mode == "pandas":
        from segmint.bench import baseline_pandas

        start = time.perf_counter()
        frames = baseline_pandas.load_frames(workspace / "data")
        loaded = time.perf_counter()
        for seg in WORKLOAD:
            baseline_pandas.members(seg.key, frames, as_of)
        done = time.perf_counter()
        return {"seconds": done - loaded, "load_seconds": loaded - start}
    db = _database(workspace, database, as_of, read_only=False)
    db.prepare_versions()
    start = time.perf_counter()
    for seg in WORKLOAD:
        if mode == "segmint":
            db.segmint_write(seg, 1, None)
        else:
            db.sql_write(seg, 1)
    seconds = time.perf_counter() - start
    db.reset_versions()
    db.close()
    return {"seconds": seconds}


def main(argv: list[str]) -> None:
    from segmint.bench.measure import emit

    task, workspace, database, when, *rest = argv
    as_of = dt.datetime.fromisoformat(when)
    root, db = Path(workspace), Path(database)
    if task == "idle":
        emit(idle(root, db, as_of))
    elif task == "export":
        emit(export(root, db, as_of, *rest))
    elif task == "refresh":
        emit(refresh(root, db, as_of, *rest))
    else:
        raise SystemExit(f"unknown task {task!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
