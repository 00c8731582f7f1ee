"""Evaluating segment files in a workspace: the use cases behind validate/count/members/..."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from segmint.errors import ModelError, NotFoundError, UserError
from segmint.services import evaluation
from segmint.workspace import init_workspace, open_workspace
from workspace_files import MODEL

AS_OF = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)

SEATTLE = "audience: contact\ncondition: {type: attribute, field: city, op: eq, value: Seattle}\n"

TYPED_MODEL = """\
entities:
  contact:
    key: contact_id
    audience: true
    source: data/contacts.csv
    attributes:
      contact_id: {type: integer}
      city: {type: string}
"""


@pytest.fixture
def seattle(tmp_path: Path) -> Path:
    path = tmp_path / "seattle.yaml"
    path.write_text(SEATTLE)
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-01", dt.datetime(2025, 7, 1, tzinfo=dt.UTC)),
        ("2025-07-01T09:30:00", dt.datetime(2025, 7, 1, 9, 30, tzinfo=dt.UTC)),
        ("2025-07-01T09:30:00Z", dt.datetime(2025, 7, 1, 9, 30, tzinfo=dt.UTC)),
        ("2025-07-01T09:30:00+02:00", dt.datetime(2025, 7, 1, 7, 30, tzinfo=dt.UTC)),
    ],
)
def test_as_of_is_an_iso_date_or_date_time(text: str, expected: dt.datetime) -> None:
    value = evaluation.parse_as_of(text)
    assert value == expected
    assert value.tzinfo is not None


def test_as_of_defaults_to_now() -> None:
    before = dt.datetime.now(dt.UTC)
    value = evaluation.parse_as_of(None)
    assert before <= value <= dt.datetime.now(dt.UTC)


@pytest.mark.parametrize("text", ["yesterday", "2025-13-01", "01/07/2025", ""])
def test_a_bad_as_of(text: str) -> None:
    with pytest.raises(UserError, match="--as-of"):
        evaluation.parse_as_of(text)


def test_validate_a_fully_typed_model_before_any_ingest(tmp_path: Path, seattle: Path) -> None:
    ws = init_workspace(tmp_path / "w")
    ws.model_path.write_text(TYPED_MODEL)
    ws = open_workspace(ws.root)
    assert ws.database_path.exists()  # created empty by init
    assert evaluation.validate(ws, seattle).key == "seattle"
    ws.database_path.unlink()
    assert evaluation.validate(ws, seattle).key == "seattle"


def test_validate_needs_the_data_when_types_are_left_out(tmp_path: Path, seattle: Path) -> None:
    ws = init_workspace(tmp_path / "w")
    ws.model_path.write_text(MODEL)
    with pytest.raises(ModelError) as caught:
        evaluation.validate(open_workspace(ws.root), seattle)
    assert "segmint ingest" in caught.value.message
    assert [p.path for p in caught.value.problems] == ["entities.contact.attributes.household_size"]


def test_evaluating_needs_loaded_data(tmp_path: Path, seattle: Path) -> None:
    ws = init_workspace(tmp_path / "w")
    ws.model_path.write_text(TYPED_MODEL)
    ws = open_workspace(ws.root)
    with pytest.raises(UserError, match="not loaded yet: contact; run `segmint ingest`"):
        evaluation.count(ws, seattle, AS_OF)
    ws.database_path.unlink()
    with pytest.raises(UserError, match="does not exist; run `segmint ingest` first"):
        evaluation.count(ws, seattle, AS_OF)


def test_count_members_and_sql(shop: Path, seattle: Path) -> None:
    ws = open_workspace(shop)
    counted = evaluation.count(ws, seattle, AS_OF)
    assert (counted.key, counted.count, counted.as_of) == ("seattle", 2, AS_OF)
    page = evaluation.members(ws, seattle, AS_OF, fields=["city"], limit=10, offset=0)
    assert page.rows == [{"contact_id": 1, "city": "Seattle"}, {"contact_id": 3, "city": "Seattle"}]
    assert "'Seattle'" in evaluation.sql(ws, seattle, AS_OF)


@pytest.mark.parametrize(
    ("limit", "offset", "message"),
    [
        (0, 0, "--limit must be between 1 and 100000"),
        (100_001, 0, "--limit must be between 1 and 100000"),
        (10, -1, "--offset must not be negative"),
    ],
)
def test_members_page_bounds(
    shop: Path, seattle: Path, limit: int, offset: int, message: str
) -> None:
    with pytest.raises(UserError) as caught:
        evaluation.members(
            open_workspace(shop), seattle, AS_OF, fields=[], limit=limit, offset=offset
        )
    assert caught.value.message == message


def test_explain(shop: Path, seattle: Path) -> None:
    ws = open_workspace(shop)
    assert evaluation.explain(ws, seattle, "3", AS_OF).member
    assert not evaluation.explain(ws, seattle, "2", AS_OF).member
    with pytest.raises(NotFoundError, match="no contact with contact_id = 'x'"):
        evaluation.explain(ws, seattle, "x", AS_OF)


def test_segment_references_resolve_to_the_workspace_files(workspace: Path) -> None:
    ws = open_workspace(workspace)
    (ws.segments_dir / "seattle.yaml").write_text(SEATTLE)
    others = ws.segments_dir / "others.yaml"
    others.write_text(
        "audience: contact\n"
        "condition: {type: not, condition: {type: in_segment, segment: seattle}}\n"
    )
    assert evaluation.count(ws, others, AS_OF).count == 2
    page = evaluation.members(ws, others, AS_OF, fields=[], limit=10, offset=0)
    assert page.rows == [{"contact_id": 2}, {"contact_id": 4}]


def test_a_model_changed_since_ingest_asks_for_an_ingest(workspace: Path, seattle: Path) -> None:
    model = workspace / "model.yaml"
    model.write_text(
        model.read_text()
        .replace("age: {type: integer}", "age: {type: float}")
        .replace(
            "      city: {type: string}\n",
            "      city: {type: string}\n      nick: {type: string}\n",
        )
    )
    with pytest.raises(UserError) as caught:
        evaluation.count(open_workspace(workspace), seattle, AS_OF)
    assert caught.value.message == (
        "model.yaml has changed since the data was loaded (contact.nick, contact.age); "
        "run `segmint ingest`"
    )
