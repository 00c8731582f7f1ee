"""Running the benchmark: for each scale, prepare the data, check that Segmint, the hand-written
SQL and pandas agree on every segment, then measure refresh, counts, previews and export."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import math
import os
import platform
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from segmint.bench import api_count, baseline_pandas, incremental, ingest_speed, live
from segmint.bench.cache import CachedData, prepare
from segmint.bench.measure import Timing, interleaved, ratio, run_child, timed
from segmint.bench.tasks import (
    EXPORT_FIELDS,
    PREVIEW_FIELDS,
    PREVIEW_LIMIT,
    Database,
    unsorted_copy,
)
from segmint.bench.workload import WORKLOAD, WorkloadSegment, features
from segmint.errors import InternalError
from segmint.progress import Progress, silent

SCHEMA: Final = 1
SCRATCH: Final = "bench-scratch.duckdb"
UNSORTED: Final = "bench-unsorted.duckdb"  # the hand-written SQL's tables, not time-clustered
UNSORTED_SQL: Final = "handwritten_sql_unsorted"
INCREMENTAL_SCRATCH: Final = "bench-incremental.duckdb"
PANDAS: Final = "pandas"


def _demo_as_of() -> dt.datetime:
    from segmint.demo import DEMO_AS_OF

    return DEMO_AS_OF


@dataclass(frozen=True)
class BenchOptions:
    """What to run: the scales, how often, on which data."""

    contacts: tuple[int, ...] = (100_000,)
    repeats: int = 5  # measured runs of each full refresh and export (after one warm-up)
    seed: int = 7
    cache: Path = Path("benchmarks/.cache")
    as_of: dt.datetime = field(default_factory=_demo_as_of)
    subprocesses: bool = True  # peak memory, exports and the HTTP API in child processes
    pandas_up_to: int | None = None  # skip pandas above this many contacts (None: never)
    workspace_figures: bool = True  # incremental, compound, single event, API, ingest

    def ingest_repeats(self, contacts: int) -> int:
        """Runs of each ingest: a whole ingest takes a minute per million contacts or more,
        so larger scales run it less often (3 up to 100,000 contacts, 2 up to a million,
        then 1), never more than `repeats`."""
        most = 3 if contacts <= 100_000 else 2 if contacts <= 1_000_000 else 1
        return min(self.repeats, most)

    def with_pandas(self, contacts: int) -> bool:
        """Whether pandas runs at this scale (it needs about 4 GiB at a million contacts)."""
        return self.pandas_up_to is None or contacts <= self.pandas_up_to

    @property
    def count_repeats(self) -> int:
        """Counts and previews are quick: three times as many runs."""
        return 3 * self.repeats


def scale_label(contacts: int) -> str:
    """100000 -> 100k, 1000000 -> 1m."""
    for size, suffix in ((1_000_000, "m"), (1_000, "k")):
        if contacts >= size and contacts % size == 0:
            return f"{contacts // size}{suffix}"
    return str(contacts)


def run_bench(options: BenchOptions, progress: Progress = silent) -> dict[str, Any]:
    """Run every scale; the whole result, ready for the report."""
    started = dt.datetime.now(dt.UTC)
    scales = [_run_scale(n, options, progress) for n in options.contacts]
    workload_catalog = _catalog_of(scales[0]["workspace"]) if scales else None
    return {
        "schema": SCHEMA,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "settings": {
            "contacts": list(options.contacts),
            "repeats": options.repeats,
            "count_repeats": options.count_repeats,
            "warmup_runs": 1,
            "seed": options.seed,
            "as_of": options.as_of.isoformat(),
            "pandas_up_to": options.pandas_up_to,
        },
        "workload": [
            {
                "key": s.key,
                "title": s.title,
                "audience": s.audience,
                "timezone": s.definition.timezone,
                "features": sorted(features(s.definition, workload_catalog))
                if workload_catalog
                else [],
            }
            for s in WORKLOAD
        ],
        "scales": scales,
    }


def _catalog_of(workspace: str) -> Any:
    from segmint.engines.duckdb import connect
    from segmint.workspace import open_workspace

    ws = open_workspace(Path(workspace))
    con = connect(ws.database_path, read_only=True)
    try:
        return ws.catalog(con)
    finally:
        con.close()


def _machine() -> dict[str, Any]:
    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_bytes": _memory(),
        "versions": {
            name: version(name) for name in ("segmint", "duckdb", "ibis-framework", "pandas")
        },
    }


def _memory() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- one scale ---------------------------------------------------------------------------


def _run_scale(contacts: int, options: BenchOptions, progress: Progress) -> dict[str, Any]:
    label = scale_label(contacts)
    data = prepare(options.cache, contacts=contacts, seed=options.seed, progress=progress)
    load_start = _load()
    scratch = data.root / SCRATCH
    _drop(scratch)
    shutil.copyfile(data.database, scratch)
    catalog = _catalog_of(str(data.root))
    result: dict[str, Any] = {
        "contacts": contacts,
        "label": label,
        "workspace": str(data.root),
        "rows": data.rows,
        "interactions": data.interactions,
        "data": {"built": data.built, "build_seconds": data.build_seconds},
        "pandas_measured": options.with_pandas(contacts),
    }
    unsorted_path = data.root / UNSORTED
    try:
        progress(f"{label} hand-written SQL's tables, not clustered by time", 0, 1)
        unsorted_copy(scratch, unsorted_path, catalog)
        progress(f"{label} hand-written SQL's tables, not clustered by time", 1, 1)
        db = Database(scratch, catalog, options.as_of)
        plain = Database(unsorted_path, catalog, options.as_of)
        try:
            frames, load = (
                _load_frames(data, options, progress, label)
                if result["pandas_measured"]
                else (None, None)
            )
            result["members"] = _check(db, frames, options.as_of, progress, label)
            result["full_refresh"] = _full_refresh(db, frames, options, progress, label, plain)
            result["full_refresh"]["pandas_load"] = load.to_json() if load else None
            del frames
            gc.collect()
            result["draft_count"] = _per_segment(
                db, "count", result["members"], options, progress, label
            )
            result["preview"] = _per_segment(
                db, "preview", result["members"], options, progress, label
            )
            biggest = max(WORKLOAD, key=lambda s: result["members"][s.key])
            export_sql = db.sql_export_query(biggest)
        finally:
            db.close()
            plain.close()
            _drop(unsorted_path)
        if options.subprocesses:
            result["csv_export"] = _export(data, scratch, biggest, options, progress, label)
            result["csv_export"]["members"] = result["members"][biggest.key]
            result["csv_export"]["sql"] = export_sql
            result["peak_memory"] = _memory_of_refresh(
                data, scratch, options, progress, label, with_pandas=result["pandas_measured"]
            )
    finally:
        _drop(scratch)
    if options.workspace_figures:
        result.update(
            _workspace_figures(data, catalog, result["members"], options, progress, label)
        )
    result["load_average"] = {"start": load_start, "end": _load()}
    return result


def _workspace_figures(
    data: CachedData,
    catalog: Any,
    members: dict[str, int],
    options: BenchOptions,
    progress: Progress,
    label: str,
) -> dict[str, Any]:
    """Incremental refresh, compound segments, the count through the HTTP API, a single new
    interaction end to end and ingest speed: each on its own copy of the pristine data."""
    found: dict[str, Any] = {
        "incremental_refresh": incremental.measure_all(
            data.database,
            data.root / INCREMENTAL_SCRATCH,
            catalog,
            options.as_of,
            repeats=options.repeats,
            progress=progress,
            label=label,
        )
    }
    folder = live.build(data.root, data.database, progress, label)
    try:
        found["compound"] = live.measure_compounds(
            folder, members, repeats=options.count_repeats, progress=progress, label=label
        )
        if options.subprocesses:
            found["api_count"] = api_count.measure(
                folder,
                options.as_of,
                members,
                repeats=options.repeats,
                progress=progress,
                label=label,
            )
        found["single_event"] = live.measure_single_event(
            folder, repeats=options.repeats, progress=progress, label=label
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    from segmint.workspace import open_workspace

    found["ingest"] = ingest_speed.measure(
        data.root,
        open_workspace(data.root).model,
        data.rows,
        repeats=options.ingest_repeats(data.contacts),
        progress=progress,
        label=label,
    )
    return found


def _drop(database: Path) -> None:
    for path in (database, database.with_name(database.name + ".wal")):
        path.unlink(missing_ok=True)


def _load_frames(
    data: CachedData, options: BenchOptions, progress: Progress, label: str
) -> tuple[dict[str, Any], Timing]:
    """The pandas DataFrames, loaded a few times to time it; the last load is kept."""
    timing = Timing()
    runs = min(options.repeats, 3)
    frames: dict[str, Any] = {}
    for i in range(runs):
        progress(f"{label} pandas load", i, runs)
        frames = {}
        gc.collect()
        seconds, frames = timed(lambda: baseline_pandas.load_frames(data.data))
        timing.add(seconds)
    progress(f"{label} pandas load", runs, runs)
    return frames, timing


def _check(
    db: Database,
    frames: dict[str, Any] | None,
    as_of: dt.datetime,
    progress: Progress,
    label: str,
) -> dict[str, int]:
    """Every segment's members, identical from Segmint, the hand-written SQL and pandas
    (when `frames` are loaded)."""
    step = f"{label} check members"
    sizes: dict[str, int] = {}
    for i, seg in enumerate(WORKLOAD):
        progress(step, i, len(WORKLOAD), seg.key)
        ours = db.segmint_members(seg)
        others = [("the hand-written SQL", db.sql_members(seg))]
        if frames is not None:
            others.append(("pandas", baseline_pandas.members(seg.key, frames, as_of)))
        for name, other in others:
            if ours != other:
                raise InternalError(_difference(seg, ours, other, name))
        sizes[seg.key] = len(ours)
    progress(step, len(WORKLOAD), len(WORKLOAD), "identical")
    return sizes


def _difference(seg: WorkloadSegment, ours: set[Any], other: set[Any], name: str) -> str:
    extra = sorted(ours - other)[:5]
    missing = sorted(other - ours)[:5]
    return (
        f"{seg.key}: Segmint finds {len(ours)} members, {name} {len(other)}; only Segmint: "
        f"{extra} ..., only {name}: {missing} ..."
    )


def _full_refresh(
    db: Database,
    frames: dict[str, Any] | None,
    options: BenchOptions,
    progress: Progress,
    label: str,
    plain: Database,
) -> dict[str, Any]:
    """All 20 segments stored as a new version, four or five ways (round 0 is the warm-up):
    the hand-written SQL both over Segmint's tables (clustered by time at ingest) and over
    the same tables in an order not clustered by time (`plain`)."""
    step = f"{label} full refresh"
    names: tuple[str, ...] = ("segmint", "segmint_with_diff", "handwritten_sql", UNSORTED_SQL)
    if frames is not None:
        names = (*names, PANDAS)
    totals = {name: Timing() for name in names}
    per_segment = {name: {s.key: Timing() for s in WORKLOAD} for name in names}
    db.prepare_versions()
    plain.prepare_versions()
    rounds = options.repeats + 1
    for round_ in range(rounds):
        progress(step, round_, rounds, "warm-up" if round_ == 0 else f"round {round_}")
        # Alternate who goes first, so that neither always meets a cold or a warm cache.
        order = names if round_ % 2 else (*names[2:], *names[:2])
        for name in order:
            total = 0.0
            for seg in WORKLOAD:
                target = plain if name == UNSORTED_SQL else db
                seconds, _ = timed(
                    functools.partial(_store, target, frames, name, seg, round_ + 1, options)
                )
                total += seconds
                if round_:
                    per_segment[name][seg.key].add(seconds)
            if round_:
                totals[name].add(total)
        if round_ == 0:
            db.check_versions(1)
            for seg in WORKLOAD:
                if plain.sql_version(seg, 1) != db.sql_version(seg, 1):
                    raise InternalError(f"{seg.key}: the tables not clustered by time differ")
        db.reset_versions()
        plain.reset_versions()
    progress(step, rounds, rounds, "done")
    medians: dict[str, float] = {name: t.median for name, t in totals.items()}
    mins = {name: t.min for name, t in totals.items()}
    pandas = medians.get(PANDAS, math.nan)
    return {
        "segmint": totals["segmint"].to_json(),
        "segmint_with_diff": totals["segmint_with_diff"].to_json(),
        "handwritten_sql": totals["handwritten_sql"].to_json(),
        UNSORTED_SQL: totals[UNSORTED_SQL].to_json(),
        "pandas": totals[PANDAS].to_json() if PANDAS in totals else None,
        "ratios": {
            "segmint_vs_sql": ratio(medians["segmint"], medians["handwritten_sql"]),
            "segmint_vs_sql_unsorted": ratio(medians["segmint"], medians[UNSORTED_SQL]),
            "sql_vs_sql_unsorted": ratio(medians["handwritten_sql"], medians[UNSORTED_SQL]),
            "segmint_vs_sql_min": ratio(mins["segmint"], mins["handwritten_sql"]),
            "segmint_with_diff_vs_sql": ratio(
                medians["segmint_with_diff"], medians["handwritten_sql"]
            ),
            "pandas_vs_sql": _ratio(pandas, medians["handwritten_sql"]),
            "pandas_vs_segmint": _ratio(pandas, medians["segmint"]),
        },
        "per_segment": {
            s.key: {name: per_segment[name][s.key].median for name in names} for s in WORKLOAD
        },
    }


def _ratio(numerator: float, denominator: float) -> float | None:
    """A ratio, or None when the numerator was not measured (NaN)."""
    return None if math.isnan(numerator) else ratio(numerator, denominator)


def _store(
    db: Database,
    frames: dict[str, Any] | None,
    name: str,
    seg: WorkloadSegment,
    version: int,
    options: BenchOptions,
) -> Any:
    """One segment's part of a full refresh, done one of the four ways."""
    if name == "segmint":
        return db.segmint_write(seg, version, None)
    if name == "segmint_with_diff":  # a second version, counting who entered and exited
        return db.segmint_write(seg, version + 1000, version)
    if name in ("handwritten_sql", UNSORTED_SQL):
        return db.sql_write(seg, version)
    if frames is None:
        raise InternalError("pandas was asked to refresh without its DataFrames")
    return baseline_pandas.members(seg.key, frames, options.as_of)


def _per_segment(
    db: Database,
    task: str,
    sizes: dict[str, int],
    options: BenchOptions,
    progress: Progress,
    label: str,
) -> dict[str, Any]:
    """A quick task per segment (exact count or preview), Segmint against the hand-written SQL."""
    step = f"{label} {task}"
    rows: dict[str, Any] = {}
    for i, seg in enumerate(WORKLOAD):
        progress(step, i, len(WORKLOAD), seg.key)
        if task == "count":
            ours, theirs = db.segmint_count(seg), db.sql_count(seg)
            expected: Any = sizes[seg.key]
            if ours != expected or theirs != expected:
                raise InternalError(f"{seg.key}: counts {ours} and {theirs}, members {expected}")
            runs: dict[str, Callable[[], Any]] = {
                "segmint": functools.partial(db.segmint_count, seg),
                "handwritten_sql": functools.partial(db.sql_count, seg),
            }
        else:
            first, second = db.segmint_preview(seg), db.sql_preview(seg)
            if first != second or len(first) != min(PREVIEW_LIMIT, sizes[seg.key]):
                raise InternalError(f"{seg.key}: the previews differ: {first[:3]} / {second[:3]}")
            runs = {
                "segmint": functools.partial(db.segmint_preview, seg),
                "handwritten_sql": functools.partial(db.sql_preview, seg),
            }
        timings = interleaved(runs, repeats=options.count_repeats)
        rows[seg.key] = {
            "segmint": timings["segmint"].summary(),
            "handwritten_sql": timings["handwritten_sql"].summary(),
            "ratio": ratio(timings["segmint"].median, timings["handwritten_sql"].median),
        }
    progress(step, len(WORKLOAD), len(WORKLOAD), "done")
    ratios = [r["ratio"] for r in rows.values() if r["ratio"]]
    segmint = [r["segmint"]["median"] for r in rows.values()]
    sql = [r["handwritten_sql"]["median"] for r in rows.values()]
    summary = {
        "geomean_ratio": math.exp(sum(math.log(x) for x in ratios) / len(ratios)),
        "max_ratio": max(ratios),
        "segmint_median_of_medians": sorted(segmint)[len(segmint) // 2],
        "segmint_max_median": max(segmint),
        "segmint_max_p95": max(r["segmint"]["p95"] for r in rows.values()),
        "sql_median_of_medians": sorted(sql)[len(sql) // 2],
        "sql_max_median": max(sql),
    }
    extra = {"fields": dict(PREVIEW_FIELDS), "limit": PREVIEW_LIMIT} if task == "preview" else {}
    return {"summary": summary, **extra, "per_segment": rows}


def _export(
    data: CachedData,
    scratch: Path,
    seg: WorkloadSegment,
    options: BenchOptions,
    progress: Progress,
    label: str,
) -> dict[str, Any]:
    """The biggest segment to CSV, each run in a fresh process (its peak memory is its own)."""
    step = f"{label} csv export"
    folder = data.root / "bench-export"
    folder.mkdir(exist_ok=True)
    base = [str(data.root), str(scratch), options.as_of.isoformat()]
    try:
        idle = run_child("segmint.bench.child", ["idle", *base])
        found: dict[str, dict[str, Any]] = {
            m: {"timing": Timing(), "compile": Timing(), "peak_rss_bytes": 0, "rows": 0}
            for m in ("segmint", "sql")
        }
        rounds = options.repeats + 1
        for round_ in range(rounds):
            progress(step, round_, rounds, seg.key)
            for mode, entry in found.items():
                target = folder / f"{mode}.csv"
                child = run_child(
                    "segmint.bench.child", ["export", *base, mode, seg.key, str(target)]
                )
                target.unlink(missing_ok=True)
                if round_:
                    entry["timing"].add(child.result["copy_seconds"])
                    entry["compile"].add(child.result["compile_seconds"])
                entry["peak_rss_bytes"] = max(entry["peak_rss_bytes"], child.peak_rss_bytes)
                entry["rows"], entry["bytes"] = child.result["rows"], child.result["bytes"]
        progress(step, rounds, rounds, "done")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if found["segmint"]["rows"] != found["sql"]["rows"]:
        raise InternalError(
            f"csv export of {seg.key}: {found['segmint']['rows']} rows against "
            f"{found['sql']['rows']}"
        )

    def shape(entry: dict[str, Any]) -> dict[str, Any]:
        timing: Timing = entry["timing"]
        return {
            **timing.to_json(),
            "rows_per_second": entry["rows"] / timing.median,
            "megabytes_per_second": entry["bytes"] / timing.median / 1e6,
            "peak_rss_bytes": entry["peak_rss_bytes"],
            "query_seconds": entry["compile"].summary(),  # building the query, fresh process
        }

    return {
        "segment": seg.key,
        "columns": [
            *(("contact_id",) if seg.audience == "contact" else ("account_id",)),
            *EXPORT_FIELDS[seg.audience],
        ],
        "rows": found["sql"]["rows"],
        "bytes": found["sql"]["bytes"],
        "segmint": shape(found["segmint"]),
        "handwritten_sql": shape(found["sql"]),
        "ratio": ratio(found["segmint"]["timing"].median, found["sql"]["timing"].median),
        "idle_process_peak_rss_bytes": idle.peak_rss_bytes,
    }


def _memory_of_refresh(
    data: CachedData,
    scratch: Path,
    options: BenchOptions,
    progress: Progress,
    label: str,
    *,
    with_pandas: bool,
) -> dict[str, Any]:
    """Peak resident memory of one full refresh in a fresh process, each way."""
    step = f"{label} peak memory"
    base = [str(data.root), str(scratch), options.as_of.isoformat()]
    found: dict[str, Any] = {}
    modes = ("segmint", "sql", PANDAS) if with_pandas else ("segmint", "sql")
    for i, mode in enumerate(modes):
        progress(step, i, len(modes), mode)
        child = run_child("segmint.bench.child", ["refresh", *base, mode])
        name = "handwritten_sql" if mode == "sql" else mode
        found[name] = {"peak_rss_bytes": child.peak_rss_bytes, **child.result}
    progress(step, len(modes), len(modes), "done")
    found["what"] = (
        "one full refresh of the workload in a fresh process (pandas: loading the Parquet "
        "files included); peak resident set size from the kernel"
    )
    return found
