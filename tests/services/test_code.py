"""Segments as code: plan shows a semantic diff; apply makes it so, idempotently."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from segmint.errors import DefinitionError, UserError
from segmint.services import code
from segmint.services.context import App
from segmint.services.demo import build_demo


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("code") / "w"
    build_demo(root, contacts=300, seed=5)
    return root


@pytest.fixture
def app(built: Path, tmp_path: Path) -> Iterator[App]:
    root = tmp_path / "w"
    shutil.copytree(built, root)
    with App.open(root, actor="test") as opened:
        yield opened


SEATTLE = """\
key: seattle
name: Seattle
audience: contact
state: live
tags: [geo]
condition: {type: attribute, field: city, op: eq, value: Seattle}
"""


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_plan_create_apply_then_nothing_to_do(app: App, tmp_path: Path) -> None:
    folder = tmp_path / "segs"
    write(folder, "seattle.yaml", SEATTLE)
    write(
        folder,
        "few.yaml",
        "key: few\nname: Few\ntype: static\naudience: contact\nmembers: [C0000001, C0000002]\n",
    )
    planned = code.plan(app, folder)
    assert [(c.key, c.action) for c in planned.changes] == [
        ("few", "create"),
        ("seattle", "create"),
    ]
    assert "+name: Seattle" in planned.changes[1].diff
    applied = code.apply(app, folder)
    assert dict(applied.done) == {"few": "created", "seattle": "created, live"}
    assert applied.run_id is not None
    with app.store.read() as r:
        seg = r.require("seattle")
        assert seg.state.value == "live" and seg.current_version == 1 and seg.tags == ("geo",)
        assert r.static_members("few") == ["C0000001", "C0000002"]
    assert code.plan(app, folder).empty
    assert code.apply(app, folder).done == []


def test_changes_show_a_readable_diff_and_apply(app: App, tmp_path: Path) -> None:
    folder = tmp_path / "segs"
    write(folder, "seattle.yaml", SEATTLE)
    code.apply(app, folder)
    write(
        folder,
        "seattle.yaml",
        SEATTLE.replace("value: Seattle", "value: Portland").replace(
            "name: Seattle", "name: Portland"
        ),
    )
    planned = code.plan(app, folder)
    (change,) = planned.changes
    assert change.action == "change" and set(change.fields) == {"name", "condition"}
    assert "-  value: Seattle" in change.diff and "+  value: Portland" in change.diff
    code.apply(app, folder)
    with app.store.read() as r:
        seg = r.require("seattle")
    assert seg.name == "Portland" and seg.live_revision == 2 and not seg.editing
    assert code.plan(app, folder).empty


def test_prune_deletes_what_the_files_no_longer_hold(app: App, tmp_path: Path) -> None:
    folder = tmp_path / "segs"
    write(folder, "seattle.yaml", SEATTLE)
    planned = code.plan(app, folder, prune=True)
    deletions = {c.key for c in planned.changes if c.action == "delete"}
    assert "vip-customers" in deletions and "seattle" not in deletions
    with pytest.raises(UserError, match="in use; confirm"):
        code.apply(app, folder, prune=True)  # vip-customers feeds other segments
    with app.store.read() as r:
        assert r.segment("seattle") is None  # nothing was applied
    code.apply(app, folder, prune=True, confirm=True)
    with app.store.read() as r:
        assert [s.key for s in r.segments(sort="key")] == ["seattle"]


def test_bad_files_are_all_reported_and_nothing_changes(app: App, tmp_path: Path) -> None:
    folder = tmp_path / "segs"
    write(folder, "a.yaml", "key: a\naudience: contact\ncondition: {type: nope}\n")
    write(
        folder,
        "b.yaml",
        "key: B!\naudience: contact\ncondition: {type: attribute, field: city, op: is_empty}\n",
    )
    with pytest.raises(DefinitionError) as info:
        code.plan(app, folder)
    text = "\n".join(str(p) for p in info.value.problems)
    assert "a.yaml: condition" in text and "b.yaml: key" in text


def test_type_and_audience_cannot_change(app: App, tmp_path: Path) -> None:
    folder = tmp_path / "segs"
    write(
        folder,
        "vip.yaml",
        "key: vip-customers\naudience: contact\ntype: compound\n"
        "condition: {type: in_segment, segment: churn-risk}\n",
    )
    with pytest.raises(UserError, match="type and audience cannot change"):
        code.apply(app, folder)
