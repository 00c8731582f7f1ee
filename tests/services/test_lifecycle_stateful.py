"""A stateful property test of the segment lifecycle.

Hypothesis drives random sequences of lifecycle operations (create, edit, save / discard an
edit, go live, stop, activate / deactivate now or by schedule, duplicate, delete with or
without confirm, static add / remove, refresh one or all) against a small workspace. Before
each operation the test predicts, from what the store says, whether it must fail and how;
after it, it checks the outcome, and after every step the invariants:

- an operation that fails changes nothing (segments, revisions, members, versions, rows);
- only allowed transitions happen: editing a live segment keeps its live revision serving,
  a refresh runs the revision that serves, stopping a live compound's input needs confirm;
- every refresh task ends as predicted: a compound is computed only from usable inputs,
  and is skipped when an input failed in the same run;
- readers always see a complete version: the current version's stored member count equals
  its rows in the engine, and pruned versions have no rows;
- the rows of every current version are what an independent evaluation gave when it was
  written (the definition evaluated afresh at the run's as_of; set logic in Python over the
  inputs' stored members for compound segments; the hand-picked keys for static ones);
- the quota of live, active segments is never exceeded.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from lifecycle_support import (
    AS_OF,
    all_keys,
    all_of,
    any_of,
    attribute,
    but_not,
    copy_demo,
    document,
    in_segment,
)
from segmint.definition.check import referenced_segments
from segmint.definition.nodes import And, Definition, InSegment, Not, Or
from segmint.errors import UserError
from segmint.runs.status import RunStatus, TaskStatus
from segmint.services import segments, static
from segmint.services.context import App, definition_from_json
from segmint.services.refresh import refresh
from segmint.store import Segment, SegmentState, SegmentType, Version

T = TypeVar("T")

# The demo's segments kept for the machine (all about contacts, except dormant-accounts):
# vip-customers reads test-and-internal; loyal-not-at-risk combines vip-customers,
# repeat-customers-no-returns and churn-risk; churn-risk has a consumer.
KEEP = (
    "vip-customers",
    "test-and-internal",
    "churn-risk",
    "repeat-customers-no-returns",
    "loyal-not-at-risk",
    "hand-picked-vips",
    "dormant-accounts",
    "black-friday-2025",
)
NEW = ("n1", "n2", "n3")
KEYS = KEEP + NEW
REFS = tuple(k for k in KEYS if k != "dormant-accounts")  # contact segments
QUOTA = 7  # the template starts with 6 live, active segments
KEEP_VERSIONS = 2
STATIC_TYPES = (SegmentType.STATIC,)

CONDITIONS = {
    "gold": attribute("loyalty_tier", "in", ["Gold", "Platinum"]),
    "uk": attribute("country", "eq", "UK"),
    "spenders": attribute("lifetime_value", "gte", 500),
}

simple_conditions = st.sampled_from(sorted(CONDITIONS)).map(CONDITIONS.__getitem__)
conditions = st.one_of(
    simple_conditions,
    simple_conditions,  # twice: half of the edits change no references
    st.sampled_from(REFS).map(lambda k: all_of(CONDITIONS["uk"], in_segment(k))),
    st.tuples(st.sampled_from(REFS), st.sampled_from(REFS)).map(
        lambda ab: any_of(in_segment(ab[0]), in_segment(ab[1]))
    ),
    st.tuples(st.sampled_from(REFS), st.sampled_from(REFS)).map(
        lambda ab: all_of(in_segment(ab[0]), but_not(in_segment(ab[1])))
    ),
)

_template: Path | None = None
_initial_expected: dict[tuple[str, int], frozenset[str]] = {}


def machine_template() -> Path:
    """The demo workspace cut down to KEEP, without segment files, with a small quota."""
    global _template  # noqa: PLW0603 - built once per process
    if _template is None:
        base = Path(tempfile.mkdtemp(prefix="segmint-lifecycle-template-"))
        atexit.register(shutil.rmtree, base, ignore_errors=True)
        root = copy_demo(base / "w", max_active_segments=QUOTA, keep_versions=KEEP_VERSIONS)
        shutil.rmtree(root / "segments")  # references resolve to managed segments only
        (root / "segments").mkdir()
        with App.open(root, actor="setup") as app:
            with app.store.read() as r:
                others = [s.key for s in r.segments(sort="key") if s.key not in KEEP]
            for key in others:
                segments.delete(app, key, confirm=True)
        _template = root
    return _template


@dataclass(frozen=True)
class Snapshot:
    """Everything an operation may change, as the store and the engine have it."""

    segs: dict[str, Segment]
    revisions: dict[str, tuple[int, ...]]
    static: dict[str, tuple[str, ...]]
    versions: dict[str, tuple[Version, ...]]
    consumers: dict[str, int]
    rows: dict[tuple[str, int], int]  # (segment, version) -> rows in the engine
    runs: int  # the newest run id


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.base = Path(tempfile.mkdtemp(prefix="segmint-lifecycle-"))
        root = Path(shutil.copytree(machine_template(), self.base / "w"))
        self.app = App.open(root, actor="machine")
        self.universe = all_keys(self.app)
        self.refs_cache: dict[tuple[str, int, str], frozenset[str]] = {}
        self.expected: dict[tuple[str, int], frozenset[str]] = {}
        self.revision_of: dict[tuple[str, int], int] = {}  # version -> revision refreshed
        self.clock = dt.datetime.now(dt.UTC)
        self.editing: list[str] = []  # live segments with a pending edit, after the last step
        if not _initial_expected:  # the same for every example: evaluated once
            for key, seg in self.snapshot().segs.items():
                if seg.current_version is not None:
                    self.learn(key, seg.current_version)
            _initial_expected.update(self.expected)
        self.expected.update(_initial_expected)

    def teardown(self) -> None:
        self.app.close()
        shutil.rmtree(self.base, ignore_errors=True)

    # --- reading the state ------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        app = self.app
        with app.store.read() as r:
            segs = {s.key: s for s in r.segments(sort="key")}
            revisions = {k: tuple(n for n, _, _ in r.revisions(k)) for k in segs}
            members = {k: tuple(r.static_members(k)) for k in segs}
            versions = {k: tuple(r.versions(k)) for k in segs}
            consumers = {k: len(r.consumers(k)) for k in segs}
            runs = r.runs(limit=1)
        found: dict[tuple[str, int], int] = {}
        for audience in ("contact", "account"):
            table = app.engine.versions.table(audience)
            for seg, version, count in app.engine.con.execute(
                f'SELECT segment, version, count(*) FROM "{table}" GROUP BY ALL'
            ).fetchall():
                found[(seg, int(version))] = int(count)
        return Snapshot(
            segs, revisions, members, versions, consumers, found, runs[0].id if runs else 0
        )

    def definition(self, seg: Segment, revision: int) -> Definition:
        with self.app.store.read() as r:
            return definition_from_json(r.revision(seg.key, revision))

    def refs(self, seg: Segment, revision: int) -> frozenset[str]:
        """The keys a revision's definition references (static segments: none)."""
        if seg.type in STATIC_TYPES:
            return frozenset()
        cache_key = (seg.key, revision, seg.created_at.isoformat())
        if cache_key not in self.refs_cache:
            condition = self.definition(seg, revision).condition
            self.refs_cache[cache_key] = frozenset(k for _, k in referenced_segments(condition))
        return self.refs_cache[cache_key]

    def serving_refs(self, snap: Snapshot, key: str) -> frozenset[str]:
        seg = snap.segs.get(key)
        return frozenset() if seg is None else self.refs(seg, seg.serving_revision)

    # --- predictions --------------------------------------------------------------------

    def has_cycle(self, snap: Snapshot, root: str | None, refs: frozenset[str]) -> bool:
        """A reference cycle reachable from refs (root's edges being refs)."""
        done: set[str] = set()

        def edges(key: str) -> frozenset[str]:
            return refs if key == root else self.serving_refs(snap, key)

        def visit(key: str, trail: tuple[str, ...]) -> bool:
            if key in trail:
                return True
            if key in done:
                return False
            if any(visit(nxt, (*trail, key)) for nxt in edges(key)):
                return True
            done.add(key)
            return False

        start = (root,) if root is not None else ()
        return any(visit(ref, start) for ref in refs)

    def reaches(self, snap: Snapshot, refs: frozenset[str], bad: Callable[[str], bool]) -> bool:
        """Whether following definitions from refs reaches a key for which bad() holds."""
        seen: set[str] = set()
        todo = list(refs)
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            if bad(key):
                return True
            todo.extend(self.serving_refs(snap, key))
        return False

    def invalid(
        self, snap: Snapshot, key: str | None, refs: frozenset[str], type_: SegmentType
    ) -> bool:
        """Whether validate_definition rejects a definition with these references."""

        def is_static(k: str) -> bool:
            return k in snap.segs and snap.segs[k].type in STATIC_TYPES

        if any(r not in snap.segs or snap.segs[r].audience != "contact" for r in refs):
            return True
        if self.has_cycle(snap, key, refs):
            return True
        return type_ is not SegmentType.COMPOUND and self.reaches(snap, refs, is_static)

    @staticmethod
    def compound_shaped(condition: dict[str, Any]) -> bool:
        if condition["type"] in ("and", "or"):
            return all(Lifecycle.compound_shaped(c) for c in condition["conditions"])
        if condition["type"] == "not":
            return Lifecycle.compound_shaped(condition["condition"])
        return bool(condition["type"] == "in_segment")

    def definition_error(
        self, snap: Snapshot, key: str | None, condition: dict[str, Any], type_: SegmentType
    ) -> str | None:
        refs = frozenset(k for _, k in referenced_segments(document(condition).condition))
        if self.invalid(snap, key, refs, type_):
            return "is not a valid definition"
        if type_ is SegmentType.COMPOUND and not self.compound_shaped(condition):
            return "is not a valid compound segment"
        return None

    def live_and_active(self, snap: Snapshot, besides: str) -> int:
        return sum(
            1
            for s in snap.segs.values()
            if s.state is SegmentState.LIVE and s.active and s.key != besides
        )

    def users(self, snap: Snapshot, key: str, *, live_compounds: bool = False) -> list[str]:
        """Segments referencing key in a revision that serves, is the latest or is pending."""
        found = []
        for other in snap.segs.values():
            if other.key == key or other.type in STATIC_TYPES:
                continue
            if live_compounds and (
                other.type is not SegmentType.COMPOUND or other.state is not SegmentState.LIVE
            ):
                continue
            numbers = {other.serving_revision, other.revision}
            if other.pending_revision is not None:
                numbers.add(other.pending_revision)
            if any(key in self.refs(other, n) for n in numbers):
                found.append(other.key)
        return found

    # --- doing --------------------------------------------------------------------------

    def attempt(
        self, before: Snapshot, expected_error: str | None, action: Callable[[], T]
    ) -> T | None:
        """Run an operation; check it fails exactly when predicted, changing nothing then."""
        try:
            result = action()
        except UserError as exc:
            text = "\n".join(exc.lines())
            assert expected_error is not None, f"unexpected error: {text}"
            assert expected_error in text, f"expected {expected_error!r}, got: {text}"
            assert self.snapshot() == before, "a failed operation changed something"
            return None
        assert expected_error is None, f"expected {expected_error!r}, but it succeeded"
        return result

    def check_runs(self, before: Snapshot) -> None:
        """Every run since `before` ended as predicted; learn what its versions must hold."""
        after = self.snapshot()
        with self.app.store.read() as r:
            new_runs = [run for run in reversed(r.runs(limit=10)) if run.id > before.runs]
        current = {k: s.current_version for k, s in before.segs.items()}
        for run in new_runs:
            assert run.status.finished
            outcome: dict[str, TaskStatus] = {}
            for task in run.tasks:  # in plan order: every input before what reads it
                seg = after.segs[task.segment]
                assert task.revision == seg.serving_revision
                if any(outcome[d] is not TaskStatus.SUCCEEDED for d in task.depends_on):
                    want = TaskStatus.SKIPPED
                elif seg.type in STATIC_TYPES:
                    want = TaskStatus.SUCCEEDED
                elif seg.type is SegmentType.COMPOUND:
                    inputs = self.refs(seg, seg.serving_revision)
                    usable = all(
                        k in after.segs
                        and after.segs[k].state is SegmentState.LIVE
                        and after.segs[k].active
                        and current.get(k) is not None
                        for k in inputs
                    )
                    want = TaskStatus.SUCCEEDED if usable else TaskStatus.FAILED
                else:
                    broken = self.reaches(
                        after,
                        self.refs(seg, seg.serving_revision),
                        lambda k: k not in after.segs or after.segs[k].type in STATIC_TYPES,
                    ) or self.has_cycle(after, None, self.refs(seg, seg.serving_revision))
                    want = TaskStatus.FAILED if broken else TaskStatus.SUCCEEDED
                assert task.status is want, (task, want)
                outcome[task.segment] = task.status
                if task.status is TaskStatus.SUCCEEDED:
                    assert task.version is not None
                    current[task.segment] = task.version
                    self.revision_of[(task.segment, task.version)] = seg.serving_revision
            failed = any(s is TaskStatus.FAILED for s in outcome.values())
            assert run.status is (RunStatus.FAILED if failed else RunStatus.SUCCEEDED)
        assert {k: current[k] for k in after.segs if k in current} == {
            k: s.current_version for k, s in after.segs.items() if k in current
        }
        for run in new_runs:
            for task in run.tasks:
                if task.status is TaskStatus.SUCCEEDED and task.version is not None:
                    self.learn(task.segment, task.version)

    def learn(self, key: str, version: int) -> None:
        """Evaluate independently what a version just written must hold."""
        app = self.app
        with app.store.read() as r:
            seg = r.require(key)
            record = next(v for v in r.versions(key) if v.version == version)
            members = set(r.static_members(key))
        if seg.type in STATIC_TYPES:
            found = members & self.universe
        else:
            revision = self.revision_of.get((key, version), seg.serving_revision)
            definition = self.definition(seg, revision)
            if seg.type is SegmentType.COMPOUND:
                found = self.combine(definition.condition)
            else:
                found = {
                    str(k)
                    for k in app.engine.member_keys(
                        definition, as_of=record.as_of, segments=app.resolver()
                    )
                }
        self.expected[(key, version)] = frozenset(found)

    def combine(self, node: Any) -> set[str]:
        """Set logic over the inputs' current stored members."""
        if isinstance(node, InSegment):
            with self.app.store.read() as r:
                seg = r.require(node.segment)
            assert seg.current_version is not None
            return self.stored(node.segment, seg.current_version)
        if isinstance(node, And):
            out = set(self.universe)
            for child in node.conditions:
                out &= self.combine(child)
            return out
        if isinstance(node, Or):
            out = set()
            for child in node.conditions:
                out |= self.combine(child)
            return out
        assert isinstance(node, Not)
        return self.universe - self.combine(node.condition)

    def stored(self, key: str, version: int) -> set[str]:
        with self.app.store.read() as r:
            audience = r.require(key).audience
        table = self.app.engine.versions.table(audience)
        found = self.app.engine.con.execute(
            f'SELECT key FROM "{table}" WHERE segment = ? AND version = ?', [key, version]
        ).fetchall()
        return {str(k[0]) for k in found}

    # --- rules --------------------------------------------------------------------------

    def choose(
        self, data: st.DataObject, preferred: list[str], among: tuple[str, ...] = KEYS
    ) -> str:
        """Mostly a key where the operation is interesting, sometimes any key."""
        if preferred and data.draw(st.integers(0, 4), label="steer"):
            return data.draw(st.sampled_from(sorted(preferred)), label="key")
        return data.draw(st.sampled_from(among), label="key")

    @rule(
        data=st.data(),
        type_=st.sampled_from([SegmentType.DYNAMIC, SegmentType.COMPOUND, SegmentType.STATIC]),
        condition=conditions,
    )
    def create(self, data: st.DataObject, type_: SegmentType, condition: dict[str, Any]) -> None:
        snap = self.snapshot()
        key = self.choose(data, [k for k in NEW if k not in snap.segs], NEW)
        error = None
        if type_ is not SegmentType.STATIC:
            error = self.definition_error(snap, key, condition, type_)
        if error is None and key in snap.segs:
            error = "already exists"
        seg = self.attempt(
            snap,
            error,
            lambda: segments.create(self.app, document(condition, key=key), type_=type_),
        )
        if seg is not None:
            assert (seg.state, seg.revision, seg.active, seg.type) == (
                SegmentState.DRAFT,
                1,
                True,
                type_,
            )

    @rule(data=st.data(), condition=conditions)
    def edit(self, data: st.DataObject, condition: dict[str, Any]) -> None:
        snap = self.snapshot()
        key = self.choose(
            data,
            [
                k
                for k, s in snap.segs.items()
                if s.type not in STATIC_TYPES and s.state is SegmentState.LIVE
            ],
        )
        seg = snap.segs.get(key)
        if seg is None:
            error: str | None = "no segment with key"
        elif seg.type in STATIC_TYPES:
            error = "has no definition to edit"
        elif seg.audience != "contact":
            error = "its audience cannot change"
        else:
            error = self.definition_error(snap, key, condition, seg.type)
        after = self.attempt(snap, error, lambda: segments.edit(self.app, key, document(condition)))
        if after is not None and seg is not None:
            assert after.revision == seg.revision + 1
            assert after.current_version == seg.current_version
            if seg.state is SegmentState.LIVE:
                # The live revision keeps serving until the edit is saved.
                assert after.live_revision == seg.live_revision
                assert after.serving_revision == seg.serving_revision
                assert after.pending_revision == after.revision
            else:
                assert after.pending_revision is None
                assert after.serving_revision == after.revision

    @precondition(lambda self: self.editing)
    @rule(data=st.data())
    def save_edit(self, data: st.DataObject) -> None:
        snap = self.snapshot()
        key = self.choose(data, [k for k, s in snap.segs.items() if s.editing])
        seg = snap.segs.get(key)
        error: str | None = None
        if seg is None:
            error = "no segment with key"
        elif not seg.editing or seg.pending_revision is None:
            error = "has no pending edit to save"
        else:
            refs = self.refs(seg, seg.pending_revision)
            if self.invalid(snap, key, refs, seg.type):
                error = "is not a valid definition"
            elif seg.type is SegmentType.COMPOUND and any(
                snap.segs[r].state is not SegmentState.LIVE for r in refs
            ):
                error = "combines live segments only"
        done = self.attempt(snap, error, lambda: segments.save_edit(self.app, key))
        if done is not None and seg is not None:
            after, _ = done
            assert after.live_revision == seg.pending_revision
            assert after.pending_revision is None and after.state is SegmentState.LIVE
            self.check_runs(snap)

    @precondition(lambda self: self.editing)
    @rule(data=st.data())
    def discard_edit(self, data: st.DataObject) -> None:
        snap = self.snapshot()
        key = self.choose(data, [k for k, s in snap.segs.items() if s.editing])
        seg = snap.segs.get(key)
        error = "no segment with key" if seg is None else None
        if seg is not None and not seg.editing:
            error = "has no pending edit"
        after = self.attempt(snap, error, lambda: segments.discard_edit(self.app, key))
        if after is not None and seg is not None and seg.live_revision is not None:
            assert after.pending_revision is None
            assert after.live_revision == seg.live_revision
            assert after.current_version == seg.current_version
            assert self.definition(after, after.revision) == self.definition(
                after, seg.live_revision
            )

    @rule(data=st.data())
    def go_live(self, data: st.DataObject) -> None:
        snap = self.snapshot()
        key = self.choose(data, [k for k, s in snap.segs.items() if s.state is SegmentState.DRAFT])
        seg = snap.segs.get(key)
        error: str | None = None
        if seg is None:
            error = "no segment with key"
        elif seg.state is SegmentState.LIVE:
            error = "is already live"
        elif seg.type not in STATIC_TYPES:
            refs = self.refs(seg, seg.revision)
            if self.invalid(snap, key, refs, seg.type):
                error = "is not a valid definition"
            elif seg.type is SegmentType.COMPOUND and any(
                snap.segs[r].state is not SegmentState.LIVE for r in refs
            ):
                error = "combines live segments only"
        if (
            error is None
            and seg is not None
            and seg.active
            and self.live_and_active(snap, key) >= QUOTA
        ):
            error = f"the quota of {QUOTA} live, active segments is reached"
        done = self.attempt(snap, error, lambda: segments.go_live(self.app, key))
        if done is not None and seg is not None:
            after, _ = done
            assert after.state is SegmentState.LIVE and after.live_revision == seg.revision
            self.check_runs(snap)

    @rule(data=st.data(), confirm=st.booleans())
    def stop(self, data: st.DataObject, confirm: bool) -> None:
        snap = self.snapshot()
        key = self.choose(data, [k for k, s in snap.segs.items() if s.state is SegmentState.LIVE])
        seg = snap.segs.get(key)
        error: str | None = None
        if seg is None:
            error = "no segment with key"
        elif seg.state is not SegmentState.LIVE:
            error = "is not live"
        elif not confirm and self.users(snap, key, live_compounds=True):
            error = "feeds live compound segments; confirm"
        after = self.attempt(snap, error, lambda: segments.stop(self.app, key, confirm=confirm))
        if after is not None and seg is not None:
            assert after.state is SegmentState.DRAFT and after.pending_revision is None
            assert after.current_version == seg.current_version

    @rule(data=st.data(), active=st.booleans())
    def switch(self, data: st.DataObject, active: bool) -> None:
        snap = self.snapshot()
        key = self.choose(data, [k for k, s in snap.segs.items() if s.active is not active])
        seg = snap.segs.get(key)
        error: str | None = "no segment with key" if seg is None else None
        if (
            active
            and seg is not None
            and seg.state is SegmentState.LIVE
            and not seg.active
            and self.live_and_active(snap, key) >= QUOTA
        ):
            error = "quota"
        change = segments.activate if active else segments.deactivate
        after = self.attempt(snap, error, lambda: change(self.app, key))
        if after is not None:
            assert after.active is active

    @rule(data=st.data(), active=st.booleans())
    def schedule(self, data: st.DataObject, active: bool) -> None:
        snap = self.snapshot()
        key = self.choose(data, [k for k, s in snap.segs.items() if s.active is not active])
        error = "no segment with key" if key not in snap.segs else None
        at = self.clock + dt.timedelta(days=1)
        change = segments.activate if active else segments.deactivate
        after = self.attempt(snap, error, lambda: change(self.app, key, at=at))
        if after is not None:
            assert (after.activate_at if active else after.deactivate_at) == at

    @rule()
    def apply_schedule(self) -> None:
        snap = self.snapshot()
        self.clock += dt.timedelta(days=2)
        # Predicted: due changes in time order, deactivations first at the same time; an
        # activation the quota does not allow waits (stays scheduled).
        state = {k: s.active for k, s in snap.segs.items()}
        due = sorted(
            [(s.activate_at, True, k) for k, s in snap.segs.items() if s.activate_at]
            + [(s.deactivate_at, False, k) for k, s in snap.segs.items() if s.deactivate_at]
        )
        waiting = set()
        for at, activating, key in due:
            if at > self.clock:
                continue
            live = snap.segs[key].state is SegmentState.LIVE
            counted = sum(
                1
                for k, on in state.items()
                if on and k != key and snap.segs[k].state is SegmentState.LIVE
            )
            if activating and live and not state[key] and counted >= QUOTA:
                waiting.add(key)
                continue
            state[key] = activating
        segments.apply_activation_schedule(self.app, self.clock)
        after = self.snapshot()
        assert {k: s.active for k, s in after.segs.items()} == state
        assert {k for k, s in after.segs.items() if s.activate_at} == waiting | {
            k for k, s in snap.segs.items() if s.activate_at and s.activate_at > self.clock
        }
        assert all(
            s.deactivate_at is None or s.deactivate_at > self.clock for s in after.segs.values()
        )

    @rule(data=st.data())
    def duplicate(self, data: st.DataObject) -> None:
        snap = self.snapshot()
        key = self.choose(data, list(snap.segs))
        new = self.choose(data, [k for k in NEW if k not in snap.segs], NEW)
        seg = snap.segs.get(key)
        error: str | None = None
        if seg is None:
            error = "no segment with key"
        elif new in snap.segs:
            error = "already exists"
        copy = self.attempt(snap, error, lambda: segments.duplicate(self.app, key, new))
        if copy is not None and seg is not None:
            assert (copy.state, copy.revision, copy.type) == (SegmentState.DRAFT, 1, seg.type)
            assert copy.tags == seg.tags
            assert self.refs(copy, 1) == self.refs(seg, seg.revision)
            assert self.snapshot().static[new] == snap.static[key]

    @rule(data=st.data(), confirm=st.booleans())
    def delete(self, data: st.DataObject, confirm: bool) -> None:
        snap = self.snapshot()
        key = self.choose(data, [k for k in snap.segs if self.users(snap, k)])
        error: str | None = None
        if key not in snap.segs:
            error = "no segment with key"
        elif not confirm and (self.users(snap, key) or snap.consumers[key]):
            error = "is in use; confirm"
        if self.attempt(snap, error, lambda: segments.delete(self.app, key, confirm=confirm)):
            after = self.snapshot()
            assert key not in after.segs
            assert not any(k == key for k, _ in after.rows)

    @rule(data=st.data(), count=st.integers(1, 3), unknown=st.booleans())
    def static_add(self, data: st.DataObject, count: int, unknown: bool) -> None:
        snap = self.snapshot()
        key = self.choose(data, [k for k, s in snap.segs.items() if s.type in STATIC_TYPES])
        picked = sorted(self.universe)[10 * count : 10 * count + count]
        ids = [*picked, "nobody"] if unknown else picked
        seg = snap.segs.get(key)
        error: str | None = None
        if seg is None:
            error = "no segment with key"
        elif seg.type is not SegmentType.STATIC:
            error = "not static"
        elif unknown:
            error = "nothing was added"
        if self.attempt(snap, error, lambda: static.add(self.app, key, ids)) is not None:
            assert set(self.snapshot().static[key]) == set(snap.static[key]) | set(picked)

    @rule(data=st.data(), count=st.integers(1, 30))
    def static_remove(self, data: st.DataObject, count: int) -> None:
        snap = self.snapshot()
        key = self.choose(data, [k for k, s in snap.segs.items() if s.type in STATIC_TYPES])
        seg = snap.segs.get(key)
        ids = list(snap.static.get(key, ()))[:count]
        error: str | None = None
        if seg is None:
            error = "no segment with key"
        elif seg.type is not SegmentType.STATIC:
            error = "not static"
        if self.attempt(snap, error, lambda: static.remove(self.app, key, ids)) is not None:
            assert set(self.snapshot().static[key]) == set(snap.static[key]) - set(ids)

    @rule(data=st.data())
    def refresh_one(self, data: st.DataObject) -> None:
        snap = self.snapshot()
        key = self.choose(data, [k for k, s in snap.segs.items() if s.state is SegmentState.LIVE])
        error = None
        if key not in snap.segs:
            error = "no segment with key"
        elif snap.segs[key].state is not SegmentState.LIVE:
            error = "only live segments are refreshed"
        done = self.attempt(snap, error, lambda: refresh(self.app, [key], as_of=AS_OF))
        if done is not None:
            assert done.run is not None and [t.segment for t in done.run.tasks] == [key]
            self.check_runs(snap)

    @rule()
    def refresh_all(self) -> None:
        snap = self.snapshot()
        done = refresh(self.app, all_segments=True, as_of=AS_OF)
        live = {k for k, s in snap.segs.items() if s.state is SegmentState.LIVE}
        refreshed = {t.segment for t in done.run.tasks} if done.run else set()
        assert refreshed == live
        self.check_runs(snap)

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def consistent(self) -> None:
        snap = self.snapshot()
        self.editing = [k for k, s in snap.segs.items() if s.editing]
        stored: dict[tuple[str, int], set[str]] = {}
        for audience in ("contact", "account"):
            table = self.app.engine.versions.table(audience)
            for key, version, member in self.app.engine.con.execute(
                f'SELECT segment, version, key FROM "{table}"'
            ).fetchall():
                stored.setdefault((key, int(version)), set()).add(str(member))
        with self.app.store.read() as r:
            assert len(r.count_active_live()) <= QUOTA
            assert r.runs(status=["queued", "running"]) == []
        for key, seg in snap.segs.items():
            # Lifecycle states.
            if seg.state is SegmentState.LIVE:
                assert seg.live_revision is not None and seg.live_revision <= seg.revision
            else:
                assert seg.pending_revision is None
            if seg.pending_revision is not None:
                assert seg.live_revision is not None
                assert seg.live_revision < seg.pending_revision <= seg.revision
            assert snap.revisions[key] == tuple(range(1, seg.revision + 1))
            # Versions: the current one complete, as evaluated when written; old ones pruned.
            kept = [v for v in snap.versions[key] if not v.pruned]
            assert len(kept) <= KEEP_VERSIONS
            for v in snap.versions[key]:
                if v.pruned:
                    assert (key, v.version) not in snap.rows
                else:
                    assert snap.rows.get((key, v.version), 0) == v.members
            if seg.current_version is None:
                assert seg.members is None and seg.last_refreshed_at is None
                continue
            record = next(v for v in snap.versions[key] if v.version == seg.current_version)
            assert not record.pruned and record.version == max(v.version for v in kept)
            assert seg.members == record.members
            assert seg.last_refreshed_at == record.created_at
            rows = stored.get((key, seg.current_version), set())
            assert len(rows) == record.members
            assert rows == self.expected[(key, seg.current_version)]
        # No rows are left of deleted segments.
        assert {k for k, _ in snap.rows} <= set(snap.segs)


def test_the_segment_lifecycle_keeps_its_invariants() -> None:
    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=6,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
