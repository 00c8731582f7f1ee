"""A served demo workspace for the API tests (built once, copied per module)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from segmint.api import create_app
from segmint.services.demo import build_demo


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("api-demo") / "w"
    build_demo(root, contacts=400, seed=11)
    return root


@pytest.fixture
def client(demo_root: Path, tmp_path: Path) -> Iterator[TestClient]:
    root = tmp_path / "w"
    shutil.copytree(demo_root, root)
    with TestClient(create_app(root), raise_server_exceptions=False) as c:
        yield c
