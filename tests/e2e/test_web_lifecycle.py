"""Going live, members, refresh and trend, CSV download, explain — on the details page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

COUNTRY_US = {"type": "attribute", "field": "country", "op": "eq", "value": "US"}


def digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_go_live_then_members_in_list_and_refresh_adds_a_trend_point(
    page: Any, api: httpx.Client, settle: Any, shoot: Any
) -> None:
    created = api.post(
        "/api/segments",
        json={
            "key": "e2e-live",
            "name": "E2E live US",
            "audience": "contact",
            "condition": COUNTRY_US,
        },
    )
    assert created.status_code == 201, created.text

    page.goto("/#/segments/e2e-live/edit")
    page.get_by_role("button", name="Go live").click()
    page.wait_for_url("**/#/segments/e2e-live")
    settle()
    seg = api.get("/api/segments/e2e-live").json()
    assert seg["state"] == "live"
    assert seg["members"] > 0
    expect(page.get_by_test_id("members-count")).to_have_text(
        re.compile(rf"^{seg['members']:,}$"), timeout=20_000
    )
    rows = page.get_by_test_id("members-table").locator("tbody tr")
    expect(rows).to_have_count(min(100, seg["members"]))
    first = api.get("/api/segments/e2e-live/members", params={"limit": 1}).json()["rows"][0]
    expect(rows.first).to_contain_text(first["contact_id"])
    trend = page.get_by_test_id("trend-count")
    expect(trend).to_have_attribute("data-points", "1")
    shoot("details")
    if seg["members"] > 100:  # page through with the cursor
        second = api.get(
            "/api/segments/e2e-live/members",
            params={
                "limit": 100,
                "cursor": api.get("/api/segments/e2e-live/members").json()["next_cursor"],
            },
        ).json()["rows"][0]
        page.get_by_role("button", name="Next 100 →").click()
        expect(rows.first).to_contain_text(second["contact_id"])
        page.get_by_role("button", name="← Previous 100").click()
        expect(rows.first).to_contain_text(first["contact_id"])

    # In the list, with its members.
    page.goto("/#/segments")
    page.get_by_placeholder("Search name…").fill("E2E live")
    row = page.locator("tr[data-key='e2e-live']")
    expect(row).to_be_visible()
    expect(row.locator("td[data-column=members]")).to_have_text(f"{seg['members']:,}")
    expect(page.locator("tbody tr")).to_have_count(1)

    # Refresh from the details page: the trend gains a point.
    page.goto("/#/segments/e2e-live")
    expect(trend).to_have_attribute("data-points", "1")
    page.get_by_role("button", name="Refresh", exact=True).click()
    expect(
        page.get_by_role("status").filter(has_text=re.compile(r"Refresh run #\d+ started"))
    ).to_be_visible()
    settle()
    runs = api.get("/api/runs", params={"limit": 3}).json()
    assert runs[0]["status"] == "succeeded", runs[0]
    expect(trend).to_have_attribute("data-points", "2", timeout=30_000)
    assert len(api.get("/api/segments/e2e-live/trend").json()) == 2
    history = page.get_by_role("region", name="Processing history").locator("tbody tr")
    expect(history).to_have_count(2)


def test_download_csv_equals_the_api(page: Any, api: httpx.Client, tmp_path: Path) -> None:
    page.goto("/#/segments/vip-customers")
    expect(page.get_by_test_id("members-table")).to_be_visible()
    with page.expect_download() as info:
        page.locator(".page-head").get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "members.csv"
    info.value.save_as(saved)
    expected = api.get("/api/segments/vip-customers/members.csv")
    assert expected.status_code == 200
    assert saved.read_bytes() == expected.content
    lines = saved.read_text().splitlines()
    assert lines[0].strip('"') == "contact_id"
    assert len(lines) - 1 == api.get("/api/segments/vip-customers").json()["members"]

    # With the fields shown in the members table.
    with page.expect_download() as info:
        page.get_by_role("region", name="Members").get_by_role("link", name="Download CSV").click()
    info.value.save_as(saved)
    fields = api.get(
        "/api/segments/vip-customers/members", params={"limit": 1, "field": ["first_name"]}
    )
    assert fields.status_code == 200
    header = saved.read_text().splitlines()[0]
    assert header.startswith('"contact_id"') and "first_name" in header


def test_explain_shows_each_condition_with_its_verdict(page: Any, api: httpx.Client) -> None:
    member = api.get("/api/segments/churn-risk/members", params={"limit": 1}).json()["rows"][0]
    page.goto("/#/segments/churn-risk")
    page.get_by_label("Profile id").fill(member["contact_id"])
    page.get_by_role("button", name="Explain").click()
    result = page.get_by_test_id("explain-result")
    expect(result).to_contain_text("is a member.")
    expect(result.locator(".explain-yes").first).to_contain_text("✔")
    expect(result).to_contain_text("Purchase")

    page.get_by_label("Profile id").fill("C9999999")
    page.get_by_role("button", name="Explain").click()
    expect(page.get_by_role("alert").filter(has_text="C9999999")).to_be_visible()


def test_edit_a_live_segment_as_a_pending_edit_and_reload_on_conflict(
    page: Any, api: httpx.Client, settle: Any
) -> None:
    key = "e2e-editable"
    created = api.post(
        "/api/segments",
        json={"key": key, "name": "E2E editable", "audience": "contact", "condition": COUNTRY_US},
    )
    assert created.status_code == 201, created.text
    assert api.post(f"/api/segments/{key}/go-live").status_code == 200
    settle()

    page.goto(f"/#/segments/{key}/edit")
    country = page.get_by_label("Country", exact=True)
    country.fill("CA")
    page.get_by_role("button", name="Save edit").click()
    expect(page.get_by_text("keeps serving; you are editing pending revision")).to_be_visible()
    seg = api.get(f"/api/segments/{key}").json()
    assert seg["status"] == "live, editable"
    assert seg["live_revision"] == 1 and seg["pending_revision"] == 2
    # Let the page finish re-reading the segment after its save; otherwise that read could
    # land after the change below and pick up the new ETag, and there would be no conflict.
    page.wait_for_load_state("networkidle")

    # Someone else changes the segment: the next save is refused (412) and the page says so.
    assert (
        api.patch(f"/api/segments/{key}", json={"name": "E2E renamed elsewhere"}).status_code == 200
    )
    country.fill("DE")
    page.get_by_role("button", name="Save edit").click()
    banner = page.get_by_role("alert").filter(has_text="changed by someone else")
    expect(banner).to_be_visible()
    assert api.get(f"/api/segments/{key}").json()["definition"]["condition"]["value"] == "CA"
    banner.get_by_role("button", name="Reload the latest version").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("E2E renamed elsewhere")
    expect(page.get_by_label("Country", exact=True)).to_have_value("CA")

    page.get_by_role("button", name="Publish edit").click()
    page.wait_for_url(f"**/#/segments/{key}")
    settle()
    seg = api.get(f"/api/segments/{key}").json()
    assert seg["status"] == "live" and seg["live_revision"] == 2 and seg["pending_revision"] is None
