"""Measuring: repeated wall-clock timings (minimum, median, p95) and the peak memory of a child
process, read from the kernel's own accounting (VmHWM) rather than sampled."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Timing:
    """Wall-clock seconds of repeated runs of one thing (warm-up runs not included)."""

    seconds: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.seconds.append(seconds)

    @property
    def min(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        """The 95th percentile (nearest rank): the maximum below 20 samples."""
        ordered = sorted(self.seconds)
        rank = max(1, -(-95 * len(ordered) // 100))
        return ordered[rank - 1]

    def summary(self) -> dict[str, Any]:
        return {
            "min": self.min,
            "median": self.median,
            "p95": self.p95,
            "runs": len(self.seconds),
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.summary(), "seconds": self.seconds}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run `fn` once: its wall-clock seconds and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def interleaved(
    runs: dict[str, Callable[[], Any]],
    *,
    repeats: int,
    warmup: int = 1,
    between: Callable[[], None] | None = None,
) -> dict[str, Timing]:
    """Time several ways of doing the same work, alternating them every round so that a slow
    spell of the machine is shared instead of hitting one of them. `between` runs untimed
    after every run (to reset state)."""
    timings = {name: Timing() for name in runs}
    for round_ in range(warmup + repeats):
        for name, fn in runs.items():
            seconds, _ = timed(fn)
            if round_ >= warmup:
                timings[name].add(seconds)
            if between is not None:
                between()
    return timings


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


@dataclass(frozen=True)
class ChildRun:
    """One child process: what it printed (one JSON document) and its peak resident memory."""

    result: dict[str, Any]
    peak_rss_bytes: int
    wall_seconds: float


def run_child(module: str, args: Sequence[str], *, timeout: float = 3600) -> ChildRun:
    """Run `python -m module args...` in a fresh interpreter; return the JSON document it
    printed last and the peak resident set size it reported for itself on exit."""
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(
            f"{module} {' '.join(args)} failed with exit code {done.returncode}: "
            + done.stderr.strip()[-2000:]
        )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return ChildRun(result, int(result.pop("_peak_rss_bytes")), wall)


def peak_rss_bytes() -> int:
    """This process's peak resident set size so far, from the kernel.

    On Linux, VmHWM of /proc/self/status: the high-water mark of this program's own memory.
    (ru_maxrss would not do for a child: Linux carries the parent's peak over `exec`.)
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(usage) * (1 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB on Linux


def emit(result: dict[str, Any]) -> None:
    """A child's last act: print its result and its own peak memory as one JSON line."""
    sys.stdout.write(json.dumps({**result, "_peak_rss_bytes": peak_rss_bytes()}) + "\n")
    sys.stdout.flush()
