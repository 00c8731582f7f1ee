"""Appending events and upserting rows through the API, with the affected refresh."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_append_event_refreshes_the_segments_it_affects(client: TestClient) -> None:
    before = client.get("/api/segments/vip-customers").json()["current_version"]
    rows = [
        {
            "event_id": "E-new-1",
            "contact_id": "C0000002",
            "occurred_at": "2026-11-20T10:00:00Z",
            "order_id": "O-new",
            "product_category": "Shoes",
            "amount": 12.5,
            "quantity": 1,
        }
    ]
    found = client.post(
        "/api/interactions/purchase", params={"refresh": "true"}, json={"rows": rows}
    )
    assert found.status_code == 201, found.text
    body = found.json()
    assert body["rows"] == 1 and body["run"]["status"] == "succeeded"
    refreshed = {t["segment"] for t in body["run"]["tasks"]}
    assert "one-time-buyers" in refreshed  # reads purchases
    assert "incomplete-profiles" not in refreshed  # reads no purchases
    assert client.get("/api/segments/vip-customers").json()["current_version"] >= before


def test_bad_rows_are_located_and_nothing_is_written(client: TestClient) -> None:
    rows = [
        {"event_id": "E1", "contact_id": "C0000002", "occurred_at": "yesterday-ish"},
        {"event_id": "E2", "occurred_at": "2026-11-20T10:00:00Z", "colour": "red"},
    ]
    found = client.post("/api/interactions/purchase", json={"rows": rows})
    assert found.status_code == 400
    paths = [p["path"] for p in found.json()["problems"]]
    assert "purchase events: row 2, column colour" in paths
    assert "purchase events: row 2, column contact_id" in paths
    assert client.post("/api/interactions/nope", json={"rows": rows}).status_code == 404


def test_upsert_contact_row(client: TestClient) -> None:
    row = client.post(
        "/api/evaluate/preview",
        json={
            "audience": "contact",
            "condition": {
                "type": "attribute",
                "field": "contact_id",
                "op": "eq",
                "value": "C0000003",
            },
            "fields": [],
        },
    ).json()["rows"]
    assert row == [{"contact_id": "C0000003"}]
    changed = client.put(
        "/api/entities/account/rows",
        json={"rows": [{"account_id": "A000001", "name": "Renamed Co", "industry": "Retail"}]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["rows"] == 1
    bad = client.put(
        "/api/entities/account/rows",
        json={"rows": [{"account_id": "A000001", "employees": "many"}]},
    )
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["path"] == "account rows: row 1, column employees"
