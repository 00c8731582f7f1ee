"""The benchmark's data cache: one ready demo workspace (generated and ingested) per seed and
scale, in `<cache>/<seed>-<contacts>/`, rebuilt only when the demo generator has changed."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from segmint.errors import UserError
from segmint.progress import Progress, silent

MARKER = "bench-cache.json"


@dataclass(frozen=True)
class CachedData:
    """A ready workspace of the demo data set at one scale."""

    root: Path
    contacts: int
    seed: int
    rows: dict[str, int]  # table -> rows
    built: bool  # False when reused from the cache
    build_seconds: float  # generating and ingesting (0 when reused)

    @property
    def database(self) -> Path:
        return self.root / "segmint.duckdb"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def interactions(self) -> int:
        entities = ("accounts", "contacts", "leads", "orders")
        return sum(n for name, n in self.rows.items() if name not in entities)


def fingerprint() -> str:
    """A hash of the demo generator and model: data built by another version is rebuilt."""
    package = resources.files("segmint.demo")
    digest = hashlib.sha256()
    for name in ("generate.py", "interactions.py", "distributions.py", "model.yaml"):
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def _marker(root: Path) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found


def prepare(cache: Path, *, contacts: int, seed: int, progress: Progress = silent) -> CachedData:
    """The cached workspace for (seed, contacts), generated and ingested if not there yet."""
    root = (cache / f"{seed}-{contacts}").resolve()
    marker = _marker(root)
    fresh = marker is not None and marker.get("fingerprint") == fingerprint()
    if fresh and marker is not None and (root / "segmint.duckdb").is_file():
        return CachedData(root, contacts, seed, dict(marker["rows"]), False, 0.0)
    if root.exists():
        if not (root / "segmint.toml").is_file() and any(root.iterdir()):
            raise UserError(f"{root} is in the way of the benchmark cache and is not one; move it")
        shutil.rmtree(root)
    start = time.perf_counter()
    rows = _build(root, contacts=contacts, seed=seed, progress=progress)
    seconds = time.perf_counter() - start
    (root / MARKER).write_text(
        json.dumps(
            {"contacts": contacts, "seed": seed, "rows": rows, "fingerprint": fingerprint()},
            indent=2,
        ),
        encoding="utf-8",
    )
    return CachedData(root, contacts, seed, rows, True, seconds)


def _build(root: Path, *, contacts: int, seed: int, progress: Progress) -> dict[str, int]:
    from segmint.demo import definition_files, generate_workspace_data
    from segmint.services.ingestion import ingest_workspace
    from segmint.workspace import init_workspace, open_workspace

    model = definition_files()["model.yaml"]
    init_workspace(root, model=model, name=f"bench {seed}-{contacts}")
    rows = generate_workspace_data(root, contacts, seed, progress)
    ingest_workspace(open_workspace(root), progress)
    return rows
