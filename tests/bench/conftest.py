"""A small cached data set (2,000 contacts) shared by the benchmark's correctness tests."""

from __future__ import annotations

import pytest

from segmint.bench.cache import CachedData, prepare
from segmint.catalog import Catalog
from segmint.engines.duckdb import connect
from segmint.workspace import open_workspace

SMALL = 2_000


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> CachedData:
    return prepare(tmp_path_factory.mktemp("bench-small"), contacts=SMALL, seed=7)


@pytest.fixture(scope="session")
def small_catalog(small: CachedData) -> Catalog:
    con = connect(small.database, read_only=True)
    try:
        return open_workspace(small.root).catalog(con)
    finally:
        con.close()
