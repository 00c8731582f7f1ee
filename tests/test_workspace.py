"""The workspace folder: creating, opening, reading model.yaml and segment files."""

from __future__ import annotations

from pathlib import Path

import pytest

from segmint.catalog import AttrType, SourceFormat, SourceSpec
from segmint.config import DEFAULT_TOML
from segmint.definition.load import load_document
from segmint.errors import DefinitionError, ModelError, Problem, WorkspaceError
from segmint.workspace import (
    EMPTY_MODEL,
    document_key,
    init_workspace,
    open_workspace,
    read_model,
)
from workspace_files import MODEL

SEGMENT = "audience: contact\ncondition: {type: attribute, field: city, op: eq, value: Seattle}\n"


def test_init_creates_the_layout(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "acme")
    root = tmp_path / "acme"
    assert ws.root == root
    assert sorted(p.name for p in root.iterdir()) == [
        "data",
        "model.yaml",
        "segments",
        "segmint.db",
        "segmint.duckdb",
        "segmint.toml",
    ]
    assert (root / "data").is_dir()
    assert (root / "segments").is_dir()
    assert (root / "segmint.toml").read_text() == DEFAULT_TOML.format(name="acme")
    assert (root / "model.yaml").read_text() == EMPTY_MODEL
    assert (root / "segmint.db").read_bytes().startswith(b"SQLite format 3\x00")
    assert (root / "segmint.duckdb").read_bytes()[8:12] == b"DUCK"
    assert ws.settings.name == "acme"
    assert ws.database_path == root / "segmint.duckdb"


def test_init_keeps_an_existing_model(tmp_path: Path) -> None:
    tmp_path.joinpath("model.yaml").write_text(MODEL)
    init_workspace(tmp_path, name='My "shop"')
    assert tmp_path.joinpath("model.yaml").read_text() == MODEL
    assert open_workspace(tmp_path).settings.name == "My shop"


def test_init_twice_fails_clearly(tmp_path: Path) -> None:
    init_workspace(tmp_path)
    with pytest.raises(WorkspaceError, match="is already a workspace"):
        init_workspace(tmp_path)


def test_open_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError) as caught:
        open_workspace(tmp_path)
    assert caught.value.message == (
        f"{tmp_path} is not a Segmint workspace (no segmint.toml); create one with "
        f"`segmint init {tmp_path}` or pass --workspace"
    )


def test_open_reads_the_model(shop: Path) -> None:
    ws = open_workspace(shop)
    assert list(ws.model.entities) == ["contact", "account", "order"]
    assert ws.model.entities["account"].source == SourceSpec(path="data/accounts.parquet")
    assert ws.model.entities["account"].attributes is None
    assert ws.model.entities["contact"].attributes is not None
    assert ws.model.entities["contact"].attributes["household_size"].type is None
    assert ws.model.interactions["email_opened"].timestamp == "opened_at"


def test_source_formats_come_from_the_extension_or_are_given() -> None:
    assert SourceSpec(path="data/a.csv").resolved_format is SourceFormat.CSV
    assert SourceSpec(path="data/a.PQ").resolved_format is SourceFormat.PARQUET
    assert SourceSpec(path="data/a.ndjson").resolved_format is SourceFormat.JSONL
    assert SourceSpec(path="data/a.txt", format="csv").resolved_format is SourceFormat.CSV
    with pytest.raises(ModelError, match="cannot tell the format"):
        _ = SourceSpec(path="data/a.txt").resolved_format


def test_a_model_without_data_needs_every_type(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path)
    tmp_path.joinpath("model.yaml").write_text(MODEL)
    with pytest.raises(ModelError) as caught:
        ws.catalog()
    assert "run `segmint ingest`" in caught.value.message
    paths = {p.path for p in caught.value.problems}
    assert "entities.contact.attributes.household_size" in paths
    assert "entities.account" not in paths  # no attributes declared: nothing to complain about


def test_catalog_without_data_when_every_type_is_declared(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path)
    tmp_path.joinpath("model.yaml").write_text(
        "entities:\n  contact:\n    key: id\n    audience: true\n    source: data/c.csv\n"
        "    attributes:\n      id: {type: integer}\n      tags: {type: list}\n"
    )
    catalog = ws.catalog()
    assert {n: a.type for n, a in catalog.entities["contact"].attributes.items()} == {
        "id": AttrType.INTEGER,
        "tags": AttrType.LIST,
    }


# --- invalid model.yaml --------------------------------------------------------------------


def problems_of(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "model.yaml"
    path.write_text(text)
    with pytest.raises(ModelError) as caught:
        read_model(path)
    assert str(path) in caught.value.message
    return caught.value.problems


def test_bad_yaml_is_reported_with_line_and_column(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "entities:\n  contact:\n    key: [contact_id\n")
    assert problem.path == f"{tmp_path / 'model.yaml'}: line 4, column 1"


def test_an_unknown_entity_in_a_relationship(tmp_path: Path) -> None:
    text = MODEL.replace(
        "{entity: account, type: many_to_one", "{entity: acount, type: many_to_one"
    )
    assert problems_of(tmp_path, text) == [
        Problem("entities.contact.relationships.account.entity", "unknown entity 'acount'")
    ]


def test_a_missing_key(tmp_path: Path) -> None:
    text = MODEL.replace("    key: order_id\n", "")
    assert problems_of(tmp_path, text) == [Problem("entities.order.key", "Field required")]


def test_a_key_that_is_not_an_attribute(tmp_path: Path) -> None:
    text = MODEL.replace("    key: contact_id\n", "    key: id\n")
    assert problems_of(tmp_path, text) == [
        Problem("entities.contact.key", "'id' is not among the attributes")
    ]


def test_an_unknown_key(tmp_path: Path) -> None:
    text = MODEL.replace("    label: Contact\n", "    label: Contact\n    colour: blue\n")
    assert problems_of(tmp_path, text) == [
        Problem("entities.contact.colour", "Extra inputs are not permitted")
    ]


def test_every_structural_problem_is_reported(tmp_path: Path) -> None:
    text = (
        MODEL.replace("audience: true", "audience: false")
        .replace("one_to_many, foreign_key: contact_id", "one_to_many, foreign_key: cid")
        .replace("profile: contact", "profile: person")
    )
    assert problems_of(tmp_path, text) == [
        Problem(
            "entities.contact.relationships.orders.foreign_key", "order has no attribute 'cid'"
        ),
        Problem("entities", "no entity is marked audience: true"),
        Problem("interactions.email_opened.profile", "unknown entity 'person'"),
    ]


def test_reserved_and_invalid_names(tmp_path: Path) -> None:
    text = MODEL.replace("  order:\n", "  segmint_order:\n").replace(
        "entity: order,", "entity: segmint_order,"
    )
    text = text.replace("      city: {type: string}", "      home city: {type: string}")
    assert problems_of(tmp_path, text) == [
        Problem(
            "entities.contact.attributes.home city",
            "'home city' is not a valid name (letters, digits and _)",
        ),
        Problem("entities.segmint_order", "names starting with 'segmint_' are reserved"),
    ]


def test_a_model_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text("- contact\n")
    with pytest.raises(ModelError, match="expected a mapping"):
        read_model(path)


def test_a_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no data model"):
        read_model(tmp_path / "model.yaml")


# --- segment files ---------------------------------------------------------------------


def test_segment_files_are_found_by_key(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path)
    ws.segments_dir.joinpath("seattle.yaml").write_text(SEGMENT)
    ws.segments_dir.joinpath("Not A Key.yaml").write_text(SEGMENT)
    ws.segments_dir.joinpath("notes.txt").write_text("x")
    assert ws.segment_keys() == ["seattle"]
    definition = ws.segment("seattle")
    assert definition is not None
    assert definition.audience == "contact"
    assert ws.segment("missing") is None
    assert ws.segment("../seattle") is None  # keys are checked before touching the disk


def test_a_segment_key_comes_from_the_file_and_must_be_a_slug(tmp_path: Path) -> None:
    path = tmp_path / "Big Spenders.yaml"
    path.write_text(SEGMENT)
    assert document_key(load_document(path), tmp_path / "big-spenders.yaml") == "big-spenders"
    path.write_text("key: vip\n" + SEGMENT)
    assert document_key(load_document(path), path) == "vip"
    path.write_text(SEGMENT)
    with pytest.raises(DefinitionError) as caught:
        document_key(load_document(path), path)
    assert caught.value.problems == [
        Problem("key", "'Big Spenders' is not a valid key (lower-case letters, digits, - and _)")
    ]


def test_the_engine_settings_are_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init_workspace(tmp_path)
    monkeypatch.setenv("SEGMINT_ENGINE__THREADS", "2")
    monkeypatch.setenv("SEGMINT_ENGINE__MEMORY_LIMIT", "1GB")
    con = open_workspace(tmp_path).connect(read_only=True)
    try:
        assert con.execute("SELECT current_setting('threads')").fetchall() == [(2,)]
        assert con.execute("SELECT current_setting('memory_limit')").fetchall() == [("953.6 MiB",)]
    finally:
        con.close()
    monkeypatch.setenv("SEGMINT_ENGINE__MEMORY_LIMIT", "lots")
    with pytest.raises(WorkspaceError, match=r"segmint.toml \[engine\]: .*Memory"):
        open_workspace(tmp_path).connect()
