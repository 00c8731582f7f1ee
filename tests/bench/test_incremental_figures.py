"""The incremental-refresh measurement is right before it is timed: after each change, the
incremental and the full refresh store identical members (or the run stops), the change
really reaches the data, and repeats leave the pristine database untouched."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from segmint.bench import incremental
from segmint.bench.cache import CachedData
from segmint.bench.tasks import Database
from segmint.bench.workload import BY_KEY, WORKLOAD
from segmint.catalog import Catalog
from segmint.demo import DEMO_AS_OF
from segmint.errors import InternalError


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("change", ["new_interactions", "changed_profiles"])
def test_incremental_and_full_refresh_store_the_same_members(
    change: str, small: CachedData, small_catalog: Catalog, tmp_path: Path
) -> None:
    before = _digest(small.database)
    scratch = tmp_path / "scratch.duckdb"
    found = incremental.measure(
        small.database, scratch, small_catalog, DEMO_AS_OF, change, repeats=1
    )
    assert found["identical_members"] is True
    assert found["rows"] > 0
    assert found["incremental"]["runs"] == found["full"]["runs"] == 1
    assert set(found["per_segment"]) == {s.key for s in WORKLOAD}
    # Most segments go incremental; hour units (mobile-sale-browsers) always go full.
    assert found["per_segment"]["mobile-sale-browsers"]["was_incremental"] is False
    assert found["segments_incremental"] >= 15
    # The change moved someone in or out somewhere: the measurement is not of a no-op.
    assert sum(r["entered_or_exited"] for r in found["per_segment"].values()) > 0
    assert found["target_speedup"] == incremental.TARGETS[change]
    assert found["met"] == (found["speedup"] >= found["target_speedup"])
    assert not scratch.exists()
    assert _digest(small.database) == before  # the pristine copy stays pristine


@pytest.fixture
def db(small: CachedData, small_catalog: Catalog, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the small data set's database, with the engine's tables."""
    scratch = tmp_path / "copy.duckdb"
    scratch.write_bytes(small.database.read_bytes())
    found = Database(scratch, small_catalog, DEMO_AS_OF)
    found.engine.prepare()
    yield found
    found.close()


def test_a_day_of_interactions_reaches_the_tables(db: Database, small_catalog: Catalog) -> None:
    change = incremental.new_interactions(db, small_catalog, DEMO_AS_OF)
    assert change.profiles == incremental.DAY_CONTACTS
    before = db.scalar("SELECT count(*) FROM purchase")
    change.apply(db)
    added = db.scalar("SELECT count(*) FROM purchase") - before
    assert added > 0
    times = db.con.execute(
        "SELECT min(occurred_at), max(occurred_at) FROM purchase WHERE event_id LIKE 'bench-%'"
    ).fetchall()[0]
    as_of = DEMO_AS_OF.replace(tzinfo=None)
    assert as_of - dt.timedelta(days=1) <= times[0] <= times[1] < as_of  # the last day
    assert db.engine.versions.changes.latest() > 0  # recorded in the change log


def test_changed_profiles_are_upserted(db: Database) -> None:
    contacts = db.scalar("SELECT count(*) FROM contact")
    change = incremental.changed_profiles(db, DEMO_AS_OF)
    assert change.rows == round(contacts * incremental.CHANGED_SHARE)
    opted = db.scalar("SELECT count(*) FILTER (WHERE email_opt_in) FROM contact")
    change.apply(db)
    assert db.scalar("SELECT count(*) FROM contact") == contacts
    assert db.scalar("SELECT count(*) FILTER (WHERE email_opt_in) FROM contact") != opted


def test_a_difference_between_incremental_and_full_stops_the_run(db: Database) -> None:
    for seg in WORKLOAD:
        for version in (incremental.INCREMENTAL, incremental.FULL):
            incremental._write(db, seg, version, None, DEMO_AS_OF, incremental=False)
    incremental._check_equal(db)  # equal: no error
    seg = BY_KEY["vip-customers"]
    table = db.engine.versions.table(seg.audience)
    db.con.execute(
        f"DELETE FROM {table} WHERE segment = ? AND version = ? AND key IN "
        f"(SELECT key FROM {table} WHERE segment = ? AND version = ? LIMIT 1)",
        [seg.key, incremental.FULL, seg.key, incremental.FULL],
    )
    with pytest.raises(InternalError, match="vip-customers differs from a full refresh in 1"):
        incremental._check_equal(db)
