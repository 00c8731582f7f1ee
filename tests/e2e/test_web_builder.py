"""The segment builder: a segment built from scratch has the live size the API counts."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect

DEFINITION = "[aria-label='Segment definition'] > .queryBuilder > .group-wrap > .ruleGroup"


def top_rules(page: Any) -> Any:
    return page.locator(f"{DEFINITION} > .ruleGroup-body > .rule-wrap > .rule")


def add_condition(page: Any) -> Any:
    before = top_rules(page).count()
    page.locator(f"{DEFINITION} > .ruleGroup-header [data-testid=add-rule]").click()
    expect(top_rules(page)).to_have_count(before + 1)
    return top_rules(page).nth(before)


def test_build_a_segment_from_scratch_with_profile_behavior_and_segment_blocks(
    page: Any, api: httpx.Client, shoot: Any
) -> None:
    page.goto("/#/segments/new")
    page.get_by_label("Name", exact=True).fill("E2E spenders outside churn")
    expect(page.get_by_label("Key", exact=True)).to_have_value("e2e-spenders-outside-churn")

    # A profile block: country is one of US, CA (a list input).
    profile = add_condition(page)
    profile.locator("select[data-testid=fields]").select_option("country")
    profile.locator("select[data-testid=operators]").select_option("in")
    values = profile.get_by_label("Country values: add a value (Enter)")
    for country in ("US", "CA"):
        values.fill(country)
        values.press("Enter")

    # A behavior block: purchased at least twice in the last 365 days.
    behavior = add_condition(page)
    behavior.locator("select[data-testid=fields]").select_option("@behavior:purchase")
    behavior.get_by_label("Purchase: what to test").select_option("count")
    behavior.get_by_label("Purchase: number of times", exact=True).fill("2")
    behavior.get_by_label("Purchase: window amount").fill("365")

    # A segment block joined with "but not": and(country, purchase, not(in churn-risk)).
    segment = add_condition(page)
    page.locator(f"{DEFINITION} > .ruleGroup-body > .betweenRules select").nth(1).select_option(
        "but_not"
    )
    segment.locator("select[data-testid=fields]").select_option("@segment")
    segment.get_by_label("Segment", exact=True).select_option("churn-risk")

    expected = {
        "type": "and",
        "conditions": [
            {"type": "attribute", "field": "country", "op": "in", "value": ["US", "CA"]},
            {
                "type": "behavior",
                "interaction": "purchase",
                "window": {"last": 365, "unit": "day"},
                "count": {"op": "gte", "value": 2},
            },
            {"type": "not", "condition": {"type": "in_segment", "segment": "churn-risk"}},
        ],
    }
    counted = api.post(
        "/api/evaluate/count",
        json={"audience": "contact", "timezone": "UTC", "condition": expected},
    )
    assert counted.status_code == 200, counted.text
    answer = counted.json()
    assert answer["count"] > 0

    live = page.get_by_test_id("live-count")
    expect(live).to_have_attribute("data-count", str(answer["count"]), timeout=20_000)
    expect(page.get_by_test_id("sentence")).to_have_text(answer["sentence"])
    shoot("builder")

    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/#/segments/e2e-spenders-outside-churn/edit")
    saved = api.get("/api/segments/e2e-spenders-outside-churn").json()
    assert saved["state"] == "draft"
    assert saved["definition"]["condition"] == expected
    # Reopened, the builder shows the same definition and size.
    page.reload()
    expect(page.get_by_test_id("live-count")).to_have_attribute(
        "data-count", str(answer["count"]), timeout=20_000
    )
    expect(top_rules(page)).to_have_count(3)


def test_validation_problems_are_shown_at_their_condition(page: Any) -> None:
    page.goto("/#/segments/new")
    first = add_condition(page)
    first.locator("select[data-testid=fields]").select_option("city")
    first.get_by_label("City", exact=True).fill("Seattle")
    second = add_condition(page)
    second.locator("select[data-testid=fields]").select_option("age")
    second.locator("select[data-testid=operators]").select_option("gt")
    second.get_by_label("Age", exact=True).fill("abc")

    second_wrap = page.locator(f"{DEFINITION} > .ruleGroup-body > .rule-wrap").nth(1)
    expect(second_wrap.locator(".rule-problems")).to_contain_text("number", timeout=20_000)
    first_wrap = page.locator(f"{DEFINITION} > .ruleGroup-body > .rule-wrap").nth(0)
    expect(first_wrap.locator(".rule-problems")).to_have_count(0)

    second.get_by_label("Age", exact=True).fill("30")
    expect(second_wrap.locator(".rule-problems")).to_have_count(0, timeout=20_000)
    expect(page.get_by_test_id("live-count")).to_have_attribute("data-count", re.compile(r"^\d+$"))
