"""Destinations and exports in the browser: add a file destination, test it, create an export
of a live segment, run it, follow its run history and find the file written; the segment's
page lists the export with its last run; an export is deleted and a destination removed after
a confirmation; a destination is edited and its secret rotated; a mirror shows its origin."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

SEGMENT = "vip-customers"  # live and active in the demo


def test_add_a_file_destination_and_run_an_export(
    page: Any, api: httpx.Client, demo_root: Path, settle: Any, shoot: Any
) -> None:
    settle()
    page.goto("/#/exports")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()
    page.get_by_role("link", name="Destinations").click()
    page.wait_for_url("**/#/destinations")

    # Add a file destination through the form for its type.
    page.get_by_role("button", name="Add destination").click()
    dialog = page.get_by_role("dialog", name="Add a destination")
    dialog.get_by_label("Type").select_option("file")
    dialog.get_by_role("button", name="Add destination").click()
    expect(dialog.get_by_text("required").first).to_be_visible()  # key and folder missing
    dialog.get_by_label("Key").fill("e2e-files")
    dialog.get_by_label("Display name").fill("E2E files")
    dialog.get_by_label(re.compile("^Folder")).fill("e2e-out")
    dialog.get_by_label("Format").select_option("csv")
    shoot("destination-form")
    dialog.get_by_role("button", name="Add destination").click()
    expect(dialog).to_be_hidden()
    row = page.locator("tr[data-destination='e2e-files']")
    expect(row).to_contain_text("E2E files")
    expect(row).to_contain_text("file")
    expect(row).to_contain_text("never")
    row.get_by_role("button", name="Test connection").click()
    expect(row.get_by_role("status")).to_contain_text("e2e-out")

    # Create an export of a live segment, with a field mapping.
    page.get_by_role("link", name="Exports").first.click()
    page.wait_for_url("**/#/exports")
    page.get_by_role("button", name="Create export").click()
    form = page.get_by_role("dialog", name="Create an export")
    form.get_by_label("Key").fill("e2e-export")
    form.get_by_label("Destination").select_option("e2e-files")
    form.get_by_role("checkbox", name=re.compile(rf"\({SEGMENT},")).check()
    form.get_by_label(re.compile("^Field mapping")).fill("id=email")
    form.get_by_role("button", name="Create export").click()
    expect(form.get_by_text("the output name must be")).to_be_visible()  # id is reserved
    form.get_by_label(re.compile("^Field mapping")).fill("email")
    form.get_by_role("button", name="Create export").click()
    expect(form).to_be_hidden()

    # Run it now and see the run in its history, then the file.
    export_row = page.locator("tr[data-export='e2e-export']")
    expect(export_row).to_contain_text("never run")
    export_row.get_by_role("button", name="Run now").click()
    history = page.get_by_role("table", name="Runs of e2e-export")
    first = history.locator("tbody tr").first
    expect(first).to_contain_text("succeeded", timeout=30_000)
    expect(first).to_contain_text("manual")
    expect(first).to_contain_text(f"{SEGMENT}: delivered")
    expect(page.get_by_role("table", name="Rejected rows of e2e-export")).to_have_count(0)
    expect(page.get_by_text("None: the destination took every row.")).to_be_visible()
    shoot("exports")
    run = api.get("/api/exports/e2e-export/runs").json()[0]
    assert run["status"] == "succeeded" and run["rows"] > 0 and run["batches"] >= 1
    version = api.get(f"/api/segments/{SEGMENT}").json()["current_version"]
    written = demo_root / "e2e-out" / f"{SEGMENT}-v{version}.csv"
    deadline = time.monotonic() + 10
    while not written.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = written.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,email"
    assert len(lines) - 1 == run["rows"]

    # The destination lists its segment and last run; the segment's page lists the export.
    page.goto("/#/destinations")
    row = page.locator("tr[data-destination='e2e-files']")
    expect(row).to_contain_text(SEGMENT)
    expect(row).to_contain_text("succeeded")
    shoot("destinations")
    row.get_by_role("link", name="E2E files").click()
    expect(page.get_by_role("heading", name="E2E files")).to_be_visible()
    expect(page.get_by_role("region", name="Segments it receives")).to_contain_text(SEGMENT)
    expect(page.locator("tr[data-export='e2e-export']")).to_be_visible()

    page.goto(f"/#/segments/{SEGMENT}")
    section = page.get_by_role("region", name="Exports")
    exported = section.locator("tr[data-export='e2e-export']")
    expect(exported).to_contain_text("succeeded")
    expect(exported).to_contain_text("e2e-files")
    exported.scroll_into_view_if_needed()
    shoot("segment-exports")


def test_remove_a_destination_after_deleting_its_export(page: Any, api: httpx.Client) -> None:
    added = api.post(
        "/api/destinations",
        json={"key": "e2e-spare", "type": "file", "settings": {"path": "spare"}},
    )
    assert added.status_code == 201, added.text
    created = api.post(
        "/api/exports", json={"key": "e2e-spare-export", "destination": "e2e-spare",
                              "segments": [SEGMENT]},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    page.goto("/#/destinations")
    row = page.locator("tr[data-destination='e2e-spare']")
    row.get_by_role("button", name="Remove").click()
    dialog = page.get_by_role("dialog", name="Remove e2e-spare?")
    expect(dialog).to_contain_text("Used by: e2e-spare-export")
    dialog.get_by_role("button", name="Remove destination").click()
    expect(dialog.get_by_role("alert")).to_contain_text("used by exports")  # refused: in use
    dialog.get_by_role("button", name="Keep it").click()
    expect(row).to_be_visible()

    # Delete the export (after a confirmation) from the destination's page, then remove it.
    row.get_by_role("link", name="e2e-spare").click()
    exported = page.locator("tr[data-export='e2e-spare-export']")
    exported.get_by_role("button", name="Delete").click()
    confirm = page.get_by_role("dialog", name="Delete export e2e-spare-export?")
    confirm.get_by_role("button", name="Keep it").click()
    expect(exported).to_be_visible()
    exported.get_by_role("button", name="Delete").click()
    confirm.get_by_role("button", name="Delete export").click()
    expect(exported).to_have_count(0)
    page.goto("/#/destinations")
    row.get_by_role("button", name="Remove").click()
    page.get_by_role("dialog", name="Remove e2e-spare?").get_by_role(
        "button", name="Remove destination"
    ).click()
    expect(row).to_have_count(0)
    assert api.get("/api/destinations/e2e-spare").status_code == 404


def test_a_mirror_shows_where_it_comes_from(page: Any, api: httpx.Client, shoot: Any) -> None:
    sent = api.put(
        "/api/external-segments/e2e-mirror",
        json={
            "name": "Mirrored VIPs",
            "audience": "contact",
            "ids": ["C0000667", "C0000672", "NO-SUCH-CONTACT"],
            "external_source": "segmint-eu",
            "external_url": "https://eu.example.com/#/segments/vips",
        },
        headers={"Idempotency-Key": "e2e-mirror-1"},
    )
    assert sent.status_code == 200, sent.text
    page.goto("/#/segments")
    page.get_by_role("searchbox").first.fill("Mirrored")
    row = page.locator("tbody tr", has_text="Mirrored VIPs")
    expect(row).to_contain_text("Exported from segmint-eu (https://eu.example.com/#/segments/vips)")
    expect(row).to_contain_text("Last refreshed by an export at")
    expect(row).to_contain_text("overwritten by the next export")

    page.goto("/#/segments/e2e-mirror")
    panel = page.get_by_role("region", name="Mirrored segment")
    expect(panel).to_contain_text("segmint-eu")
    expect(panel.get_by_role("link", name="https://eu.example.com/#/segments/vips")).to_be_visible()
    expect(panel).to_contain_text("Last refreshed by an export at")
    expect(panel).to_contain_text("3 IDs received, 2 matched contacts here, 1 unmatched")
    expect(panel.get_by_role("note")).to_contain_text("overwrites it with its next export")
    expect(page.get_by_role("region", name="Exports")).to_contain_text("Not exported")
    panel.scroll_into_view_if_needed()
    shoot("mirror")


def test_edit_a_destination_and_rotate_its_secret(page: Any, api: httpx.Client, shoot: Any) -> None:
    added = api.post(
        "/api/destinations",
        json={"key": "e2e-hook", "type": "webhook",
              "settings": {"url": "https://hooks.example.com/segments", "batch_size": 50}},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    first = added.json()["generated_secret"]
    page.goto("/#/destinations/e2e-hook")
    page.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit e2e-hook")
    expect(dialog.get_by_label("URL")).to_have_value("https://hooks.example.com/segments")
    typed = dialog.get_by_role("textbox", name=re.compile("^New signing secret"))
    expect(typed).to_have_value("")  # never shown back
    dialog.get_by_label("Display name").fill("CRM hook")
    dialog.get_by_label("Rows per batch").fill("")  # back to the default
    dialog.get_by_role("checkbox", name=re.compile("^Generate a new signing secret")).check()
    shoot("destination-edit")
    dialog.get_by_role("button", name="Save changes").click()
    shown = page.get_by_role("dialog", name="The new signing secret")
    secret = shown.locator("pre").inner_text()
    assert secret.startswith("whsec_") and secret != first
    shown.get_by_role("button", name="I have copied it").click()
    expect(page.get_by_role("heading", name="CRM hook")).to_be_visible()
    detail = api.get("/api/destinations/e2e-hook").json()
    assert detail["settings"]["secret"] == "*" * 8 and secret not in json.dumps(detail)
    assert detail["settings"]["batch_size"] == 500  # the default again
    # A bad value is refused in the form, by field.
    page.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit CRM hook")
    dialog.get_by_label("URL").fill("")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog.get_by_text("required")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("region", name="Settings")).to_contain_text("hooks.example.com")
    shoot("destination")
