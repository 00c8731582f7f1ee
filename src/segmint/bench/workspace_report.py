"""The report's sections on what the benchmark measures in scratch workspaces: incremental
refresh, compound segments, the count through the HTTP API, a single new interaction and
ingest speed, per scale; and incremental refresh per segment."""

from __future__ import annotations

from typing import Any

from segmint.bench.units import NONE
from segmint.bench.units import rate as _rate
from segmint.bench.units import seconds as _s
from segmint.bench.units import times as _x


def workspace_table(scales: list[dict[str, Any]]) -> list[str]:
    """One row per figure, one column per scale (a dash where it was not measured)."""
    if not any("incremental_refresh" in s for s in scales):
        return []
    lines = [
        "## Incremental refresh, compound segments, the API, a single event, ingest",
        "",
        "Medians (min or p95 where given); see [docs/benchmarks.md](../../docs/benchmarks.md).",
        "",
        "| | " + " | ".join(f"{s['contacts']:,} contacts" for s in scales) + " |",
        "|---|" + "---|" * len(scales),
    ]

    def row(label: str, part: str, cell: Any) -> None:
        cells = [NONE if s.get(part) is None else cell(s[part]) for s in scales]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    for name, label in (
        ("new_interactions", "a day of interactions for 1,000 contacts"),
        ("changed_profiles", "1 % of the profiles change"),
    ):
        row(
            f"{label}: rows, applied in",
            "incremental_refresh",
            lambda f, name=name: f"{f[name]['rows']:,}, {_s(f[name]['apply_seconds'])}",
        )
        row(
            f"{label}: refresh of 20, incremental / full (segments incremental)",
            "incremental_refresh",
            lambda f, name=name: (
                f"{_s(f[name]['incremental']['median'])} / {_s(f[name]['full']['median'])} "
                f"({f[name]['segments_incremental']} of {len(f[name]['per_segment'])})"
            ),
        )
        row(
            f"{label}: full ÷ incremental (of the minimums)",
            "incremental_refresh",
            lambda f, name=name: f"{_x(f[name]['speedup'])} ({_x(f[name]['speedup_min'])})",
        )
    row(
        "a single new interaction: kind, segments refreshed",
        "single_event",
        lambda f: f"{f['kind']}, {len(f['segments_refreshed'])}",
    )
    row(
        "a single new interaction: end to end (min; p95); the append alone",
        "single_event",
        lambda f: (
            f"{_s(f['end_to_end']['median'])} ({_s(f['end_to_end']['min'])}; "
            f"{_s(f['end_to_end']['p95'])}); {_s(f['append_only']['median'])}"
        ),
    )
    for key in ("bench-compound-and", "bench-compound-or", "bench-compound-but-not"):
        row(
            f"compound `{key.removeprefix('bench-compound-')}`: members; refresh; count",
            "compound",
            lambda f, key=key: (
                f"{f['per_segment'][key]['members']:,}; "
                f"{_s(f['per_segment'][key]['refresh']['median'])}; "
                f"{_s(f['per_segment'][key]['count']['median'])}"
            ),
        )
    row(
        "count through the HTTP API: median / p95",
        "api_count",
        lambda f: f"{_s(f['http']['median'])} / {_s(f['http']['p95'])}",
    )
    row(
        "the same counts in the server's engine: median / p95; HTTP's share (median)",
        "api_count",
        lambda f: (
            f"{_s(f['engine']['median'])} / {_s(f['engine']['p95'])}; {_s(f['overhead_median'])}"
        ),
    )
    for fmt in ("parquet", "csv"):
        row(
            f"ingest from {fmt.upper() if fmt == 'csv' else 'Parquet'}: all rows; interactions",
            "ingest",
            lambda f, fmt=fmt: (
                f"{_rate(f[fmt]['all']['rows_per_second'])} ({_s(f[fmt]['all']['median'])}); "
                f"{_rate(f[fmt]['interactions']['rows_per_second'])} "
                f"({_s(f[fmt]['interactions']['median'])})"
            ),
        )
    return [*lines, ""]


def incremental_detail(scale: dict[str, Any]) -> list[str]:
    """Per segment: incremental against full refresh, after each change."""
    changes = scale.get("incremental_refresh") or {}
    if not changes:
        return []
    lines = [
        "",
        f"## Incremental refresh per segment, {scale['contacts']:,} contacts",
        "",
        (
            "Medians of each segment's part of the refresh, a minute after the change; "
            "`full?` marks the segments the engine refreshed in full (hour units, a passed "
            "local day, or too much affected). Members were identical to a full refresh."
        ),
        "",
    ]
    names = list(changes)
    for name in names:
        found = changes[name]
        lines.append(
            f"- {found['change']}: {found['rows']:,} rows, applied in "
            f"{_s(found['apply_seconds'])}; {found['segments_incremental']} of "
            f"{len(found['per_segment'])} segments refreshed incrementally."
        )
    lines += [
        "",
        "| segment | "
        + " | ".join(f"{n.replace('_', ' ')}: incremental | full | full?" for n in names)
        + " |",
        "|---|" + "---|---|---|" * len(names),
    ]
    for key in changes[names[0]]["per_segment"]:
        cells = []
        for name in names:
            row = changes[name]["per_segment"][key]
            cells.append(
                f"{_s(row['incremental'])} | {_s(row['full'])} | "
                f"{'' if row['was_incremental'] else 'full'}"
            )
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return lines
