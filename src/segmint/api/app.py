"""The application factory: one workspace, the API routers, the web app, background work.

`create_app(root)` opens the workspace once (DuckDB allows one writer per file, so the
server holds it) and gives each request its own engine cursor. Refresh runs started through
the API execute on a background runner; with `scheduler=True` the process also acts as the
workspace's scheduler.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from segmint import __version__
from segmint.api import errors
from segmint.api.exporter import Exporter
from segmint.api.routes import data, evaluate, members, runs, segments, system
from segmint.api.routes import exports as export_routes
from segmint.runs.status import RunStatus
from segmint.services.context import App

log = logging.getLogger("segmint.api")


class Runner:
    """Executes queued runs one after another on a background thread."""

    def __init__(self, app: App, exporter: Exporter | None = None) -> None:
        self.app = app
        self.exporter = exporter  # woken after a refresh: it delivers the exports it queued
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="segmint-runner")

    def submit(self, run_id: int) -> None:
        self.pool.submit(self._execute, run_id)

    def _execute(self, run_id: int) -> None:
        from segmint.services.refresh import run_refresh

        child = self.app.child("runner")
        try:
            with child.store.read() as r:
                run = r.run(run_id)
            if run.status is RunStatus.QUEUED:
                run_refresh(child, run)
        except Exception:
            log.exception("run %s failed to execute", run_id)
        finally:
            child.close()
            if self.exporter is not None:
                self.exporter.wake()

    def recover(self) -> None:
        """Pick up runs left queued (the server stopped before running them)."""
        from segmint.runs.worker import reap_expired

        reap_expired(self.app.store)
        with self.app.store.read() as r:
            queued = [run.id for run in r.runs(limit=500, status=[RunStatus.QUEUED.value])]
        for run_id in sorted(queued):
            self.submit(run_id)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def web_folder() -> Path | None:
    """The built web app inside the package, if it has been built."""
    folder = Path(str(resources.files("segmint") / "webapp"))
    return folder if (folder / "index.html").is_file() else None


NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Segmint</title>
<h1>Segmint</h1><p>The web app has not been built in this checkout
(<code>make web</code> builds it). The API is here: <a href="/docs">/docs</a>.</p>"""


def create_app(root: Path, *, scheduler: bool = False, actor: str = "api") -> FastAPI:
    """The API and web app over the workspace at `root`."""

    @contextlib.asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        opened = App.open(root, actor=actor)
        opened.engine  # noqa: B018 - take the DuckDB lock now, fail fast if it is held
        api.state.segmint = opened
        # Exports after refreshes are queued, delivered here; interrupted ones resume first.
        api.state.exporter = Exporter(opened)
        api.state.exporter.start()
        api.state.runner = Runner(opened, api.state.exporter)
        api.state.runner.recover()
        stop = threading.Event()
        if scheduler:
            threading.Thread(
                target=_schedule_loop, args=(opened, stop), daemon=True, name="segmint-scheduler"
            ).start()
        try:
            yield
        finally:
            stop.set()
            api.state.runner.close()
            api.state.exporter.close()
            opened.close()

    api = FastAPI(
        title="Segmint",
        version=__version__,
        description="Exact customer segments over your data. Errors are application/problem+json.",
        lifespan=lifespan,
    )
    errors.install(api)
    for module in (system, segments, members, evaluate, runs, data):
        api.include_router(module.router)
    api.include_router(export_routes.router)  # destinations, exports, mirrors

    @api.get("/api/health", tags=["system"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    folder = web_folder()
    if folder is not None:
        api.mount("/assets", StaticFiles(directory=folder / "assets"), name="assets")

    @api.get("/", include_in_schema=False, response_model=None)
    def index() -> FileResponse | HTMLResponse:
        if folder is None:
            return HTMLResponse(NOT_BUILT)
        return FileResponse(folder / "index.html")

    return api


def _schedule_loop(app: App, stop: threading.Event, seconds: float = 30.0) -> None:
    """Tick the scheduler while the server runs, if this process may lead."""
    from segmint.runs.scheduler import leadership
    from segmint.services.schedule import LOCK_FILE, tick

    child = app.child("scheduler")
    try:
        with leadership(app.store, app.ws.root / LOCK_FILE) as leader:
            if not leader:
                log.warning("another scheduler runs for this workspace; not scheduling here")
                return
            while not stop.is_set():
                try:
                    tick(child)
                except Exception:
                    log.exception("scheduler tick failed")
                stop.wait(seconds)
    finally:
        child.close()
