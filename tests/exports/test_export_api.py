"""The export routes of the API: destinations (secrets masked), exports, runs, history."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from segmint.api import create_app


def test_destinations_and_exports_through_the_api(source: Path) -> None:
    with TestClient(create_app(source), raise_server_exceptions=False) as api:
        added = api.post(
            "/api/destinations",
            json={"key": "dw", "type": "database", "name": "Warehouse",
                  "settings": {"url": f"sqlite:///{source / 'dw.db'}", "mode": "diff"}},
        )  # fmt: skip
        assert added.status_code == 201, added.text
        assert added.json()["generated_secret"] is None
        hook = api.post(
            "/api/destinations",
            json={"key": "hook", "type": "webhook", "settings": {"url": "https://example.com/h"}},
        ).json()
        assert hook["settings"]["secret"] == "********"  # noqa: S105 - the mask
        assert hook["generated_secret"].startswith("whsec_")
        assert hook["generated_secret"] not in api.get("/api/destinations").text
        bad = api.post(
            "/api/destinations",
            json={"key": "bad", "type": "webhook", "settings": {"url": "http://x", "size": 1}},
        )
        assert bad.status_code == 400
        assert bad.headers["content-type"] == "application/problem+json"
        assert [p["path"] for p in bad.json()["problems"]] == ["size"]
        tested = api.post("/api/destinations/dw/test").json()
        assert tested["ok"] is True

        created = api.post(
            "/api/exports",
            json={"key": "to-dw", "destination": "dw",
                  "segments": ["vip-customers", "black-friday-2025"],
                  "fields": {"email": "email", "country": "country"}},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        detail = api.get("/api/exports/to-dw").json()
        assert {s["segment"]: s["exported"] for s in detail["segment_status"]} == {
            "black-friday-2025": False,
            "vip-customers": True,
        }
        done = api.post("/api/exports/to-dw/run", json={"wait": True})
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "succeeded"
        assert done.json()["rows"] > 0

        queued = api.post("/api/exports/to-dw/run", json={"snapshot": True})
        assert queued.status_code == 202
        run_id = queued.json()["id"]
        deadline = time.monotonic() + 30
        while api.get(f"/api/export-runs/{run_id}").json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        finished = api.get(f"/api/export-runs/{run_id}").json()
        assert (finished["status"], finished["snapshot"]) == ("succeeded", True)
        assert finished["detail"][-1]["kind"] == "snapshot"

        history = api.get("/api/exports/to-dw/runs").json()
        assert history[0]["id"] == run_id
        assert api.get("/api/exports/to-dw/rejects").json() == []
        of_segment = api.get("/api/segments/vip-customers/exports").json()
        assert [(e["key"], e["destination_type"]) for e in of_segment] == [("to-dw", "database")]
        assert (of_segment[0]["last_run"]["id"], of_segment[0]["last_run"]["status"]) == (
            run_id, "succeeded",
        )  # fmt: skip
        assert api.get("/api/segments/nope/exports").status_code == 404
        dw = api.get("/api/destinations/dw").json()
        assert dw["segments"] == ["black-friday-2025", "vip-customers"]
        assert (dw["exports"], dw["last_run"]["id"]) == (["to-dw"], run_id)
        listed = {d["key"]: d for d in api.get("/api/destinations").json()}
        assert listed["dw"]["last_run"]["status"] == "succeeded"
        assert listed["dw"]["segments"] == dw["segments"]
        assert api.get("/api/exports").json()[0]["last_run"]["id"] == run_id
        usage = api.get("/api/segments/vip-customers/usage").json()
        assert [(c["kind"], c["name"]) for c in usage["consumers"]] == [("export", "to-dw")]

        patched = api.patch("/api/exports/to-dw", json={"remove_segments": ["black-friday-2025"]})
        assert patched.json()["segments"] == ["vip-customers"]
        everything = api.post("/api/exports/run", json={"wait": True}).json()
        assert [r["export"] for r in everything] == ["to-dw"]
        assert api.delete("/api/destinations/dw").status_code == 409
        assert api.delete("/api/exports/to-dw").status_code == 204
        assert api.delete("/api/destinations/dw").status_code == 204
        assert api.get("/api/exports/to-dw").status_code == 404
        assert api.get("/api/export-runs/99999").status_code == 404
