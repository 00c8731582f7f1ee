"""API routes for segments, drafts, members, runs and the system, with their errors."""

from __future__ import annotations

import csv
import io
import time

from fastapi.testclient import TestClient

SEATTLE = {"type": "attribute", "field": "city", "op": "eq", "value": "Seattle"}
DRAFT = {"audience": "contact", "timezone": "UTC", "condition": SEATTLE}
PROBLEM_KEYS = {"type", "title", "status", "detail", "problems"}


def assert_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status and body["type"].startswith("https://segmint.dev/problems/")
    return body  # type: ignore[no-any-return]


def wait_run(client: TestClient, run_id: int) -> dict[str, object]:
    for _ in range(200):
        run = client.get(f"/api/runs/{run_id}").json()
        if run["status"] in ("succeeded", "failed", "cancelled"):
            return run  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError("run did not finish")


def test_list_search_filter_sort_and_cursor(client: TestClient) -> None:
    page = client.get("/api/segments", params={"limit": 5, "sort": "key"}).json()
    assert len(page["items"]) == 5 and page["next_cursor"]
    rest = client.get(
        "/api/segments", params={"limit": 100, "sort": "key", "cursor": page["next_cursor"]}
    ).json()
    keys = [s["key"] for s in page["items"] + rest["items"]]
    assert keys == sorted(keys) and rest["next_cursor"] is None
    found = client.get("/api/segments", params={"search": "VIP"}).json()["items"]
    assert {s["key"] for s in found} >= {"vip-customers", "vip-thank-you", "hand-picked-vips"}
    assert [
        s["key"] for s in client.get("/api/segments", params={"type": "compound"}).json()["items"]
    ] == ["loyal-not-at-risk"]
    drafts = client.get("/api/segments", params={"state": "draft"}).json()["items"]
    assert {s["key"] for s in drafts} == {
        "black-friday-2025",
        "new-signups-to-activate",
        "sms-winback-uk",
    }
    assert_problem(client.get("/api/segments", params={"sort": "nope"}), 422)
    assert_problem(client.get("/api/segments", params={"cursor": "!!"}), 400)


def test_create_read_edit_with_etag_and_lifecycle(client: TestClient) -> None:
    created = client.post(
        "/api/segments", json={"key": "seattle", "name": "Seattle", **DRAFT, "tags": ["geo"]}
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert created.json()["sentence"] == 'City is "Seattle"'
    assert_problem(client.post("/api/segments", json={"key": "seattle", **DRAFT}), 409)
    live = client.post("/api/segments/seattle/go-live").json()
    assert live["run"]["status"] == "succeeded"
    assert_problem(client.post("/api/segments/seattle/go-live"), 409)
    tag = client.get("/api/segments/seattle").headers["etag"]
    portland = {**DRAFT, "condition": {**SEATTLE, "value": "Portland"}}
    assert_problem(client.put("/api/segments/seattle/definition", json=portland), 412)
    assert_problem(
        client.put(
            "/api/segments/seattle/definition", json=portland, headers={"If-Match": '"old"'}
        ),
        412,
    )
    edited = client.put(
        "/api/segments/seattle/definition", json=portland, headers={"If-Match": tag}
    )
    assert edited.json()["status"] == "live, editable"
    assert edited.json()["live_revision"] == 1 and edited.json()["pending_revision"] == 2
    saved = client.post("/api/segments/seattle/save").json()
    assert saved["run"]["tasks"][0]["revision"] == 2
    assert client.post("/api/segments/seattle/stop").json()["state"] == "draft"


def test_invalid_definitions_are_located(client: TestClient) -> None:
    bad = {
        **DRAFT,
        "condition": {
            "type": "and",
            "conditions": [
                {"type": "attribute", "field": "citty", "op": "eq", "value": "x"},
                {"type": "attribute", "field": "city", "op": "gt", "value": "x"},
            ],
        },
    }
    body = assert_problem(client.post("/api/segments", json={"key": "bad", **bad}), 422)
    assert [p["path"] for p in body["problems"]] == [  # type: ignore[union-attr]
        "condition.conditions[0].field",
        "condition.conditions[1].op",
    ]
    valid = client.post("/api/evaluate/validate", json=bad).json()
    assert valid["valid"] is False and len(valid["problems"]) == 2
    schema = assert_problem(client.post("/api/evaluate/count", json={"audience": 1}), 422)
    assert schema["problems"]


def test_drafts_count_preview_explain_sql(client: TestClient) -> None:
    counted = client.post("/api/evaluate/count", json=DRAFT).json()
    preview = client.post(
        "/api/evaluate/preview", json={**DRAFT, "fields": ["city", "email"], "limit": 1000}
    ).json()
    assert counted["count"] == len(preview["rows"]) > 0
    assert {r["city"] for r in preview["rows"]} == {"Seattle"}
    someone = preview["rows"][0]["contact_id"]
    explained = client.post("/api/evaluate/explain", json={**DRAFT, "profile": someone}).json()
    assert explained["member"] is True and explained["tree"]["values"] == {"city": "Seattle"}
    assert_problem(client.post("/api/evaluate/explain", json={**DRAFT, "profile": "nobody"}), 404)
    assert "SELECT" in client.post("/api/evaluate/sql", json=DRAFT).json()["sql"]


def test_members_csv_matches_the_members_api(client: TestClient) -> None:
    listed = client.get(
        "/api/segments/vip-customers/members",
        params={"field": ["email", "account.industry"], "limit": 10_000},
    ).json()
    response = client.get(
        "/api/segments/vip-customers/members.csv", params={"field": ["email", "account.industry"]}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f"vip-customers-v{listed['version']}-" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["contact_id", "email", "account.industry"]
    assert [r[0] for r in rows[1:]] == [r["contact_id"] for r in listed["rows"]]
    assert response.content.count(b"\r\n") == len(rows)
    assert_problem(
        client.get("/api/segments/vip-customers/members.csv", params={"field": "nope"}), 400
    )
    assert_problem(client.get("/api/segments/black-friday-2025/members"), 404)


def test_csv_defuses_formulas(client: TestClient) -> None:
    import duckdb  # noqa: F401 - the server holds the database; change data through the API

    created = client.post(
        "/api/segments", json={"key": "few", "type": "static", "audience": "contact"}
    )
    assert created.status_code == 201
    first = client.post("/api/evaluate/preview", json={**DRAFT, "limit": 2}).json()["rows"]
    client.post("/api/segments/few/static-members", json={"ids": [r["contact_id"] for r in first]})
    client.post("/api/segments/few/go-live")
    text = client.get("/api/segments/few/members.csv", params={"field": "phone"}).text
    for row in list(csv.reader(io.StringIO(text)))[1:]:
        assert not row[1].startswith(("=", "+", "-", "@")), row  # phones start with + → defused


def test_runs_start_list_show_and_coalesce(client: TestClient) -> None:
    started = client.post(
        "/api/runs", json={"segments": ["churn-risk"]}, headers={"Idempotency-Key": "k1"}
    )
    assert started.status_code == 202
    run_id = started.json()["run"]["id"]
    again = client.post(
        "/api/runs", json={"segments": ["churn-risk"]}, headers={"Idempotency-Key": "k1"}
    )
    assert again.json()["run"]["id"] == run_id  # the same answer for the same key
    done = wait_run(client, run_id)
    assert done["status"] == "succeeded" and done["done"] == done["total"] == 1
    assert any(r["id"] == run_id for r in client.get("/api/runs").json())
    history = client.get("/api/segments/churn-risk/history").json()
    assert history[0]["run_id"] == run_id
    trend = client.get("/api/segments/churn-risk/trend").json()
    assert len(trend) == 2
    assert_problem(client.post(f"/api/runs/{run_id}/cancel"), 400)
    assert_problem(client.get("/api/runs/99999"), 404)


def test_usage_consumers_and_delete_warning(client: TestClient) -> None:
    usage = client.get("/api/segments/vip-customers/usage").json()
    assert "loyal-not-at-risk" in usage["segments"]
    body = assert_problem(client.delete("/api/segments/vip-customers"), 409)
    assert any("loyal-not-at-risk" in p["path"] for p in body["problems"])  # type: ignore[union-attr]
    added = client.post(
        "/api/segments/test-and-internal/consumers",
        json={"kind": "journey", "name": "Spring", "role": "suppression"},
    )
    assert added.status_code == 201
    assert_problem(client.delete("/api/segments/test-and-internal"), 409)
    gone = client.delete("/api/segments/test-and-internal", params={"confirm": "true"})
    assert gone.status_code == 200 and gone.json()["consumers"][0]["name"] == "Spring"
    assert_problem(client.get("/api/segments/test-and-internal"), 404)


def test_static_members_by_query(client: TestClient) -> None:
    query = {"condition": SEATTLE, "action": "preview"}
    preview = client.post("/api/segments/hand-picked-vips/static-members/query", json=query)
    found = preview.json()
    assert found["changed"] == 0 and found["count"] > 0
    pick = found["keys"][:2]
    added = client.post(
        "/api/segments/hand-picked-vips/static-members/query",
        json={**query, "action": "add", "select": pick},
    ).json()
    assert added["changed"] == len(set(pick) - set())  # both new (none were members before)
    members = client.get("/api/segments/hand-picked-vips/static-members").json()["members"]
    assert set(pick) <= set(members)
    assert_problem(
        client.post("/api/segments/vip-customers/static-members", json={"ids": ["C0000001"]}), 400
    )
    assert_problem(
        client.post("/api/segments/hand-picked-vips/static-members", json={"ids": ["ghost"]}), 400
    )


def test_schedule_and_model(client: TestClient) -> None:
    assert client.get("/api/schedule").json()["enabled"] is False
    saved = client.put("/api/schedule", json={"cron": "0 3 * * *", "timezone": "Europe/Berlin"})
    assert saved.json()["cron"] == "0 3 * * *" and len(saved.json()["next"]) == 3
    assert_problem(client.put("/api/schedule", json={"cron": "nope"}), 400)
    model = client.get("/api/model").json()
    contact = next(e for e in model["entities"] if e["name"] == "contact")
    assert contact["audience"] and "account" in [r["name"] for r in contact["relationships"]]
    assert (
        "anniversary_within"
        in next(a for a in contact["attributes"] if a["name"] == "birthday")["operators"]
    )


def test_code_plan_and_apply(client: TestClient) -> None:
    files = {
        "seattle.yaml": "key: seattle\naudience: contact\nstate: live\n"
        "condition: {type: attribute, field: city, op: eq, value: Seattle}\n"
    }
    planned = client.post("/api/code/plan", json={"files": files}).json()
    assert [c["action"] for c in planned["changes"]] == ["create"]
    applied = client.post("/api/code/apply", json={"files": files}).json()
    assert applied["done"] == [{"key": "seattle", "result": "created, live"}]
    assert client.post("/api/code/plan", json={"files": files}).json()["changes"] == []
    assert_problem(client.post("/api/code/plan", json={"files": {"../x.yaml": "a: 1"}}), 400)


def test_openapi_is_served(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert "/api/segments/{key}/members.csv" in doc["paths"]
    assert client.get("/docs").status_code == 200
