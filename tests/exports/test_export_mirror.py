"""Two Segmint instances on loopback: a segment exported from one arrives in the other as an
external static mirror, and every rule of the mirror holds (draft on arrival, existing
contacts only, unmatched counted, full replacement, live refresh without a stop, external
fields, edits warned and overwritten, removal keeps the last exported version)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from export_support import contacts, make_static, set_exports, set_members

from lifecycle_support import copy_demo
from segmint.api import create_app
from segmint.services import export_runs, exports
from segmint.services.context import App
from segmint.sources.ingest import q

GONE = 6  # contacts the target does not have


@contextmanager
def served(root: Path) -> Iterator[str]:
    """The workspace's API on a free loopback port, in a thread."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(root), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the target did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def target(tmp_path: Path) -> tuple[Path, list[str]]:
    """A second instance that lacks some of the source's contacts (returned)."""
    root = copy_demo(tmp_path / "target")
    with App.open(root) as app:
        gone = contacts(app, GONE, start=10)
        entity = app.engine.catalog.entities["contact"]
        marks = ", ".join("?" for _ in gone)
        app.engine.con.execute(
            f"DELETE FROM {q(entity.table)} WHERE {q(entity.key)} IN ({marks})", gone
        )
    return root, gone


def test_a_segment_mirrored_into_another_instance(
    source: Path, target: tuple[Path, list[str]]
) -> None:
    target_root, gone = target
    set_exports(source, timeout_seconds="10.0")  # the target shares this process's cores
    with served(target_root) as url, App.open(source) as app, httpx.Client(base_url=url) as api:
        first = contacts(app, 30)  # six of them the target does not have
        make_static(app, "vips", first)
        exports.add_destination(
            app,
            "marketing",
            type="segmint",
            name="Marketing app",
            settings={"url": url, "key_prefix": "ci-", "token": "s3cret-token"},
        )
        shown = exports.show_destination(app, "marketing")
        assert shown["settings"]["token"] == "********"  # noqa: S105 - the mask
        assert "s3cret" not in str(shown)
        assert "Segmint instance" in exports.test_destination(app, "marketing")
        exports.create_export(app, "to-marketing", destination="marketing", segments=["vips"])
        contacts_before = _contact_count(api)

        # Arrives in draft, holding only the target's existing contacts; unmatched counted.
        run = export_runs.run_export(app, "to-marketing")
        assert run.status == "succeeded", run.error
        entry = run.detail[0]
        assert (entry["sent"], entry["matched"], entry["unmatched"]) == (30, 24, 6)
        mirror = api.get("/api/external-segments/ci-vips").json()
        assert (mirror["state"], mirror["members"]) == ("draft", 24)
        assert (mirror["received"], mirror["matched"], mirror["unmatched"]) == (30, 24, 6)
        assert _members(api, "ci-vips") == set(first) - set(gone)
        assert _contact_count(api) == contacts_before  # no contact was created

        # External source, external segment URL, and the time of the last refresh.
        assert mirror["external_source"] == "demo"
        assert mirror["external_url"] == "http://source.example/segments/vips"
        assert "Last refreshed by an export at" in mirror["description"]
        segment = api.get("/api/segments/ci-vips").json()
        assert (segment["type"], segment["name"]) == ("external", "Vips")
        stamp_before = mirror["description"]

        # Going live uses what arrived; no refresh of its own.
        went = api.post("/api/segments/ci-vips/go-live")
        assert went.status_code == 200, went.text
        assert went.json()["run"] is None
        assert api.get("/api/segments/ci-vips").json()["state"] == "live"

        # A refresh at the source replaces the live mirror completely, without stopping it.
        second = [*first[15:], *contacts(app, 10, start=100)]
        set_members(app, "vips", second)
        mirror = api.get("/api/external-segments/ci-vips").json()
        assert (mirror["state"], mirror["members"]) == ("live", len(set(second) - set(gone)))
        assert _members(api, "ci-vips") == set(second) - set(gone)
        assert mirror["description"] != stamp_before or mirror["last_export_at"]

        # An edit at the target is possible, warned about, and overwritten by the next export.
        extra = contacts(app, 1, start=250)[0]
        edited = api.post("/api/external-segments/ci-vips/members", json={"add": [extra]})
        assert edited.status_code == 200, edited.text
        assert "overwritten by its next export" in edited.json()["warning"]
        assert extra in _members(api, "ci-vips")
        assert api.get("/api/external-segments/ci-vips").json()["warning"]
        assert export_runs.run_export(app, "to-marketing").status == "succeeded"
        assert _members(api, "ci-vips") == set(second) - set(gone)
        assert api.get("/api/external-segments/ci-vips").json()["edited_at"] is None

        # Removing the segment from the export leaves the last exported version there.
        exports.edit_export(app, "to-marketing", remove=["vips"])
        set_members(app, "vips", contacts(app, 5, start=150))
        assert _members(api, "ci-vips") == set(second) - set(gone)
        assert api.get("/api/segments/ci-vips").json()["state"] == "live"


def test_the_target_refuses_what_is_not_a_mirror(target: tuple[Path, list[str]]) -> None:
    target_root, _ = target
    with served(target_root) as url, httpx.Client(base_url=url) as api:
        body = {"name": "x", "audience": "contact", "ids": ["C0000001"]}
        clash = api.put("/api/external-segments/vip-customers", json=body)
        assert clash.status_code == 409
        assert "not an external segment" in clash.json()["detail"]
        wrong = api.put("/api/external-segments/new-one", json={**body, "audience": "order"})
        assert wrong.status_code == 400
        first = api.put(
            "/api/external-segments/new-one", json=body, headers={"idempotency-key": "b1"}
        )
        again = api.put(
            "/api/external-segments/new-one", json=body, headers={"idempotency-key": "b1"}
        )
        assert (first.json()["repeated"], again.json()["repeated"]) == (False, True)
        assert again.json()["version"] == first.json()["version"]
        assert api.get("/api/external-segments/vip-customers").status_code == 400
        assert api.get("/api/external-segments/nope").status_code == 404


def _members(api: httpx.Client, key: str) -> set[str]:
    found: set[str] = set()
    cursor = None
    while True:
        params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        page = api.get(f"/api/segments/{key}/members", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        found |= {str(row["contact_id"]) for row in body["rows"]}
        cursor = body.get("next_cursor")
        if not cursor:
            return found


def _contact_count(api: httpx.Client) -> int:
    answer = api.post(
        "/api/evaluate/count",
        json={
            "audience": "contact",
            "condition": {"type": "attribute", "field": "contact_id", "op": "is_not_empty"},
        },
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["count"])
