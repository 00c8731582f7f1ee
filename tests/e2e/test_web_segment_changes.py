"""Value suggestions in the builder, scheduling an activation, the quota figures, and
making a segment static and dynamic again — each checked against the API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
from playwright.sync_api import expect
from test_web_builder import add_condition

SEATTLE = {"type": "attribute", "field": "city", "op": "eq", "value": "Seattle"}


def live_segment(api: httpx.Client, settle: Any, key: str, name: str) -> dict[str, Any]:
    """A new live segment (Seattle contacts), refreshed."""
    made = api.post(
        "/api/segments",
        json={"key": key, "name": name, "audience": "contact", "condition": SEATTLE},
    )
    assert made.status_code == 201, made.text
    assert api.post(f"/api/segments/{key}/go-live").status_code == 200
    settle()
    found: dict[str, Any] = api.get(f"/api/segments/{key}").json()
    return found


def test_value_suggestions_in_the_builder(page: Any, api: httpx.Client, shoot: Any) -> None:
    expected = api.get(
        "/api/model/contact/attributes/city/values", params={"prefix": "Sea", "limit": 12}
    ).json()["values"]
    assert expected, "the demo has cities starting with Sea"
    page.goto("/#/segments/new")
    rule = add_condition(page)
    rule.locator("select[data-testid=fields]").select_option("city")
    rule.locator("select[data-testid=operators]").select_option("eq")
    box = rule.get_by_role("combobox", name="City")
    box.fill("Sea")
    options = page.get_by_role("listbox", name="Suggested values").get_by_role("option")
    expect(options).to_have_count(len(expected))
    first = expected[0]
    expect(options.first).to_contain_text(first["value"])
    expect(options.first).to_contain_text(f"{first['count']:,}")
    shoot("builder-value-suggestions")
    # The keyboard picks: ↓ highlights the first, Enter takes it, the list closes.
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value(first["value"])
    expect(page.get_by_role("listbox", name="Suggested values")).to_be_hidden()

    # A list operator suggests too, leaving out values already chosen.
    rule.locator("select[data-testid=operators]").select_option("in")
    values = rule.get_by_role("combobox", name="City values: add a value (Enter)")
    values.fill("sea")
    listed = page.get_by_role("listbox", name="Suggested values")
    listed.get_by_role("option").first.click()
    expect(rule.locator(".chip", has_text=first["value"])).to_be_visible()
    # Personal data gets no suggestions: a plain text input.
    rule.locator("select[data-testid=fields]").select_option("email")
    rule.locator("select[data-testid=operators]").select_option("eq")
    expect(rule.get_by_role("combobox", name="Email")).to_have_count(0)
    expect(rule.get_by_role("textbox", name="Email")).to_be_visible()


def test_schedule_an_activation_and_see_it_on_the_system_page(
    page: Any, api: httpx.Client, settle: Any, shoot: Any
) -> None:
    live_segment(api, settle, "e2e-scheduled", "E2E scheduled")
    assert api.post("/api/segments/e2e-scheduled/deactivate").status_code == 200
    before = api.get("/api/system").json()

    page.goto("/#/segments")
    page.get_by_placeholder("Search name…").fill("E2E scheduled")
    expect(page.get_by_test_id("list-quota")).to_have_text(
        f"{before['active_count']} of {before['max_active_segments']} active"
    )
    row = page.locator("tr[data-key='e2e-scheduled']")
    row.get_by_role("button", name="Actions for E2E scheduled").click()
    page.get_by_role("menuitem", name="Schedule activation…").click()
    dialog = page.get_by_role("dialog")
    expect(
        dialog.get_by_role("radio", name="Activate", exact=True)
    ).to_be_checked()  # it is inactive
    tomorrow = (dt.datetime.now() + dt.timedelta(days=1)).strftime("%Y-%m-%d") + "T09:30"
    dialog.get_by_label("At (your time zone)").fill(tomorrow)
    shoot("schedule-activation-dialog")
    dialog.get_by_role("button", name="Schedule").click()
    expect(dialog).to_be_hidden()
    instant = page.evaluate(f"new Date('{tomorrow}').toISOString()")
    seg = api.get("/api/segments/e2e-scheduled").json()
    assert not seg["active"]
    assert dt.datetime.fromisoformat(seg["activate_at"]) == dt.datetime.fromisoformat(instant)

    # A time in the past is refused in the dialog, before the API is asked.
    row.get_by_role("button", name="Actions for E2E scheduled").click()
    page.get_by_role("menuitem", name="Schedule activation…").click()
    dialog.get_by_label("At (your time zone)").fill("2020-01-01T09:00")
    dialog.get_by_role("button", name="Schedule").click()
    expect(dialog.get_by_role("alert")).to_have_text("Pick a time in the future.")
    dialog.get_by_role("button", name="Cancel").click()

    page.goto("/#/system")
    expect(page.get_by_test_id("quota-count")).to_have_text(
        f"{before['active_count']} of {before['max_active_segments']} active"
    )
    scheduled = page.get_by_test_id("scheduled-table").locator("tr", has_text="E2E scheduled")
    expect(scheduled).to_contain_text("inactive")
    expect(scheduled.locator("td").nth(2)).not_to_have_text("—")
    shoot("system-quota-and-schedules")
    page.goto("/#/segments/e2e-scheduled")
    expect(page.get_by_test_id("scheduled")).to_contain_text("activate")

    # Cancelled from the System page: the row goes, the API has nothing scheduled.
    page.goto("/#/system")
    page.get_by_role("button", name="Cancel the activation of E2E scheduled").click()
    expect(
        page.get_by_role("status").filter(has_text="Cancelled the scheduled activation")
    ).to_be_visible()
    expect(page.locator("tr", has_text="E2E scheduled")).to_have_count(0)
    assert api.get("/api/segments/e2e-scheduled").json()["activate_at"] is None


def test_make_static_then_dynamic(page: Any, api: httpx.Client, settle: Any, shoot: Any) -> None:
    seg = live_segment(api, settle, "e2e-freeze", "E2E freeze")
    members = api.get("/api/segments/e2e-freeze/members", params={"limit": 10_000}).json()
    keys = sorted(r["contact_id"] for r in members["rows"])
    assert len(keys) == seg["members"] > 0

    page.goto("/#/segments/e2e-freeze")
    page.get_by_role("button", name="More actions for E2E freeze").click()
    page.get_by_role("menuitem", name="Make static").click()
    dialog = page.get_by_role("dialog", name="Make “E2E freeze” static")
    expect(dialog).to_contain_text(f"{len(keys)} members become hand-picked")
    dialog.get_by_role("button", name="Make static").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="is static now")).to_be_visible()
    expect(page.locator(".page-head")).to_contain_text("static")
    shoot("details-made-static")
    now = api.get("/api/segments/e2e-freeze").json()
    assert now["type"] == "static" and now["state"] == "live"
    frozen = api.get("/api/segments/e2e-freeze/static-members", params={"limit": 10_000})
    assert frozen.json()["members"] == keys

    # Back from the list's row menu: the definition returns and a refresh runs.
    page.goto("/#/segments")
    page.get_by_placeholder("Search name…").fill("E2E freeze")
    row = page.locator("tr[data-key='e2e-freeze']")
    row.get_by_role("button", name="Actions for E2E freeze").click()
    page.get_by_role("menuitem", name="Make dynamic").click()
    page.get_by_role("dialog").get_by_role("button", name="Make dynamic").click()
    expect(page.get_by_role("status").filter(has_text=re.compile("is dynamic now"))).to_be_visible()
    settle()
    back = api.get("/api/segments/e2e-freeze").json()
    assert back["type"] == "dynamic" and back["definition"]["condition"] == SEATTLE
    expect(row).to_contain_text("dynamic")
