"""Changing a segment's type: `segmint segment make-static KEY` and `make-dynamic KEY`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from segmint.cli.common import JsonOpt, KeyArg, WorkspaceOpt, guarded, load_file, opened, say
from segmint.cli.output import emit_json, progress_bars
from segmint.cli.runs import print_requested, requested_json
from segmint.cli.shapes import segment_json

DefinitionOpt = Annotated[
    Path | None,
    typer.Option(
        "--definition",
        help="A definition file (YAML or JSON) to use; without it the segment gets back the "
        "last definition it had before it was made static.",
    ),
]


def register(segment_app: typer.Typer) -> None:
    segment_app.command("make-static")(make_static)
    segment_app.command("make-dynamic")(make_dynamic)


@guarded
def make_static(key: KeyArg, workspace: WorkspaceOpt = Path(), as_json: JsonOpt = False) -> None:
    """Freeze a dynamic (or compound) segment's current members as hand-picked ones."""
    from segmint.services import conversion

    with opened(workspace) as app:
        seg, frozen = conversion.make_static(app, key)
    if as_json:
        emit_json({"segment": segment_json(seg), "frozen": frozen})
        return
    say(f"{key} is static now with {frozen} hand-picked member(s); refreshes no longer change them")


@guarded
def make_dynamic(
    key: KeyArg,
    workspace: WorkspaceOpt = Path(),
    definition: DefinitionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Give a static segment a definition again (a live one is refreshed at once)."""
    from segmint.services import conversion

    chosen = load_file(definition).definition if definition is not None else None
    with opened(workspace) as app, progress_bars(not as_json) as bars:
        seg, requested = conversion.make_dynamic(app, key, chosen, progress=bars)
    if as_json:
        emit_json(
            {
                "segment": segment_json(seg),
                "refresh": requested_json(requested) if requested is not None else None,
            }
        )
        return
    say(f"{key} is dynamic now (revision {seg.revision}); its members follow the definition")
    if requested is not None:
        print_requested(requested)
