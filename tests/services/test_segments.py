"""Managing segments: each lifecycle use case's happy path and its errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from lifecycle_support import (
    AS_OF,
    all_of,
    any_of,
    attribute,
    but_not,
    copy_demo,
    current,
    document,
    evaluate,
    in_segment,
    rows,
    set_refresh,
    stored_versions,
)
from segmint.errors import DefinitionError, NotFoundError, UserError
from segmint.runs.status import RunStatus, TaskStatus
from segmint.services import segments, static
from segmint.services.context import App, is_usable
from segmint.services.refresh import refresh
from segmint.store import SegmentState, SegmentType

GOLD = attribute("loyalty_tier", "eq", "Gold")
UK = attribute("country", "eq", "UK")
LIVE_AND_ACTIVE = 19  # in the demo: 23 segments, 3 drafts, 1 inactive


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    root = copy_demo(tmp_path / "w")
    with App.open(root, actor="ann") as opened:
        yield opened


def get(app: App, key: str) -> segments.Segment:
    with app.store.read() as r:
        return r.require(key)


def problems(error: UserError) -> str:
    return "\n".join(str(p) for p in error.problems)


def keys(app: App) -> list[str]:
    with app.store.read() as r:
        return [s.key for s in r.segments(sort="key")]


# --- create ----------------------------------------------------------------------------


def test_create_saves_a_validated_draft_as_revision_1(app: App) -> None:
    seg = segments.create(
        app, document(GOLD, key="gold", tags=("loyalty",), description="Gold members")
    )
    assert (seg.key, seg.name, seg.state, seg.active) == ("gold", "gold", SegmentState.DRAFT, True)
    assert (seg.revision, seg.live_revision, seg.pending_revision) == (1, None, None)
    assert (seg.current_version, seg.owner, seg.created_by) == (None, "ann", "ann")
    assert seg.tags == ("loyalty",) and seg.description == "Gold members"
    assert app.definition(seg).condition == document(GOLD).definition.condition
    assert segments.sentence(app, seg) == 'Loyalty tier is "Gold"'


def test_create_takes_the_key_and_owner_from_the_caller(app: App) -> None:
    seg = segments.create(
        app,
        document(GOLD, key="in-file", name="Gold"),
        key="given",
        owner="bob",
        business_unit="eu",
    )
    assert (seg.key, seg.name, seg.owner, seg.business_unit) == ("given", "Gold", "bob", "eu")


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "a segment needs a key"),
        ("Not Valid", "is not a valid key"),
        ("-dash-first", "is not a valid key"),
        ("x" * 101, "is not a valid key"),
        ("vip-customers", "a segment with key 'vip-customers' already exists"),
    ],
)
def test_create_needs_a_new_valid_key(app: App, key: str | None, message: str) -> None:
    before = keys(app)
    with pytest.raises(UserError, match=message):
        segments.create(app, document(GOLD), key=key)
    assert keys(app) == before


def test_create_reports_every_problem_of_the_definition(app: App) -> None:
    bad = all_of(attribute("shoe_size", "gt", 40), in_segment("no-such-segment"))
    with pytest.raises(DefinitionError, match="segment bad is not a valid definition") as caught:
        segments.create(app, document(bad, key="bad"))
    paths = [p.path for p in caught.value.problems]
    assert "condition.conditions[0].field" in paths
    assert "condition.conditions[1].segment" in paths
    assert "bad" not in keys(app)


def test_create_a_compound_segment_of_segments_only(app: App) -> None:
    with pytest.raises(DefinitionError, match="not a valid compound segment") as caught:
        segments.create(
            app,
            document(all_of(in_segment("vip-customers"), GOLD), key="mixed"),
            type_=SegmentType.COMPOUND,
        )
    assert [p.path for p in caught.value.problems] == ["condition.conditions[1]"]
    seg = segments.create(
        app,
        document(any_of(in_segment("vip-customers"), but_not(in_segment("churn-risk"))), key="c"),
        type_=SegmentType.COMPOUND,
    )
    assert seg.type is SegmentType.COMPOUND


def test_create_a_static_segment_of_an_audience(app: App) -> None:
    seg = segments.create(
        app,
        document(GOLD, key="picked"),
        type_=SegmentType.STATIC,
    )
    assert seg.type is SegmentType.STATIC
    assert segments.sentence(app, seg) == "0 hand-picked contacts"
    with pytest.raises(UserError, match="'lead' is not an audience; use one of"):
        segments.create(app, document(GOLD, audience="lead", key="leads"), type_=SegmentType.STATIC)
    assert "leads" not in keys(app)


def test_expansion_segments_cannot_be_created_yet(app: App) -> None:
    with pytest.raises(UserError, match="expansion segments cannot be created yet"):
        segments.create(app, document(GOLD, key="lookalike"), type_=SegmentType.EXPANSION)


# --- edit, save, discard ---------------------------------------------------------------


def test_edit_a_draft_changes_what_it_serves(app: App) -> None:
    seg = segments.edit(app, "black-friday-2025", document(GOLD, name="Gold", description=""))
    assert (seg.revision, seg.pending_revision, seg.state) == (2, None, SegmentState.DRAFT)
    assert (seg.name, seg.description) == ("Gold", "")
    assert seg.serving_revision == 2
    assert evaluate(app, "black-friday-2025") == evaluate_doc(app, GOLD)


def evaluate_doc(app: App, condition: dict[str, object]) -> set[str]:
    definition = document(condition).definition
    return {
        str(k) for k in app.engine.member_keys(definition, as_of=AS_OF, segments=app.resolver())
    }


def test_edit_of_a_live_segment_keeps_the_live_revision_serving(app: App) -> None:
    before = get(app, "vip-customers")
    seg = segments.edit(app, "vip-customers", document(GOLD))
    assert seg.state is SegmentState.LIVE and seg.editing
    assert seg.status_label == "live, editable"
    assert (seg.revision, seg.live_revision, seg.pending_revision) == (2, 1, 2)
    assert seg.current_version == before.current_version
    assert current(app, "vip-customers") == rows(app, "vip-customers", 1)
    # A refresh while editing still refreshes the live revision.
    done = refresh(app, ["vip-customers"], as_of=AS_OF)
    assert done.run is not None and done.run.tasks[0].revision == 1
    assert current(app, "vip-customers") == evaluate(app, "vip-customers", revision=1)
    assert current(app, "vip-customers") != evaluate_doc(app, GOLD)
    # Editing again replaces the pending edit.
    seg = segments.edit(app, "vip-customers", document(UK))
    assert (seg.revision, seg.live_revision, seg.pending_revision) == (3, 1, 3)


def test_edit_errors_change_nothing(app: App) -> None:
    with pytest.raises(UserError, match="hand-picked-vips is static: it has no definition"):
        segments.edit(app, "hand-picked-vips", document(GOLD))
    with pytest.raises(UserError, match="dormant-accounts is about account; its audience"):
        segments.edit(app, "dormant-accounts", document(GOLD))
    with pytest.raises(DefinitionError, match="segment churn-risk is not a valid definition"):
        segments.edit(app, "churn-risk", document(attribute("nope", "is_empty")))
    with pytest.raises(NotFoundError, match="no segment with key 'nope'"):
        segments.edit(app, "nope", document(GOLD))
    for key in ("hand-picked-vips", "dormant-accounts", "churn-risk"):
        seg = get(app, key)
        assert (seg.revision, seg.pending_revision) == (1, None)


def test_save_edit_swaps_the_edit_in_and_refreshes(app: App) -> None:
    segments.edit(app, "vip-customers", document(GOLD))
    seg, requested = segments.save_edit(app, "vip-customers")
    assert (seg.revision, seg.live_revision, seg.pending_revision) == (2, 2, None)
    assert not seg.editing and seg.current_version == 2
    assert requested.run is not None and requested.run.status is RunStatus.SUCCEEDED
    assert requested.run.tasks[0].revision == 2
    with app.store.read() as r:
        as_of = r.versions("vip-customers")[-1].as_of
    assert current(app, "vip-customers") == evaluate(app, "vip-customers", as_of=as_of)
    assert current(app, "vip-customers") == {
        str(k)
        for k in app.engine.member_keys(document(GOLD).definition, as_of=as_of, segments=None)
    }


def test_save_edit_needs_a_pending_edit(app: App) -> None:
    with pytest.raises(UserError, match="vip-customers has no pending edit to save"):
        segments.save_edit(app, "vip-customers")
    with pytest.raises(UserError, match="black-friday-2025 has no pending edit to save"):
        segments.save_edit(app, "black-friday-2025")


def test_save_edit_checks_the_edit_again(app: App) -> None:
    """An edit referencing a segment that is deleted before it is saved is not swapped in."""
    segments.create(app, document(UK, key="uk"))
    segments.edit(app, "vip-customers", document(all_of(GOLD, in_segment("uk"))))
    segments.delete(app, "uk", confirm=True)
    with pytest.raises(DefinitionError) as caught:
        segments.save_edit(app, "vip-customers")
    assert "unknown segment 'uk'" in problems(caught.value)
    seg = get(app, "vip-customers")
    assert (seg.live_revision, seg.pending_revision, seg.current_version) == (1, 2, 1)


def test_discard_edit_keeps_the_live_definition(app: App) -> None:
    live = app.definition(get(app, "vip-customers"))
    segments.edit(app, "vip-customers", document(all_of(GOLD, in_segment("churn-risk"))))
    seg = segments.discard_edit(app, "vip-customers")
    assert not seg.editing and seg.live_revision == 1 and seg.current_version == 1
    assert app.definition(seg) == live
    # The discarded edit is gone for good: not copied, not counted as usage, not served
    # once the segment is stopped and not made live again.
    assert app.definition(seg, seg.revision) == live
    assert "vip-customers" not in segments.usage(app, "churn-risk").segments
    copy = segments.duplicate(app, "vip-customers", "vip-copy")
    assert app.definition(copy) == live
    segments.stop(app, "vip-customers", confirm=True)
    assert app.definition(get(app, "vip-customers")) == live
    seg, _ = segments.go_live(app, "vip-customers")
    assert app.definition(seg) == live


def test_discard_edit_needs_a_pending_edit(app: App) -> None:
    with pytest.raises(UserError, match="vip-customers has no pending edit"):
        segments.discard_edit(app, "vip-customers")
    with pytest.raises(NotFoundError):
        segments.discard_edit(app, "nope")


# --- rename, duplicate, tag ------------------------------------------------------------


def test_rename(app: App) -> None:
    assert segments.rename(app, "vip-customers", "  Big spenders ").name == "Big spenders"
    with pytest.raises(UserError, match="a name cannot be empty"):
        segments.rename(app, "vip-customers", "  ")
    with pytest.raises(NotFoundError):
        segments.rename(app, "nope", "Nope")
    assert get(app, "vip-customers").name == "Big spenders"


def test_duplicate_copies_the_latest_revision_and_tags(app: App) -> None:
    segments.edit(app, "vip-customers", document(GOLD))  # live, with a pending edit
    copy = segments.duplicate(app, "vip-customers", "vip-copy")
    assert (copy.key, copy.name, copy.state, copy.revision) == (
        "vip-copy",
        "VIP customers (copy)",
        SegmentState.DRAFT,
        1,
    )
    assert copy.tags == get(app, "vip-customers").tags == ("loyalty",)
    assert app.definition(copy) == document(GOLD).definition
    assert copy.current_version is None and copy.owner == "ann"
    named = segments.duplicate(app, "loyal-not-at-risk", "loyal-2", name="Loyal two")
    assert (named.name, named.type) == ("Loyal two", SegmentType.COMPOUND)
    assert app.definition(named) == app.definition(get(app, "loyal-not-at-risk"))


def test_duplicate_copies_static_members(app: App) -> None:
    copy = segments.duplicate(app, "hand-picked-vips", "picked-copy")
    with app.store.read() as r:
        assert r.static_members("picked-copy") == r.static_members("hand-picked-vips")
        assert len(r.static_members("picked-copy")) == 25
    assert copy.type is SegmentType.STATIC and copy.tags == ("static", "vip")


def test_duplicate_errors(app: App) -> None:
    with pytest.raises(UserError, match="already exists"):
        segments.duplicate(app, "vip-customers", "churn-risk")
    with pytest.raises(UserError, match="is not a valid key"):
        segments.duplicate(app, "vip-customers", "Bad Key")
    with pytest.raises(NotFoundError):
        segments.duplicate(app, "nope", "nope-2")
    assert "nope-2" not in keys(app)


def test_tag(app: App) -> None:
    seg = segments.tag(app, "vip-customers", add=[" vip ", "email"], remove=["loyalty"])
    assert seg.tags == ("email", "vip")
    with pytest.raises(UserError, match="tags must be 1 to 100 characters"):
        segments.tag(app, "vip-customers", add=[" "])
    with pytest.raises(UserError, match="tags must be 1 to 100 characters"):
        segments.tag(app, "vip-customers", add=["x" * 101])
    assert get(app, "vip-customers").tags == ("email", "vip")


# --- usage and delete ------------------------------------------------------------------


def test_usage_lists_referencing_segments_and_consumers(app: App) -> None:
    found = segments.usage(app, "vip-customers")
    assert found.segments == ["loyal-not-at-risk", "vip-thank-you"]
    assert found.live_compounds == ["loyal-not-at-risk"]
    assert found.consumers == [] and found.used
    churn = segments.usage(app, "churn-risk")
    assert churn.segments == ["loyal-not-at-risk", "vip-thank-you"]
    assert [(c.kind, c.name, c.role) for c in churn.consumers] == [
        ("journey", "Winter thank-you journey", "suppression")
    ]
    assert [str(p) for p in churn.lines()] == [
        "segment loyal-not-at-risk: references it",
        "segment vip-thank-you: references it",
        "journey Winter thank-you journey: uses it as suppression "
        "(https://marketing.example/journeys/winter)",
    ]
    unused = segments.usage(app, "big-baskets")
    assert not unused.used and unused.lines() == []
    with pytest.raises(NotFoundError):
        segments.usage(app, "nope")


def test_usage_counts_pending_edits_and_drafts(app: App) -> None:
    segments.edit(app, "big-baskets", document(all_of(UK, in_segment("one-time-buyers"))))
    segments.edit(app, "black-friday-2025", document(in_segment("one-time-buyers")))
    found = segments.usage(app, "one-time-buyers")
    assert found.segments == ["big-baskets", "black-friday-2025"]
    assert found.live_compounds == []


def test_delete_of_a_used_segment_needs_confirm(app: App) -> None:
    with pytest.raises(UserError, match="churn-risk is in use; confirm") as caught:
        segments.delete(app, "churn-risk")
    assert [p.path for p in caught.value.problems] == [
        "segment loyal-not-at-risk",
        "segment vip-thank-you",
        "journey Winter thank-you journey",
    ]
    assert "churn-risk" in keys(app)
    assert stored_versions(app, "churn-risk") == {1}
    found = segments.delete(app, "churn-risk", confirm=True)
    assert found.segments == ["loyal-not-at-risk", "vip-thank-you"]
    assert "churn-risk" not in keys(app)
    assert stored_versions(app, "churn-risk") == set()
    with app.store.read() as r:
        assert r.consumers("churn-risk") == [] and r.versions("churn-risk") == []


def test_delete_of_an_unused_segment(app: App) -> None:
    assert not segments.delete(app, "big-baskets").used
    assert "big-baskets" not in keys(app)
    assert stored_versions(app, "big-baskets") == set()
    with pytest.raises(NotFoundError):
        segments.delete(app, "big-baskets")
    # The key can be used again, from version 1.
    segments.create(app, document(UK, key="big-baskets"))
    segments.go_live(app, "big-baskets")
    assert get(app, "big-baskets").current_version == 1


def test_delete_a_static_segment_drops_its_members(app: App) -> None:
    segments.delete(app, "hand-picked-vips")
    with app.store.read() as r:
        assert r.static_members("hand-picked-vips") == []
    assert stored_versions(app, "hand-picked-vips") == set()


# --- go live, stop ---------------------------------------------------------------------


def test_go_live_validates_refreshes_and_makes_usable(app: App) -> None:
    seg, requested = segments.go_live(app, "black-friday-2025")
    assert seg.state is SegmentState.LIVE and seg.live_revision == 1
    assert requested is not None and requested.run is not None
    assert requested.run.status is RunStatus.SUCCEEDED
    assert seg.current_version == 1 and is_usable(seg) and segments.usable(seg)
    assert seg.members == len(current(app, "black-friday-2025"))


def test_go_live_without_refresh(app: App) -> None:
    seg, requested = segments.go_live(app, "black-friday-2025", refresh_now=False)
    assert requested is None and seg.state is SegmentState.LIVE
    assert seg.current_version is None and not is_usable(seg)


def test_go_live_errors(app: App) -> None:
    with pytest.raises(UserError, match=r"vip-customers is already live$"):
        segments.go_live(app, "vip-customers")
    segments.edit(app, "vip-customers", document(GOLD))
    with pytest.raises(UserError, match=r"already live \(save or discard its pending edit\)"):
        segments.go_live(app, "vip-customers")
    with pytest.raises(NotFoundError):
        segments.go_live(app, "nope")


def test_go_live_checks_the_definition_again(app: App) -> None:
    segments.create(app, document(UK, key="uk"))
    segments.edit(app, "black-friday-2025", document(in_segment("uk")))
    segments.delete(app, "uk", confirm=True)
    with pytest.raises(DefinitionError) as caught:
        segments.go_live(app, "black-friday-2025")
    assert "unknown segment 'uk'" in problems(caught.value)
    assert get(app, "black-friday-2025").state is SegmentState.DRAFT


def test_external_segments_never_go_live(app: App) -> None:
    segments.create(app, document(UK, key="crm-list"), type_=SegmentType.EXTERNAL)
    with pytest.raises(UserError, match="crm-list is external: its own system manages it"):
        segments.go_live(app, "crm-list")


def test_compound_segments_combine_live_inputs_only(app: App) -> None:
    condition = all_of(in_segment("vip-customers"), but_not(in_segment("sms-winback-uk")))
    segments.create(app, document(condition, key="c"), type_=SegmentType.COMPOUND)
    with pytest.raises(UserError, match="a compound segment combines live segments only") as e:
        segments.go_live(app, "c")
    assert [str(p) for p in e.value.problems] == [
        "condition.conditions.1.condition: sms-winback-uk is not live"
    ]
    assert get(app, "c").state is SegmentState.DRAFT
    segments.go_live(app, "sms-winback-uk")
    seg, requested = segments.go_live(app, "c")
    assert requested is not None and requested.run is not None
    assert requested.run.status is RunStatus.SUCCEEDED
    expected = current(app, "vip-customers") - current(app, "sms-winback-uk")
    assert current(app, "c") == expected and seg.members == len(expected)


def test_saving_an_edit_of_a_compound_needs_live_inputs_too(app: App) -> None:
    segments.edit(
        app,
        "loyal-not-at-risk",
        document(all_of(in_segment("vip-customers"), in_segment("sms-winback-uk"))),
    )
    with pytest.raises(UserError, match="combines live segments only"):
        segments.save_edit(app, "loyal-not-at-risk")
    seg = get(app, "loyal-not-at-risk")
    assert (seg.live_revision, seg.pending_revision, seg.current_version) == (1, 2, 1)


def test_a_compound_segment_can_combine_a_static_one(app: App) -> None:
    condition = all_of(in_segment("hand-picked-vips"), but_not(in_segment("churn-risk")))
    segments.create(app, document(condition, key="picked-safe"), type_=SegmentType.COMPOUND)
    segments.go_live(app, "picked-safe")
    assert current(app, "picked-safe") == current(app, "hand-picked-vips") - current(
        app, "churn-risk"
    )
    assert segments.usage(app, "hand-picked-vips").live_compounds == ["picked-safe"]


def test_a_dynamic_segment_cannot_reference_a_static_one(app: App) -> None:
    """A dynamic segment reads the definitions of the segments it references; a static
    segment has none (directly, or through a compound segment combining it)."""
    with pytest.raises(DefinitionError, match="not a valid definition") as caught:
        segments.create(app, document(in_segment("hand-picked-vips"), key="d"))
    assert problems(caught.value) == (
        "condition.segment: hand-picked-vips is a static segment (hand-picked members, no "
        "definition): only a compound segment can combine it"
    )
    condition = any_of(in_segment("churn-risk"), in_segment("hand-picked-vips"))
    segments.create(app, document(condition, key="picked-or-churn"), type_=SegmentType.COMPOUND)
    with pytest.raises(DefinitionError, match="not a valid definition") as caught:
        segments.create(app, document(all_of(UK, in_segment("picked-or-churn")), key="d"))
    assert problems(caught.value) == (
        "condition.conditions[1].segment: picked-or-churn reads hand-picked-vips, a static "
        "segment (hand-picked members, no definition): only a compound segment can combine it"
    )
    assert "d" not in keys(app)


def test_reference_cycles_are_rejected_when_saved(app: App) -> None:
    # vip-thank-you reads vip-customers: vip-customers may not read vip-thank-you.
    with pytest.raises(DefinitionError, match="not a valid definition") as caught:
        segments.edit(app, "vip-customers", document(in_segment("vip-thank-you")))
    assert "reference cycle: vip-customers → vip-thank-you → vip-customers" in problems(
        caught.value
    )
    assert get(app, "vip-customers").revision == 1
    # Drafts too: b reads a, so a may not read b.
    segments.create(app, document(UK, key="a"))
    segments.create(app, document(in_segment("a"), key="b"))
    with pytest.raises(DefinitionError) as caught:
        segments.edit(app, "a", document(in_segment("b")))
    assert "reference cycle: a → b → a" in problems(caught.value)
    assert get(app, "a").revision == 1


def test_a_cycle_through_a_live_revision_is_found_when_saving(app: App) -> None:
    segments.create(app, document(UK, key="a"))
    segments.create(app, document(GOLD, key="b"))
    segments.go_live(app, "a")
    segments.go_live(app, "b")
    segments.edit(app, "a", document(in_segment("b")))  # fine: b reads nothing
    segments.edit(app, "b", document(in_segment("a")))  # fine: a still serves rev 1
    segments.save_edit(app, "a")
    with pytest.raises(DefinitionError) as caught:
        segments.save_edit(app, "b")
    assert "reference cycle: b → a → b" in problems(caught.value)
    seg = get(app, "b")
    assert (seg.live_revision, seg.pending_revision) == (1, 2)


def test_stop_returns_a_segment_to_draft(app: App) -> None:
    segments.edit(app, "big-baskets", document(UK))
    seg = segments.stop(app, "big-baskets")
    assert seg.state is SegmentState.DRAFT and seg.pending_revision is None
    assert seg.current_version == 1 and not is_usable(seg)
    assert seg.serving_revision == 2  # a draft serves its latest revision
    with pytest.raises(UserError, match="big-baskets is not live"):
        segments.stop(app, "big-baskets")
    with pytest.raises(UserError, match="black-friday-2025 is not live"):
        segments.stop(app, "black-friday-2025")


def test_stop_of_a_live_compound_input_needs_confirm_and_changes_nothing(app: App) -> None:
    before = get(app, "churn-risk")
    with pytest.raises(UserError, match="churn-risk feeds live compound segments; confirm") as e:
        segments.stop(app, "churn-risk")
    assert [str(p) for p in e.value.problems] == ["segment loyal-not-at-risk: live compound input"]
    assert get(app, "churn-risk") == before
    # A dynamic segment reading it is no reason to refuse: it reads the definition.
    assert "vip-thank-you" in segments.usage(app, "churn-risk").segments
    seg = segments.stop(app, "churn-risk", confirm=True)
    assert seg.state is SegmentState.DRAFT
    # The compound keeps its version, and does not refresh from a stopped input.
    done = refresh(app, ["loyal-not-at-risk"], as_of=AS_OF)
    assert done.run is not None and done.run.tasks[0].status is TaskStatus.FAILED
    assert "input segment 'churn-risk' is not live, active and refreshed" in str(
        done.run.tasks[0].error
    )
    assert get(app, "loyal-not-at-risk").current_version == 1


# --- active, inactive, quota ------------------------------------------------------------


def test_activate_and_deactivate_now(app: App) -> None:
    seg = segments.deactivate(app, "vip-customers")
    assert not seg.active and not is_usable(seg)
    seg = segments.activate(app, "vip-customers")
    assert seg.active and is_usable(seg)
    assert segments.activate(app, "vip-customers").active  # again: nothing to do
    with pytest.raises(NotFoundError):
        segments.activate(app, "nope")
    with pytest.raises(NotFoundError):
        segments.deactivate(app, "nope")


def test_scheduled_activation_and_deactivation(app: App) -> None:
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    end = start + dt.timedelta(days=7)
    seg = segments.activate(app, "dormant-accounts", at=start)
    assert not seg.active and seg.activate_at == start
    seg = segments.deactivate(app, "dormant-accounts", at=end)
    assert seg.deactivate_at == end
    assert segments.apply_activation_schedule(app, start - dt.timedelta(seconds=1)) == []
    assert segments.apply_activation_schedule(app, start) == ["dormant-accounts: activated"]
    seg = get(app, "dormant-accounts")
    assert seg.active and seg.activate_at is None and seg.deactivate_at == end
    assert segments.apply_activation_schedule(app, start + dt.timedelta(days=1)) == []
    assert segments.apply_activation_schedule(app, end) == ["dormant-accounts: deactivated"]
    seg = get(app, "dormant-accounts")
    assert not seg.active and seg.deactivate_at is None
    assert segments.apply_activation_schedule(app, end + dt.timedelta(days=1)) == []


def test_a_time_in_the_past_activates_now(app: App) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    assert segments.activate(app, "dormant-accounts", at=past).active
    assert not segments.deactivate(app, "dormant-accounts", at=past).active


def test_due_schedules_are_applied_in_time_order(app: App) -> None:
    now = dt.datetime.now(dt.UTC)
    # Deactivated on day 1, activated again on day 2: active in the end.
    segments.deactivate(app, "big-baskets", at=now + dt.timedelta(days=1))
    segments.activate(app, "big-baskets", at=now + dt.timedelta(days=2))
    # Activated on day 1, deactivated on day 2: inactive in the end.
    segments.activate(app, "dormant-accounts", at=now + dt.timedelta(days=1))
    segments.deactivate(app, "dormant-accounts", at=now + dt.timedelta(days=2))
    done = segments.apply_activation_schedule(app, now + dt.timedelta(days=3))
    assert sorted(done) == [
        "big-baskets: activated",
        "big-baskets: deactivated",
        "dormant-accounts: activated",
        "dormant-accounts: deactivated",
    ]
    assert get(app, "big-baskets").active
    assert not get(app, "dormant-accounts").active


def test_quota_error_lists_what_counts(app: App) -> None:
    set_refresh(app.ws.root, max_active_segments=LIVE_AND_ACTIVE)
    with App.open(app.ws.root, actor="ann") as limited:
        with pytest.raises(UserError, match=f"the quota of {LIVE_AND_ACTIVE} live, active") as e:
            segments.go_live(limited, "black-friday-2025")
        assert len(e.value.problems) == LIVE_AND_ACTIVE
        assert str(e.value.problems[0]) == "segment app-high-aov: live and active"
        assert "segment dormant-accounts" not in {p.path for p in e.value.problems}
        assert get(limited, "black-friday-2025").state is SegmentState.DRAFT
        with pytest.raises(UserError, match="quota"):
            segments.activate(limited, "dormant-accounts")
        assert not get(limited, "dormant-accounts").active
        # Inactive segments and drafts do not count.
        segments.deactivate(limited, "black-friday-2025")
        segments.go_live(limited, "black-friday-2025")
        segments.activate(limited, "sms-winback-uk")  # a draft: no quota needed
        segments.deactivate(limited, "big-baskets")
        segments.activate(limited, "dormant-accounts")
        with limited.store.read() as r:
            assert len(r.count_active_live()) == LIVE_AND_ACTIVE


def test_scheduled_activation_respects_the_quota(app: App) -> None:
    set_refresh(app.ws.root, max_active_segments=LIVE_AND_ACTIVE)
    now = dt.datetime.now(dt.UTC)
    with App.open(app.ws.root, actor="ann") as limited:
        segments.activate(limited, "dormant-accounts", at=now + dt.timedelta(days=1))
        done = segments.apply_activation_schedule(limited, now + dt.timedelta(days=1))
        assert done == [
            f"dormant-accounts: not activated: the quota of {LIVE_AND_ACTIVE} live, active "
            "segments is reached (it stays scheduled)"
        ]
        seg = get(limited, "dormant-accounts")
        assert not seg.active and seg.activate_at is not None
        with limited.store.read() as r:
            assert len(r.count_active_live()) == LIVE_AND_ACTIVE
        # A deactivation due at the same time frees the slot first.
        segments.deactivate(limited, "big-baskets", at=now + dt.timedelta(days=1))
        done = segments.apply_activation_schedule(limited, now + dt.timedelta(days=2))
        assert done == ["big-baskets: deactivated", "dormant-accounts: activated"]
        with limited.store.read() as r:
            assert len(r.count_active_live()) == LIVE_AND_ACTIVE


def test_sentence(app: App) -> None:
    assert segments.sentence(app, get(app, "hand-picked-vips")) == "25 hand-picked contacts"
    text = segments.sentence(app, get(app, "vip-customers"))
    assert "Gold" in text and "Platinum" in text


def test_static_members_of_a_duplicate_refresh_on_their_own(app: App) -> None:
    segments.duplicate(app, "hand-picked-vips", "picked-copy")
    segments.go_live(app, "picked-copy")
    first = sorted(current(app, "picked-copy"))
    static.remove(app, "picked-copy", first[:5])
    refresh(app, ["picked-copy", "hand-picked-vips"], as_of=AS_OF)
    assert current(app, "picked-copy") == set(first[5:])
    assert current(app, "hand-picked-vips") == set(first)
