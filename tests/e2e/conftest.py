"""Browser tests of the web app: Debian's Chromium, driven by Playwright, against a real server.

Session setup, in order:

- Chromium: `/usr/bin/chromium` (Playwright never downloads a browser). When it is missing
  and we are root, `apt-get install -y chromium` is tried; still missing → the tests fail.
- The web app: built into src/segmint/webapp by `npm ci && npm run build` in web/ when the
  build is missing or older than its sources; no npm or a failed build → the tests fail.
- A demo workspace (`build_demo(..., contacts=2000, seed=1)`) served by uvicorn on a free
  port, in a thread of this process (so a test can slow the refresh runner down).

Screenshots of the main pages go to tests/e2e/screenshots/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
BUILD = REPO / "src" / "segmint" / "webapp"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
LOCK = REPO / ".e2e-setup.lock"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
SOURCES = (
    "src",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "openapi.json",
)


@contextlib.contextmanager
def _setup_lock() -> Iterator[None]:
    """One setup at a time across pytest-xdist workers (apt and npm must not race)."""
    with LOCK.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _newest(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for child in path.rglob("*"):
                if child.is_file():
                    newest = max(newest, child.stat().st_mtime)
    return newest


def _build_is_stale() -> bool:
    index = BUILD / "index.html"
    if not index.is_file():
        return True
    return _newest([WEB / name for name in SOURCES]) > index.stat().st_mtime


def _run(command: list[str], cwd: Path, what: str) -> None:
    found = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if found.returncode != 0:
        tail = (found.stdout + found.stderr)[-3000:]
        pytest.fail(f"{what} failed ({' '.join(command)}):\n{tail}", pytrace=False)


@pytest.fixture(scope="session")
def chromium() -> Path:
    with _setup_lock():
        if not CHROMIUM.exists() and os.geteuid() == 0 and shutil.which("apt-get"):
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            subprocess.run(["apt-get", "update"], capture_output=True, check=False, env=env)
            subprocess.run(
                ["apt-get", "install", "-y", "chromium"], capture_output=True, check=False, env=env
            )
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(`apt-get install -y chromium`, as root). Playwright must not download a browser.",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def web_build() -> Path:
    """The built web app, rebuilt when missing or older than its sources."""
    with _setup_lock():
        if _build_is_stale():
            npm = shutil.which("npm")
            if npm is None:
                pytest.fail(
                    "the web app is not built (or older than web/) and npm is missing: "
                    "install Node 20+ and run `make web`",
                    pytrace=False,
                )
            lock_file = WEB / "package-lock.json"
            installed = WEB / "node_modules" / ".package-lock.json"
            if not installed.is_file() or installed.stat().st_mtime < lock_file.stat().st_mtime:
                _run([npm, "ci"], WEB, "installing the web app's packages")
            _run([npm, "run", "build"], WEB, "building the web app")
    if not (BUILD / "index.html").is_file():
        pytest.fail(f"the web app is not built: {BUILD / 'index.html'} is missing", pytrace=False)
    return BUILD


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from segmint.services.demo import build_demo

    root = tmp_path_factory.mktemp("e2e") / "demo"
    build_demo(root, contacts=2000, seed=1)
    _refresh_unrefreshed(root)
    return root


def _refresh_unrefreshed(root: Path) -> None:
    """Refresh, one at a time, live segments whose first refresh failed.

    The demo's first refresh runs tasks in parallel, and DuckDB sometimes fails one with a
    "Catalog write-write conflict" (an engine bug, reported); the tests need every live
    demo segment to have members.
    """
    from segmint.services.context import App
    from segmint.services.refresh import refresh

    app = App.open(root, actor="e2e")
    try:
        with app.store.read() as r:
            missing = [
                s.key for s in r.segments() if s.state.value == "live" and s.current_version is None
            ]
        for key in missing:
            refresh(app, [key])
    finally:
        app.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(demo_root: Path, web_build: Path) -> Iterator[str]:
    """`segmint serve` over the demo workspace: uvicorn in a thread, on a free port."""
    import uvicorn

    from segmint.api import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(demo_root), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, name="e2e-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not served.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start", pytrace=False)
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    index = httpx.get(url + "/")
    assert '<div id="root">' in index.text, "the server does not serve the built web app"
    yield url
    served.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def api(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page at 1280x800; uncaught page errors fail the test."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, base_url=server)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    context.close()
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture
def shoot(page: Any) -> Any:
    """Save a screenshot of the page as tests/e2e/screenshots/NAME.png."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take


@pytest.fixture
def settle(api: httpx.Client) -> Any:
    """Wait until no refresh run is queued or running."""

    def wait(timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = api.get("/api/runs", params={"limit": 50}).json()
            if not any(r["status"] in ("queued", "running") for r in runs):
                return
            time.sleep(0.2)
        pytest.fail("refresh runs did not finish in time", pytrace=False)

    return wait
