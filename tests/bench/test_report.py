"""A whole benchmark run at a small scale, pandas skipped: every new figure is in the JSON,
and the Markdown shows each target next to its figure, marked met or not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from segmint.bench.cache import CachedData
from segmint.bench.report import markdown, write_report
from segmint.bench.run import BenchOptions, run_bench
from segmint.bench.targets import ROWS


@pytest.fixture(scope="module")
def result(small: CachedData) -> dict[str, Any]:
    options = BenchOptions(
        contacts=(small.contacts,),
        repeats=1,
        cache=small.root.parent,
        subprocesses=False,
        pandas_up_to=1_000,
    )
    return run_bench(options)


def test_the_run_has_every_new_figure(result: dict[str, Any]) -> None:
    scale = result["scales"][0]
    assert scale["pandas_measured"] is False
    assert scale["full_refresh"]["pandas"] is None
    assert scale["full_refresh"]["ratios"]["pandas_vs_sql"] is None
    assert set(scale["incremental_refresh"]) == {"new_interactions", "changed_profiles"}
    for key in ("compound", "single_event", "ingest"):
        assert "met" in scale[key], key
    assert "api_count" not in scale  # a subprocess: off with subprocesses=False
    assert result["settings"]["pandas_up_to"] == 1_000


def test_the_markdown_has_the_targets_with_marks(result: dict[str, Any]) -> None:
    text = markdown(result, None)
    assert "| incremental refresh |" not in text  # the old "not measured" placeholder
    assert "pandas was not run at 2,000 contacts" in text
    table = text.split("## Targets")[1].split("\n## ")[0]
    for label, target, _ in ROWS:
        line = next(x for x in table.splitlines() if x.startswith(f"| {label} |"))
        assert f"| {target} |" in line
    incremental = next(x for x in table.splitlines() if "a day of interactions" in x)
    assert incremental.rstrip(" |").endswith(("\u2713", "\u2717"))
    api = next(x for x in table.splitlines() if "HTTP API" in x)
    assert api.endswith("| \u2013 |")  # not measured in this run
    assert "## Incremental refresh per segment, 2,000 contacts" in text
    details = text.split("## Incremental refresh, compound segments")[1].split("\n## ")[0]
    for label in ("compound `and`", "compound `but-not`", "ingest from CSV", "end to end"):
        line = next(x for x in details.splitlines() if label in x)
        assert "\u2013" not in line, line  # measured in this run
    api = next(x for x in details.splitlines() if "through the HTTP API" in x)
    assert api.endswith("| \u2013 |")


def test_the_report_files_are_written(result: dict[str, Any], tmp_path: Path) -> None:
    paths = write_report(result, tmp_path)
    assert [p.suffix for p in paths] == [".json", ".md", ".png"]
    again = json.loads(paths[0].read_text(encoding="utf-8"))
    assert again["scales"][0]["incremental_refresh"]["new_interactions"]["identical_members"]
    assert paths[2].stat().st_size > 10_000
