"""The issue's performance targets next to the measured figures, each marked met or not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from segmint.bench.units import NONE, TIMES
from segmint.bench.units import mark as _mark
from segmint.bench.units import memory as _mem
from segmint.bench.units import rate as _rate
from segmint.bench.units import seconds as _s
from segmint.bench.units import times as _x

GIB: Final = 1024**3
Cell = Callable[[dict[str, Any]], "tuple[str, bool | None] | None"]


def _refresh_ratio(s: dict[str, Any]) -> tuple[str, bool | None]:
    """Against the issue's baseline, the hand-written SQL over tables not clustered by time;
    the same SQL over Segmint's own tables shown beside it."""
    ratios = s["full_refresh"]["ratios"]
    found = ratios.get("segmint_vs_sql_unsorted", ratios["segmint_vs_sql"])
    text = f"{_x(found)} (over Segmint's time-clustered tables: {_x(ratios['segmint_vs_sql'])})"
    return text, found is not None and found <= 0.7


def _worst(per: dict[str, Any], baseline: str) -> tuple[str, float]:
    return max(((k, r["segmint"] / r[baseline]) for k, r in per.items()), key=lambda kv: kv[1])


def _worst_segment(s: dict[str, Any]) -> tuple[str, bool | None]:
    per = s["full_refresh"]["per_segment"]
    unsorted = "handwritten_sql_unsorted"
    key, worst = _worst(
        per, unsorted if unsorted in next(iter(per.values())) else "handwritten_sql"
    )
    same_key, same = _worst(per, "handwritten_sql")
    text = f"{_x(worst)} ({key}); over the same tables {_x(same)} ({same_key})"
    return text, worst <= 1.1


def _engine_count(s: dict[str, Any]) -> tuple[str, bool | None]:
    summary = s["draft_count"]["summary"]
    median, p95 = summary["segmint_median_of_medians"], summary["segmint_max_p95"]
    return f"{_s(median)} / {_s(p95)}", median <= 0.020 and p95 <= 0.050


def _api_count(s: dict[str, Any]) -> tuple[str, bool | None] | None:
    found = s.get("api_count")
    if found is None:
        return None
    return f"{_s(found['http']['median'])}; p95 {_s(found['http']['p95'])}", found["met"]


def _incremental(name: str) -> Cell:
    def cell(s: dict[str, Any]) -> tuple[str, bool | None] | None:
        found = s.get("incremental_refresh", {}).get(name)
        if found is None:
            return None
        full, incremental = found["full"]["median"], found["incremental"]["median"]
        return f"{_x(found['speedup'])} ({_s(full)} ÷ {_s(incremental)})", found["met"]

    return cell


def _single_event(s: dict[str, Any]) -> tuple[str, bool | None] | None:
    found = s.get("single_event")
    if found is None:
        return None
    timing = found["end_to_end"]
    return f"{_s(timing['median'])} (min {_s(timing['min'])})", found["met"]


def _compound(s: dict[str, Any]) -> tuple[str, bool | None] | None:
    found = s.get("compound")
    if found is None:
        return None
    return (
        f"{_s(found['worst_refresh_median'])}; count {_s(found['worst_count_median'])}",
        found["met"],
    )


def _ingest(fmt: str) -> Cell:
    def cell(s: dict[str, Any]) -> tuple[str, bool | None] | None:
        found = s.get("ingest")
        if found is None:
            return None
        part = found[fmt]["interactions" if fmt == "parquet" else "all"]
        return f"{_rate(part['rows_per_second'])} ({_s(part['median'])})", found["met"][fmt]

    return cell


def _export(s: dict[str, Any]) -> tuple[str, bool | None] | None:
    found = s.get("csv_export")
    if found is None:
        return None
    rows = found["segmint"]["rows_per_second"]
    return f"{_rate(rows)} ({_mem(found['segmint']['peak_rss_bytes'])})", rows >= 1_000_000


def _peak(s: dict[str, Any]) -> tuple[str, bool | None] | None:
    found = s.get("peak_memory")
    if found is None:
        return None
    peak = found["segmint"]["peak_rss_bytes"]
    return _mem(peak), peak < 2 * GIB


def _pandas(s: dict[str, Any]) -> tuple[str, bool | None] | None:
    found = s["full_refresh"]["ratios"]["pandas_vs_segmint"]
    if found is None:
        return None
    return _x(found), found >= 2.5


ROWS: Final[tuple[tuple[str, str, Cell], ...]] = (
    (
        "full refresh of the 20: Segmint ÷ hand-written SQL over tables not clustered by time",
        f"≤ 0.70{TIMES}",
        _refresh_ratio,
    ),
    ("worst segment's refresh ÷ its hand-written SQL", f"≤ 1.10{TIMES}", _worst_segment),
    ("exact count in the engine: median segment / worst p95", "≤ 20 ms / ≤ 50 ms", _engine_count),
    ("exact count through the HTTP API: median; p95", "< 100 ms", _api_count),
    (
        "incremental refresh after a day of interactions for 1,000 contacts: full ÷ incremental",
        f"≥ 10{TIMES}",
        _incremental("new_interactions"),
    ),
    (
        "incremental refresh after 1 % of the profiles change: full ÷ incremental",
        f"≥ 5{TIMES}",
        _incremental("changed_profiles"),
    ),
    ("a single new interaction: append → new versions current", "< 1 s", _single_event),
    ("compound segments over stored memberships: worst refresh", "< 10 ms", _compound),
    (
        "ingest from Parquet: interaction rows/s (their load time)",
        "≥ 4,000,000 rows/s (20M in 5 s)",
        _ingest("parquet"),
    ),
    ("ingest from CSV: rows/s (whole ingest)", "≥ 1,000,000 rows/s", _ingest("csv")),
    ("CSV export, Segmint: rows/s (peak RSS)", "≥ 1,000,000 rows/s", _export),
    ("peak memory of a full refresh, Segmint", "< 2 GiB", _peak),
    ("pandas ÷ Segmint, full refresh", f"≥ 2.5{TIMES}", _pandas),
)


def targets_table(scales: list[dict[str, Any]]) -> list[str]:
    """The targets with each scale's figure, marked ✓ (met) or ✗ (not met)."""
    lines = [
        "## Targets",
        "",
        (
            "The targets of issue 7, set for 1,000,000 contacts (about 20M interactions); at "
            "other scales the mark is for orientation. ✓ met, ✗ not met, "
            f"{NONE} not measured."
        ),
        "",
        "| figure | target | " + " | ".join(f"{s['contacts']:,}" for s in scales) + " |",
        "|---|---|" + "---|" * len(scales),
    ]
    for label, target, cell in ROWS:
        cells = []
        for s in scales:
            found = cell(s)
            cells.append(NONE if found is None else found[0] + _mark(found[1]))
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    return [*lines, ""]
