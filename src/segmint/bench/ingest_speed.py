"""Ingest speed: the data set loaded by Segmint's ingest (`segmint.sources.ingest`) from its
Parquet files and from the same data as CSV files, into a fresh database each run.

The CSV files are written once from the Parquet files into `<cache>/<seed>-<contacts>/csv/`
(the cache is rebuilt, and they with it, when the demo generator changes). The ingest is
the whole of it (reading, checking every value, keys and references, sorting interactions
by time, swapping the tables in); the interactions' share is timed from its progress.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Final

import yaml

from segmint.bench.incremental import drop
from segmint.bench.measure import Timing
from segmint.catalog import ModelSpec, parse_model
from segmint.engines.duckdb import connect
from segmint.errors import InternalError
from segmint.progress import Progress, silent
from segmint.sources.ingest import ingest

CSV_FOLDER: Final = "csv"
MARKER: Final = "bench-csv.json"
# Every value quoted: DuckDB's CSV sniffer looks at the first rows only, and a file whose
# first quoted value comes later (text with a comma) is otherwise read without quoting.
CSV_OPTIONS: Final = "FORMAT csv, HEADER, FORCE_QUOTE *"
CSV_FORMAT: Final = 2  # the marker's version: copies written otherwise are rewritten
SCRATCH: Final = "bench-ingest.duckdb"
# 20M interactions (a million contacts) from Parquet in under 5 s: 4M rows per second.
PARQUET_TARGET: Final = 4_000_000  # interaction rows per second
CSV_TARGET: Final = 1_000_000  # rows per second


def _model(root: Path) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((root / "model.yaml").read_text(encoding="utf-8"))
    return found


def _sources(model: dict[str, Any]) -> dict[str, str]:
    """Table name -> source path, for entities and interactions."""
    return {
        name: str(spec["source"])
        for part in ("entities", "interactions")
        for name, spec in model[part].items()
    }


def csv_model(root: Path) -> ModelSpec:
    """The data model with every source read from its CSV copy."""
    model = _model(root)
    for part in ("entities", "interactions"):
        for name, spec in model[part].items():
            spec["source"] = f"{CSV_FOLDER}/{name}.csv"
    return parse_model(model, f"{root / 'model.yaml'} (CSV copies)")


def write_csv(root: Path, progress: Progress = silent, label: str = "") -> float:
    """Write the CSV copies unless they are there; the seconds it took (0 when reused)."""
    folder = root / CSV_FOLDER
    sources = _sources(_model(root))
    marker = folder / MARKER
    if _current(marker) and all((folder / f"{n}.csv").is_file() for n in sources):
        return 0.0
    folder.mkdir(exist_ok=True)
    step = f"{label} writing CSV copies".strip()
    start = time.perf_counter()
    con = connect(None)
    try:
        for i, (name, source) in enumerate(sorted(sources.items())):
            progress(step, i, len(sources), name)
            src = str((root / source).resolve()).replace("'", "''")
            dst = str(folder / f"{name}.csv").replace("'", "''")
            con.execute(f"COPY (SELECT * FROM read_parquet('{src}')) TO '{dst}' ({CSV_OPTIONS})")
    finally:
        con.close()
    progress(step, len(sources), len(sources), "done")
    seconds = time.perf_counter() - start
    marker.write_text(
        json.dumps({"seconds": seconds, "format": CSV_FORMAT}) + "\n", encoding="utf-8"
    )
    return seconds


def _current(marker: Path) -> bool:
    """Whether the CSV copies were written, completely, the way this version writes them."""
    try:
        found = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(found, dict) and found.get("format") == CSV_FORMAT


class _Clock:
    """A progress sink that notes when each source starts loading."""

    def __init__(self, outer: Progress, step: str) -> None:
        self.outer = outer
        self.step = step
        self.marks: list[tuple[float, str]] = []

    def __call__(self, step: str, done: int, total: int, detail: str = "") -> None:
        del step  # reported under this clock's own step name
        self.marks.append((time.perf_counter(), detail))
        self.outer(self.step, done, total, detail)

    def seconds_of(self, paths: set[str]) -> float:
        """The seconds spent loading the sources at `paths`."""
        spent = 0.0
        for (when, detail), (after, _) in zip(self.marks, self.marks[1:], strict=False):
            if any(path in detail for path in paths):
                spent += after - when
        return spent


def measure(
    root: Path,
    parquet_model: ModelSpec,
    expected_rows: dict[str, int],
    *,
    repeats: int,
    progress: Progress = silent,
    label: str = "",
) -> dict[str, Any]:
    """Ingest from Parquet and from CSV, `repeats` runs each (alternating), every run into a
    fresh database; each run must load every row."""
    written = write_csv(root, progress, label)
    models = {"parquet": parquet_model, "csv": csv_model(root)}
    found: dict[str, dict[str, Any]] = {
        fmt: {"total": Timing(), "interactions": Timing()} for fmt in models
    }
    interactions = set(parquet_model.interactions)
    expected = expected_rows_of(parquet_model, expected_rows)
    scratch = root / SCRATCH
    step = f"{label} ingest".strip()
    try:
        for round_ in range(repeats):
            for fmt, model in models.items():
                drop(scratch)
                clock = _Clock(progress, f"{step} {fmt} ({round_ + 1}/{repeats})")
                con = connect(scratch)
                try:
                    start = time.perf_counter()
                    report = ingest(con, root, model, clock)
                    seconds = time.perf_counter() - start
                finally:
                    con.close()
                if report.rows != expected:
                    raise InternalError(f"ingest from {fmt}: rows {report.rows}")
                paths = {model.interactions[n].source.path for n in interactions}
                found[fmt]["total"].add(seconds)
                found[fmt]["interactions"].add(clock.seconds_of(paths))
    finally:
        drop(scratch)
    total_rows = sum(expected.values())
    inter_rows = sum(n for name, n in expected.items() if name in interactions)

    def shape(fmt: str) -> dict[str, Any]:
        total, inter = found[fmt]["total"], found[fmt]["interactions"]
        if inter.median <= 0:
            raise InternalError(
                f"ingest from {fmt}: its progress named no interaction source, so their "
                "share of the time is unknown"
            )
        return {
            "all": {**total.summary(), "rows_per_second": total_rows / total.median},
            "interactions": {**inter.summary(), "rows_per_second": inter_rows / inter.median},
        }

    parquet, csv = shape("parquet"), shape("csv")
    return {
        "what": (
            "segmint's ingest of every source into a fresh database (reading, checking values, "
            "keys and references, sorting, swapping in); the interactions' share timed from "
            "its progress"
        ),
        "rows": total_rows,
        "interaction_rows": inter_rows,
        "csv_written_seconds": written,
        "parquet": parquet,
        "csv": csv,
        "targets": {
            "parquet_interaction_rows_per_second": PARQUET_TARGET,
            "csv_rows_per_second": CSV_TARGET,
        },
        "met": {
            "parquet": parquet["interactions"]["rows_per_second"] >= PARQUET_TARGET,
            "csv": csv["all"]["rows_per_second"] >= CSV_TARGET,
        },
    }


def expected_rows_of(model: ModelSpec, rows: dict[str, int]) -> dict[str, int]:
    """The cache's row counts (keyed by file stem) by the model's table names."""
    found: dict[str, int] = {}
    for part in (model.entities, model.interactions):
        for name, spec in part.items():
            stem = Path(spec.source.path).stem
            found[name] = rows.get(stem, rows.get(name, -1))
    return found
