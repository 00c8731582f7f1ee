"""`segmint bench` options: scales as a list, pandas skipped above a scale, and bad values
refused with a clear message (exit 1) before anything runs."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from segmint.bench.run import BenchOptions
from segmint.cli.app import app
from segmint.cli.bench import parse_scales
from segmint.errors import UserError


def test_scales_as_a_comma_separated_list_or_repeated() -> None:
    assert parse_scales(["100000,1000000,3000000"]) == [100_000, 1_000_000, 3_000_000]
    assert parse_scales(["10000", "100_000"]) == [10_000, 100_000]
    assert parse_scales([" 10000 , 20000"]) == [10_000, 20_000]


@pytest.mark.parametrize("value", ["1e6", "abc", "100000,", "-5"])
def test_a_scale_that_is_not_a_number_is_refused(value: str) -> None:
    with pytest.raises(UserError, match="--contacts"):
        parse_scales([value])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--contacts", "10000,abc"], "'abc' is not a whole number"),
        (["--contacts", "500"], "between 1000 and 100000000"),
        (["--no-pandas-above", "-1"], "--no-pandas-above must be zero or positive"),
        (["--repeats", "0"], "--repeats must be between 1 and 1000"),
    ],
)
def test_bad_options_exit_1_with_a_message(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["bench", *args])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_pandas_runs_up_to_the_chosen_scale() -> None:
    options = BenchOptions(contacts=(100_000, 1_000_000, 3_000_000), pandas_up_to=1_000_000)
    assert [options.with_pandas(n) for n in options.contacts] == [True, True, False]
    assert BenchOptions().with_pandas(100_000_000)


def test_ingest_runs_fewer_times_at_larger_scales() -> None:
    options = BenchOptions(repeats=5)
    assert [options.ingest_repeats(n) for n in (10_000, 1_000_000, 3_000_000)] == [3, 2, 1]
    assert BenchOptions(repeats=1).ingest_repeats(10_000) == 1
