"""web/openapi.json (the web app's API types are generated from it) matches the API."""

from __future__ import annotations

import json
from pathlib import Path

from segmint.api import create_app

WEB = Path(__file__).resolve().parents[2] / "web"


def test_openapi_json_is_current(tmp_path: Path) -> None:
    committed = json.loads((WEB / "openapi.json").read_text(encoding="utf-8"))
    current = json.loads(json.dumps(create_app(tmp_path).openapi()))
    assert committed == current, (
        "web/openapi.json is out of date with the API: run `npm run openapi` in web/ "
        "(then `npm run build`) and commit it"
    )
