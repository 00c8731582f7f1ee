"""Shared setup for the lifecycle, refresh and run tests: one demo workspace per process.

`demo_template()` builds the demo workspace (300 contacts) once per test process; tests
that change it work on a copy (`copy_demo`). Helpers read membership rows straight from
the engine and write settings into segmint.toml.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from segmint.definition.load import parse_document
from segmint.definition.nodes import SegmentDocument
from segmint.demo import DEMO_AS_OF
from segmint.services.context import App
from segmint.services.demo import build_demo

AS_OF = DEMO_AS_OF
CONTACTS = 300
SEED = 1

_template: Path | None = None


def demo_template() -> Path:
    """The demo workspace, built on first use in this process. Never change it: copy it."""
    global _template  # noqa: PLW0603 - one build per process, shared by every module
    if _template is None:
        base = Path(tempfile.mkdtemp(prefix="segmint-demo-template-"))
        atexit.register(shutil.rmtree, base, ignore_errors=True)
        build_demo(base / "w", contacts=CONTACTS, seed=SEED)
        _template = base / "w"
    return _template


def copy_demo(dest: Path, **refresh: Any) -> Path:
    """A private copy of the demo workspace, with [refresh] settings changed if given."""
    root = Path(shutil.copytree(demo_template(), dest))
    if refresh:
        set_refresh(root, **refresh)
    return root


def set_refresh(root: Path, **values: Any) -> None:
    """Set keys of the [refresh] section of the workspace's segmint.toml."""
    path = root / "segmint.toml"
    text = path.read_text(encoding="utf-8")
    for name, value in values.items():
        line = f"{name} = {value}"
        text, found = re.subn(rf"(?m)^{name} = .*$", line, text)
        assert found == 1, f"segmint.toml has no {name} setting"
    path.write_text(text, encoding="utf-8")


def document(
    condition: dict[str, Any], audience: str = "contact", **fields: Any
) -> SegmentDocument:
    """A segment document from a condition (and key, name, tags...)."""
    return parse_document({"audience": audience, "condition": condition, **fields}, "test")


def attribute(field: str, op: str, value: Any = None) -> dict[str, Any]:
    node = {"type": "attribute", "field": field, "op": op}
    if value is not None:
        node["value"] = value
    return node


def in_segment(key: str) -> dict[str, Any]:
    return {"type": "in_segment", "segment": key}


def any_of(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"type": "or", "conditions": list(conditions)}


def all_of(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"type": "and", "conditions": list(conditions)}


def but_not(condition: dict[str, Any]) -> dict[str, Any]:
    return {"type": "not", "condition": condition}


def rows(app: App, key: str, version: int, audience: str = "contact") -> set[str]:
    """The member keys stored in the engine for one version of a segment."""
    table = app.engine.versions.table(audience)
    found = app.engine.con.execute(
        f'SELECT key FROM "{table}" WHERE segment = ? AND version = ?', [key, version]
    ).fetchall()
    return {str(r[0]) for r in found}


def stored_versions(app: App, key: str, audience: str = "contact") -> set[int]:
    """The version numbers that have rows in the engine."""
    table = app.engine.versions.table(audience)
    found = app.engine.con.execute(
        f'SELECT DISTINCT version FROM "{table}" WHERE segment = ?', [key]
    ).fetchall()
    return {int(r[0]) for r in found}


def current(app: App, key: str) -> set[str]:
    """The members of a segment's current version (empty when it has none)."""
    with app.store.read() as r:
        seg = r.require(key)
    if seg.current_version is None:
        return set()
    return rows(app, key, seg.current_version, seg.audience)


def evaluate(app: App, key: str, revision: int | None = None, as_of: Any = AS_OF) -> set[str]:
    """A fresh evaluation of a segment's definition (the serving one by default)."""
    with app.store.read() as r:
        seg = r.require(key)
    definition = app.definition(seg, revision)
    return {
        str(k) for k in app.engine.member_keys(definition, as_of=as_of, segments=app.resolver())
    }


def all_keys(app: App, audience: str = "contact") -> set[str]:
    entity = app.engine.catalog.entities[audience]
    found = app.engine.con.execute(f'SELECT "{entity.key}" FROM "{entity.table}"').fetchall()
    return {str(r[0]) for r in found}
