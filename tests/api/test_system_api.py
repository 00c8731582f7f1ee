"""Value suggestions for text attributes, and the system view: quota and scheduled changes."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_segments_api import assert_problem

from lifecycle_support import set_refresh
from segmint.api import create_app

VALUES = "/api/model/{}/attributes/{}/values"


def test_suggestions_are_the_most_frequent_values_with_exact_counts(client: TestClient) -> None:
    found = client.get(VALUES.format("contact", "city"), params={"limit": 100}).json()
    assert found["entity"] == "contact" and found["attribute"] == "city"
    counts = [v["count"] for v in found["values"]]
    assert counts == sorted(counts, reverse=True) and len(counts) > 3
    top = found["values"][0]
    condition = {"type": "attribute", "field": "city", "op": "eq", "value": top["value"]}
    exact = client.post(
        "/api/evaluate/count", json={"audience": "contact", "condition": condition}
    ).json()
    assert exact["count"] == top["count"]
    assert all(v["value"] for v in found["values"])  # no empty values


def test_prefix_is_case_insensitive_and_bound_as_a_value(client: TestClient) -> None:
    found = client.get(VALUES.format("contact", "city"), params={"prefix": "sEa"}).json()
    assert [v["value"] for v in found["values"]] == ["Seattle"]
    for attack in ("' OR 1=1 --", '"; DROP TABLE contact; --', "%", "_"):
        answer = client.get(VALUES.format("contact", "city"), params={"prefix": attack})
        assert answer.status_code == 200 and answer.json()["values"] == []
    assert client.get(VALUES.format("contact", "city"), params={"limit": 2}).json()["values"]


def test_lists_and_interactions_have_suggestions(client: TestClient) -> None:
    interests = client.get(VALUES.format("contact", "interests"), params={"limit": 3}).json()
    assert len(interests["values"]) == 3
    campaigns = client.get(VALUES.format("email_opened", "campaign"), params={"prefix": "w"})
    assert all(v["value"].lower().startswith("w") for v in campaigns.json()["values"])
    assert campaigns.json()["values"]


def test_suggestion_errors(client: TestClient) -> None:
    body = assert_problem(client.get(VALUES.format("nope", "city")), 404)
    assert "contact" in str(body["detail"])
    assert_problem(client.get(VALUES.format("contact", "nope")), 404)
    body = assert_problem(client.get(VALUES.format("contact", "age")), 422)
    assert "integer" in str(body["detail"])
    body = assert_problem(client.get(VALUES.format("contact", "email")), 422)
    assert "personal data" in str(body["detail"])
    assert_problem(client.get(VALUES.format("contact", "city"), params={"limit": 0}), 422)
    assert_problem(client.get(VALUES.format("contact", "city"), params={"limit": 101}), 422)


@pytest.fixture
def tight(demo_root: Path, tmp_path: Path) -> Iterator[TestClient]:
    """The demo with a quota of exactly its live, active segments."""
    root = Path(shutil.copytree(demo_root, tmp_path / "w"))
    with TestClient(create_app(root), raise_server_exceptions=False) as c:
        used = c.get("/api/system").json()["active_count"]
    set_refresh(root, max_active_segments=used)
    with TestClient(create_app(root), raise_server_exceptions=False) as c:
        yield c


def test_system_reports_the_quota_and_activating_past_it_is_refused(tight: TestClient) -> None:
    system = tight.get("/api/system").json()
    assert system["max_active_segments"] == system["active_count"] > 0
    active = system["active_segments"]
    listed = tight.get("/api/segments", params={"state": "live", "limit": 1000}).json()["items"]
    assert active == sorted(s["key"] for s in listed if s["active"])
    tight.post(f"/api/segments/{active[0]}/deactivate")
    assert tight.get("/api/system").json()["active_count"] == len(active) - 1
    seattle = {"type": "attribute", "field": "city", "op": "eq", "value": "Seattle"}
    tight.post(
        "/api/segments", json={"key": "seattle", "audience": "contact", "condition": seattle}
    )
    assert tight.post("/api/segments/seattle/go-live").status_code == 200  # takes the free slot
    # full again: one more is refused, naming the quota and each segment that counts
    body = assert_problem(tight.post(f"/api/segments/{active[0]}/activate"), 409)
    assert "quota" in str(body["detail"])
    assert len(body["problems"]) == len(active)  # type: ignore[arg-type]
    assert tight.get(f"/api/segments/{active[0]}").json()["active"] is False


def test_system_lists_scheduled_activations(client: TestClient) -> None:
    assert client.get("/api/system").json()["scheduled"] == []
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0)
    client.post("/api/segments/churn-risk/deactivate", json={"at": later.isoformat()})
    scheduled = client.get("/api/system").json()["scheduled"]
    assert [(s["key"], s["active"], s["activate_at"]) for s in scheduled] == [
        ("churn-risk", True, None)
    ]
    assert dt.datetime.fromisoformat(scheduled[0]["deactivate_at"]) == later


def test_cancel_a_scheduled_change(client: TestClient) -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    client.post("/api/segments/churn-risk/deactivate", json={"at": later})
    client.post("/api/segments/churn-risk/activate", json={"at": later})
    cancelled = client.delete("/api/segments/churn-risk/scheduled/deactivation").json()
    assert cancelled["deactivate_at"] is None and cancelled["activate_at"] is not None
    assert [s["key"] for s in client.get("/api/system").json()["scheduled"]] == ["churn-risk"]
    client.delete("/api/segments/churn-risk/scheduled/activation")
    assert client.get("/api/system").json()["scheduled"] == []
    body = assert_problem(client.delete("/api/segments/churn-risk/scheduled/activation"), 409)
    assert "no scheduled activation" in str(body["detail"])
    assert_problem(client.delete("/api/segments/churn-risk/scheduled/nope"), 422)
    assert_problem(client.delete("/api/segments/ghost/scheduled/activation"), 404)
