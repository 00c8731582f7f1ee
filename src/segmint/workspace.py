"""A workspace folder: settings, the data model, data files, segment files, the databases.

```
segmint.toml      settings (overridable by SEGMINT_* environment variables)
model.yaml        the data model
data/             source files
segments/         segment definitions as code, one KEY.yaml each
segmint.duckdb    the engine's database (loaded data, membership versions)
segmint.db        the metadata database (SQLite)
secret.key        the key encrypting destination secrets (0600; or SEGMINT_SECRET_KEY)
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from segmint.catalog import Catalog, ModelSpec, parse_model, resolve_catalog
from segmint.config import DEFAULT_TOML, SETTINGS_FILE, Settings, load_settings
from segmint.definition.load import load_document, safe_load
from segmint.definition.nodes import Definition, SegmentDocument
from segmint.errors import DefinitionError, ModelError, Problem, WorkspaceError
from segmint.store import Store
from segmint.store.sealing import workspace_sealer

if TYPE_CHECKING:
    import duckdb

MODEL_FILE = "model.yaml"
SEGMENTS_DIR = "segments"
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")

EMPTY_MODEL = """\
# The data model: see docs/data-model.md. Declare your entities and interactions, put the
# files under data/, then run `segmint ingest`.
entities:
  contact:
    label: Contact
    key: contact_id
    audience: true
    source: data/contacts.csv
interactions: {}
"""


@dataclass
class Workspace:
    """An opened workspace folder."""

    root: Path
    settings: Settings
    _documents: dict[str, SegmentDocument | None] = field(default_factory=dict)

    @property
    def model_path(self) -> Path:
        return self.root / MODEL_FILE

    @property
    def database_path(self) -> Path:
        return self.root / self.settings.engine.database

    @property
    def segments_dir(self) -> Path:
        return self.root / SEGMENTS_DIR

    @cached_property
    def model(self) -> ModelSpec:
        return read_model(self.model_path)

    def connect(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """The engine's database, with the `engine.threads` and `engine.memory_limit` settings."""
        import duckdb

        from segmint.engines.duckdb import connect

        con = connect(self.database_path, read_only=read_only)
        engine = self.settings.engine
        try:
            if engine.threads is not None:
                con.execute(f"SET threads = {int(engine.threads)}")
            if engine.memory_limit is not None:
                con.execute("SET memory_limit = '" + engine.memory_limit.replace("'", "''") + "'")
        except duckdb.Error as exc:
            con.close()
            first = str(exc).strip().splitlines()[0]
            raise WorkspaceError(f"{SETTINGS_FILE} [engine]: {first}") from None
        return con

    def catalog(self, con: object | None = None) -> Catalog:
        """The catalog: declared types, completed by the types of the loaded tables."""
        inferred = {}
        if con is not None:
            from segmint.sources.ingest import loaded_types

            inferred = loaded_types(con, self.model)  # type: ignore[arg-type]
        try:
            return resolve_catalog(self.model, inferred)
        except ModelError as exc:
            raise ModelError(
                f"{self.model_path}: {exc.message} (run `segmint ingest` to load the data)",
                exc.problems,
            ) from None

    def segment_document(self, key: str) -> SegmentDocument | None:
        """The segment file segments/KEY.yaml (or .yml/.json), parsed, or None."""
        if key not in self._documents:
            self._documents[key] = None
            if KEY_PATTERN.match(key):
                for suffix in (".yaml", ".yml", ".json"):
                    path = self.segments_dir / f"{key}{suffix}"
                    if path.is_file():
                        self._documents[key] = load_document(path)
                        break
        return self._documents[key]

    def segment(self, key: str) -> Definition | None:
        """Resolve a segment key to its definition (for in_segment conditions)."""
        doc = self.segment_document(key)
        return doc.definition if doc else None

    def segment_keys(self) -> list[str]:
        if not self.segments_dir.is_dir():
            return []
        return sorted(
            p.stem
            for p in self.segments_dir.iterdir()
            if p.suffix in (".yaml", ".yml", ".json") and KEY_PATTERN.match(p.stem)
        )


def read_model(path: Path) -> ModelSpec:
    """Parse model.yaml, reporting YAML errors with line and column."""
    if not path.is_file():
        raise WorkspaceError(f"{path}: no data model; is this a workspace? (segmint init)")
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"{path}: line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        raise ModelError(
            f"{path} is not valid YAML", [Problem(place, str(getattr(exc, "problem", exc)))]
        ) from None
    return parse_model(data, str(path))


def open_workspace(root: Path) -> Workspace:
    """Open an existing workspace folder."""
    root = root.expanduser().resolve()
    if not (root / SETTINGS_FILE).is_file():
        raise WorkspaceError(
            f"{root} is not a Segmint workspace (no {SETTINGS_FILE}); create one with "
            f"`segmint init {root}` or pass --workspace"
        )
    return Workspace(root=root, settings=load_settings(root))


def init_workspace(root: Path, *, model: str | None = None, name: str | None = None) -> Workspace:
    """Create a workspace folder with settings, a model, data/, segments/ and the databases."""
    root = root.expanduser().resolve()
    if (root / SETTINGS_FILE).exists():
        raise WorkspaceError(f"{root} is already a workspace")
    root.mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    (root / SEGMENTS_DIR).mkdir(exist_ok=True)
    title = (name or root.name).replace('"', "")
    (root / SETTINGS_FILE).write_text(DEFAULT_TOML.format(name=title), encoding="utf-8")
    if not (root / MODEL_FILE).exists() or model is not None:
        (root / MODEL_FILE).write_text(model or EMPTY_MODEL, encoding="utf-8")
    ws = Workspace(root=root, settings=load_settings(root))
    from segmint.engines.duckdb import connect

    connect(ws.database_path).close()
    open_store(ws).close()
    return ws


def metadata_url(ws: Workspace) -> str:
    """The metadata database URL; relative SQLite paths live in the workspace."""
    url = ws.settings.metadata.url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url.removeprefix("sqlite:///")
        if relative and relative != ":memory:":
            return f"sqlite:///{ws.root / relative}"
    return url


def open_store(ws: Workspace) -> Store:
    """The workspace's metadata store, migrated to the current schema."""
    return Store.open(metadata_url(ws), sealer=workspace_sealer(ws.root))


def document_key(doc: SegmentDocument, path: Path) -> str:
    """The segment's key: from the file, else the file name; checked for shape."""
    key = doc.key or path.stem
    if not KEY_PATTERN.match(key):
        raise DefinitionError(
            f"{path} is not a valid definition",
            [Problem("key", f"{key!r} is not a valid key (lower-case letters, digits, - and _)")],
        )
    return key
