"""The store under test on every backend, and a throwaway PostgreSQL server for the session.

PostgreSQL (see postgres.py) is started once per session, once per xdist worker, and only
when a test asks for it. Missing server programs fail those tests with a message saying
what to install: the PostgreSQL tests are part of the suite, never skipped.

To share the PostgreSQL fixtures with another test folder, move them to `tests/conftest.py`
(`from store.postgres import ...`); defining them in two conftest files would start two
servers.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_postgresql.executors.noop import NoopExecutor

from segmint.store import Store, schema
from store.postgres import empty_tables, new_database, require_bindir, running_server

# --- PostgreSQL --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[NoopExecutor]:
    """A PostgreSQL server for the session: host, port, user (trust auth, no password).

    `pytest --postgresql-exec=/path/to/pg_ctl` picks the installation to use.
    """
    with running_server(
        require_bindir(request.config.getoption("postgresql_exec", None))
    ) as server:
        yield server


@pytest.fixture(scope="session")
def pg_url(pg_server: NoopExecutor) -> Iterator[str]:
    """A SQLAlchemy URL (postgresql+psycopg) of a database created for this session."""
    with new_database(pg_server, "segmint_session", drop=False) as url:
        yield url


@pytest.fixture
def new_pg_url(pg_server: NoopExecutor) -> Iterator[str]:
    """A SQLAlchemy URL of a database created empty for this test, dropped after it."""
    with new_database(pg_server) as url:
        yield url


@pytest.fixture(scope="session")
def pg_migrated(pg_server: NoopExecutor) -> Iterator[str]:
    """A URL of a database migrated once per session, emptied for each store test.

    Emptying the tables takes milliseconds where creating and migrating a database takes
    a good part of a second; test_migrations.py covers the migrations on empty databases.
    """
    with new_database(pg_server, "segmint_migrated", drop=False) as url:
        Store.open(url).close()
        yield url


# --- the store on every backend ----------------------------------------------------------

BACKENDS = ("sqlite_file", "sqlite_memory", "postgresql")


@pytest.fixture(scope="session")
def sqlite_migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session, copied for each store test."""
    path = tmp_path_factory.mktemp("migrated") / "metadata.db"
    Store.open(f"sqlite:///{path}").close()
    assert not path.with_name(f"{path.name}-wal").exists()  # all in the one file
    return path


def backend_url(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, *, migrated: bool = False
) -> str:
    """A database of the backend with nothing in it (PostgreSQL only starts when asked for).

    A new database without tables; or with `migrated`, a database that has them already
    (a copy of a migrated SQLite file; on PostgreSQL the session's migrated database,
    emptied). In-memory SQLite databases are always new.
    """
    if backend == "sqlite_file":
        path = tmp_path / "metadata.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_migrated"), path)
        return f"sqlite:///{path}"
    if backend == "sqlite_memory":
        return "sqlite://"
    if migrated:
        return empty_tables(request.getfixturevalue("pg_migrated"), schema.metadata)
    url: str = request.getfixturevalue("new_pg_url")
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A new database of the backend, with no tables at all."""
    return backend_url(request, backend, tmp_path)


@pytest.fixture
def open_store(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[Callable[[], Store]]:
    """Opens (and migrates) stores on one empty database of the backend; all closed after."""
    url = backend_url(request, backend, tmp_path, migrated=True)
    opened: list[Store] = []

    def open_() -> Store:
        opened.append(Store.open(url))
        return opened[-1]

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Callable[[], Store]) -> Store:
    """A migrated, empty store, on each backend in turn."""
    return open_store()
