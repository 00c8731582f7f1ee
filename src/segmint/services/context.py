"""One opened workspace for the use cases: settings, the metadata store and the engine.

`App.open(root)` is what the CLI (and later the server) holds for the length of a command.
The engine is opened lazily and read-write, so only commands that evaluate take the DuckDB
lock; a second process gets a clear "in use" error instead of a raw lock failure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segmint.definition.check import SegmentResolver
from segmint.definition.load import parse_document
from segmint.definition.nodes import Definition
from segmint.engines.duckdb import DuckDBEngine
from segmint.errors import UserError
from segmint.store import Segment, SegmentState, SegmentType, Store
from segmint.workspace import Workspace, open_store, open_workspace


def definition_json(definition: Definition) -> dict[str, Any]:
    """A definition as stored in a revision."""
    return definition.model_dump(mode="json", by_alias=True, exclude_none=True)


def definition_from_json(data: dict[str, Any], where: str = "stored definition") -> Definition:
    return parse_document(data, where).definition


@dataclass
class App:
    """An opened workspace: what every use case works with."""

    ws: Workspace
    store: Store
    actor: str = "cli"
    _engine: DuckDBEngine | None = field(default=None, repr=False)
    _parent: App | None = field(default=None, repr=False)

    @classmethod
    def open(cls, root: Path, *, actor: str = "cli") -> App:
        ws = open_workspace(root)
        return cls(ws=ws, store=open_store(ws), actor=actor)

    def child(self, actor: str) -> App:
        """A view for one request or thread: the same store, its own engine cursor."""
        return App(ws=self.ws, store=self.store, actor=actor, _parent=self)

    @property
    def engine(self) -> DuckDBEngine:
        if self._engine is None and self._parent is not None:
            self._engine = self._parent.engine.fork()
        if self._engine is None:
            path = self.ws.database_path
            if not path.exists():
                raise UserError(f"{path} does not exist; run `segmint ingest` first")
            con = self.ws.connect()
            self._engine = DuckDBEngine(con, self.ws.catalog(con))
            self._engine.prepare()
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        if self._parent is None:
            self.store.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- definitions ----------------------------------------------------------------

    def definition(self, segment: Segment, revision: int | None = None) -> Definition:
        """A managed segment's definition at a revision (default: the serving one)."""
        number = revision if revision is not None else segment.serving_revision
        with self.store.read() as r:
            data = r.revision(segment.key, number)
        return definition_from_json(data, f"segment {segment.key} revision {number}")

    def resolver(self) -> SegmentResolver:
        """Segment keys to definitions: managed segments first, then segments/ files.

        Static segments have hand-picked members and no definition: they resolve to None
        (only compound segments, which read stored members, can combine them).
        """
        cache: dict[str, Definition | None] = {}

        def resolve(key: str) -> Definition | None:
            if key not in cache:
                with self.store.read() as r:
                    seg = r.segment(key)
                if seg is None:
                    cache[key] = self.ws.segment(key)
                elif seg.type is SegmentType.STATIC:
                    cache[key] = None
                else:
                    cache[key] = self.definition(seg)
            return cache[key]

        return resolve

    def stored_members(self) -> Any:
        """For compound segments: a key -> (member table, current version) of live inputs."""

        def stored(key: str) -> tuple[str, int] | None:
            with self.store.read() as r:
                seg = r.segment(key)
            if seg is None or seg.current_version is None:
                return None
            return self.engine.versions.table(seg.audience), seg.current_version

        return stored


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def is_usable(segment: Segment) -> bool:
    """Live, active and refreshed: may feed compound segments, exports and consumers."""
    return (
        segment.state is SegmentState.LIVE
        and segment.active
        and segment.current_version is not None
    )


REFRESHED_ON_SCHEDULE = (SegmentType.DYNAMIC, SegmentType.COMPOUND, SegmentType.EXPANSION)
