"""The segments list: row actions (by keyboard), duplicate, rename, tag, tag filter, delete
with the usage warning; names shown as text; static members added by query."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect


def search(page: Any, text: str) -> None:
    box = page.get_by_placeholder("Search name…")
    box.fill(text)


def open_actions(page: Any, key: str, name: str) -> None:
    page.locator(f"tr[data-key='{key}']").get_by_role("button", name=f"Actions for {name}").click()


def test_duplicate_rename_tag_filter_and_delete_with_usage_warning(
    page: Any, api: httpx.Client, shoot: Any
) -> None:
    page.goto("/#/segments")
    search(page, "vip-customers")
    row = page.locator("tr[data-key='vip-customers']")
    expect(row).to_be_visible()
    name = api.get("/api/segments/vip-customers").json()["name"]

    # The row menu works from the keyboard: Enter opens it, arrows move, Enter picks.
    button = row.get_by_role("button", name=f"Actions for {name}")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="View")).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Duplicate")).to_be_focused()
    page.keyboard.press("Enter")

    dialog = page.get_by_role("dialog")
    dialog.get_by_label("New key").fill("e2e-vip-copy")
    dialog.get_by_label("Name").fill("E2E VIP copy")
    dialog.get_by_role("button", name="Duplicate", exact=True).click()
    expect(dialog).to_be_hidden()
    copy = api.get("/api/segments/e2e-vip-copy").json()
    assert copy["state"] == "draft" and copy["name"] == "E2E VIP copy"

    search(page, "E2E VIP")
    open_actions(page, "e2e-vip-copy", "E2E VIP copy")
    page.get_by_role("menuitem", name="Rename").click()
    page.get_by_role("dialog").get_by_label("Name").fill("E2E VIP renamed")
    page.get_by_role("dialog").get_by_role("button", name="Rename").click()
    expect(page.locator("tr[data-key='e2e-vip-copy']")).to_contain_text("E2E VIP renamed")
    assert api.get("/api/segments/e2e-vip-copy").json()["name"] == "E2E VIP renamed"

    open_actions(page, "e2e-vip-copy", "E2E VIP renamed")
    page.get_by_role("menuitem", name="Tag").click()
    tags = page.get_by_role("dialog").get_by_label("Tags: add a value (Enter)")
    tags.fill("e2e-tag")
    tags.press("Enter")
    page.get_by_role("dialog").get_by_role("button", name="Save tags").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert "e2e-tag" in api.get("/api/segments/e2e-vip-copy").json()["tags"]

    # Filter by the tag: only the copy is left.
    search(page, "")
    page.locator("summary", has_text="Tags").click()
    page.get_by_role("checkbox", name="e2e-tag").check()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_have_attribute("data-key", "e2e-vip-copy")
    page.locator("summary", has_text="Tags").click()

    # Delete: it is in use, so the usage is listed and a second confirmation is needed.
    used = api.post(
        "/api/segments/e2e-vip-copy/consumers",
        json={"kind": "journey", "name": "E2E journey", "role": "target"},
    )
    assert used.status_code == 201, used.text
    open_actions(page, "e2e-vip-copy", "E2E VIP renamed")
    page.get_by_role("menuitem", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete", exact=True).click()
    warning = page.get_by_role("dialog")
    expect(warning).to_contain_text("Segments in use")
    expect(warning).to_contain_text("E2E journey")
    shoot("delete-warning")
    assert api.get("/api/segments/e2e-vip-copy").status_code == 200
    warning.get_by_role("button", name="Delete anyway").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("td.empty")).to_have_text("No segments match.")
    assert api.get("/api/segments/e2e-vip-copy").status_code == 404


def test_segment_list_screenshot_with_columns(page: Any, shoot: Any) -> None:
    page.goto("/#/segments")
    expect(page.locator("tbody tr").first).to_be_visible()
    # Sort by members, largest first.
    page.get_by_role("button", name="Members").click()
    page.get_by_role("button", name="Members").click()
    expect(page.locator("th[aria-sort=descending]")).to_have_text("Members ▼")
    shoot("segments")
    # Hide the owner column, move tags first after the name.
    page.locator("summary", has_text="Columns").click()
    page.get_by_role("checkbox", name="Owner").uncheck()
    for _ in range(6):
        page.get_by_role("button", name="Move Tags left").click()
    page.locator("summary", has_text="Columns").click()
    headers = page.locator("thead th[scope=col] button").all_inner_texts()
    assert [h.strip(" ▲▼") for h in headers][:2] == ["Name", "Tags"]
    assert "Owner" not in headers


def test_names_with_markup_are_shown_as_text(page: Any, api: httpx.Client) -> None:
    name = '<img src=x onerror="window.__pwned=1"><b>Bold</b> & co'
    created = api.post(
        "/api/segments",
        json={
            "key": "e2e-markup",
            "name": name,
            "tags": ["<i>tag</i>"],
            "audience": "contact",
            "condition": {"type": "attribute", "field": "city", "op": "eq", "value": "<script>"},
        },
    )
    assert created.status_code == 201, created.text
    page.goto("/#/segments")
    search(page, "Bold")
    row = page.locator("tr[data-key='e2e-markup']")
    expect(row.locator(".segment-name")).to_have_text(name)
    expect(row).to_contain_text("<i>tag</i>")
    assert row.locator("img, b, i").count() == 0
    page.goto("/#/segments/e2e-markup")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.goto("/#/segments/e2e-markup/edit")
    expect(page.get_by_label("Name", exact=True)).to_have_value(name)
    assert page.evaluate("window.__pwned") is None


def test_static_segment_adds_members_by_query(page: Any, api: httpx.Client) -> None:
    before = set(api.get("/api/segments/hand-picked-vips/static-members").json()["members"])
    page.goto("/#/segments/hand-picked-vips")
    editor = page.get_by_role("group", name="Query for members")
    editor.get_by_role("button", name="Add a condition").click()
    rule = editor.locator("[data-testid=rule]").first
    rule.locator("select[data-testid=fields]").select_option("city")
    rule.get_by_label("City", exact=True).fill("Seattle")
    page.get_by_role("button", name="Preview matches").click()
    results = page.get_by_test_id("query-results")
    expect(results).to_contain_text("matches")
    preview = api.post(
        "/api/segments/hand-picked-vips/static-members/query",
        json={"condition": {"type": "attribute", "field": "city", "op": "eq", "value": "Seattle"}},
    ).json()
    expect(results).to_contain_text(f"{preview['count']} matches")
    fresh = [k for k in preview["keys"] if k not in before][:2]
    for key in fresh:
        results.get_by_role("checkbox", name=key).check()
    results.get_by_role("button", name="Add selected (2)").click()
    expect(results).to_be_hidden()
    after = set(api.get("/api/segments/hand-picked-vips/static-members").json()["members"])
    assert after == before | set(fresh)
