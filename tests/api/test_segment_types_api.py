"""Make static / make dynamic through the API, and the segment reads added for the web app:
the live revision while an edit is pending, `as_of`, tag sorting, paged static members,
the typed explain tree and the actor of CSV downloads."""

from __future__ import annotations

from fastapi.testclient import TestClient
from test_segments_api import DRAFT, SEATTLE, assert_problem, wait_run

REPEAT = "repeat-customers-no-returns"  # read by a compound segment only


def test_make_static_then_dynamic(client: TestClient) -> None:
    before = client.get(f"/api/segments/{REPEAT}/members", params={"limit": 10_000}).json()
    made = client.post(f"/api/segments/{REPEAT}/make-static").json()
    assert made["segment"]["type"] == "static" and made["segment"]["state"] == "live"
    assert made["frozen"] == len(before["rows"]) and made["refresh"] is None
    frozen = client.get(f"/api/segments/{REPEAT}/static-members", params={"limit": 10_000})
    assert frozen.json()["members"] == sorted(r["contact_id"] for r in before["rows"])
    assert_problem(client.post(f"/api/segments/{REPEAT}/make-static"), 409)
    back = client.post(f"/api/segments/{REPEAT}/make-dynamic").json()
    assert back["segment"]["type"] == "dynamic" and back["refresh"]["run"] is not None
    wait_run(client, back["refresh"]["run"]["id"])
    detail = client.get(f"/api/segments/{REPEAT}").json()
    assert "condition" in detail["definition"] and detail["type"] == "dynamic"
    assert_problem(client.get(f"/api/segments/{REPEAT}/static-members"), 400)


def test_make_dynamic_with_a_definition_and_its_errors(client: TestClient) -> None:
    client.post("/api/segments", json={"key": "picked", "type": "static", **DRAFT})
    body = assert_problem(client.post("/api/segments/picked/make-dynamic"), 400)
    assert "never had a definition" in str(body["detail"])
    wrong = {"condition": {"type": "attribute", "field": "nope", "op": "eq", "value": 1}}
    body = assert_problem(client.post("/api/segments/picked/make-dynamic", json=wrong), 422)
    assert body["problems"]
    made = client.post("/api/segments/picked/make-dynamic", json={"condition": SEATTLE})
    assert made.status_code == 200 and made.json()["segment"]["type"] == "dynamic"
    assert made.json()["refresh"] is None  # a draft: nothing to refresh
    assert_problem(client.post("/api/segments/picked/make-dynamic"), 409)
    assert_problem(client.post("/api/segments/ghost/make-static"), 404)
    # vip-customers is read by a segment that is not compound (vip-thank-you)
    body = assert_problem(client.post("/api/segments/vip-customers/make-static"), 409)
    assert any("vip-thank-you" in p["path"] for p in body["problems"])  # type: ignore[union-attr]


def test_live_revision_is_readable_while_an_edit_is_pending(client: TestClient) -> None:
    read = client.get("/api/segments/churn-risk")
    live_condition = read.json()["definition"]["condition"]
    saved = client.put(
        "/api/segments/churn-risk/definition",
        json=DRAFT,
        headers={"If-Match": read.headers["etag"]},
    ).json()
    assert saved["status"] == "live, editable"
    assert saved["definition_revision"] == saved["pending_revision"]
    live = client.get("/api/segments/churn-risk", params={"revision": "live"}).json()
    assert live["definition"]["condition"] == live_condition
    assert live["definition_revision"] == live["live_revision"] != saved["pending_revision"]
    assert "Seattle" not in live["sentence"] and "Seattle" in saved["sentence"]
    assert_problem(client.get("/api/segments/black-friday-2025", params={"revision": "live"}), 404)
    assert_problem(client.get("/api/segments/churn-risk", params={"revision": "nope"}), 422)


def test_segments_carry_the_as_of_of_their_current_version(client: TestClient) -> None:
    items = client.get("/api/segments", params={"limit": 1000}).json()["items"]
    for s in items:
        assert (s["as_of"] is None) == (s["current_version"] is None), s["key"]
    trend = client.get("/api/segments/churn-risk/trend").json()
    detail = client.get("/api/segments/churn-risk").json()
    current = next(p for p in trend if p["version"] == detail["current_version"])
    assert detail["as_of"] == current["as_of"]


def test_sort_by_tags(client: TestClient) -> None:
    def joined(s: dict[str, list[str]]) -> str:
        return ", ".join(sorted(s["tags"]))

    items = client.get("/api/segments", params={"sort": "tags", "limit": 1000}).json()["items"]
    tagged = [joined(s) for s in items if s["tags"]]
    assert tagged == sorted(tagged) and len(tagged) > 2
    assert all(not s["tags"] for s in items[len(tagged) :])  # untagged last
    down = client.get("/api/segments", params={"sort": "tags", "desc": True, "limit": 1000})
    assert [joined(s) for s in down.json()["items"] if s["tags"]] == tagged[::-1]
    body = assert_problem(client.get("/api/segments", params={"sort": "nope"}), 422)
    assert body["problems"][0]["path"] == "query.sort"  # type: ignore[index]


def test_static_members_are_paged(client: TestClient) -> None:
    url = "/api/segments/hand-picked-vips/static-members"
    everything = client.get(url, params={"limit": 10_000}).json()
    assert everything["count"] == len(everything["members"]) > 10
    seen: list[str] = []
    cursor = None
    while True:
        page = client.get(url, params={"limit": 10, "cursor": cursor}).json()
        assert page["count"] == everything["count"] and len(page["members"]) <= 10
        seen += page["members"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything["members"]
    assert_problem(client.get(url, params={"cursor": "!!"}), 400)
    assert_problem(client.get(url, params={"limit": 0}), 422)


def test_explain_tree_is_typed(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert schemas["ExplainOut"]["properties"]["tree"] == {
        "$ref": "#/components/schemas/ExplainNode"
    }
    assert set(schemas["ExplainNode"]["required"]) == {
        "path",
        "type",
        "text",
        "result",
        "values",
        "children",
    }
    someone = client.get("/api/segments/churn-risk/members", params={"limit": 1}).json()
    body = {
        "audience": "contact",
        "condition": SEATTLE,
        "profile": someone["rows"][0]["contact_id"],
    }
    tree = client.post("/api/evaluate/explain", json=body).json()["tree"]
    assert tree["type"] == "attribute" and tree["children"] == [] and tree["result"] is False


def test_csv_download_records_the_actor(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    params = doc["paths"]["/api/segments/{key}/members.csv"]["get"]["parameters"]
    assert "x-segmint-actor" in [p["name"] for p in params]
    answer = client.get(
        "/api/segments/churn-risk/members.csv", headers={"X-Segmint-Actor": "mia@example.com"}
    )
    assert answer.status_code == 200
    events = client.app.state.segmint.store  # type: ignore[attr-defined]
    with events.read() as r:
        last = r.audit(segment="churn-risk", limit=1)[0]
    assert (last.action, last.actor) == ("download", "mia@example.com")
