"""`segmint serve`: the API, the web app, the scheduler and the workers in one process."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from segmint.cli.common import WorkspaceOpt, guarded
from segmint.cli.output import err


@guarded
def serve(
    workspace: WorkspaceOpt = Path(),
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.", min=1, max=65535)] = 8000,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="Do not act as the workspace's scheduler.")
    ] = False,
) -> None:
    """Serve the workspace: API at /api, docs at /docs, the web app at /."""
    import uvicorn

    from segmint.api import create_app
    from segmint.workspace import open_workspace

    root = open_workspace(workspace).root  # a clear error before the server starts
    app = create_app(root, scheduler=not no_scheduler)
    err.print(f"Serving {root} at http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
