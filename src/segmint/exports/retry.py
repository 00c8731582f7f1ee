"""Retrying a delivery attempt: exponential backoff with full jitter, honouring Retry-After.

`retrying(attempt, policy)` calls `attempt` until it succeeds or raises anything but a
`TransientError`; after `policy.attempts` tries the last error is raised as `GaveUpError`.
A destination that asks to wait (429 or 503 with Retry-After) is waited for, unless it asks
for longer than `policy.max_retry_after`. Sleeping and randomness are injectable for tests.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from segmint.exports.base import TransientError

T = TypeVar("T")


class GaveUpError(Exception):
    """Every attempt failed; carries how many were made and the last reason."""

    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to try."""

    attempts: int = 5
    base: float = 1.0  # the first delay's upper bound, doubled on each try
    cap: float = 60.0  # the longest delay
    max_retry_after: float = 300.0  # the longest wait a destination may ask for
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, failures: int) -> float:
        """Full jitter: uniform between 0 and min(cap, base * 2^(failures-1))."""
        ceiling = min(self.cap, self.base * (2 ** max(failures - 1, 0)))
        return self.rng.uniform(0, ceiling) if ceiling > 0 else 0.0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def retrying(
    attempt: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_failure: Callable[[TransientError], None] | None = None,
) -> T:
    """Call `attempt` until it succeeds; transient failures are retried with backoff."""
    failures = 0
    while True:
        try:
            return attempt()
        except TransientError as exc:
            failures += 1
            if on_failure is not None:
                on_failure(exc)
            if failures >= policy.attempts:
                raise GaveUpError(f"{exc} (after {failures} attempts)", failures) from exc
            wait = policy.delay(failures)
            if exc.retry_after is not None:
                if exc.retry_after > policy.max_retry_after:
                    raise GaveUpError(
                        f"{exc}; the destination asked to wait {exc.retry_after:.0f}s, longer "
                        f"than exports.max_retry_after_seconds ({policy.max_retry_after:.0f}s)",
                        failures,
                    ) from exc
                wait = max(wait, exc.retry_after)
            sleep(wait)
