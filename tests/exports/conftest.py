"""Shared setup for the export tests: a source workspace, a webhook receiver, PostgreSQL.

The source is a copy of the lifecycle tests' demo workspace (built once per process) with
export settings for tests: loopback allowed explicitly, short timeouts and backoff. The
PostgreSQL fixtures reuse the store tests' throwaway server helpers (tests/store/postgres.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from export_support import TEST_EXPORTS, set_exports
from pytest_postgresql.executors.noop import NoopExecutor
from webhook_receiver import Receiver

from lifecycle_support import copy_demo
from store.postgres import new_database, require_bindir, running_server


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A private demo workspace (300 contacts) set up for export tests."""
    root = copy_demo(tmp_path / "source")
    set_exports(root, **TEST_EXPORTS)
    return root


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.start()
    try:
        yield found
    finally:
        found.stop()


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[NoopExecutor]:
    """A throwaway PostgreSQL server (see tests/store/postgres.py)."""
    with running_server(
        require_bindir(request.config.getoption("postgresql_exec", None))
    ) as server:
        yield server


@pytest.fixture
def pg_url(pg_server: NoopExecutor) -> Iterator[str]:
    """A new empty PostgreSQL database for one test."""
    with new_database(pg_server, "segmint_exports") as url:
        yield url
