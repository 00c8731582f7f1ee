"""The ingest measurement loads every row, from Parquet and from CSV copies written once."""

from __future__ import annotations

from pathlib import Path

from segmint.bench import ingest_speed
from segmint.bench.cache import CachedData
from segmint.workspace import open_workspace


def test_ingest_from_parquet_and_csv_loads_every_row(small: CachedData) -> None:
    model = open_workspace(small.root).model
    found = ingest_speed.measure(small.root, model, small.rows, repeats=1)
    assert found["rows"] == sum(small.rows.values())
    assert 0 < found["interaction_rows"] < found["rows"]
    for fmt in ("parquet", "csv"):
        assert found[fmt]["all"]["runs"] == 1
        assert 0 < found[fmt]["interactions"]["median"] < found[fmt]["all"]["median"]
    assert found["met"]["csv"] == (found["csv"]["all"]["rows_per_second"] >= 1_000_000)
    assert not (small.root / ingest_speed.SCRATCH).exists()


def test_the_csv_copies_are_written_once(small: CachedData) -> None:
    ingest_speed.write_csv(small.root)
    folder = small.root / ingest_speed.CSV_FOLDER
    names = sorted(p.stem for p in folder.glob("*.csv"))
    model = open_workspace(small.root).model
    assert names == sorted([*model.entities, *model.interactions])
    assert ingest_speed.write_csv(small.root) == 0.0  # reused
    # Copies from an older version of the benchmark (no format in the marker) are rewritten.
    (folder / ingest_speed.MARKER).write_text('{"seconds": 1.0}\n', encoding="utf-8")
    assert ingest_speed.write_csv(small.root) > 0.0
    assert ingest_speed.write_csv(small.root) == 0.0


def test_every_csv_value_is_quoted(small: CachedData) -> None:
    """DuckDB's sniffer reads the first rows only: with every value quoted it always finds
    the quote character, even when the first comma inside a value comes much later."""
    ingest_speed.write_csv(small.root)
    with (small.root / ingest_speed.CSV_FOLDER / "email_sent.csv").open(encoding="utf-8") as f:
        header, first = f.readline(), f.readline()
    assert header.startswith('"event_id","contact_id"')
    assert first.startswith('"ES')


def test_the_csv_model_reads_the_copies(small: CachedData) -> None:
    model = ingest_speed.csv_model(small.root)
    paths = [e.source.path for e in model.entities.values()]
    paths += [i.source.path for i in model.interactions.values()]
    assert all(Path(p).parent.name == "csv" and p.endswith(".csv") for p in paths)


def test_expected_rows_are_keyed_by_table(small: CachedData) -> None:
    model = open_workspace(small.root).model
    rows = ingest_speed.expected_rows_of(model, small.rows)
    assert rows["contact"] == small.rows["contacts"]
    assert rows["purchase"] == small.rows["purchase"]


def test_the_clock_times_the_sources_it_is_told_about() -> None:
    clock = ingest_speed._Clock(lambda *_: None, "ingest")
    clock.marks = [
        (0.0, "loading data/contacts.parquet"),
        (1.0, "loading data/purchase.parquet"),
        (3.5, "loading data/web_visit.parquet"),
        (4.0, "checking references"),
    ]
    assert clock.seconds_of({"data/purchase.parquet", "data/web_visit.parquet"}) == 3.0
    assert clock.seconds_of({"data/other.parquet"}) == 0.0
