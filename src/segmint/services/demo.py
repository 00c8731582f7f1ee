"""Building the demo workspace: generate data, ingest it, evaluate and store the examples."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from segmint.definition.nodes import SegmentDocument
from segmint.errors import UserError
from segmint.progress import Progress, silent
from segmint.services import segments, static
from segmint.services.context import App
from segmint.services.ingestion import ingest_workspace
from segmint.services.refresh import refresh
from segmint.store import SegmentType
from segmint.workspace import init_workspace, open_workspace

DRAFTS = ("black-friday-2025", "new-signups-to-activate", "sms-winback-uk")
INACTIVE = ("dormant-accounts",)
STATIC_KEY = "hand-picked-vips"
STATIC_SEED = "vip-customers"  # the static segment starts with 25 of its members


@dataclass(frozen=True)
class DemoSegment:
    """One example segment: its state, its size and how long the exact count took."""

    key: str
    name: str
    audience: str
    type: str
    state: str
    count: int
    seconds: float


@dataclass(frozen=True)
class DemoResult:
    root: Path
    as_of: dt.datetime
    segments: list[DemoSegment]
    run_id: int | None


MARKER = ".segmint-demo"


def _copy_examples(root: Path) -> None:
    """Write the demo's model.yaml and example segment files into the workspace."""
    from segmint.demo import definition_files

    for relative, text in definition_files().items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _fresh_folder(root: Path) -> None:
    """Start from an empty folder, or clear a previous demo (never another workspace)."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).is_file():
            raise UserError(f"{root} is not empty and not a demo workspace; choose another folder")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)


def build_demo(
    folder: Path, *, contacts: int, seed: int, progress: Progress = silent
) -> DemoResult:
    """Build the demo workspace: data, ingest, managed example segments, a first refresh."""
    from segmint.demo import DEMO_AS_OF, generate_workspace_data

    root = folder.expanduser().resolve()
    _fresh_folder(root)
    init_workspace(root, name="demo")
    (root / MARKER).write_text("built by segmint demo; rebuilt by the next one\n")
    _copy_examples(root)
    generate_workspace_data(root, contacts, seed, progress)
    ws = open_workspace(root)  # re-read model.yaml
    ingest_workspace(ws, progress)
    with App.open(root, actor="demo") as app:
        _manage_examples(app, progress)
        done = refresh(app, all_segments=True, as_of=DEMO_AS_OF, progress=progress)
        return DemoResult(
            root, DEMO_AS_OF, _rows(app, DEMO_AS_OF, progress), done.run.id if done.run else None
        )


def _manage_examples(app: App, progress: Progress) -> None:
    docs = {k: d for k in app.ws.segment_keys() if (d := app.ws.segment_document(k)) is not None}
    order = sorted(docs, key=lambda k: (docs[k].type == "compound", k))
    for i, key in enumerate(order):
        progress("segments", i, len(order) + 1, key)
        doc = docs[key]
        segments.create(app, doc, type_=SegmentType(doc.type), key=key)
        if key not in DRAFTS:
            segments.go_live(app, key, refresh_now=False)
    seed = docs[STATIC_SEED]
    segments.create(
        app,
        SegmentDocument(
            key=STATIC_KEY,
            name="Hand-picked VIPs",
            description="25 VIP customers picked by hand for a thank-you call",
            tags=("vip", "static"),
            audience=seed.audience,
            timezone=seed.timezone,
        ),
        type_=SegmentType.STATIC,
    )
    picked = static.matches(app, STATIC_KEY, seed.model_copy(update={"key": None}))
    static.add(app, STATIC_KEY, picked.keys[:25])
    segments.go_live(app, STATIC_KEY, refresh_now=False)
    for key in INACTIVE:
        segments.deactivate(app, key)
    with app.store.write("demo") as w:
        w.register_consumer(
            "vip-thank-you",
            kind="journey",
            name="Winter thank-you journey",
            role="target",
            link="https://marketing.example/journeys/winter",
        )
        w.register_consumer(
            "churn-risk",
            kind="journey",
            name="Winter thank-you journey",
            role="suppression",
            link="https://marketing.example/journeys/winter",
        )
    progress("segments", len(order) + 1, len(order) + 1, "done")


def _rows(app: App, as_of: dt.datetime, progress: Progress) -> list[DemoSegment]:
    """Each segment with its exact size at as_of and how long evaluating it took."""
    with app.store.read() as r:
        managed = r.segments(sort="key")
    resolver = app.resolver()
    rows = []
    for i, seg in enumerate(managed):
        progress("counting", i, len(managed), seg.key)
        if seg.type in (SegmentType.DYNAMIC,):
            definition = app.definition(seg)
            start = time.perf_counter()
            count = app.engine.count(definition, as_of=as_of, segments=resolver)
            seconds = time.perf_counter() - start
        else:
            with app.store.read() as r:
                task = r.history(seg.key, limit=1)
            count = seg.members or 0
            seconds = (task[0][1].seconds or 0.0) if task else 0.0
        rows.append(
            DemoSegment(
                seg.key,
                seg.name,
                seg.audience,
                seg.type.value,
                seg.status_label + ("" if seg.active else ", inactive"),
                count,
                seconds,
            )
        )
    progress("counting", len(managed), len(managed), "done")
    return rows
