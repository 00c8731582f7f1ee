"""Writing a benchmark result: `<date>-<scales>.json` (everything), a Markdown summary with the
ratios, and a PNG chart (matplotlib, from the `bench` extra)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from segmint.bench.targets import targets_table
from segmint.bench.units import GIB, MIB, NONE, TIMES, mark
from segmint.bench.units import memory as _mem
from segmint.bench.units import number as _n
from segmint.bench.units import seconds as _s
from segmint.bench.units import times as _x
from segmint.bench.workspace_report import incremental_detail, workspace_table
from segmint.errors import UserError

__all__ = ["GIB", "MIB", "NONE", "TIMES", "headline", "markdown", "write_report"]


def stem(result: dict[str, Any]) -> str:
    """`2026-11-23-100k`, or `2026-11-23-10k-100k-1m` for several scales."""
    date = str(result["started_at"])[:10]
    return f"{date}-" + "-".join(s["label"] for s in result["scales"])


def write_report(result: dict[str, Any], out: Path, *, chart: bool = True) -> list[Path]:
    """Write the JSON, the Markdown and (unless `chart` is False) the PNG; their paths."""
    out.mkdir(parents=True, exist_ok=True)
    name = stem(result)
    paths = [out / f"{name}.json", out / f"{name}.md"]
    paths[0].write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    png = out / f"{name}.png"
    if chart:
        draw_chart(result, png)
        paths.append(png)
    paths[1].write_text(markdown(result, png.name if chart else None), encoding="utf-8")
    return paths


# --- formatting -------------------------------------------------------------------------


def _timing(t: dict[str, Any] | None) -> str:
    if t is None:
        return "not run"
    return f"{_s(t['median'])} (min {_s(t['min'])})"


def headline(scale: dict[str, Any]) -> dict[str, float | None]:
    """The figures a reader wants first, for one scale."""
    refresh = scale["full_refresh"]
    found: dict[str, float | None] = {
        "refresh_segmint_vs_sql": refresh["ratios"]["segmint_vs_sql"],
        "refresh_segmint_vs_sql_unsorted": refresh["ratios"].get("segmint_vs_sql_unsorted"),
        "refresh_pandas_vs_sql": refresh["ratios"]["pandas_vs_sql"],
        "refresh_pandas_vs_segmint": refresh["ratios"]["pandas_vs_segmint"],
        "count_segmint_vs_sql": scale["draft_count"]["summary"]["geomean_ratio"],
        "preview_segmint_vs_sql": scale["preview"]["summary"]["geomean_ratio"],
    }
    if "csv_export" in scale:
        found["export_segmint_vs_sql"] = scale["csv_export"]["ratio"]
    for name, change in (scale.get("incremental_refresh") or {}).items():
        found[f"incremental_{name}_speedup"] = change["speedup"]
    if "single_event" in scale:
        found["single_event_seconds"] = scale["single_event"]["end_to_end"]["median"]
    if "api_count" in scale:
        found["api_count_seconds"] = scale["api_count"]["http"]["median"]
    return found


def markdown(result: dict[str, Any], chart: str | None) -> str:
    """The summary: machine, headline ratios per scale, growth, per-segment detail."""
    scales = result["scales"]
    settings = result["settings"]
    machine = result["machine"]
    versions = machine["versions"]
    title = ", ".join(f"{s['contacts']:,}" for s in scales)
    lines = [
        f"# Segmint benchmark, {result['started_at'][:10]}: {title} contacts",
        "",
        f"Machine: {machine['cpus']} CPUs, {_mem(machine['memory_bytes'])}, "
        f"{machine['platform']}; Python {machine['python']}, DuckDB {versions['duckdb']}, "
        f"Ibis {versions['ibis-framework']}, pandas {versions['pandas']}. "
        f"Load average (1, 5, 15 min) at the start and end of each scale: "
        + "; ".join(
            f"{s['label']}: {s['load_average']['start']} → {s['load_average']['end']}"
            for s in scales
        )
        + ".",
        "",
        (
            f"Workload: the {len(result['workload'])} segments of "
            "[docs/benchmarks.md](../../docs/benchmarks.md), evaluated as of "
            f"{settings['as_of']}; data seed {settings['seed']}. Each figure is over "
            f"{settings['repeats']} measured runs after a warm-up ({settings['count_repeats']} "
            "for counts and previews). Every segment returned **identical members** from "
            "Segmint, the hand-written SQL and pandas (where it ran), and both refreshes "
            "stored identical versions."
        ),
        "",
        (
            "Ratios are Segmint's time divided by the hand-written SQL's on the same DuckDB "
            f"database (1.00{TIMES} = as fast; lower is better)."
        ),
        "",
        "## Headline",
        "",
        "| | " + " | ".join(f"{s['contacts']:,} contacts" for s in scales) + " |",
        "|---|" + "---|" * len(scales),
    ]

    def row(label: str, cell: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(s) for s in scales) + " |")

    row("interactions", lambda s: _n(s["interactions"]))
    row("full refresh of 20, Segmint", lambda s: _timing(s["full_refresh"]["segmint"]))
    row("full refresh, hand-written SQL", lambda s: _timing(s["full_refresh"]["handwritten_sql"]))
    row(
        "full refresh, hand-written SQL over tables not clustered by time",
        lambda s: _timing(s["full_refresh"].get("handwritten_sql_unsorted")),
    )
    row("full refresh, pandas", lambda s: _timing(s["full_refresh"]["pandas"]))
    row("pandas: loading the Parquet files", lambda s: _timing(s["full_refresh"]["pandas_load"]))
    row(
        "**full refresh: Segmint ÷ SQL**",
        lambda s: f"**{_x(s['full_refresh']['ratios']['segmint_vs_sql'])}**",
    )
    row(
        "**full refresh: Segmint ÷ SQL over tables not clustered by time**",
        lambda s: f"**{_x(s['full_refresh']['ratios'].get('segmint_vs_sql_unsorted'))}**",
    )
    row(
        "full refresh with entered/exited counts ÷ SQL",
        lambda s: _x(s["full_refresh"]["ratios"]["segmint_with_diff_vs_sql"]),
    )
    row("full refresh: pandas ÷ SQL", lambda s: _x(s["full_refresh"]["ratios"]["pandas_vs_sql"]))
    row(
        "exact count (draft), Segmint: median segment / worst p95",
        lambda s: (
            f"{_s(s['draft_count']['summary']['segmint_median_of_medians'])} / "
            f"{_s(s['draft_count']['summary']['segmint_max_p95'])}"
        ),
    )
    row(
        "exact count, hand-written: median segment",
        lambda s: _s(s["draft_count"]["summary"]["sql_median_of_medians"]),
    )
    row(
        "**exact count: Segmint ÷ SQL** (geometric mean; worst)",
        lambda s: (
            f"**{_x(s['draft_count']['summary']['geomean_ratio'])}**; "
            f"{_x(s['draft_count']['summary']['max_ratio'])}"
        ),
    )
    row(
        "preview of 100, Segmint: median segment",
        lambda s: _s(s["preview"]["summary"]["segmint_median_of_medians"]),
    )
    row(
        "**preview: Segmint ÷ SQL** (geometric mean; worst)",
        lambda s: (
            f"**{_x(s['preview']['summary']['geomean_ratio'])}**; "
            f"{_x(s['preview']['summary']['max_ratio'])}"
        ),
    )
    if all("csv_export" in s for s in scales):
        row(
            "CSV export of the biggest segment",
            lambda s: (
                f"{s['csv_export']['segment']}, {_n(s['csv_export']['rows'])} rows, "
                f"{s['csv_export']['bytes'] / 1e6:.1f} MB"
            ),
        )
        row(
            "CSV export, Segmint: rows/s (peak RSS)",
            lambda s: (
                f"{s['csv_export']['segmint']['rows_per_second']:,.0f} "
                f"({_mem(s['csv_export']['segmint']['peak_rss_bytes'])})"
            ),
        )
        row(
            "CSV export, hand-written: rows/s (peak RSS)",
            lambda s: (
                f"{s['csv_export']['handwritten_sql']['rows_per_second']:,.0f} "
                f"({_mem(s['csv_export']['handwritten_sql']['peak_rss_bytes'])})"
            ),
        )
        row("CSV export: Segmint ÷ SQL", lambda s: _x(s["csv_export"]["ratio"]))
        row(
            "CSV export, Segmint: compiling the query first, in a fresh process",
            lambda s: _s(s["csv_export"]["segmint"]["query_seconds"]["median"]),
        )
        row(
            "a process that only opens the database (peak RSS)",
            lambda s: _mem(s["csv_export"]["idle_process_peak_rss_bytes"]),
        )
        row(
            "peak RSS of a full refresh: Segmint / SQL / pandas",
            lambda s: (
                f"{_mem(s['peak_memory']['segmint']['peak_rss_bytes'])} / "
                f"{_mem(s['peak_memory']['handwritten_sql']['peak_rss_bytes'])} / "
                f"{_mem(s['peak_memory'].get('pandas', {}).get('peak_rss_bytes'))}"
            ),
        )
    lines += [""]
    if any(not s.get("pandas_measured", True) for s in scales):
        skipped = ", ".join(f"{s['contacts']:,}" for s in scales if not s["pandas_measured"])
        lines += [f"pandas was not run at {skipped} contacts (`--no-pandas-above`).", ""]
    lines += targets_table(scales)
    lines += workspace_table(scales)
    if len(scales) > 1:
        lines += _growth(scales)
    lines += _per_segment(scales[-1])
    if "incremental_refresh" in scales[-1]:
        lines += incremental_detail(scales[-1])
    if chart:
        lines += ["", f"![Benchmark chart]({chart})", ""]
    return "\n".join(lines).rstrip() + "\n"


def _growth(scales: list[dict[str, Any]]) -> list[str]:
    first = scales[0]
    lines = [
        "## Growth",
        "",
        (
            f"Median times, and their growth relative to {first['contacts']:,} contacts. "
            "The last column divides the growth of Segmint's full refresh by the growth of "
            f"the interactions: at most 1.00{TIMES} means time grows at most linearly."
        ),
        "",
        (
            "| contacts | interactions | refresh Segmint | refresh SQL | refresh pandas "
            "| count Segmint (median segment) | export rows/s (Segmint) "
            "| refresh growth ÷ data growth |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in scales:

        def grown(path: tuple[str, ...], s: dict[str, Any] = s) -> str:
            now, then = _dig(s, path), _dig(first, path)
            if now is None:
                return NONE
            return f"{_s(now)} ({now / then:.1f}{TIMES})" if then else _s(now)

        export = (
            f"{s['csv_export']['segmint']['rows_per_second']:,.0f}" if "csv_export" in s else NONE
        )
        refresh = ("full_refresh", "segmint", "median")
        linear = (_dig(s, refresh) or 0) / (_dig(first, refresh) or 1)
        linear /= s["interactions"] / first["interactions"]
        verdict = f"{linear:.2f}{TIMES}" + (mark(linear <= 1.0) if s is not first else "")
        lines.append(
            f"| {s['contacts']:,} | {s['interactions']:,} "
            f"| {grown(refresh)} "
            f"| {grown(('full_refresh', 'handwritten_sql', 'median'))} "
            f"| {grown(('full_refresh', 'pandas', 'median'))} "
            f"| {grown(('draft_count', 'summary', 'segmint_median_of_medians'))} | {export} "
            f"| {verdict} |"
        )
    return [*lines, ""]


def _dig(data: dict[str, Any], path: tuple[str, ...]) -> float | None:
    found: Any = data
    for part in path:
        if found is None:
            return None
        found = found[part]
    return None if found is None else float(found)


def _per_segment(scale: dict[str, Any]) -> list[str]:
    refresh = scale["full_refresh"]["per_segment"]
    count = scale["draft_count"]["per_segment"]
    preview = scale["preview"]["per_segment"]
    lines = [
        f"## Per segment, {scale['contacts']:,} contacts",
        "",
        (
            "Medians. Refresh: the segment's part of the full refresh (stored as a version). "
            "Count: the exact count of a draft (Segmint compiles the definition every time)."
        ),
        "",
        (
            "| segment | members | refresh Segmint | refresh SQL | ÷ | refresh pandas "
            "| count Segmint (p95) | count SQL | ÷ | preview ÷ |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, members in scale["members"].items():
        r, c = refresh[key], count[key]
        lines.append(
            f"| {key} | {members:,} | {_s(r['segmint'])} | {_s(r['handwritten_sql'])} "
            f"| {_x(r['segmint'] / r['handwritten_sql'])} | {_s(r.get('pandas'))} "
            f"| {_s(c['segmint']['median'])} ({_s(c['segmint']['p95'])}) "
            f"| {_s(c['handwritten_sql']['median'])} | {_x(c['ratio'])} "
            f"| {_x(preview[key]['ratio'])} |"
        )
    return lines


# --- the chart --------------------------------------------------------------------------


def draw_chart(result: dict[str, Any], path: Path) -> None:
    """Four panels: full refresh by scale; exact count and refresh per segment (largest);
    incremental refresh against full by scale."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError(
            "the benchmark chart needs matplotlib: pip install -e '.[bench]' (make bench does)"
        ) from None
    scales = result["scales"]
    last = scales[-1]
    colours = {"Segmint": "#2a7ab0", "hand-written SQL": "#8a8a8a", "pandas": "#e08a2c"}
    fig, (ax1, ax2, ax3, ax4) = plt.subplots(
        1, 4, figsize=(24, 8), gridspec_kw={"width_ratios": [1, 1.4, 1.4, 1]}
    )

    _refresh_by_scale(ax1, scales, colours)
    width = 0.27

    keys = list(last["members"])
    ys = range(len(keys))
    per = last["draft_count"]["per_segment"]
    ours = [per[k]["segmint"]["median"] * 1000 for k in keys]
    theirs = [per[k]["handwritten_sql"]["median"] * 1000 for k in keys]
    ax2.barh([y - 0.2 for y in ys], ours, 0.4, label="Segmint", color=colours["Segmint"])
    ax2.barh(
        [y + 0.2 for y in ys],
        theirs,
        0.4,
        label="hand-written SQL",
        color=colours["hand-written SQL"],
    )
    ax2.set_yticks(list(ys), keys, fontsize=8)
    ax2.invert_yaxis()
    ax2.set_xlabel("milliseconds (median)")
    ax2.set_title(f"Exact count of a draft, {last['contacts']:,} contacts")
    ax2.legend(fontsize=8)

    refresh = last["full_refresh"]["per_segment"]
    for i, (name, field) in enumerate(
        (("Segmint", "segmint"), ("hand-written SQL", "handwritten_sql"), ("pandas", "pandas"))
    ):
        if any(field not in refresh[k] for k in keys):
            continue  # pandas was not run at this scale
        values = [refresh[k][field] * 1000 for k in keys]
        ax3.barh([y + (i - 1) * width for y in ys], values, width, label=name, color=colours[name])
    ax3.set_yticks(list(ys), keys, fontsize=8)
    ax3.invert_yaxis()
    ax3.set_xscale("log")
    ax3.set_xlabel("milliseconds (median, log scale)")
    ax3.set_title(f"Each segment's part of the full refresh, {last['contacts']:,} contacts")
    ax3.legend(fontsize=8)
    _incremental_by_scale(ax4, scales)

    fig.suptitle(
        f"Segmint benchmark {result['started_at'][:10]} — Segmint ÷ hand-written SQL: "
        + "; ".join(
            f"{s['contacts']:,}: refresh {_x(s['full_refresh']['ratios']['segmint_vs_sql'])}, "
            f"count {_x(s['draft_count']['summary']['geomean_ratio'])}"
            for s in scales
        ),
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _refresh_by_scale(ax: Any, scales: list[dict[str, Any]], colours: dict[str, str]) -> None:
    """The first panel: the full refresh's median at each scale, three ways (pandas only
    where it ran)."""
    labels = [f"{s['contacts']:,}" for s in scales]
    width = 0.27
    series = {
        name: [(j, (s["full_refresh"][field] or {}).get("median")) for j, s in enumerate(scales)]
        for name, field in (
            ("Segmint", "segmint"),
            ("hand-written SQL", "handwritten_sql"),
            ("pandas", "pandas"),
        )
    }
    for i, (name, points) in enumerate(series.items()):
        xs = [j + (i - 1) * width for j, v in points if v is not None]
        values = [v for _, v in points if v is not None]
        if not values:
            continue
        bars = ax.bar(xs, values, width, label=name, color=colours[name])
        ax.bar_label(bars, labels=[_s(v) for v in values], fontsize=7, rotation=90, padding=2)
    ax.set_xticks(range(len(scales)), labels)
    ax.set_xlabel("contacts")
    if len(scales) > 1:
        ax.set_yscale("log")
    ax.set_ylabel("seconds (median" + (", log scale)" if len(scales) > 1 else ")"))
    ax.set_title("Full refresh of 20 segments")
    ax.legend(fontsize=8)


def _incremental_by_scale(ax: Any, scales: list[dict[str, Any]]) -> None:
    """The last panel: full ÷ incremental refresh after each change, by scale, with the
    targets as lines."""
    changes = (
        ("new_interactions", "a day of interactions, 1,000 contacts", "#2a7ab0", 10.0),
        ("changed_profiles", "1 % of the profiles change", "#6aa84f", 5.0),
    )
    width = 0.38
    drawn = False
    for i, (name, label, colour, target) in enumerate(changes):
        points = [
            (j, (s.get("incremental_refresh") or {}).get(name, {}).get("speedup"))
            for j, s in enumerate(scales)
        ]
        xs = [j + (i - 0.5) * width for j, v in points if v is not None]
        values = [v for _, v in points if v is not None]
        if values:
            drawn = True
            bars = ax.bar(xs, values, width, label=label, color=colour)
            ax.bar_label(bars, labels=[_x(v) for v in values], fontsize=7, padding=2)
        ax.axhline(target, color=colour, linestyle="--", linewidth=1)
    ax.set_xticks(range(len(scales)), [f"{s['contacts']:,}" for s in scales])
    ax.set_xlabel("contacts")
    ax.set_ylabel("full refresh ÷ incremental refresh (median; dashed: targets)")
    ax.set_title("Incremental refresh of the 20 after a change")
    if drawn:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "not measured", ha="center", transform=ax.transAxes)
