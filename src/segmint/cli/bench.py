"""The `segmint bench` command: the benchmark of Segmint against hand-written SQL and pandas on the
demo data set, at one or more scales, written to JSON, Markdown and a PNG chart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from segmint.cli.common import JsonOpt, guarded
from segmint.cli.output import emit_json, out, progress_bars
from segmint.errors import UserError


def _times(value: float | None) -> str:
    from segmint.bench.report import NONE, TIMES

    return NONE if value is None else f"{value:.2f}{TIMES}"


def parse_scales(values: list[str]) -> list[int]:
    """`--contacts` values, each a number or a comma-separated list of numbers."""
    found = []
    for value in values:
        for part in value.split(","):
            text = part.strip().replace("_", "")
            if not text.isdigit():
                raise UserError(
                    f"--contacts: {part.strip()!r} is not a whole number of contacts "
                    "(use e.g. 100000 or 100000,1000000)"
                )
            found.append(int(text))
    return found


def register(app: typer.Typer) -> None:
    """Add the `bench` command to the application."""
    app.command("bench")(bench)


@guarded
def bench(
    contacts: Annotated[
        list[str] | None,
        typer.Option(
            "--contacts",
            help="Contacts in the demo data set (about 20 interactions each); several scales "
            "as a comma-separated list (100000,1000000,3000000) or by repeating the option, "
            "to report how cost grows.",
            show_default="100000",
        ),
    ] = None,
    no_pandas_above: Annotated[
        int | None,
        typer.Option(
            "--no-pandas-above",
            help="Skip the pandas baseline at scales above this many contacts (it needs "
            "about 4 GiB of memory per million contacts).",
            show_default="pandas at every scale",
        ),
    ] = None,
    repeats: Annotated[
        int, typer.Option("--repeats", help="Measured runs of each full refresh and export.")
    ] = 5,
    seed: Annotated[int, typer.Option("--seed", help="The data set's random seed.")] = 7,
    out_dir: Annotated[Path, typer.Option("--out", help="Where the result files go.")] = Path(
        "benchmarks/results"
    ),
    cache: Annotated[
        Path,
        typer.Option("--cache", help="Where generated, ingested data sets are kept and reused."),
    ] = Path("benchmarks/.cache"),
    as_json: JsonOpt = False,
) -> None:
    """Benchmark Segmint against hand-written SQL and pandas; write JSON, Markdown and PNG."""
    from segmint.bench.report import NONE, headline, write_report
    from segmint.bench.run import BenchOptions, run_bench

    scales = tuple(dict.fromkeys(parse_scales(contacts or ["100000"])))
    if any(n < 1_000 or n > 100_000_000 for n in scales):
        raise UserError("--contacts must be between 1000 and 100000000")
    if no_pandas_above is not None and no_pandas_above < 0:
        raise UserError("--no-pandas-above must be zero or positive")
    if not 1 <= repeats <= 1_000:
        raise UserError("--repeats must be between 1 and 1000")
    if seed < 0:
        raise UserError("--seed must be zero or positive")
    options = BenchOptions(
        contacts=scales, repeats=repeats, seed=seed, cache=cache, pandas_up_to=no_pandas_above
    )
    with progress_bars(not as_json) as bars:
        result = run_bench(options, bars)
    paths = write_report(result, out_dir)
    figures = {str(s["contacts"]): headline(s) for s in result["scales"]}
    if as_json:
        emit_json({"files": [str(p) for p in paths], "headline": figures})
        return
    table = Table(
        "contacts",
        "refresh ÷ SQL (not time-clustered)",
        "refresh ÷ SQL (same tables)",
        "pandas ÷ SQL",
        "count ÷ SQL",
        "preview ÷ SQL",
        "incremental: full ÷ (day; 1 %)",
        "one event",
        title="Segmint against hand-written SQL (ratios: lower is better)",
    )
    for scale, found in figures.items():
        ratios = (
            _times(found[name])
            for name in (
                "refresh_segmint_vs_sql_unsorted",
                "refresh_segmint_vs_sql",
                "refresh_pandas_vs_sql",
                "count_segmint_vs_sql",
                "preview_segmint_vs_sql",
            )
        )
        speedups = "; ".join(
            _times(found.get(f"incremental_{name}_speedup"))
            for name in ("new_interactions", "changed_profiles")
        )
        single = found.get("single_event_seconds")
        table.add_row(
            f"{int(scale):,}", *ratios, speedups, NONE if single is None else f"{single:.2f} s"
        )
    out.print(table)
    for path in paths:
        out.print(f"wrote {path}", markup=False)
