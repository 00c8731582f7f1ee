"""The store's contract: every Reader and Writer method, the same on every backend.

Each test runs on a fresh store on SQLite (a file, and in memory) and on a real PostgreSQL
server (see conftest.py), so a behaviour that differs between backends fails here.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select

from segmint.errors import NotFoundError, UserError
from segmint.runs.status import (
    RUN_TRANSITIONS,
    TASK_TRANSITIONS,
    IllegalTransitionError,
    RunStatus,
    TaskStatus,
)
from segmint.store import Segment, SegmentState, SegmentType, Store, Writer
from segmint.store import schema as s
from segmint.store.store import SORTABLE

DEFINITION: dict[str, Any] = {"type": "attribute", "field": "city", "op": "eq", "value": "Seattle"}
PLAN = [("a", (), 1), ("b", ("a",), 2), ("c", ("a", "b"), None)]
ZERO = dt.timedelta(0)
KOLKATA = ZoneInfo("Asia/Kolkata")


def create(w: Writer, key: str, **values: Any) -> Segment:
    args: dict[str, Any] = {
        "name": key.title(),
        "audience": "contact",
        "type": SegmentType.DYNAMIC,
        "definition": DEFINITION,
        "timezone": "Europe/Paris",
    }
    return w.create_segment(key=key, **(args | values))


def row_counts(store: Store) -> dict[str, int]:
    """Rows in every table of the schema."""
    with store.read() as r:
        return {
            table.name: r.conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in s.metadata.sorted_tables
        }


def actions(store: Store) -> list[tuple[str, str, str | None]]:
    """(actor, action, segment) of every audit entry, oldest first."""
    with store.read() as r:
        return [(e.actor, e.action, e.segment) for e in reversed(r.audit(limit=1000))]


def assert_utc(value: dt.datetime | None) -> None:
    assert value is not None
    assert value.tzinfo is not None, value
    assert value.utcoffset() == ZERO, value


def queued_run(store: Store, plan: list[Any] | None = None, **kwargs: Any) -> int:
    with store.write("ann") as w:
        for key in ("a", "b", "c"):
            if w.segment(key) is None:
                create(w, key)
        return w.create_run(kind="manual", plan=PLAN if plan is None else plan, **kwargs).id


# --- segments ----------------------------------------------------------------------------


def test_create_and_read_a_segment(store: Store) -> None:
    before = dt.datetime.now(dt.UTC)
    with store.write("ann") as w:
        made = create(
            w,
            "vip",
            name="VIP customers",
            description="big spenders",
            owner="ann@example.com",
            business_unit="retail",
            tags=["b", "a", "b"],
            type=SegmentType.EXTERNAL,
            external_source="crm",
            external_url="https://crm.example.com/lists/7",
        )
    with store.read() as r:
        got = r.require("vip")
        assert r.segment("vip") == got
        assert r.revision("vip", 1) == DEFINITION
        assert [(n, by) for n, _, by in r.revisions("vip")] == [(1, "ann")]
    assert got == made
    assert (got.key, got.name, got.description) == ("vip", "VIP customers", "big spenders")
    assert (got.audience, got.type, got.state) == ("contact", SegmentType.EXTERNAL, "draft")
    assert got.state is SegmentState.DRAFT and got.active
    assert (got.owner, got.business_unit, got.timezone) == (
        "ann@example.com",
        "retail",
        "Europe/Paris",
    )
    assert (got.external_source, got.external_url) == ("crm", "https://crm.example.com/lists/7")
    assert got.tags == ("a", "b")
    assert (got.revision, got.live_revision, got.pending_revision) == (1, None, None)
    assert (got.current_version, got.members, got.last_refreshed_at) == (None, None, None)
    assert (got.last_status, got.last_error, got.activate_at, got.deactivate_at) == (None,) * 4
    assert (got.created_by, got.updated_by) == ("ann", "ann")
    assert before <= got.created_at == got.updated_at <= dt.datetime.now(dt.UTC)
    assert got.status_label == "draft" and got.serving_revision == 1


def test_missing_segments(store: Store) -> None:
    with store.read() as r:
        assert r.segment("nope") is None
        with pytest.raises(NotFoundError, match="nope"):
            r.require("nope")
        with pytest.raises(NotFoundError):
            r.revision("nope", 1)
        assert r.revisions("nope") == []
    with store.write() as w:
        create(w, "a")
        with pytest.raises(NotFoundError):
            w.revision("a", 2)
        for change in (
            lambda: w.update_segment("nope", "rename", name="x"),
            lambda: w.add_revision("nope", DEFINITION),
            lambda: w.delete_segment("nope"),
            lambda: w.register_consumer("nope", kind="journey", name="j"),
        ):
            with pytest.raises(NotFoundError):
                change()


def test_a_duplicate_key_is_a_user_error_and_nothing_is_written(store: Store) -> None:
    with store.write("ann") as w:
        create(w, "a", name="First")
    before = row_counts(store)
    with pytest.raises(UserError, match="already exists"), store.write("bob") as w:
        create(w, "b")
        create(w, "a", name="Second")
    assert row_counts(store) == before
    with store.read() as r:
        assert r.require("a").name == "First"
        assert r.segment("b") is None


def test_a_caught_duplicate_leaves_the_transaction_usable(store: Store) -> None:
    """A caller may catch the UserError and go on writing in the same transaction."""
    with store.write() as w:
        create(w, "a")
    with store.write() as w:
        with pytest.raises(UserError):
            create(w, "a")
        create(w, "b")
    with store.read() as r:
        assert [x.key for x in r.segments(sort="key")] == ["a", "b"]


def test_a_failing_write_leaves_no_partial_rows(store: Store) -> None:
    empty = row_counts(store)
    assert set(empty.values()) == {0}
    with pytest.raises(RuntimeError, match="boom"), store.write() as w:
        create(w, "a", tags=["t"])
        w.add_revision("a", DEFINITION)
        w.add_static("a", ["1", "2"])
        w.register_consumer("a", kind="journey", name="welcome")
        w.record_version("a", version=1, run_id=None, as_of=w_now(), members=1, entered=1, exited=0)
        w.create_run(kind="manual", plan=[("a", (), 1)], schedule_key="tick")
        w.set_setting("k", 1)
        raise RuntimeError("boom")
    assert row_counts(store) == empty


def w_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_update_a_segment(store: Store) -> None:
    with store.write("ann") as w:
        first = create(w, "a")
    starts = dt.datetime(2030, 1, 2, 9, 30, tzinfo=KOLKATA)
    with store.write("bob") as w:
        got = w.update_segment(
            "a",
            "go_live",
            name="Renamed",
            state=SegmentState.LIVE,
            live_revision=1,
            active=False,
            activate_at=starts,
        )
        with pytest.raises(UserError, match="key"):
            w.update_segment("a", "rename", key="b")
    assert (got.name, got.state, got.live_revision, got.active) == ("Renamed", "live", 1, False)
    assert got.activate_at == starts
    assert_utc(got.activate_at)
    assert (got.created_by, got.updated_by) == ("ann", "bob")
    assert got.created_at == first.created_at < got.updated_at
    with store.read() as r:
        assert r.require("a") == got
        entry = r.audit(limit=1)[0]
    assert (entry.actor, entry.action, entry.segment) == ("bob", "go_live", "a")
    assert entry.detail == {
        "name": "Renamed",
        "state": "live",
        "live_revision": 1,
        "active": False,
        "activate_at": starts.isoformat(),
    }


def test_revisions(store: Store) -> None:
    with store.write("ann") as w:
        create(w, "a")
    second = DEFINITION | {"value": "Portland"}
    with store.write("bob") as w:
        assert w.add_revision("a", second) == 2
        assert w.add_revision("a", DEFINITION | {"value": "Boston"}) == 3
    with store.write("ann") as w:
        w.update_segment("a", "edit", state=SegmentState.LIVE, live_revision=2, pending_revision=3)
    with store.read() as r:
        seg = r.require("a")
        assert r.revision("a", 2) == second
        listed = r.revisions("a")
    assert seg.revision == 3 and seg.updated_by == "ann"
    assert seg.editing and seg.status_label == "live, editable" and seg.serving_revision == 2
    assert [(n, by) for n, _, by in listed] == [(1, "ann"), (2, "bob"), (3, "bob")]
    times = [when for _, when, _ in listed]
    assert times == sorted(times)
    for when in times:
        assert_utc(when)


def test_tags(store: Store) -> None:
    with store.write() as w:
        create(w, "a", tags=["x"])
        w.set_tags("a", ["z", "y", "z"])
        assert w.require("a").tags == ("y", "z")
        w.set_tags("a", [])
    with store.read() as r:
        assert r.require("a").tags == ()
    assert [a for _, a, _ in actions(store)] == ["create", "tag", "tag"]


@pytest.fixture
def catalog(store: Store) -> Store:
    """Five segments to search, filter and sort."""
    with store.write() as w:
        create(w, "spring_sale", name="Spring Sale buyers", tags=["promo", "email"])
        create(w, "vip", name="VIP", type=SegmentType.STATIC, tags=["email"])
        create(w, "winback", name="Lapsed: win back", tags=["promo"])
        create(w, "pct", name="100% opened", type=SegmentType.COMPOUND)
        create(w, "under_score", name="plain", type=SegmentType.EXTERNAL, tags=["promo", "sms"])
        w.update_segment("vip", "go_live", state=SegmentState.LIVE)
        w.update_segment("winback", "go_live", state=SegmentState.LIVE)
    return store


def keys(store: Store, **query: Any) -> list[str]:
    with store.read() as r:
        return [x.key for x in r.segments(sort="key", **query)]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("sale", ["spring_sale"]),  # by name, any case
        ("SPRING_", ["spring_sale"]),  # by key, any case
        ("vIp", ["vip"]),
        ("win", ["winback"]),  # name and key both match: listed once
        ("%", ["pct"]),  # wildcards are plain characters
        ("_", ["spring_sale", "under_score"]),
        ("lapsed: WIN", ["winback"]),
        ("nothing", []),
        ("", ["pct", "spring_sale", "under_score", "vip", "winback"]),
    ],
)
def test_search_by_name_and_key(catalog: Store, search: str, expected: list[str]) -> None:
    assert keys(catalog, search=search) == expected


def test_filter(catalog: Store) -> None:
    assert keys(catalog, tags=["promo"]) == ["spring_sale", "under_score", "winback"]
    assert keys(catalog, tags=["promo", "email"]) == ["spring_sale"]  # all of them
    assert keys(catalog, tags=["promo", "nope"]) == []
    assert keys(catalog, types=["static", "compound"]) == ["pct", "vip"]
    assert keys(catalog, types=[SegmentType.EXTERNAL]) == ["under_score"]
    assert keys(catalog, states=["live"]) == ["vip", "winback"]
    assert keys(catalog, states=["draft"], tags=["promo"], search="s") == [
        "spring_sale",
        "under_score",
    ]
    with catalog.read() as r:
        assert r.count_active_live() == ["vip", "winback"]


@pytest.fixture
def sortable(store: Store) -> Store:
    """Segments with distinct, tied and missing values in every sortable column."""
    with store.write("ann") as w:
        for i, key in enumerate(["k3", "k1", "k5", "k2", "k4"]):
            create(
                w,
                key,
                name=f"name {(i * 3) % 5}",
                type=[SegmentType.DYNAMIC, SegmentType.STATIC][i % 2],
                audience=["contact", "account"][i % 2],
                owner=f"owner {(i * 2) % 3}",
            )
        for key, tags in [("k1", ["b"]), ("k2", ["c", "a"]), ("k5", ["b"])]:  # k3, k4: none
            w.set_tags(key, tags)
        for i, key in enumerate(["k2", "k5", "k1"]):  # k3 and k4 never refreshed
            w.record_version(
                key,
                version=1,
                run_id=None,
                as_of=w_now(),
                members=[7, 3, 7][i],
                entered=0,
                exited=0,
            )
        w.update_segment("k4", "go_live", state=SegmentState.LIVE, active=False)
        w.update_segment("k1", "pause", active=False)
    return store


def _expected_order(segments: list[Segment], column: str, descending: bool) -> list[str]:
    """Sorted by the column, ties by key ascending, missing values last either way
    (tags: by the tags joined in order; no tags counts as missing)."""

    def value(x: Segment) -> Any:
        return ", ".join(x.tags) or None if column == "tags" else getattr(x, column)

    present = [x for x in segments if value(x) is not None]
    missing = [x for x in segments if value(x) is None]
    present.sort(key=lambda x: x.key)
    present.sort(key=value, reverse=descending)  # stable: keeps key order
    return [x.key for x in present] + sorted(x.key for x in missing)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_sort_by_every_sortable_column(sortable: Store, descending: bool) -> None:
    with sortable.read() as r:
        segments = r.segments()
        for column in SORTABLE:
            got = [x.key for x in r.segments(sort=column, descending=descending)]
            assert got == _expected_order(segments, column, descending), column
    assert {x.members for x in segments} == {None, 3, 7}  # the data does have ties and gaps


def test_sort_by_an_unknown_column_is_a_user_error(store: Store) -> None:
    with store.read() as r, pytest.raises(UserError, match="cannot sort"):
        r.segments(sort="description")


def test_delete_a_segment_and_what_belongs_to_it(store: Store) -> None:
    run_id = queued_run(store, plan=[("a", (), 1)])
    with store.write() as w:
        w.set_tags("a", ["t"])
        w.add_revision("a", DEFINITION)
        w.add_static("a", ["1"])
        w.register_consumer("a", kind="journey", name="welcome")
        w.record_version(
            "a", version=1, run_id=run_id, as_of=w_now(), members=1, entered=1, exited=0
        )
    before = row_counts(store)
    with store.write("bob") as w:
        w.delete_segment("a")
    with store.read() as r:
        assert r.segment("a") is None
        for table in (s.tags, s.revisions, s.static_members, s.consumers, s.versions):
            left = r.conn.execute(select(func.count()).where(table.c.segment == "a")).scalar()
            assert left == 0, table.name
        assert [t.segment for t in r.run(run_id).tasks] == ["a"]  # run history stays
        assert [e.action for e in r.audit(segment="a", limit=1)] == ["delete"]
        assert len(r.audit(segment="a")) > 1  # and so does the audit trail
        assert [x.key for x in r.segments(sort="key")] == ["b", "c"]
    after = row_counts(store)
    assert after["segment_revisions"] == before["segment_revisions"] - 2
    assert after["audit_log"] == before["audit_log"] + 1


def test_the_database_cascades_deletes_too(store: Store) -> None:
    """Foreign keys are enforced on every backend (on SQLite only when switched on)."""
    with store.write() as w:
        create(w, "a", tags=["t"])
        w.add_static("a", ["1"])
        w.register_consumer("a", kind="journey", name="welcome")
        w.record_version("a", version=1, run_id=None, as_of=w_now(), members=1, entered=1, exited=0)
        w.conn.execute(delete(s.segments).where(s.segments.c.key == "a"))
    counts = row_counts(store)
    for table in (s.segments, s.tags, s.revisions, s.static_members, s.consumers, s.versions):
        assert counts[table.name] == 0, table.name


# --- static members and consumers --------------------------------------------------------


def test_static_members(store: Store) -> None:
    with store.write("ann") as w:
        create(w, "a", type=SegmentType.STATIC)
        assert w.add_static("a", ["3", "1", "1"]) == 2
        assert w.add_static("a", [1, "2"]) == 1  # profile keys are stored as text
        assert w.static_members("a") == ["1", "2", "3"]
        assert w.remove_static("a", ["2", "9"]) == 1
        assert w.remove_static("a", ["2"]) == 0
        assert w.add_static("a", []) == 0
    with store.read() as r:
        assert r.static_members("a") == ["1", "3"]
        assert r.static_members("nope") == []
        details = [(e.action, e.detail) for e in reversed(r.audit(segment="a"))]
    assert details[1:] == [
        ("static_add", {"added": 2}),
        ("static_add", {"added": 1}),
        ("static_remove", {"removed": 1}),
        ("static_remove", {"removed": 0}),
        ("static_add", {"added": 0}),
    ]


def test_clear_static_members_however_many(store: Store) -> None:
    many = [str(i) for i in range(40_000)]  # more than SQLite's 32,766 bound parameters
    with store.write("ann") as w:
        create(w, "a", type=SegmentType.STATIC)
        create(w, "b", type=SegmentType.STATIC)
        w.add_static("a", many)
        w.add_static("b", ["1"])
        assert w.clear_static("a") == len(many)
        assert w.clear_static("a") == 0
    with store.read() as r:
        assert r.static_members("a") == [] and r.static_members("b") == ["1"]
        assert r.audit(segment="a", limit=1)[0].detail == {"removed": 0}


def test_consumers(store: Store) -> None:
    with store.write("ann") as w:
        create(w, "a")
        create(w, "b")
        first = w.register_consumer("a", kind="journey", name="welcome", link="https://j/1")
        w.register_consumer("a", kind="campaign", name="spring", role="suppression")
        w.register_consumer("b", kind="journey", name="welcome")
        again = w.register_consumer("a", kind="journey", name="welcome", role="suppression")
    assert (first.segment, first.kind, first.name) == ("a", "journey", "welcome")
    assert (first.role, first.link) == ("target", "https://j/1")
    assert_utc(first.registered_at)
    # Registering again updates in place: same id, same registration time, new role and link.
    assert again.id == first.id and again.registered_at == first.registered_at
    assert (again.role, again.link) == ("suppression", "")
    with store.read() as r:
        listed = r.consumers("a")
        assert [(c.kind, c.name, c.role) for c in listed] == [
            ("journey", "welcome", "suppression"),
            ("campaign", "spring", "suppression"),
        ]
        assert len(r.consumers("b")) == 1
        assert r.consumers("nope") == []
    with store.write("bob") as w:
        w.remove_consumer("a", first.id)
        with pytest.raises(NotFoundError):
            w.remove_consumer("a", first.id)
        with pytest.raises(NotFoundError):  # another segment's consumer
            w.remove_consumer("a", w.consumers("b")[0].id)
    with store.read() as r:
        assert [c.name for c in r.consumers("a")] == ["spring"]
        entry = r.audit(segment="a", limit=1)[0]
    assert (entry.actor, entry.action, entry.detail) == ("bob", "remove_consumer", {"id": first.id})


# --- runs and tasks ----------------------------------------------------------------------


def test_create_a_run_with_a_plan(store: Store) -> None:
    before = w_now()
    run_id = queued_run(store, schedule_key="2030-01-01T00:00")
    with store.read() as r:
        run = r.run(run_id)
        with pytest.raises(NotFoundError):
            r.run(run_id + 1)
        entry = r.audit(limit=1)[0]
    assert (run.kind, run.status, run.requested_by) == ("manual", RunStatus.QUEUED, "ann")
    assert run.schedule_key == "2030-01-01T00:00"
    assert (run.started_at, run.finished_at, run.lease_owner, run.lease_expires_at) == (None,) * 4
    assert not run.cancel_requested and run.error is None
    assert before <= run.created_at <= w_now()
    assert [(t.segment, t.position, t.depends_on, t.revision) for t in run.tasks] == [
        ("a", 0, (), 1),
        ("b", 1, ("a",), 2),
        ("c", 2, ("a", "b"), None),
    ]
    assert all(t.status is TaskStatus.QUEUED and t.run_id == run_id for t in run.tasks)
    assert run.progress == (0, 3)
    assert (entry.action, entry.segment) == ("run_create", None)
    assert entry.detail == {"run": run_id, "kind": "manual", "segments": ["a", "b", "c"]}


@pytest.mark.parametrize("number", [2**31, 2**63, 2**70, -(2**31) - 1])
def test_numbers_no_row_can_have_are_simply_not_found(store: Store, number: int) -> None:
    """Same answer on every backend, though SQLite and PostgreSQL overflow at different sizes."""
    queued_run(store)
    with store.write() as w:
        with pytest.raises(NotFoundError):
            w.run(number)
        with pytest.raises(NotFoundError):
            w.revision("a", number)
        with pytest.raises(NotFoundError):
            w.move_run(number, RunStatus.RUNNING)
        with pytest.raises(NotFoundError):
            w.move_task(number, "a", TaskStatus.RUNNING)
        with pytest.raises(NotFoundError):
            w.request_cancel(number)
        with pytest.raises(NotFoundError):
            w.remove_consumer("a", number)
        assert not w.take_lease(number, "me", 60)
        w.unpin(number)
        create(w, "still_usable")


def test_list_runs(store: Store) -> None:
    ids = [queued_run(store, plan=[("a", (), 1)]) for _ in range(3)]
    with store.write() as w:
        w.move_run(ids[1], RunStatus.RUNNING)
    with store.read() as r:
        assert [x.id for x in r.runs()] == ids[::-1]
        assert [x.id for x in r.runs(limit=2)] == ids[:0:-1]
        assert [x.id for x in r.runs(status=["queued"])] == [ids[2], ids[0]]
        assert [x.id for x in r.runs(status=["running"], limit=1)] == [ids[1]]
        assert [len(x.tasks) for x in r.runs()] == [1, 1, 1]


def test_a_duplicate_schedule_key_is_a_user_error_and_nothing_is_written(store: Store) -> None:
    queued_run(store, schedule_key="tick-1")
    before = row_counts(store)
    with pytest.raises(UserError, match="tick-1"), store.write() as w:
        create(w, "d")
        w.create_run(kind="scheduled", plan=[("d", (), 1)], schedule_key="tick-1")
    assert row_counts(store) == before
    with store.write() as w:  # a caught duplicate leaves the transaction usable
        with pytest.raises(UserError):
            w.create_run(kind="scheduled", plan=[("a", (), 1)], schedule_key="tick-1")
        w.create_run(kind="scheduled", plan=[("a", (), 1)], schedule_key="tick-2")
    with store.read() as r:
        assert sorted(str(x.schedule_key) for x in r.runs()) == ["tick-1", "tick-2"]


def test_move_a_run_through_its_states(store: Store) -> None:
    ok, bad, early = queued_run(store), queued_run(store), queued_run(store)
    with store.write() as w:
        assert w.take_lease(ok, "host-1", 60)
        running = w.move_run(ok, RunStatus.RUNNING)
        done = w.move_run(ok, RunStatus.SUCCEEDED)
        w.move_run(bad, RunStatus.RUNNING)
        failed = w.move_run(bad, RunStatus.FAILED, error="b failed")
        cancelled = w.move_run(early, RunStatus.CANCELLED)
    assert running.status is RunStatus.RUNNING and running.finished_at is None
    assert running.lease_owner == "host-1"
    assert done.status is RunStatus.SUCCEEDED and done.started_at == running.started_at
    assert_utc(done.started_at)
    assert_utc(done.finished_at)
    assert done.started_at <= done.finished_at  # type: ignore[operator]
    assert (done.lease_owner, done.lease_expires_at) == (None, None)  # released when finished
    assert (failed.status, failed.error) == (RunStatus.FAILED, "b failed")
    assert cancelled.started_at is None and cancelled.finished_at is not None
    with store.read() as r:
        assert r.run(ok) == done


def _reach(w: Writer, run_id: int, target: RunStatus) -> None:
    if target is not RunStatus.QUEUED:
        if target is not RunStatus.RUNNING and target not in RUN_TRANSITIONS[RunStatus.QUEUED]:
            w.move_run(run_id, RunStatus.RUNNING)
        w.move_run(run_id, target)


def test_illegal_run_transitions_are_refused_and_change_nothing(store: Store) -> None:
    tried = 0
    for old in RunStatus:
        for new in set(RunStatus) - RUN_TRANSITIONS[old]:
            run_id = queued_run(store)
            with store.write() as w:
                _reach(w, run_id, old)
            with store.read() as r:
                before = r.run(run_id)
            assert before.status is old
            with store.write() as w:
                with pytest.raises(IllegalTransitionError, match=f"{old.value} to {new.value}"):
                    w.move_run(run_id, new, error="should not be written")
                assert w.run(run_id) == before  # nothing changed, even inside the transaction
            with store.read() as r:
                assert r.run(run_id) == before
            tried += 1
    assert tried == 25 - sum(len(v) for v in RUN_TRANSITIONS.values())


def test_move_a_task(store: Store) -> None:
    run_id = queued_run(store)
    with store.write() as w:
        w.move_run(run_id, RunStatus.RUNNING)
        running = w.move_task(run_id, "a", TaskStatus.RUNNING)
        done = w.move_task(
            run_id, "a", TaskStatus.SUCCEEDED, members=10, entered=4, exited=1, version=3
        )
        w.move_task(run_id, "b", TaskStatus.RUNNING)
        w.move_task(run_id, "b", TaskStatus.FAILED, error="boom")
        w.move_task(run_id, "c", TaskStatus.CANCELLED)
        with pytest.raises(NotFoundError):
            w.move_task(run_id, "nope", TaskStatus.RUNNING)
    assert running.status is TaskStatus.RUNNING and running.finished_at is None
    assert_utc(running.started_at)
    assert (done.members, done.entered, done.exited, done.version) == (10, 4, 1, 3)
    assert done.started_at == running.started_at
    assert_utc(done.finished_at)
    assert done.seconds is not None and done.seconds >= 0
    with store.read() as r:
        run = r.run(run_id)
        a, b, c = (r.require(k) for k in "abc")
    assert [t.status for t in run.tasks] == ["succeeded", "failed", "cancelled"]
    assert run.tasks[1].error == "boom" and run.progress == (3, 3)
    # A finished task tells its segment how the latest refresh went; a cancelled one does not.
    assert (a.last_status, a.last_error) == ("succeeded", None)
    assert (b.last_status, b.last_error) == ("failed", "boom")
    assert (c.last_status, c.last_error) == (None, None)
    # Skipped tasks were never started.
    run_id = queued_run(store)
    with store.write() as w:
        skipped = w.move_task(run_id, "b", TaskStatus.SKIPPED, error="input failed")
    assert skipped.started_at is None and skipped.finished_at is not None
    with store.read() as r:
        assert r.require("b").last_status == "skipped"


def test_illegal_task_transitions_are_refused_and_change_nothing(store: Store) -> None:
    paths: dict[TaskStatus, list[TaskStatus]] = {
        TaskStatus.QUEUED: [],
        TaskStatus.RUNNING: [TaskStatus.RUNNING],
        TaskStatus.SUCCEEDED: [TaskStatus.RUNNING, TaskStatus.SUCCEEDED],
        TaskStatus.FAILED: [TaskStatus.RUNNING, TaskStatus.FAILED],
        TaskStatus.SKIPPED: [TaskStatus.SKIPPED],
        TaskStatus.CANCELLED: [TaskStatus.CANCELLED],
    }
    assert set(paths) == set(TaskStatus)
    tried = 0
    for old, path in paths.items():
        for new in set(TaskStatus) - TASK_TRANSITIONS[old]:
            key = f"t{tried}"
            with store.write() as w:
                create(w, key)
                run_id = w.create_run(kind="manual", plan=[(key, (), 1)]).id
                for step in path:
                    w.move_task(run_id, key, step)
            with store.read() as r:
                before_run, before_seg = r.run(run_id), r.require(key)
            with (
                store.write() as w,
                pytest.raises(IllegalTransitionError, match=f"{old.value} to {new.value}"),
            ):
                w.move_task(run_id, key, new, error="should not be written")
            with store.read() as r:
                assert (r.run(run_id), r.require(key)) == (before_run, before_seg)
            tried += 1
    assert tried == 36 - sum(len(v) for v in TASK_TRANSITIONS.values())


def test_leases(store: Store) -> None:
    run_id = queued_run(store)
    with store.write() as w:
        assert w.take_lease(run_id, "one", 60)
        first = w.run(run_id).lease_expires_at
        assert not w.take_lease(run_id, "two", 60)  # held by another owner
        assert w.run(run_id).lease_owner == "one"
        assert w.take_lease(run_id, "one", 120)  # the owner extends it
        extended = w.run(run_id).lease_expires_at
    assert first is not None and extended is not None
    assert_utc(extended)
    assert extended > first + dt.timedelta(seconds=30)
    with store.write() as w:
        assert w.take_lease(run_id, "one", -1)  # let it lapse
        assert w.take_lease(run_id, "two", 60)  # an expired lease can be taken over
        assert w.run(run_id).lease_owner == "two"
        assert not w.take_lease(run_id, "one", 60)
        w.move_run(run_id, RunStatus.RUNNING)
        assert w.take_lease(run_id, "two", 60)
        w.move_run(run_id, RunStatus.SUCCEEDED)
        assert not w.take_lease(run_id, "two", 60)  # finished runs have no lease
        assert not w.take_lease(run_id + 100, "two", 60)  # nor do missing ones


def test_expired_runs(store: Store) -> None:
    queued, no_lease, live, lapsed, finished = (queued_run(store) for _ in range(5))
    with store.write() as w:
        for run_id in (no_lease, live, lapsed, finished):
            w.move_run(run_id, RunStatus.RUNNING)
        w.take_lease(queued, "q", -1)
        w.take_lease(live, "w", 60)
        w.take_lease(lapsed, "w", -1)
        w.take_lease(finished, "w", -1)
        w.move_run(finished, RunStatus.FAILED)
    with store.write() as w:
        assert sorted(w.expired_runs()) == [no_lease, lapsed]


def test_request_cancel(store: Store) -> None:
    run_id, other = queued_run(store), queued_run(store)
    with store.write("bob") as w:
        w.move_run(run_id, RunStatus.RUNNING)
        got = w.request_cancel(run_id)
        assert w.request_cancel(run_id).cancel_requested  # asking twice is fine
        # A queued run nobody holds is cancelled at once, with its tasks.
        unheld = w.request_cancel(other)
        assert unheld.status is RunStatus.CANCELLED
        assert {t.status for t in unheld.tasks} == {TaskStatus.CANCELLED}
    assert got.cancel_requested and got.status is RunStatus.RUNNING
    with store.write() as w:
        w.move_run(run_id, RunStatus.CANCELLED)
        with pytest.raises(UserError, match="already finished"):
            w.request_cancel(run_id)
        with pytest.raises(NotFoundError):
            w.request_cancel(run_id + 100)
    with store.read() as r:
        entry = r.audit(limit=1)[0]
    assert (entry.actor, entry.action) == ("bob", "run_cancel")


def test_active_tasks(store: Store) -> None:
    first, second, done = (
        queued_run(store),
        queued_run(store, plan=[("b", (), 1)]),
        queued_run(store),
    )
    with store.write() as w:
        w.move_run(first, RunStatus.RUNNING)
        w.move_task(first, "a", TaskStatus.RUNNING)
        w.move_task(first, "b", TaskStatus.SKIPPED)  # finished: not active
        w.move_run(done, RunStatus.CANCELLED)  # the run finished: none of its tasks are active
    with store.read() as r:
        assert r.active_tasks(["a", "b", "c", "nope"]) == {"a": first, "b": second, "c": first}
        assert r.active_tasks(["a"]) == {"a": first}
        assert r.active_tasks([]) == {}


def test_history(store: Store) -> None:
    runs = [queued_run(store, plan=[("a", (), 1)]) for _ in range(3)]
    other = queued_run(store, plan=[("b", (), 1)])
    with store.write() as w:
        w.move_run(runs[0], RunStatus.RUNNING)
        w.move_task(runs[0], "a", TaskStatus.RUNNING)
        w.move_task(runs[0], "a", TaskStatus.SUCCEEDED, members=5)
    with store.read() as r:
        history = r.history("a")
        assert [run.id for run, _ in r.history("a", limit=2)] == runs[:0:-1]
        assert [run.id for run, _ in r.history("b")] == [other]
        assert r.history("nope") == []
    assert [run.id for run, _ in history] == runs[::-1]
    assert all(task.segment == "a" and task.run_id == run.id for run, task in history)
    run, task = history[-1]
    assert run.status is RunStatus.RUNNING and task.members == 5


# --- versions, settings, audit -----------------------------------------------------------


def test_versions(store: Store) -> None:
    run_id = queued_run(store)
    as_of = dt.datetime(2030, 5, 1, 12, 0, tzinfo=KOLKATA)
    with store.write() as w:
        assert w.next_version("a") == 1
        w.record_version(
            "a", version=1, run_id=run_id, as_of=as_of, members=10, entered=10, exited=0
        )
        assert w.next_version("a") == 2
        w.record_version("a", version=2, run_id=None, as_of=as_of, members=8, entered=1, exited=3)
        w.record_version("b", version=1, run_id=None, as_of=as_of, members=1, entered=1, exited=0)
    with store.read() as r:
        a = r.require("a")
        listed = r.versions("a")
        assert r.next_version("a") == 3 and r.next_version("nope") == 1
    assert (a.current_version, a.members) == (2, 8)  # the pointer readers pin
    assert a.last_refreshed_at == listed[-1].created_at
    assert [(v.version, v.run_id, v.members, v.entered, v.exited) for v in listed] == [
        (1, run_id, 10, 10, 0),
        (2, None, 8, 1, 3),
    ]
    assert all(v.segment == "a" and not v.pruned and v.as_of == as_of for v in listed)
    for v in listed:
        assert_utc(v.as_of)
        assert_utc(v.created_at)
    with store.write() as w:
        w.mark_pruned("a", [1])
        w.mark_pruned("a", [])
    with store.read() as r:
        assert [v.pruned for v in r.versions("a")] == [True, False]
        assert [v.pruned for v in r.versions("b")] == [False]
        assert r.require("a").current_version == 2


def test_versions_between_two_times(store: Store) -> None:
    with store.write() as w:
        create(w, "a")
    created = []
    for version in (1, 2, 3):
        with store.write() as w:
            w.record_version(
                "a", version=version, run_id=None, as_of=w_now(), members=1, entered=0, exited=0
            )
            created.append(w.versions("a")[-1].created_at)
        time.sleep(0.002)
    first, second, third = created
    with store.read() as r:

        def numbers(**between: dt.datetime) -> list[int]:
            return [v.version for v in r.versions("a", **between)]

        assert numbers(since=second) == [2, 3]  # inclusive
        assert numbers(until=second) == [1, 2]
        assert numbers(since=second, until=second) == [2]
        assert numbers(since=third + dt.timedelta(microseconds=1)) == []
        # The bounds may be in any time zone, and naive ones are UTC.
        assert numbers(since=second.astimezone(KOLKATA)) == [2, 3]
        assert numbers(until=first.astimezone(KOLKATA)) == [1]
        assert numbers(since=second.replace(tzinfo=None)) == [2, 3]


def test_pins(store: Store) -> None:
    with store.write() as w:
        create(w, "a")
        create(w, "b")
        first = w.pin("a", 1, "export-1", 60)
        second = w.pin("a", 2, "download", 60)
        w.pin("a", 3, "gone", -1)  # already expired
        w.pin("b", 1, "export-2", 60)
        assert w.pinned_versions("a") == {1, 2}
        assert first != second
    with store.write() as w:
        w.unpin(first)
        w.unpin(first)  # unpinning twice is fine
    with store.read() as r:
        assert r.pinned_versions("a") == {2}
        assert r.pinned_versions("b") == {1}
        assert r.pinned_versions("nope") == set()


def test_a_run_as_of_a_fixed_time(store: Store) -> None:
    as_of = dt.datetime(2030, 1, 1, 9, 0, tzinfo=KOLKATA)
    fixed = queued_run(store, as_of=as_of)
    now = queued_run(store)
    with store.read() as r:
        assert r.run(fixed).as_of == as_of
        assert_utc(r.run(fixed).as_of)
        assert r.run(now).as_of is None


def test_settings(store: Store) -> None:
    with store.write("admin") as w:
        assert w.setting("retention") is None
        w.set_setting("retention", {"keep": 3, "days": [1, 2]})
        w.set_setting("flag", True)
        w.set_setting("retention", {"keep": 5})
    with store.read() as r:
        assert r.setting("retention") == {"keep": 5}
        assert r.setting("flag") is True
        assert r.setting("nope") is None
        entry = r.audit(limit=1)[0]
    assert (entry.actor, entry.action, entry.segment) == ("admin", "setting", None)
    assert entry.detail == {"key": "retention", "value": {"keep": 5}}


def test_every_change_is_audited(store: Store) -> None:
    """Changes people make are audited, with who; run bookkeeping lives in its own tables."""
    with store.write("ann") as w:
        create(w, "a", tags=["x"])
        w.update_segment("a", "rename", name="A")
        w.add_revision("a", DEFINITION)
        w.set_tags("a", ["y"])
        w.add_static("a", ["1"])
        w.remove_static("a", ["1"])
        consumer = w.register_consumer("a", kind="journey", name="j")
        w.remove_consumer("a", consumer.id)
        w.set_setting("k", "v")
    with store.write("bob") as w:
        run_id = w.create_run(kind="manual", plan=[("a", (), 2)]).id
    with store.write("worker") as w:
        w.take_lease(run_id, "host", 60)  # held: the cancel request waits for the worker
    with store.write("bob") as w:
        w.request_cancel(run_id)
    with store.write("worker") as w:
        w.move_run(run_id, RunStatus.RUNNING)
        w.move_task(run_id, "a", TaskStatus.RUNNING)
        w.record_version(
            "a", version=1, run_id=run_id, as_of=w_now(), members=1, entered=1, exited=0
        )
        w.move_task(run_id, "a", TaskStatus.SUCCEEDED)
        w.mark_pruned("a", [1])
        w.move_run(run_id, RunStatus.SUCCEEDED)
    with store.write("ann") as w:
        w.delete_segment("a")
    assert actions(store) == [
        ("ann", "create", "a"),
        ("ann", "rename", "a"),
        ("ann", "revise", "a"),
        ("ann", "tag", "a"),
        ("ann", "static_add", "a"),
        ("ann", "static_remove", "a"),
        ("ann", "register_consumer", "a"),
        ("ann", "remove_consumer", "a"),
        ("ann", "setting", None),
        ("bob", "run_create", None),
        ("bob", "run_cancel", None),
        ("ann", "delete", "a"),
    ]
    with store.read() as r:
        entries = r.audit()
        assert [e.id for e in entries] == sorted((e.id for e in entries), reverse=True)
        assert [e.action for e in r.audit(limit=2)] == ["delete", "run_cancel"]
        assert len(r.audit(segment="a")) == 9
        assert r.audit(segment="nope") == []
    for e in entries:
        assert_utc(e.at)
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)


def test_timestamps_are_utc_instants(store: Store) -> None:
    """Aware values in any zone keep their instant; naive ones are UTC; all come back in UTC."""
    paris = dt.datetime(2030, 3, 1, 8, 0, tzinfo=ZoneInfo("Europe/Paris"))
    naive = dt.datetime(2030, 3, 2, 8, 0)
    with store.write() as w:
        create(w, "a")
        w.update_segment("a", "schedule", activate_at=paris, deactivate_at=naive)
    with store.read() as r:
        got = r.require("a")
    assert got.activate_at == paris
    assert got.deactivate_at == naive.replace(tzinfo=dt.UTC)
    for value in (got.activate_at, got.deactivate_at, got.created_at, got.updated_at):
        assert_utc(value)


# --- concurrency -------------------------------------------------------------------------


def _hammer(stores: list[Store], writes: int) -> list[BaseException]:
    """Each store writes from its own thread, all at once; returns what went wrong."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def work(index: int, store: Store) -> None:
        try:
            start.wait()
            for i in range(writes):
                with store.write(f"thread-{index}") as w:
                    create(w, f"s{index}_{i}")
                    w.add_static(f"s{index}_{i}", [str(n) for n in range(20)])
                    w.set_setting("last", [index, i])
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, st)) for i, st in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


@pytest.mark.parametrize(
    ("backend", "stores"),
    [("sqlite_file", 1), ("sqlite_file", 2), ("sqlite_memory", 1)],
    ids=["file-one-store", "file-two-stores", "memory"],
)
def test_concurrent_writers_on_sqlite(open_store: Callable[[], Store], stores: int) -> None:
    """Two threads writing at once both succeed: writers queue, never 'database is locked'.

    Two stores on one file stand for two processes; one store shared by two threads is how
    the refresh worker uses it (the heartbeat thread and the task threads).
    """
    first = open_store()
    second = first if stores == 1 else open_store()
    errors = _hammer([first, second], writes=25)
    assert errors == []
    counts = row_counts(first)
    assert counts["segments"] == 50
    assert counts["static_members"] == 50 * 20


@pytest.mark.parametrize("backend", ["sqlite_file", "postgresql"])
def test_a_reader_does_not_wait_for_a_writer(store: Store) -> None:
    """A read during a long write sees the last committed state and does not block.

    (An in-memory SQLite store has one connection, so its transactions take turns.)
    """
    with store.write() as w:
        create(w, "a")
    writing, done = threading.Event(), threading.Event()

    def write() -> None:
        with store.write() as w:
            create(w, "b")
            writing.set()
            done.wait(10)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert writing.wait(10)
        with store.read() as r:
            assert [x.key for x in r.segments()] == ["a"]
    finally:
        done.set()
        thread.join()
    with store.read() as r:
        assert [x.key for x in r.segments(sort="key")] == ["a", "b"]
