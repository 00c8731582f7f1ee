"""The server's exporter: delivers queued export runs in the background.

Refreshes only queue export runs (`services.export_runs.after_refresh`), so a slow or
unreachable destination never holds up a refresh. At start the exporter resumes deliveries
a previous process left unfinished (at their first undelivered batch); then it executes
queued runs whenever it is woken (a run requested through the API) and at least every
`poll_seconds` (runs queued by refreshes, by the scheduler or by other processes). Exports
run side by side, each export's runs one after another.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from segmint.services.context import App

log = logging.getLogger("segmint.exports")


class Exporter:
    """Executes queued export runs on background threads while the server runs."""

    def __init__(self, app: App, *, workers: int = 2, poll_seconds: float = 5.0) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="segmint-export")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._busy: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="segmint-exporter")

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Look for queued runs now."""
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _loop(self) -> None:
        from segmint.services.export_runs import resume_interrupted

        try:
            resumed = resume_interrupted(self.app)
            if resumed:
                log.info("resuming %d export(s) interrupted mid-delivery", len(resumed))
        except Exception:
            log.exception("could not resume interrupted export deliveries")
        while not self._stop.is_set():
            try:
                self._dispatch()
            except Exception:
                log.exception("could not look for queued export runs")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def _dispatch(self) -> None:
        from segmint.services.export_runs import queued_exports

        for key in queued_exports(self.app):
            with self._lock:
                running = self._busy.get(key)
                if running is not None and not running.done():
                    continue
                if self._stop.is_set():
                    return
                self._busy[key] = self.pool.submit(self._drain, key)

    def _drain(self, key: str) -> None:
        from segmint.services.export_runs import drain

        child = self.app.child("exporter")
        try:
            drain(child, key)
        except Exception:
            log.exception("export %s failed to run", key)
        finally:
            child.close()
