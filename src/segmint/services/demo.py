"""Building the demo workspace: generate data, ingest it, evaluate and store the examples."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from segmint.config import SETTINGS_FILE
from segmint.progress import Progress, silent
from segmint.services.evaluation import check_file, open_engine
from segmint.services.ingestion import ingest_workspace
from segmint.workspace import init_workspace, open_workspace


@dataclass(frozen=True)
class DemoSegment:
    """One example segment, its size and how long the exact count took."""

    key: str
    name: str
    audience: str
    count: int
    seconds: float
    version: int


@dataclass(frozen=True)
class DemoResult:
    root: Path
    as_of: dt.datetime
    segments: list[DemoSegment]


def _copy_examples(root: Path) -> None:
    """Write the demo's model.yaml and example segment files into the workspace."""
    from segmint.demo import definition_files

    for relative, text in definition_files().items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def build_demo(
    folder: Path, *, contacts: int, seed: int, progress: Progress = silent
) -> DemoResult:
    """Create (or rebuild) the demo workspace at `folder` and evaluate its example segments."""
    from segmint.demo import DEMO_AS_OF, generate_workspace_data

    root = folder.expanduser().resolve()
    ws = open_workspace(root) if (root / SETTINGS_FILE).is_file() else init_workspace(root)
    _copy_examples(ws.root)
    data = ws.root / "data"
    if data.exists():
        shutil.rmtree(data)
    generate_workspace_data(ws.root, contacts, seed, progress)
    ws = open_workspace(ws.root)  # re-read model.yaml
    ingest_workspace(ws, progress)
    results: list[DemoSegment] = []
    keys = ws.segment_keys()
    with open_engine(ws, read_only=False) as engine:
        for i, key in enumerate(keys):
            progress("segments", i, len(keys), key)
            checked = check_file(ws, engine.catalog, ws.segments_dir / f"{key}.yaml")
            start = time.perf_counter()
            count = engine.count(checked.definition, as_of=DEMO_AS_OF, segments=ws.segment)
            seconds = time.perf_counter() - start
            version = engine.materialise(
                key, checked.definition, as_of=DEMO_AS_OF, segments=ws.segment
            )
            results.append(
                DemoSegment(
                    key,
                    checked.document.name or key,
                    checked.definition.audience,
                    count,
                    seconds,
                    version,
                )
            )
        progress("segments", len(keys), len(keys), "done")
    return DemoResult(ws.root, DEMO_AS_OF, results)
