"""The workload as managed, live segments in a scratch workspace: what the CLI and the API
work with. Measures what only a workspace has: compound segments over stored memberships,
the exact count through the HTTP API, and a single new interaction end to end.

The scratch workspace (`<cache>/<seed>-<contacts>/bench-live/`) gets the cached data set's
settings, model and a copy of its pristine database, and a new metadata store. The 20
workload segments are created, go live and are refreshed in full once, as of now.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from segmint.bench.measure import Timing, timed
from segmint.bench.workload import BY_KEY, WORKLOAD, WorkloadSegment
from segmint.definition.check import referenced_segments
from segmint.definition.nodes import InSegment, SegmentDocument
from segmint.errors import InternalError
from segmint.progress import Progress, silent
from segmint.services.context import App
from segmint.store import SegmentType

FOLDER: Final = "bench-live"
COPIED: Final = ("segmint.toml", "model.yaml")
COMPOUND_TARGET: Final = 0.010  # seconds, at a million contacts
SINGLE_EVENT_TARGET: Final = 1.0  # seconds, append to new versions current


def ordered(workload: tuple[WorkloadSegment, ...] = WORKLOAD) -> list[WorkloadSegment]:
    """The workload with every segment after the segments it references."""
    done: dict[str, WorkloadSegment] = {}

    def visit(seg: WorkloadSegment) -> None:
        if seg.key in done:
            return
        for _, ref in referenced_segments(seg.definition.condition):
            visit(BY_KEY[ref])
        done[seg.key] = seg

    for seg in workload:
        visit(seg)
    return list(done.values())


def build(root: Path, pristine: Path, progress: Progress = silent, label: str = "") -> Path:
    """A fresh scratch workspace under `root` with the 20 workload segments live and
    refreshed; returns its folder."""
    from segmint.services import segments
    from segmint.services.refresh import refresh

    folder = root / FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "segments").mkdir(parents=True)
    for name in COPIED:
        shutil.copyfile(root / name, folder / name)
    shutil.copyfile(pristine, folder / "segmint.duckdb")
    step = f"{label} live workspace".strip()
    with open_app(folder) as app:
        chain = ordered()
        for i, seg in enumerate(chain):
            progress(step, i, len(chain) + 1, f"creating {seg.key}")
            document = SegmentDocument(
                key=seg.key,
                name=seg.title,
                audience=seg.audience,
                timezone=seg.definition.timezone,
                condition=seg.definition.condition,
            )
            segments.create(app, document)
            segments.go_live(app, seg.key, refresh_now=False)
        progress(step, len(chain), len(chain) + 1, "the first full refresh")
        done = refresh(app, all_segments=True)
        if done.run is None or done.run.status.value != "succeeded":
            raise InternalError(f"the live workspace's first refresh failed: {done.run}")
    progress(step, len(chain) + 1, len(chain) + 1, "ready")
    return folder


@contextmanager
def open_app(folder: Path) -> Iterator[App]:
    app = App.open(folder, actor="bench")
    try:
        yield app
    finally:
        app.close()


# --- compound segments over stored memberships -----------------------------------------


def compounds(sizes: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Three compound segments over the three biggest contact segments A, B, C:
    A and B; A or B or C; A but not B."""
    contact = sorted(
        (s for s in WORKLOAD if s.audience == "contact"), key=lambda s: (-sizes[s.key], s.key)
    )
    a, b, c = (s.key for s in contact[:3])

    def ref(key: str) -> dict[str, Any]:
        return {"type": "in_segment", "segment": key}

    return {
        "bench-compound-and": {"type": "and", "conditions": [ref(a), ref(b)]},
        "bench-compound-or": {"type": "or", "conditions": [ref(a), ref(b), ref(c)]},
        "bench-compound-but-not": {
            "type": "and",
            "conditions": [ref(a), {"type": "not", "condition": ref(b)}],
        },
    }


def _expected(condition: Any, members: dict[str, set[Any]]) -> set[Any]:
    """A compound condition's members by set algebra over its inputs' stored members."""
    from segmint.definition.nodes import And, Not, Or

    if isinstance(condition, InSegment):
        return members[condition.segment]
    if isinstance(condition, And):
        parts = [c for c in condition.conditions if not isinstance(c, Not)]
        found = set.intersection(*(_expected(c, members) for c in parts))
        for c in condition.conditions:
            if isinstance(c, Not):
                found -= _expected(c.condition, members)
        return found
    if isinstance(condition, Or):
        return set().union(*(_expected(c, members) for c in condition.conditions))
    raise InternalError(f"not a compound condition: {condition!r}")


def measure_compounds(
    folder: Path, sizes: dict[str, int], *, repeats: int, progress: Progress, label: str
) -> dict[str, Any]:
    """Create the compounds and time their refresh (a new version against the current one,
    with entered/exited counts, as a run's task writes it) and their exact count."""
    from segmint.services import segments

    step = f"{label} compound segments".strip()
    wanted = compounds(sizes)
    rows: dict[str, Any] = {}
    with open_app(folder) as app:
        engine = app.engine
        for i, (key, condition) in enumerate(wanted.items()):
            progress(step, i, len(wanted), key)
            document = SegmentDocument.model_validate(
                {"key": key, "audience": "contact", "condition": condition}
            )
            segments.create(app, document, type_=SegmentType.COMPOUND)
            seg, _ = segments.go_live(app, key)
            if seg.current_version is None:
                raise InternalError(f"compound segment {key} was not refreshed")
            definition = document.definition
            inputs = {ref for _, ref in referenced_segments(definition.condition)}
            members = {}
            with app.store.read() as r:
                for ref in inputs:
                    found = r.require(ref)
                    members[ref] = set(
                        engine.versions.read(ref, "contact", found.current_version or 0)
                    )
            expected = _expected(definition.condition, members)
            stored_now = set(engine.versions.read(key, "contact", seg.current_version))
            if stored_now != expected:
                raise InternalError(
                    f"compound segment {key}: {len(stored_now)} members stored, "
                    f"{len(expected)} by set algebra over its inputs"
                )
            refresh_t, count_t = Timing(), Timing()
            for round_ in range(repeats + 1):
                seconds, counted = _time_compound(
                    app, key, definition, seg.current_version, len(expected)
                )
                if round_:
                    refresh_t.add(seconds)
                    count_t.add(counted)
            rows[key] = {
                "condition": condition,
                "members": len(expected),
                "inputs": {ref: len(members[ref]) for ref in sorted(inputs)},
                "refresh": refresh_t.summary(),
                "count": count_t.summary(),
            }
        progress(step, len(wanted), len(wanted), "identical to set algebra")
    worst = max(r["refresh"]["median"] for r in rows.values())
    return {
        "what": (
            "a new version of each compound segment against its current one, read from its "
            "inputs' stored members (engine write, entered/exited counted); and its exact "
            "count; members checked against set algebra over the inputs"
        ),
        "worst_refresh_median": worst,
        "worst_count_median": max(r["count"]["median"] for r in rows.values()),
        "target_seconds": COMPOUND_TARGET,
        "met": worst < COMPOUND_TARGET,
        "per_segment": rows,
    }


def _time_compound(
    app: App, key: str, definition: Any, current: int, expected: int
) -> tuple[float, float]:
    """One refresh of a compound segment (a spare version, dropped after) and one exact
    count; their seconds. Both must find `expected` members."""
    from segmint.services.context import now

    engine = app.engine
    resolver, stored = app.resolver(), app.stored_members()
    moment = now()
    spare = current + 1000

    def write() -> Any:
        return engine.write_version(
            key,
            definition,
            version=spare,
            previous=current,
            as_of=moment,
            segments=resolver,
            stored=stored,
        )

    seconds, written = timed(write)
    engine.versions.drop(key, "contact", [spare])
    if written.members != expected:
        raise InternalError(f"compound segment {key}: {written.members} members")
    query = engine.keys_query(definition, as_of=moment, segments=resolver, stored=stored)

    def count() -> Any:
        sql = f"SELECT count(*) FROM ({query.sql})"
        return engine.con.execute(sql, query.params(moment)).fetchall()[0][0]

    counted, found = timed(count)
    if found != expected:
        raise InternalError(f"compound segment {key}: counted {found}")
    return seconds, counted


# --- a single new interaction, end to end ----------------------------------------------


def _busiest_kind(app: App) -> str:
    """The contact interaction kind read by the most live segments."""
    from segmint.services.changes import affected_segments

    kinds = [k for k, i in app.engine.catalog.interactions.items() if i.profile == "contact"]
    return max(sorted(kinds), key=lambda k: len(affected_segments(app, {k})))


def measure_single_event(
    folder: Path, *, repeats: int, progress: Progress, label: str
) -> dict[str, Any]:
    """Append one interaction for one contact through the service the CLI and the API use,
    refreshing what it affects; time append -> new versions current. Round 0 is a warm-up;
    its new versions are checked against a full evaluation."""
    from segmint.services import changes
    from segmint.services.context import now

    step = f"{label} single new interaction".strip()
    total, appended = Timing(), Timing()
    with open_app(folder) as app:
        kind = _busiest_kind(app)
        inter = app.engine.catalog.interactions[kind]
        affected = changes.affected_segments(app, {kind})
        template = app.engine.con.execute(
            f'SELECT * FROM "{inter.table}" ORDER BY "{inter.timestamp}" DESC LIMIT 1'
        )
        names = [d[0] for d in template.description or ()]
        base = dict(zip(names, template.fetchall()[0], strict=True))
        checked = 0
        for round_ in range(repeats + 1):
            progress(step, round_, repeats + 1, kind)
            with app.store.read() as r:
                before = {k: r.require(k).current_version for k in affected}
            row = {
                **{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in base.items()},
                inter.timestamp: (now() - dt.timedelta(seconds=1)).isoformat(),
            }
            if "event_id" in row:
                row["event_id"] = f"bench-single-{round_}"
            start = now()
            seconds, done = timed(
                functools.partial(changes.append, app, kind, [row], refresh_after=True)
            )
            with app.store.read() as r:
                after = {k: r.require(k) for k in affected}
            run = done.refreshed.run if done.refreshed else None
            if run is None or run.status.value != "succeeded":
                raise InternalError(f"single new interaction: the refresh did not succeed: {run}")
            stale = [k for k in affected if after[k].current_version == before[k]]
            if stale:
                raise InternalError(f"single new interaction: not refreshed: {', '.join(stale)}")
            if round_ == 0:
                checked = _check_versions(app, after, start)
            if round_:
                total.add(seconds)
                appended.add(_append_seconds(app, kind, row, round_))
        progress(step, repeats + 1, repeats + 1, "current")
    return {
        "kind": kind,
        "segments_refreshed": affected,
        "segments_checked": checked,
        "end_to_end": total.to_json(),
        "append_only": appended.summary(),
        "target_seconds": SINGLE_EVENT_TARGET,
        "met": total.median < SINGLE_EVENT_TARGET,
    }


def _append_seconds(app: App, kind: str, row: dict[str, Any], round_: int) -> float:
    """The append alone (no refresh), for the split of the end-to-end time."""
    from segmint.services import changes

    extra = {**row, "event_id": f"bench-single-append-{round_}"} if "event_id" in row else row
    seconds, _ = timed(functools.partial(changes.append, app, kind, [extra]))
    return seconds


def _check_versions(app: App, segments: dict[str, Any], since: dt.datetime) -> int:
    """Each new version was written after `since` and holds what a full evaluation at its
    own as_of gives (compound segments: written after `since`); how many were compared."""
    engine = app.engine
    resolver = app.resolver()
    checked = 0
    for key, seg in segments.items():
        mark = engine.versions.changes.mark_of(key, seg.current_version)
        if mark is None or mark.as_of < since:
            raise InternalError(f"single new interaction: {key} has no new version mark")
        definition = app.definition(seg)
        if seg.type is SegmentType.COMPOUND:
            continue
        expected = engine.member_keys(definition, as_of=mark.as_of, segments=resolver)
        stored = set(engine.versions.read(key, seg.audience, seg.current_version))
        if stored != expected:
            raise InternalError(
                f"single new interaction: {key} stored {len(stored)} members, a full "
                f"evaluation gives {len(expected)}"
            )
        checked += 1
    return checked
