"""The demo workspace the segment, static and run commands are tested against.

Built once per test session (about 300 contacts, ~23 managed segments refreshed once);
tests that change it work on a private copy (`demo`), tests that only read use `demo_ro`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from segmint.services.demo import build_demo

    root = tmp_path_factory.mktemp("demo") / "w"
    build_demo(root, contacts=300, seed=1)
    return root


@pytest.fixture
def demo_ro(demo_built: Path) -> Path:
    """The shared demo workspace: only for commands that change nothing."""
    return demo_built


@pytest.fixture
def demo(demo_built: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace, free to change."""
    return Path(shutil.copytree(demo_built, tmp_path / "w"))
