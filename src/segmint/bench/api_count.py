"""The exact count of a draft through the HTTP API: a real `segmint serve` process on the
loopback interface, asked `POST /api/evaluate/count` for each workload definition over one
kept-alive connection, as the segment builder's browser does. The server reports the
engine's own seconds in each answer, so the HTTP layer's share is measured too."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from segmint.bench.measure import Timing
from segmint.bench.workload import WORKLOAD
from segmint.errors import InternalError
from segmint.progress import Progress, silent
from segmint.services.context import definition_json

TARGET: Final = 0.100  # seconds, through the HTTP API
STARTUP_SECONDS: Final = 120.0
PATH: Final = "/api/evaluate/count"
LOG: Final = "bench-serve.log"  # in the scratch workspace, removed with it


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(folder: Path, port: int) -> list[str]:
    """`segmint serve` from this interpreter's environment."""
    script = Path(sys.executable).with_name("segmint")
    head = (
        [str(script)]
        if script.is_file()
        else [sys.executable, "-c", "from segmint.cli.app import main; main()"]
    )
    return [*head, "serve", "--workspace", str(folder), "--port", str(port), "--no-scheduler"]


@contextmanager
def server(folder: Path) -> Iterator[http.client.HTTPConnection]:
    """A `segmint serve` process on `folder`, and a connection to it; stopped on exit."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log = folder / LOG
    # The server's messages go to a file (a pipe nobody reads could fill and stall it).
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own command, no shell
            _command(folder, port), stdout=subprocess.DEVNULL, stderr=sink, env=env
        )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        _wait(process, connection, log)
        yield connection
    finally:
        connection.close()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait(
    process: subprocess.Popen[bytes], connection: http.client.HTTPConnection, log: Path
) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = log.read_text(encoding="utf-8", errors="replace")
            raise InternalError(f"segmint serve exited with {process.returncode}: {err[-2000:]}")
        try:
            status, _ = request(connection, "GET", "/api/health")
        except OSError:
            connection.close()
            time.sleep(0.2)
            continue
        if status == 200:
            return
        time.sleep(0.2)
    raise InternalError(f"segmint serve did not answer within {STARTUP_SECONDS:.0f} s")


def request(
    connection: http.client.HTTPConnection, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    """One request; the status and the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if data is not None else {}
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    raw = response.read()
    return response.status, json.loads(raw) if raw else None


def measure(
    folder: Path,
    as_of: dt.datetime,
    sizes: dict[str, int],
    *,
    repeats: int,
    progress: Progress = silent,
    label: str = "",
) -> dict[str, Any]:
    """Each workload definition counted `repeats` times (after a warm-up) through the API;
    every answer must equal the segment's members."""
    step = f"{label} count through the HTTP API".strip()
    http_all, engine_all = Timing(), Timing()
    rows: dict[str, Any] = {}
    progress(step, 0, len(WORKLOAD), "starting segmint serve")
    with server(folder) as connection:
        for i, seg in enumerate(WORKLOAD):
            progress(step, i, len(WORKLOAD), seg.key)
            body = {**definition_json(seg.definition), "as_of": as_of.isoformat()}
            over_http, in_engine = Timing(), Timing()
            for round_ in range(repeats + 1):
                start = time.perf_counter()
                status, answer = request(connection, "POST", PATH, body)
                seconds = time.perf_counter() - start
                if status != 200 or answer.get("count") != sizes[seg.key]:
                    raise InternalError(
                        f"{seg.key}: the API answered {status} {str(answer)[:300]}; "
                        f"expected a count of {sizes[seg.key]}"
                    )
                if round_:
                    over_http.add(seconds)
                    in_engine.add(float(answer["seconds"]))
                    http_all.add(seconds)
                    engine_all.add(float(answer["seconds"]))
            rows[seg.key] = {"http": over_http.summary(), "engine": in_engine.summary()}
        progress(step, len(WORKLOAD), len(WORKLOAD), "done")
    overhead = [h - e for h, e in zip(http_all.seconds, engine_all.seconds, strict=True)]
    return {
        "what": (
            f"POST {PATH} of each workload definition as a draft, to a `segmint serve` "
            "process on loopback over one kept-alive connection; the engine's seconds are "
            "the ones the server reports in each answer"
        ),
        "requests": len(http_all.seconds),
        "http": {"median": http_all.median, "p95": http_all.p95, "min": http_all.min},
        "engine": {"median": engine_all.median, "p95": engine_all.p95},
        "overhead_median": sorted(overhead)[len(overhead) // 2],
        "geomean_http_vs_engine": math.exp(
            sum(math.log(r["http"]["median"] / r["engine"]["median"]) for r in rows.values())
            / len(rows)
        ),
        "target_seconds": TARGET,
        "met": http_all.median < TARGET,
        "per_segment": rows,
    }
