"""Loading definitions from YAML and JSON: structure problems with their paths, safe YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from segmint.definition.load import load_document, parse_document, parse_text
from segmint.errors import DefinitionError, NotFoundError


def structural(data: object) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        parse_document(data)
    return [str(p) for p in info.value.problems]


def test_unknown_node_type_is_located() -> None:
    found = structural(
        {
            "audience": "contact",
            "condition": {
                "type": "and",
                "conditions": [
                    {"type": "attribute", "field": "city", "op": "eq", "value": "x"},
                    {"type": "magic"},
                ],
            },
        }
    )
    assert found == [
        "condition.conditions[1]: unknown condition type 'magic'; expected one of "
        "'and', 'or', 'not', 'attribute', 'related', 'behavior', 'in_segment'"
    ]


def test_extra_and_missing_keys_are_located() -> None:
    found = structural(
        {
            "audience": "contact",
            "condition": {
                "type": "or",
                "conditions": [
                    {
                        "type": "attribute",
                        "field": "city",
                        "op": "eq",
                        "value": "x",
                        "colour": "red",
                    },
                    {"type": "behavior"},
                    {
                        "type": "behavior",
                        "interaction": "p",
                        "window": {"last": "many", "unit": "day"},
                    },
                ],
            },
        }
    )
    assert "condition.conditions[0].colour: unknown key" in found
    assert "condition.conditions[1].interaction: required" in found
    assert any(p.startswith("condition.conditions[2].window.last:") for p in found)


def test_missing_type_and_not_a_mapping() -> None:
    assert structural({"audience": "contact", "condition": {"field": "x"}}) == [
        "condition: missing 'type' (and, or, not, attribute, related, behavior, in_segment)"
    ]
    assert structural(["not", "a", "mapping"]) == ["expected a mapping with audience and condition"]


def test_yaml_is_loaded_safely() -> None:
    with pytest.raises(DefinitionError, match="not valid YAML"):
        parse_text("audience: !!python/object/apply:os.system ['echo hi']\n", "x.yaml")


def test_yaml_1_2_booleans_keep_on_and_yes_as_text() -> None:
    data = parse_text("op: on\nvalue: yes\nflag: true\nday: 2026-02-30\n", "x.yaml")
    assert data == {"op": "on", "value": "yes", "flag": True, "day": "2026-02-30"}


def test_bad_yaml_and_json_name_line_and_column() -> None:
    with pytest.raises(DefinitionError) as info:
        parse_text("audience: contact\ncondition: {type: and\n", "x.yaml")
    assert info.value.problems[0].path.startswith("line 3")
    with pytest.raises(DefinitionError) as info:
        parse_text('{"audience": "contact",\n "condition": }', "x.json", "json")
    assert info.value.problems[0].path == "line 2, column 15"


def test_load_document_from_files(tmp_path: Path) -> None:
    doc = {
        "key": "k",
        "audience": "contact",
        "condition": {"type": "attribute", "field": "city", "op": "is_empty"},
    }
    (tmp_path / "k.json").write_text(json.dumps(doc))
    assert load_document(tmp_path / "k.json").key == "k"
    with pytest.raises(NotFoundError):
        load_document(tmp_path / "missing.yaml")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DefinitionError, match="not UTF-8"):
        load_document(tmp_path / "bin.yaml")


def test_nodes_are_frozen_and_hashable() -> None:
    doc = parse_document(
        {
            "audience": "contact",
            "condition": {"type": "attribute", "field": "city", "op": "in", "value": ["a", "b"]},
        }
    )
    assert hash(doc.definition) == hash(doc.definition.model_copy())
    with pytest.raises(ValueError, match="frozen"):
        doc.definition.condition.field = "x"  # type: ignore[union-attr,misc]
