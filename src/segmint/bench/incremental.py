"""Incremental refresh against a full refresh, after a realistic change of the data.

Two changes, each on its own fresh copy of the pristine database:

- `new_interactions`: a day of new events arrives for 1,000 contacts (a copy of each chosen
  contact's latest event of every kind, moved into the last day before `as_of`), appended
  one interaction kind at a time as `segmint append` does;
- `changed_profiles`: 1 % of the contacts are upserted with new values (lifetime value,
  email opt-in, last login), as `segmint upsert` does.

Before the change, every workload segment is stored as version 1 (a full refresh, which
records what it saw). After it, a minute later, each round refreshes all 20 segments twice
against version 1: incrementally (version 2) and in full (version 3), both counting who
entered and exited as a scheduled refresh does. The two must store identical members; the
versions of a round are dropped before the next, so every round starts from the same state.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from segmint.bench.measure import Timing, ratio, timed
from segmint.bench.tasks import Database
from segmint.bench.workload import WORKLOAD, WorkloadSegment
from segmint.bench.workload import resolve as resolve_segment
from segmint.catalog import Catalog
from segmint.errors import InternalError
from segmint.progress import Progress, silent
from segmint.sources.append import append_interactions, upsert_rows

DAY_CONTACTS: Final = 1_000  # contacts receiving a day of new interactions
CHANGED_SHARE: Final = 0.01  # the share of contacts whose profile changes
LATER: Final = dt.timedelta(minutes=1)  # the refresh after the change, this much later
TARGETS: Final = {"new_interactions": 10.0, "changed_profiles": 5.0}  # full ÷ incremental
FIRST, INCREMENTAL, FULL = 1, 2, 3  # the versions


@dataclass(frozen=True)
class Change:
    """A change of the data: what it is, how many rows, and how to apply it."""

    name: str
    what: str
    rows: int
    profiles: int
    apply: Callable[[Database], None]


def rows_of(db: Database, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The rows of a query as JSON-like records (as the API and CLI receive them)."""
    cursor = db.con.execute(sql, list(params))
    names = [d[0] for d in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _chosen(entity: str, key: str, limit: int, salt: str) -> str:
    """SQL choosing `limit` rows of an entity by a stable pseudo-random order."""
    return (
        f'SELECT "{key}" FROM "{entity}" ORDER BY hash("{key}" || \'{salt}\'), "{key}" '
        f"LIMIT {int(limit)}"
    )


def new_interactions(db: Database, catalog: Catalog, as_of: dt.datetime) -> Change:
    """A day of events for DAY_CONTACTS contacts: each one's latest event of every kind,
    copied with a new event id and a time in the day before `as_of`."""
    contacts = min(DAY_CONTACTS, int(db.scalar('SELECT count(*) FROM "contact"')))
    chosen = _chosen("contact", "contact_id", contacts, "day")
    instant = as_of.astimezone(dt.UTC).replace(tzinfo=None)
    batches: dict[str, list[dict[str, Any]]] = {}
    for kind, inter in sorted(catalog.interactions.items()):
        if inter.profile != "contact":
            continue
        stamp, owner = inter.timestamp, inter.profile_key
        rows = rows_of(
            db,
            f'SELECT * FROM "{inter.table}" WHERE "{owner}" IN ({chosen}) '
            f'QUALIFY row_number() OVER (PARTITION BY "{owner}" ORDER BY "{stamp}" DESC) = 1',
        )
        for i, row in enumerate(rows):
            row[stamp] = (instant - dt.timedelta(seconds=(i * 7919) % 86_400 + 1)).isoformat()
            if "event_id" in row:
                row["event_id"] = f"bench-day-{kind}-{i}"
        if rows:
            batches[kind] = rows

    def apply(target: Database) -> None:
        changes = target.engine.versions.changes
        for kind, rows in batches.items():
            append_interactions(target.con, target.engine.catalog, changes, kind, rows)

    total = sum(len(rows) for rows in batches.values())
    return Change(
        "new_interactions",
        f"a day of new interactions for {contacts:,} contacts",
        total,
        contacts,
        apply,
    )


def changed_profiles(db: Database, as_of: dt.datetime) -> Change:
    """CHANGED_SHARE of the contacts with new values: a higher lifetime value, the email
    opt-in flipped, a login in the last day."""
    size = int(db.scalar('SELECT count(*) FROM "contact"'))
    count = max(1, round(size * CHANGED_SHARE))
    rows = rows_of(
        db,
        f"SELECT * FROM contact WHERE contact_id IN "
        f"({_chosen('contact', 'contact_id', count, 'p')}) ORDER BY contact_id",
    )
    instant = as_of.astimezone(dt.UTC).replace(tzinfo=None)
    for i, row in enumerate(rows):
        row["lifetime_value"] = round(float(row["lifetime_value"] or 0) + 250.0, 2)
        row["email_opt_in"] = not row["email_opt_in"]
        row["last_login"] = (instant - dt.timedelta(seconds=(i * 7919) % 86_400 + 1)).isoformat()
        for name, value in row.items():
            if isinstance(value, dt.date):  # dates as the ISO text a client would send
                row[name] = value.isoformat()

    def apply(target: Database) -> None:
        upsert_rows(
            target.con, target.engine.catalog, target.engine.versions.changes, "contact", rows
        )

    share = f"{CHANGED_SHARE:.0%}"
    return Change(
        "changed_profiles", f"{share} of the contacts' profiles change", len(rows), len(rows), apply
    )


def measure_all(
    pristine: Path,
    scratch: Path,
    catalog: Catalog,
    as_of: dt.datetime,
    *,
    repeats: int,
    progress: Progress = silent,
    label: str = "",
) -> dict[str, Any]:
    """Both changes, each on a fresh copy of `pristine` at `scratch`."""
    found: dict[str, Any] = {}
    for make in ("new_interactions", "changed_profiles"):
        found[make] = measure(
            pristine, scratch, catalog, as_of, make, repeats=repeats, progress=progress, label=label
        )
    return found


def measure(
    pristine: Path,
    scratch: Path,
    catalog: Catalog,
    as_of: dt.datetime,
    change_name: str,
    *,
    repeats: int,
    progress: Progress = silent,
    label: str = "",
) -> dict[str, Any]:
    """One change: refresh all 20 incrementally and in full, `repeats` rounds after a warm-up."""
    step = f"{label} incremental: {change_name.replace('_', ' ')}".strip()
    drop(scratch)
    shutil.copyfile(pristine, scratch)
    db = Database(scratch, catalog, as_of)
    try:
        db.engine.prepare()
        change = (
            new_interactions(db, catalog, as_of)
            if change_name == "new_interactions"
            else changed_profiles(db, as_of)
        )
        progress(step, 0, repeats + 2, "the first full refresh")
        for seg in WORKLOAD:
            _write(db, seg, FIRST, None, as_of, incremental=False)
        db.con.execute("CHECKPOINT")
        applied, _ = timed(lambda: change.apply(db))
        later = as_of + LATER
        totals = {"incremental": Timing(), "full": Timing()}
        per_segment = {s.key: {"incremental": Timing(), "full": Timing()} for s in WORKLOAD}
        used: dict[str, bool] = {}
        moved: dict[str, int] = {}
        for round_ in range(repeats + 1):
            progress(step, round_ + 1, repeats + 2, "warm-up" if round_ == 0 else f"round {round_}")
            order = ("incremental", "full") if round_ % 2 else ("full", "incremental")
            for how in order:
                total = 0.0
                for seg in WORKLOAD:
                    version = INCREMENTAL if how == "incremental" else FULL
                    seconds, written = timed(
                        functools.partial(
                            _write, db, seg, version, FIRST, later, incremental=how == "incremental"
                        )
                    )
                    total += seconds
                    if how == "incremental":
                        used[seg.key] = db.engine.last_write_incremental
                        moved[seg.key] = written.entered + written.exited
                    if round_:
                        per_segment[seg.key][how].add(seconds)
                if round_:
                    totals[how].add(total)
            if round_ == 0:
                _check_equal(db)
            _forget(db)
        progress(step, repeats + 2, repeats + 2, "identical members")
    finally:
        db.close()
        drop(scratch)
    full, incremental = totals["full"], totals["incremental"]
    speedup = ratio(full.median, incremental.median)
    target = TARGETS[change_name]
    return {
        "change": change.what,
        "rows": change.rows,
        "profiles": change.profiles,
        "apply_seconds": applied,
        "refreshed_later_by_seconds": LATER.total_seconds(),
        "incremental": incremental.to_json(),
        "full": full.to_json(),
        "speedup": speedup,
        "speedup_min": ratio(full.min, incremental.min),
        "target_speedup": target,
        "met": speedup is not None and speedup >= target,
        "segments_incremental": sum(used.values()),
        "identical_members": True,
        "per_segment": {
            s.key: {
                "incremental": per_segment[s.key]["incremental"].median,
                "full": per_segment[s.key]["full"].median,
                "was_incremental": used[s.key],
                "entered_or_exited": moved[s.key],
            }
            for s in WORKLOAD
        },
    }


def _write(
    db: Database,
    seg: WorkloadSegment,
    version: int,
    previous: int | None,
    as_of: dt.datetime,
    *,
    incremental: bool,
) -> Any:
    return db.engine.write_version(
        seg.key,
        seg.definition,
        version=version,
        previous=previous,
        as_of=as_of,
        segments=resolve_segment,
        incremental=incremental,
    )


def _check_equal(db: Database) -> None:
    """The incremental and the full refresh stored the same members for every segment."""
    for seg in WORKLOAD:
        table = db.engine.versions.table(seg.audience)
        one = f"SELECT key FROM {table} WHERE segment = ? AND version = ?"
        differ = db.scalar(
            f"SELECT count(*) FROM (({one} EXCEPT {one}) UNION ALL ({one} EXCEPT {one}))",
            [seg.key, INCREMENTAL, seg.key, FULL, seg.key, FULL, seg.key, INCREMENTAL],
        )
        if differ:
            raise InternalError(
                f"incremental refresh: {seg.key} differs from a full refresh in {differ} members"
            )


def _forget(db: Database) -> None:
    """Drop the versions of a round (untimed), keeping version 1 and its mark."""
    for seg in WORKLOAD:
        db.engine.versions.drop(seg.key, seg.audience, [INCREMENTAL, FULL])
    db.con.execute("CHECKPOINT")


def drop(database: Path) -> None:
    """Delete a scratch database and its write-ahead log."""
    for path in (database, database.with_name(database.name + ".wal")):
        path.unlink(missing_ok=True)
