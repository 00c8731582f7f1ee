"""Making a dynamic segment static (its members frozen) and a static one dynamic again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lifecycle_support import attribute, copy_demo, current, document, evaluate, in_segment
from segmint.definition.load import parse_document
from segmint.errors import ConflictError, DefinitionError, UserError
from segmint.services import conversion, segments
from segmint.services.context import App
from segmint.services.refresh import refresh
from segmint.store import SegmentState, SegmentType

GOLD = attribute("loyalty_tier", "eq", "Gold")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    with App.open(copy_demo(tmp_path / "w"), actor="ann") as opened:
        yield opened


def static_members(app: App, key: str) -> set[str]:
    with app.store.read() as r:
        return set(r.static_members(key))


def test_make_static_freezes_the_current_members_of_a_live_segment(app: App) -> None:
    segments.create(app, document(GOLD, key="gold"))
    segments.go_live(app, "gold")
    before = current(app, "gold")
    assert before
    seg, frozen = conversion.make_static(app, "gold")
    assert (seg.type, seg.state, frozen) == (SegmentType.STATIC, SegmentState.LIVE, len(before))
    assert static_members(app, "gold") == before
    assert seg.live_revision == seg.revision  # the static revision serves
    with app.store.read() as r:
        assert r.revision("gold", seg.revision)["members"] == "static"
        assert "make_static" in [e.action for e in r.audit(segment="gold", limit=10)]
    # a refresh stores the frozen members as they are
    refresh(app, ["gold"])
    assert current(app, "gold") == before
    with pytest.raises(UserError, match="no definition to edit"):
        segments.edit(app, "gold", document(attribute("city", "eq", "Seattle"), key="gold"))


def test_a_draft_never_refreshed_is_evaluated_once(app: App) -> None:
    segments.create(app, document(GOLD, key="gold"))
    seg, frozen = conversion.make_static(app, "gold")
    assert seg.state is SegmentState.DRAFT and seg.live_revision is None
    assert static_members(app, "gold") == evaluate(app, "gold", revision=1)
    assert frozen == len(static_members(app, "gold")) > 0


def test_make_dynamic_brings_the_last_definition_back_and_refreshes(app: App) -> None:
    segments.create(app, document(GOLD, key="gold"))
    segments.go_live(app, "gold")
    conversion.make_static(app, "gold")
    seg, requested = conversion.make_dynamic(app, "gold")
    assert seg.type is SegmentType.DYNAMIC and seg.live_revision == seg.revision == 3
    assert requested is not None and requested.run is not None
    with app.store.read() as r:
        assert r.revision("gold", 3)["condition"] == r.revision("gold", 1)["condition"]
    assert static_members(app, "gold") == set()
    assert current(app, "gold") == evaluate(app, "gold")


def test_make_dynamic_with_a_new_definition(app: App) -> None:
    segments.create(app, document(GOLD, key="picked"), type_=SegmentType.STATIC)
    with pytest.raises(UserError, match="never had a definition"):
        conversion.make_dynamic(app, "picked")
    seattle = parse_document(
        {"audience": "contact", "condition": attribute("city", "eq", "Seattle")}, "test"
    ).definition
    seg, requested = conversion.make_dynamic(app, "picked", seattle)
    assert seg.type is SegmentType.DYNAMIC and requested is None  # a draft is not refreshed
    bad = parse_document(
        {"audience": "contact", "condition": attribute("nope", "eq", 1)}, "test"
    ).definition
    conversion.make_static(app, "picked")
    with pytest.raises(DefinitionError):
        conversion.make_dynamic(app, "picked", bad)
    account = parse_document(
        {"audience": "account", "condition": attribute("tier", "eq", "SMB")}, "test"
    ).definition
    with pytest.raises(UserError, match="audience cannot change"):
        conversion.make_dynamic(app, "picked", account)


def test_conversions_that_are_not_allowed(app: App) -> None:
    segments.create(app, document(GOLD, key="gold"))
    with pytest.raises(ConflictError, match="only static segments can be made dynamic"):
        conversion.make_dynamic(app, "gold")
    segments.go_live(app, "gold")
    segments.edit(app, "gold", document(attribute("city", "eq", "Seattle"), key="gold"))
    with pytest.raises(ConflictError, match="pending edit"):
        conversion.make_static(app, "gold")
    segments.discard_edit(app, "gold")
    # a dynamic segment referencing it would then read a static segment: refused
    segments.create(app, document(in_segment("gold"), key="uses-gold"))
    with pytest.raises(ConflictError, match="not compound") as caught:
        conversion.make_static(app, "gold")
    assert [p.path for p in caught.value.problems] == ["segment uses-gold"]
    segments.delete(app, "uses-gold")
    conversion.make_static(app, "gold")
    with pytest.raises(ConflictError, match="only dynamic and compound"):
        conversion.make_static(app, "gold")
