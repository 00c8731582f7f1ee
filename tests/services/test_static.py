"""Static segments: hand-picked members added and removed by key or by query."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lifecycle_support import AS_OF, all_keys, attribute, copy_demo, current, document, in_segment
from segmint.errors import DefinitionError, NotFoundError, UserError
from segmint.services import segments, static
from segmint.services.context import App
from segmint.services.refresh import refresh
from segmint.store import SegmentType

KEY = "picked"
GOLD = attribute("loyalty_tier", "eq", "Gold")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    root = copy_demo(tmp_path / "w")
    with App.open(root, actor="ann") as opened:
        segments.create(opened, document(GOLD, key=KEY), type_=SegmentType.STATIC)
        yield opened


def members(app: App, key: str = KEY) -> list[str]:
    with app.store.read() as r:
        return r.static_members(key)


def some(app: App, n: int) -> list[str]:
    return sorted(all_keys(app))[:n]


def test_add_and_remove_by_key(app: App) -> None:
    first = some(app, 5)
    assert static.add(app, KEY, first[:3]) == 3
    assert static.add(app, KEY, first) == 2  # members already in are not added twice
    assert members(app) == first
    assert static.remove(app, KEY, [first[0], "not-a-member"]) == 1
    assert static.remove(app, KEY, [first[0]]) == 0
    assert members(app) == first[1:]
    with app.store.read() as r:
        actions = [(e.action, e.detail) for e in r.audit(segment=KEY, limit=4)]
    assert actions[:2] == [("static_remove", {"removed": 0}), ("static_remove", {"removed": 1})]


def test_adding_unknown_keys_adds_nothing(app: App) -> None:
    known = some(app, 2)
    with pytest.raises(UserError, match="1 unknown contact key\\(s\\); nothing was added") as e:
        static.add(app, KEY, [*known, "C9999999"])
    assert [str(p) for p in e.value.problems] == ["contact C9999999: no such profile"]
    assert members(app) == []
    many = [f"X{i:03}" for i in range(25)]
    with pytest.raises(UserError, match="25 unknown contact key") as e:
        static.add(app, KEY, many)
    assert len(e.value.problems) == 21
    assert str(e.value.problems[-1]) == "and 5 more"
    assert members(app) == []


def test_keys_are_compared_as_text(app: App) -> None:
    key = some(app, 1)[0]
    assert static.add(app, KEY, [key, key]) == 1
    with pytest.raises(UserError, match="unknown"):
        static.add(app, KEY, [key.lower()])
    assert members(app) == [key]


def test_only_static_segments_have_hand_picked_members(app: App) -> None:
    key = some(app, 1)[0]
    with pytest.raises(UserError, match="vip-customers is dynamic, not static"):
        static.add(app, "vip-customers", [key])
    with pytest.raises(UserError, match="loyal-not-at-risk is compound, not static"):
        static.remove(app, "loyal-not-at-risk", [key])
    with pytest.raises(UserError, match="not static"):
        static.matches(app, "vip-customers", document(GOLD))
    with pytest.raises(NotFoundError):
        static.add(app, "nope", [key])
    assert members(app, "vip-customers") == []


def test_matches_shows_the_query_before_anything_changes(app: App) -> None:
    found = static.matches(app, KEY, document(GOLD))
    gold = {
        str(k)
        for k in app.engine.member_keys(document(GOLD).definition, as_of=AS_OF, segments=None)
    }
    assert found.count == len(found.keys) == len(gold) > 3
    assert set(found.keys) == gold and found.keys == sorted(found.keys)
    assert found.members == 0
    static.add(app, KEY, found.keys[:3])
    assert static.matches(app, KEY, document(GOLD)).members == 3
    assert members(app) == found.keys[:3]


def test_matches_checks_the_query(app: App) -> None:
    with pytest.raises(UserError, match="picked is about contact; the query is about account"):
        static.matches(app, KEY, document(attribute("tier", "eq", "SMB"), audience="account"))
    with pytest.raises(DefinitionError, match="query is not a valid definition"):
        static.matches(app, KEY, document(attribute("shoe_size", "gt", 1)))
    # Queries may use other segments' definitions.
    found = static.matches(app, KEY, document(in_segment("vip-customers")))
    assert found.count == len(current(app, "vip-customers"))


def test_add_by_query_all_or_a_selected_subset(app: App) -> None:
    found = static.matches(app, KEY, document(GOLD))
    assert static.add_by_query(app, KEY, document(GOLD), selected=found.keys[:2]) == 2
    assert members(app) == found.keys[:2]
    assert static.add_by_query(app, KEY, document(GOLD)) == found.count - 2
    assert members(app) == found.keys


def test_a_selection_outside_the_matches_changes_nothing(app: App) -> None:
    found = static.matches(app, KEY, document(GOLD))
    outsider = sorted(all_keys(app) - set(found.keys))[0]
    with pytest.raises(UserError, match="selected keys are not among the query's matches") as e:
        static.add_by_query(app, KEY, document(GOLD), selected=[found.keys[0], outsider])
    assert [str(p) for p in e.value.problems] == [f"{outsider}: not matched by the query"]
    assert members(app) == []
    static.add(app, KEY, [outsider])
    with pytest.raises(UserError, match="not among the query's matches"):
        static.remove_by_query(app, KEY, document(GOLD), selected=[outsider])
    assert members(app) == [outsider]


def test_remove_by_query_all_or_a_selected_subset(app: App) -> None:
    found = static.matches(app, KEY, document(GOLD))
    others = sorted(all_keys(app) - set(found.keys))[:3]
    static.add(app, KEY, [*found.keys, *others])
    assert static.remove_by_query(app, KEY, document(GOLD), selected=found.keys[:1]) == 1
    assert members(app) == sorted([*found.keys[1:], *others])
    assert static.remove_by_query(app, KEY, document(GOLD)) == found.count - 1
    assert members(app) == others


def test_a_refresh_stores_the_members_as_a_version(app: App) -> None:
    chosen = some(app, 4)
    static.add(app, KEY, chosen)
    seg, _ = segments.go_live(app, KEY)
    assert seg.current_version == 1 and seg.members == 4
    assert current(app, KEY) == set(chosen)
    static.remove(app, KEY, chosen[:1])
    assert current(app, KEY) == set(chosen)  # members change at the next refresh
    done = refresh(app, [KEY])
    assert done.run is not None
    task = done.run.tasks[0]
    assert (task.members, task.entered, task.exited, task.version) == (3, 0, 1, 2)
    assert current(app, KEY) == set(chosen[1:])
