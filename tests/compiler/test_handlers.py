"""Every node type has a compiler handler; the pure core imports no engine library."""

from __future__ import annotations

import subprocess
import sys
import typing

from segmint.compiler import HANDLERS
from segmint.definition import nodes


def test_every_condition_type_has_a_handler() -> None:
    condition_types = typing.get_args(typing.get_args(nodes.Condition)[0])
    assert condition_types, "the Condition union is empty"
    missing = [t.__name__ for t in condition_types if t not in HANDLERS]
    assert missing == []


def test_core_imports_no_io_library() -> None:
    code = (
        "import sys\n"
        "import segmint.catalog, segmint.definition, segmint.compiler\n"
        "bad = [m for m in ('duckdb', 'pandas', 'pyarrow', 'pyspark', 'sqlalchemy', 'psycopg')"
        " if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == ""


def test_definition_and_catalog_import_no_ibis() -> None:
    code = "import sys\nimport segmint.catalog, segmint.definition\nprint('ibis' in sys.modules)\n"
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "False"
