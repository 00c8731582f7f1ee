"""A webhook receiver on loopback for the export tests: it verifies Standard Webhooks
signatures, keeps each segment's membership from the batches it applies, drops repeats by
webhook-id, and fails on cue (500s, a timeout after processing, 429 with Retry-After,
refused rows, a bad row failing its whole batch, a stall that never answers).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from segmint.exports.webhook import new_secret


@dataclass
class Request:
    """One request as received."""

    id: str
    at: float
    status: int
    body: dict[str, Any]
    size: int


@dataclass
class Receiver:
    """The endpoint and its state; faults are consumed one per request, in order."""

    secret: str = field(default_factory=new_secret)
    members: dict[str, set[str]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    applied: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> first answer
    faults: deque[str] = field(default_factory=deque)  # "500", "slow", "429", "down"
    down: bool = False  # answer 500 to everything
    reject: set[str] = field(default_factory=set)  # ids refused one by one (200 + rejected)
    poison: set[str] = field(default_factory=set)  # ids that make a whole batch fail (400)
    stall_at: int | None = None  # the n-th distinct batch (1-based) is never answered
    stalled: threading.Event = field(default_factory=threading.Event)
    stalled_id: str = ""
    release: threading.Event = field(default_factory=threading.Event)
    slow_seconds: float = 1.5
    retry_after: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length)
                status, answer = receiver.handle(raw, dict(self.headers.items()))
                if status == 0:  # stalled: the client gives up or is killed
                    return
                data = json.dumps(answer).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", str(receiver.retry_after))
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def handle(self, raw: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        try:
            body = Webhook(self.secret).verify(raw, headers)
        except WebhookVerificationError as exc:
            return 401, {"error": str(exc)}
        batch_id = headers.get("webhook-id") or headers.get("Webhook-Id") or ""
        status, answer = self._decide(batch_id, body)
        with self.lock:
            self.requests.append(Request(batch_id, time.monotonic(), status, body, len(raw)))
        if status == -1:  # processed, then answered too late
            time.sleep(self.slow_seconds)
            return 200, answer
        return status, answer

    def _decide(self, batch_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("type") == "segmint.ping":
            return 200, {}
        data = body["data"]
        with self.lock:
            fault = self.faults.popleft() if self.faults else None
            if self.down or fault == "500":
                return 500, {"error": "unavailable"}
            if fault == "429":
                return 429, {"error": "slow down"}
            if batch_id in self.applied:  # a repeat: the first answer again, nothing applied
                return 200, self.applied[batch_id]
            distinct = len(
                {r.id.split(".", 1)[0] for r in self.requests} | {batch_id.split(".", 1)[0]}
            )
        if self.stall_at is not None and distinct == self.stall_at:
            self.stalled_id = batch_id
            self.stalled.set()
            self.release.wait(60)
            return 0, {}
        ids = {str(r["id"]) for r in data["added"]} | {str(r["id"]) for r in data["removed"]}
        if ids & self.poison:
            return 400, {"error": "a row is malformed"}
        refused = sorted(ids & self.reject)
        with self.lock:
            held = self.members.setdefault(data["segment"]["key"], set())
            held -= {str(r["id"]) for r in data["removed"]} - set(refused)
            held |= {str(r["id"]) for r in data["added"]} - set(refused)
            answer = {"rejected": [{"id": i, "reason": "not accepted here"} for i in refused]}
            self.applied[batch_id] = answer
        return (-1 if fault == "slow" else 200), answer

    def ids(self, status: int | None = None) -> list[str]:
        """webhook-ids of the requests received (with that answer), in order."""
        with self.lock:
            return [r.id for r in self.requests if status is None or r.status == status]
