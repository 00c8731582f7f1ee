"""The runs pane (a running refresh is cancelled) and the system page."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect


@pytest.fixture
def slow_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make each refresh task take up to 3 s, like a long engine query.

    The server runs in this process, so its runner picks this up. Like the engine's own
    interrupt, a task stops early when its run is cancelled.
    """
    from segmint.runs.worker import TaskCancelledError
    from segmint.services import refresh

    executor = getattr(refresh, "_Executor", None)
    if executor is None or not callable(getattr(executor, "__call__", None)):  # noqa: B004
        pytest.fail("segmint.services.refresh._Executor changed: update slow_refresh")
    original = executor.__call__

    def slow(self: Any, task: Any) -> Any:
        for _ in range(30):
            with self.app.store.read() as r:
                if r.run(task.run_id).cancel_requested:
                    raise TaskCancelledError(task.segment)
            time.sleep(0.1)
        return original(self, task)

    monkeypatch.setattr(executor, "__call__", slow)


def test_cancel_a_running_refresh(
    page: Any, api: httpx.Client, settle: Any, shoot: Any, slow_refresh: None
) -> None:
    settle()
    page.goto("/#/segments")
    page.get_by_label("Filter by state").select_option("live")
    expect(page.locator("tbody tr").first).to_be_visible()
    page.get_by_role("checkbox", name="Select all shown segments").check()
    bulk = page.get_by_role("region", name="Bulk actions")
    bulk.get_by_role("button", name="Refresh").click()
    page.get_by_role("link", name="See runs").click()
    page.wait_for_url("**/#/runs")

    active = page.get_by_role("region", name="In progress")
    cancel = active.get_by_role("button", name="Cancel run")
    expect(cancel).to_be_visible()
    run_id = int(active.locator(".run-card").first.get_attribute("data-run-id") or 0)
    expect(active.locator(".run-card").first).to_contain_text("running")
    shoot("runs")
    cancel.click()

    card = page.locator(f".run-card[data-run-id='{run_id}']")
    expect(card).to_contain_text("cancelled", timeout=30_000)
    settle()
    run = api.get(f"/api/runs/{run_id}").json()
    assert run["status"] == "cancelled"
    assert run["cancel_requested"] is True
    statuses = {t["status"] for t in run["tasks"]}
    assert "cancelled" in statuses
    assert run["done"] < run["total"] or statuses != {"succeeded"}
    expect(page.get_by_role("region", name="In progress")).to_contain_text("Nothing is refreshing.")


def test_system_page_sets_the_schedule(page: Any, api: httpx.Client, shoot: Any) -> None:
    page.goto("/#/system")
    page.get_by_label("Cron expression").fill("30 4 * * 1")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_test_id("next-fires").locator("li")).not_to_have_count(0)
    saved = api.get("/api/schedule").json()
    assert saved["cron"] == "30 4 * * 1"
    assert saved["timezone"] == "Europe/Berlin"
    assert saved["next"]
    live_active = [
        s
        for s in api.get("/api/segments", params={"limit": 1000}).json()["items"]
        if s["state"] == "live" and s["active"]
    ]
    expect(page.get_by_test_id("quota-count")).to_contain_text(str(len(live_active)))
    shoot("system")
