"""Retries: exponential backoff with full jitter, Retry-After honoured, giving up."""

from __future__ import annotations

import random

import pytest

from segmint.exports.base import TransientError
from segmint.exports.retry import GaveUpError, RetryPolicy, parse_retry_after, retrying


def flaky(failures: list[TransientError]) -> tuple[list[int], object]:
    calls: list[int] = []

    def attempt() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "ok"

    return calls, attempt


def test_delays_grow_within_the_cap_with_jitter() -> None:
    policy = RetryPolicy(base=1.0, cap=8.0, rng=random.Random(7))
    for failures, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = [policy.delay(failures) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # full jitter reaches near the ceiling
        assert len(set(delays)) > 100  # and spreads


def test_transient_failures_are_retried_then_succeed() -> None:
    slept: list[float] = []
    calls, attempt = flaky([TransientError("500"), TransientError("timeout")])
    policy = RetryPolicy(attempts=3, base=0.5, rng=random.Random(1))
    assert retrying(attempt, policy, sleep=slept.append) == "ok"  # type: ignore[arg-type]
    assert len(calls) == 3
    assert len(slept) == 2
    assert all(0 <= s <= 1.0 for s in slept)


def test_retry_after_is_waited_for() -> None:
    slept: list[float] = []
    _, attempt = flaky([TransientError("429", retry_after=7.0)])
    retrying(attempt, RetryPolicy(base=0.01), sleep=slept.append)  # type: ignore[arg-type]
    assert slept == [7.0]


def test_giving_up_names_the_last_reason_and_the_attempts() -> None:
    _, attempt = flaky([TransientError("the webhook answered 503")] * 5)
    with pytest.raises(GaveUpError, match=r"answered 503 \(after 3 attempts\)") as caught:
        retrying(attempt, RetryPolicy(attempts=3, base=0), sleep=lambda _: None)  # type: ignore[arg-type]
    assert caught.value.attempts == 3


def test_a_retry_after_beyond_the_limit_gives_up_at_once() -> None:
    calls, attempt = flaky([TransientError("429", retry_after=3600)])
    with pytest.raises(GaveUpError, match="asked to wait 3600s"):
        retrying(attempt, RetryPolicy(max_retry_after=300), sleep=lambda _: None)  # type: ignore[arg-type]
    assert len(calls) == 1


def test_other_errors_are_not_retried() -> None:
    calls: list[int] = []

    def attempt() -> None:
        calls.append(1)
        raise ValueError("bug")

    with pytest.raises(ValueError, match="bug"):
        retrying(attempt, RetryPolicy(), sleep=lambda _: None)
    assert calls == [1]


def test_retry_after_headers() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = 1_700_000_000.0  # 2023-11-14T22:13:20Z
    assert parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", now=now) == 60.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now=now) == 0.0
