"""`segmint segment ...`, the lifecycle commands, usage and consumers, on the demo workspace.

The demo holds 23 managed segments: 3 drafts (black-friday-2025, new-signups-to-activate,
sms-winback-uk), the static hand-picked-vips, the compound loyal-not-at-risk (over
vip-customers, repeat-customers-no-returns and churn-risk), the inactive dormant-accounts,
and consumers on vip-thank-you and churn-risk. All live ones were refreshed once (run 1).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cli_helpers import cli, error_json, fails, ok, ok_json

from segmint.services.context import App

DRAFTS = ["black-friday-2025", "new-signups-to-activate", "sms-winback-uk"]

WEST = """\
key: west-vips
name: West Coast VIPs
tags: [vip, geo]
audience: contact
condition:
  type: and
  conditions:
    - {type: in_segment, segment: vip-customers}
    - {type: attribute, field: country, op: eq, value: US}
"""

TYPO = """\
audience: contact
condition: {type: attribute, field: countri, op: eq, value: US}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the group ----------------------------------------------------------------------------


def test_the_group_without_a_command_prints_its_help() -> None:
    result = ok("segment")
    assert "create" in result.stdout
    assert "duplicate" in result.stdout


def test_a_missing_argument_is_a_usage_error(demo_ro: Path) -> None:
    error = error_json("segment", "show", "-w", demo_ro)
    assert error["code"] == "usage_error"
    assert "Missing argument 'key'" in error["message"]
    assert "segmint segment show --help" in error["message"]


def test_every_command_needs_a_workspace(tmp_path: Path) -> None:
    result = fails("segment", "list", "-w", tmp_path)
    assert result.stderr.startswith(f"{tmp_path} is not a Segmint workspace")


# --- list -----------------------------------------------------------------------------


def test_list(demo_ro: Path) -> None:
    result = ok("segment", "list", "-w", demo_ro)
    assert "vip-customers" in result.stdout
    assert "last_refreshed_at" in result.stdout
    assert result.stdout.rstrip().endswith("23 segments")


def test_list_json(demo_ro: Path) -> None:
    data = ok_json("segment", "list", "-w", demo_ro)
    assert data["count"] == 23
    names = [s["name"] for s in data["segments"]]
    assert names == sorted(names)  # by name by default
    vip = next(s for s in data["segments"] if s["key"] == "vip-customers")
    assert vip["status"] == "live"
    assert vip["type"] == "dynamic"
    assert vip["tags"] == ["loyalty"]
    assert vip["current_version"] == 1
    assert vip["last_refreshed_at"].endswith("+00:00")


def test_list_filters(demo_ro: Path) -> None:
    def keys(*args: str) -> list[str]:
        data = ok_json("segment", "list", "-w", demo_ro, *args)
        return [s["key"] for s in data["segments"]]

    assert keys("--state", "draft", "--sort", "key") == DRAFTS
    assert keys("--type", "static") == ["hand-picked-vips"]
    assert keys("--type", "static", "--type", "compound", "--sort", "key") == [
        "hand-picked-vips",
        "loyal-not-at-risk",
    ]
    assert set(keys("--search", "VIP")) == {"hand-picked-vips", "vip-customers", "vip-thank-you"}
    assert keys("--tag", "static", "--tag", "vip") == ["hand-picked-vips"]
    assert keys("--tag", "static", "--tag", "loyalty") == []


def test_list_sorted_with_chosen_columns(demo_ro: Path) -> None:
    data = ok_json(
        "segment", "list", "-w", demo_ro, "--sort", "members", "--desc", "--columns", "key,members"
    )
    rows = data["segments"]
    assert all(set(r) == {"key", "members"} for r in rows)
    sizes = [r["members"] for r in rows if r["members"] is not None]
    assert sizes == sorted(sizes, reverse=True)
    table = ok("segment", "list", "-w", demo_ro, "--columns", "key,owner").stdout
    assert "owner" in table.splitlines()[1]
    assert "status" not in table


def test_list_errors_name_the_option(demo_ro: Path) -> None:
    assert fails("segment", "list", "-w", demo_ro, "--sort", "size").stderr.startswith(
        "--sort 'size': use one of key, name,"
    )
    assert fails("segment", "list", "-w", demo_ro, "--columns", "key,size").stderr.startswith(
        "--columns 'size': use one of"
    )
    error = error_json("segment", "list", "-w", demo_ro, "--type", "weird")
    assert error["code"] == "usage_error"
    assert "--type" in error["message"]


# --- show and members -----------------------------------------------------------------


def test_show(demo_ro: Path) -> None:
    text = ok("segment", "show", "vip-customers", "-w", demo_ro).stdout
    assert "status               live" in text
    assert "definition           (loyalty tier is one of" in text
    assert "vip-customers is used by:" in text
    assert "segment loyal-not-at-risk: references it (a live compound segment" in text


def test_show_json(demo_ro: Path) -> None:
    data = ok_json("segment", "show", "churn-risk", "-w", demo_ro)
    assert data["segment"]["key"] == "churn-risk"
    assert data["segment"]["status"] == "live"
    assert data["sentence"]
    assert data["pending_sentence"] is None
    assert data["definition"]["audience"] == "contact"
    assert [r["revision"] for r in data["revisions"]] == [1]
    assert data["current_version"]["version"] == 1
    assert data["current_version"]["as_of"] == "2026-11-01T00:00:00+00:00"
    assert data["usage"]["segments"] == ["loyal-not-at-risk", "vip-thank-you"]
    assert data["usage"]["live_compounds"] == ["loyal-not-at-risk"]
    assert [c["role"] for c in data["usage"]["consumers"]] == ["suppression"]


def test_show_a_static_and_a_draft_segment(demo_ro: Path) -> None:
    data = ok_json("segment", "show", "hand-picked-vips", "-w", demo_ro)
    assert data["sentence"] == "25 hand-picked contacts"
    data = ok_json("segment", "show", "black-friday-2025", "-w", demo_ro)
    assert data["segment"]["status"] == "draft"
    assert data["current_version"] is None
    assert data["segment"]["last_refreshed_at"] is None


def test_show_an_unknown_segment(demo_ro: Path) -> None:
    assert fails("segment", "show", "nope", "-w", demo_ro).stderr == "no segment with key 'nope'\n"
    assert error_json("segment", "show", "nope", "-w", demo_ro)["code"] == "not_found"


def test_members(demo_ro: Path) -> None:
    result = ok("segment", "members", "vip-customers", "-w", demo_ro, "--fields", "email")
    assert "contact_id" in result.stdout
    assert "44 rows from offset 0 of 44 members (version 1" in result.stdout
    data = ok_json(
        "segment",
        "members",
        "vip-customers",
        "-w",
        demo_ro,
        "--fields",
        "email,account.industry",
        "--limit",
        "5",
        "--offset",
        "2",
    )
    assert data["fields"] == ["contact_id", "email", "account.industry"]
    assert data["members"] == 44
    assert data["version"] == 1
    assert (data["limit"], data["offset"]) == (5, 2)
    assert len(data["rows"]) == 5
    keys = [r["contact_id"] for r in data["rows"]]
    assert keys == sorted(keys)
    everyone = ok_json("segment", "members", "vip-customers", "-w", demo_ro)
    assert [r["contact_id"] for r in everyone["rows"]][2:7] == keys
    assert all("@" in r["email"] for r in data["rows"])


def test_members_errors(demo_ro: Path) -> None:
    result = fails("segment", "members", "vip-customers", "-w", demo_ro, "--fields", "size")
    assert result.stderr == "unknown fields: contact has no attribute named 'size'\n"
    result = fails("segment", "members", "black-friday-2025", "-w", demo_ro)
    assert "no stored members yet; run `segmint go-live black-friday-2025`" in result.stderr
    result = fails("segment", "members", "vip-customers", "-w", demo_ro, "--limit", "0")
    assert result.stderr == "--limit must be between 1 and 100000\n"


# --- create, edit, save, discard ------------------------------------------------------


def test_create(demo: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "west.yaml", WEST)
    result = ok("segment", "create", path, "-w", demo)
    assert result.stdout.splitlines() == [
        "Created dynamic segment west-vips (contact) as a draft, revision 1",
        "Next: segmint go-live west-vips",
    ]
    data = ok_json("segment", "show", "west-vips", "-w", demo)
    assert data["segment"]["tags"] == ["geo", "vip"]
    assert data["segment"]["status"] == "draft"
    again = fails("segment", "create", path, "-w", demo)
    assert again.stderr == "a segment with key 'west-vips' already exists\n"


def test_create_with_options_json(demo: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "west.yaml", WEST)
    data = ok_json(
        "segment",
        "create",
        path,
        "-w",
        demo,
        "--key",
        "west-2",
        "--owner",
        "bo",
        "--business-unit",
        "EMEA",
    )
    assert data["segment"]["key"] == "west-2"
    assert data["segment"]["owner"] == "bo"
    assert data["segment"]["business_unit"] == "EMEA"
    assert data["static_added"] == 0


def test_create_a_static_segment_with_members(demo: Path, tmp_path: Path) -> None:
    members = ok_json("segment", "members", "churn-risk", "-w", demo)["rows"]
    keys = [r["contact_id"] for r in members]
    doc = {"key": "picked", "type": "static", "audience": "contact", "members": keys}
    path = write(tmp_path, "picked.yaml", yaml.safe_dump(doc))
    data = ok_json("segment", "create", path, "-w", demo)
    assert data["segment"]["type"] == "static"
    assert data["static_added"] == len(keys)
    doc["members"] = [*keys, "NOBODY"]
    doc["key"] = "picked-2"
    write(tmp_path, "picked.yaml", yaml.safe_dump(doc))
    result = fails("segment", "create", path, "-w", demo)
    assert "unknown contact key(s); nothing was added" in result.stderr
    fails("segment", "show", "picked-2", "-w", demo)  # not left half-made


def test_create_errors(demo: Path, tmp_path: Path) -> None:
    result = fails("segment", "create", tmp_path / "missing.yaml", "-w", demo)
    assert result.stderr == f"{tmp_path / 'missing.yaml'}: no such file\n"
    error = error_json("segment", "create", write(tmp_path, "typo.yaml", TYPO), "-w", demo)
    assert error["code"] == "invalid_definition"
    assert error["message"] == "segment typo is not a valid definition"
    assert error["problems"][0]["path"] == "condition.field"
    error = error_json("segment", "create", tmp_path / "x.yaml", "-w", demo, "--type", "external")
    assert error["code"] == "usage_error"


def test_edit_a_live_segment_then_save(demo: Path, tmp_path: Path) -> None:
    edited = ok_json("segment", "show", "vip-customers", "-w", demo)["definition"]
    edited["condition"]["conditions"][0]["conditions"][1]["value"] = 2500
    path = write(tmp_path, "vip.yaml", yaml.safe_dump({"name": "Big VIPs", **edited}))
    result = ok("segment", "edit", "vip-customers", "-w", demo, "--file", path)
    assert result.stdout.splitlines()[0] == (
        "Saved revision 2 of vip-customers (status: live, editable)"
    )
    data = ok_json("segment", "show", "vip-customers", "-w", demo)
    assert data["segment"]["status"] == "live, editable"
    assert data["segment"]["name"] == "Big VIPs"
    assert (data["segment"]["live_revision"], data["segment"]["pending_revision"]) == (1, 2)
    assert "≥ 2500" in data["pending_sentence"]
    assert "≥ 1500" in data["sentence"]

    saved = cli("segment", "save", "vip-customers", "-w", demo)
    assert saved.exit_code == 0, saved.stderr
    assert saved.stdout.splitlines()[0] == "Saved the edit of vip-customers: revision 2 is live"
    assert "succeeded" in saved.stdout
    assert "refresh" in saved.stderr  # the progress bar
    data = ok_json("segment", "show", "vip-customers", "-w", demo)
    assert data["segment"]["status"] == "live"
    assert data["segment"]["current_version"] == 2
    assert fails("segment", "save", "vip-customers", "-w", demo).stderr == (
        "vip-customers has no pending edit to save\n"
    )


def test_edit_then_discard(demo: Path, tmp_path: Path) -> None:
    definition = ok_json("segment", "show", "churn-risk", "-w", demo)["definition"]
    path = write(tmp_path, "churn.yaml", yaml.safe_dump(definition))
    data = ok_json("segment", "edit", "churn-risk", "-w", demo, "-f", path)
    assert data["segment"]["status"] == "live, editable"
    data = ok_json("segment", "discard", "churn-risk", "-w", demo)
    assert data["segment"]["status"] == "live"
    assert data["segment"]["pending_revision"] is None
    result = fails("segment", "discard", "churn-risk", "-w", demo)
    assert result.stderr == "churn-risk has no pending edit\n"


def test_edit_a_draft_and_errors(demo: Path, tmp_path: Path) -> None:
    definition = ok_json("segment", "show", "sms-winback-uk", "-w", demo)["definition"]
    path = write(tmp_path, "sms.yaml", yaml.safe_dump(definition))
    data = ok_json("segment", "edit", "sms-winback-uk", "-w", demo, "--file", path)
    assert (data["segment"]["status"], data["segment"]["revision"]) == ("draft", 2)
    result = fails("segment", "edit", "hand-picked-vips", "-w", demo, "--file", path)
    assert result.stderr.startswith("hand-picked-vips is static: it has no definition to edit")
    error = error_json("segment", "edit", "sms-winback-uk", "-w", demo)
    assert error["code"] == "usage_error"
    assert "--file" in error["message"]
    typo = write(tmp_path, "typo.yaml", TYPO)
    error = error_json("segment", "edit", "sms-winback-uk", "-w", demo, "--file", typo)
    assert error["message"] == "segment sms-winback-uk is not a valid definition"


# --- rename, duplicate, tag, delete ---------------------------------------------------


def test_rename(demo: Path) -> None:
    result = ok("segment", "rename", "churn-risk", "Churn risk (Q4)", "-w", demo)
    assert result.stdout == "Renamed churn-risk to 'Churn risk (Q4)'\n"
    assert ok_json("segment", "show", "churn-risk", "-w", demo)["segment"]["name"] == (
        "Churn risk (Q4)"
    )
    assert fails("segment", "rename", "churn-risk", " ", "-w", demo).stderr == (
        "a name cannot be empty\n"
    )


def test_duplicate(demo: Path) -> None:
    data = ok_json("segment", "duplicate", "vip-customers", "vip-2", "-w", demo)
    assert data["segment"]["key"] == "vip-2"
    assert data["segment"]["name"] == "VIP customers (copy)"
    assert data["segment"]["status"] == "draft"
    assert data["file"] is None
    copy = ok_json("segment", "duplicate", "hand-picked-vips", "hpv-2", "-w", demo, "--name", "B")
    assert copy["segment"]["name"] == "B"
    assert ok_json("segment", "show", "hpv-2", "-w", demo)["sentence"] == "25 hand-picked contacts"
    result = fails("segment", "duplicate", "vip-customers", "vip-2", "-w", demo)
    assert result.stderr == "a segment with key 'vip-2' already exists\n"
    result = fails("segment", "duplicate", "vip-customers", "Bad Key", "-w", demo)
    assert result.stderr.startswith("'Bad Key' is not a valid key")


def test_duplicate_into_editing(demo: Path) -> None:
    result = ok("segment", "duplicate", "vip-customers", "vip-2", "-w", demo, "--edit")
    lines = result.stdout.splitlines()
    path = Path(lines[1])
    assert lines[0] == "Created vip-2 as a draft copy of vip-customers (revision 1)"
    assert path == demo.resolve() / "edits" / "vip-2.yaml"
    assert lines[2] == f"Edit it, then: segmint segment edit vip-2 --file {path}"
    doc = yaml.safe_load(path.read_text())
    assert doc["key"] == "vip-2"
    assert doc["audience"] == "contact"
    doc["condition"]["conditions"][0]["conditions"][1]["value"] = 3000
    path.write_text(yaml.safe_dump(doc))
    data = ok_json("segment", "edit", "vip-2", "-w", demo, "--file", path)
    assert data["segment"]["revision"] == 2


def test_duplicate_with_an_edited_file(demo: Path, tmp_path: Path) -> None:
    definition = ok_json("segment", "show", "vip-customers", "-w", demo)["definition"]
    definition["condition"]["conditions"][0]["conditions"][1]["value"] = 3000
    path = write(tmp_path, "vip.yaml", yaml.safe_dump(definition))
    data = ok_json("segment", "duplicate", "vip-customers", "vip-3", "-w", demo, "--file", path)
    assert data["segment"]["revision"] == 2
    assert "≥ 3000" in ok_json("segment", "show", "vip-3", "-w", demo)["sentence"]

    typo = write(tmp_path, "typo.yaml", TYPO)
    error = error_json("segment", "duplicate", "vip-customers", "vip-4", "-w", demo, "-f", typo)
    assert error["message"] == f"{typo} is not a valid definition"
    fails("segment", "show", "vip-4", "-w", demo)  # nothing was created
    result = fails(
        "segment", "duplicate", "vip-customers", "vip-5", "-w", demo, "-f", path, "--edit"
    )
    assert result.stderr.startswith("--file and --edit do not go together")
    result = fails("segment", "duplicate", "hand-picked-vips", "hpv-3", "-w", demo, "--edit")
    assert result.stderr == "--edit: hand-picked-vips is static; it has no definition to edit\n"


def test_tag(demo: Path) -> None:
    result = ok("segment", "tag", "churn-risk", "-w", demo, "--add", "q4", "-a", "winback")
    assert result.stdout == "churn-risk: q4, retention, winback\n"
    data = ok_json("segment", "tag", "churn-risk", "-w", demo, "--remove", "retention")
    assert data == {"key": "churn-risk", "tags": ["q4", "winback"]}
    assert ok_json("segment", "tag", "churn-risk", "-w", demo)["tags"] == ["q4", "winback"]
    assert fails("segment", "tag", "nope", "-w", demo, "-a", "x").stderr == (
        "no segment with key 'nope'\n"
    )


def test_delete_a_used_segment_needs_yes(demo: Path) -> None:
    result = fails("segment", "delete", "churn-risk", "-w", demo)
    assert result.stderr.splitlines() == [
        "churn-risk is in use; run again with --yes to delete it anyway",
        "  segment loyal-not-at-risk: references it",
        "  segment vip-thank-you: references it",
        "  journey Winter thank-you journey: uses it as suppression "
        "(https://marketing.example/journeys/winter)",
    ]
    ok("segment", "show", "churn-risk", "-w", demo)  # still there
    data = ok_json("segment", "delete", "churn-risk", "-w", demo, "--yes")
    assert data["deleted"] == "churn-risk"
    assert data["usage"]["segments"] == ["loyal-not-at-risk", "vip-thank-you"]
    fails("segment", "show", "churn-risk", "-w", demo)


def test_delete_an_unused_segment(demo: Path) -> None:
    assert (
        ok("segment", "delete", "sms-winback-uk", "-w", demo).stdout == "Deleted sms-winback-uk\n"
    )
    assert ok_json("segment", "list", "-w", demo)["count"] == 22
    assert fails("segment", "delete", "sms-winback-uk", "-w", demo).stderr == (
        "no segment with key 'sms-winback-uk'\n"
    )


# --- the lifecycle ----------------------------------------------------------------------


def test_go_live(demo: Path) -> None:
    result = cli("go-live", "black-friday-2025", "-w", demo)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "black-friday-2025 is live (revision 1)"
    assert "succeeded" in result.stdout
    assert "refresh" in result.stderr
    data = ok_json("segment", "show", "black-friday-2025", "-w", demo)
    assert data["segment"]["status"] == "live"
    assert data["current_version"]["version"] == 1
    assert fails("go-live", "black-friday-2025", "-w", demo).stderr == (
        "black-friday-2025 is already live\n"
    )


def test_go_live_json_and_without_refresh(demo: Path) -> None:
    data = ok_json("go-live", "sms-winback-uk", "-w", demo)
    assert data["segment"]["status"] == "live"
    assert data["refresh"]["run"]["status"] == "succeeded"
    assert [t["segment"] for t in data["refresh"]["run"]["tasks"]] == ["sms-winback-uk"]
    assert data["refresh"]["coalesced"] == {}
    data = ok_json("go-live", "new-signups-to-activate", "-w", demo, "--no-refresh")
    assert data["refresh"] is None
    assert data["segment"]["current_version"] is None


def test_stop(demo: Path) -> None:
    result = fails("stop", "churn-risk", "-w", demo)
    assert result.stderr.splitlines() == [
        "churn-risk feeds live compound segments; run again with --yes to stop it anyway",
        "  segment loyal-not-at-risk: live compound input",
    ]
    assert ok_json("segment", "show", "churn-risk", "-w", demo)["segment"]["status"] == "live"
    assert ok("stop", "churn-risk", "-w", demo, "--yes").stdout == "churn-risk is a draft again\n"
    assert fails("stop", "churn-risk", "-w", demo).stderr == "churn-risk is not live\n"
    data = ok_json("stop", "vip-thank-you", "-w", demo)
    assert data["segment"]["status"] == "draft"


def test_activate_and_deactivate(demo: Path) -> None:
    assert ok("activate", "dormant-accounts", "-w", demo).stdout == (
        "dormant-accounts is active (live)\n"
    )
    data = ok_json("deactivate", "dormant-accounts", "-w", demo)
    assert data["segment"]["active"] is False
    assert data["scheduled"] is None
    result = ok("activate", "dormant-accounts", "-w", demo, "--at", "2099-12-01T08:00:00+01:00")
    assert result.stdout == "dormant-accounts will be activated at 2099-12-01 07:00:00 UTC\n"
    data = ok_json("segment", "show", "dormant-accounts", "-w", demo)
    assert data["segment"]["active"] is False
    assert data["segment"]["activate_at"] == "2099-12-01T07:00:00+00:00"
    data = ok_json("deactivate", "vip-customers", "-w", demo, "--at", "2099-01-01")
    assert data["scheduled"] == "2099-01-01T00:00:00+00:00"
    assert data["segment"]["deactivate_at"] == "2099-01-01T00:00:00+00:00"
    assert data["segment"]["active"] is True
    # a moment in the past means now
    data = ok_json("deactivate", "vip-customers", "-w", demo, "--at", "2020-01-01")
    assert data["segment"]["active"] is False
    assert data["scheduled"] is None


def test_cancel_a_scheduled_activation(demo: Path) -> None:
    ok("activate", "dormant-accounts", "-w", demo, "--at", "2099-12-01")
    assert ok("activate", "dormant-accounts", "-w", demo, "--cancel").stdout == (
        "Cancelled the scheduled activation of dormant-accounts\n"
    )
    assert (
        ok_json("segment", "show", "dormant-accounts", "-w", demo)["segment"]["activate_at"] is None
    )
    result = fails("activate", "dormant-accounts", "-w", demo, "--cancel")
    assert result.stderr == "dormant-accounts has no scheduled activation\n"
    both = fails("deactivate", "dormant-accounts", "-w", demo, "--cancel", "--at", "2099-01-01")
    assert both.stderr == "give --at or --cancel, not both\n"


def test_activation_errors(demo: Path) -> None:
    result = fails("activate", "dormant-accounts", "-w", demo, "--at", "soon")
    assert result.stderr.startswith("--at 'soon': not an ISO date or date-time")
    assert fails("deactivate", "nope", "-w", demo).stderr == "no segment with key 'nope'\n"


def test_activation_counts_against_the_quota(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGMINT_REFRESH__MAX_ACTIVE_SEGMENTS", "2")
    result = fails("activate", "dormant-accounts", "-w", demo)
    assert result.stderr.startswith("the quota of 2 live, active segments is reached")


# --- usage and consumers ----------------------------------------------------------------


def test_usage(demo_ro: Path) -> None:
    assert ok("usage", "churn-risk", "-w", demo_ro).stdout.splitlines() == [
        "churn-risk is used by:",
        "  segment loyal-not-at-risk: references it (a live compound segment reading its members)",
        "  segment vip-thank-you: references it",
        "  journey 'Winter thank-you journey' (consumer 2): uses it as suppression "
        "(https://marketing.example/journeys/winter)",
    ]
    assert ok("usage", "app-high-aov", "-w", demo_ro).stdout == (
        "app-high-aov is not used by other segments or consumers\n"
    )
    data = ok_json("usage", "vip-thank-you", "-w", demo_ro)
    assert data["key"] == "vip-thank-you"
    assert data["used"] is True
    assert data["segments"] == []
    assert data["consumers"][0]["kind"] == "journey"
    assert data["consumers"][0]["role"] == "target"
    assert fails("usage", "nope", "-w", demo_ro).stderr == "no segment with key 'nope'\n"


def test_consumers(demo: Path) -> None:
    result = ok(
        "consumers",
        "add",
        "app-high-aov",
        "-w",
        demo,
        "--name",
        "Spring sale",
        "--kind",
        "campaign",
        "--role",
        "suppression",
        "--link",
        "https://example.com/c/1",
    )
    assert result.stdout == (
        "Registered campaign 'Spring sale' (suppression) on app-high-aov: id 3\n"
    )
    data = ok_json("consumers", "list", "app-high-aov", "-w", demo)
    assert data["consumers"][0]["name"] == "Spring sale"
    assert data["consumers"][0]["link"] == "https://example.com/c/1"
    # registering it again updates it
    again = ok_json(
        "consumers",
        "add",
        "app-high-aov",
        "-w",
        demo,
        "--name",
        "Spring sale",
        "--kind",
        "campaign",
    )
    assert again["consumer"]["id"] == 3
    assert again["consumer"]["role"] == "target"
    assert ok_json("usage", "app-high-aov", "-w", demo)["used"] is True
    assert fails("segment", "delete", "app-high-aov", "-w", demo).stderr.startswith(
        "app-high-aov is in use"
    )
    assert ok_json("consumers", "remove", "app-high-aov", "3", "-w", demo) == {
        "removed": 3,
        "segment": "app-high-aov",
    }
    assert ok_json("consumers", "list", "app-high-aov", "-w", demo)["consumers"] == []


def test_consumer_errors(demo: Path) -> None:
    result = fails("consumers", "remove", "app-high-aov", "99", "-w", demo)
    assert result.stderr == "segment 'app-high-aov' has no consumer 99\n"
    error = error_json("consumers", "add", "app-high-aov", "-w", demo, "--name", "x", "--role", "y")
    assert error["code"] == "usage_error"
    assert "--role" in error["message"]
    assert fails("consumers", "add", "app-high-aov", "-w", demo, "--name", " ").stderr == (
        "--name cannot be empty\n"
    )
    assert fails("consumers", "add", "nope", "-w", demo, "--name", "x").stderr == (
        "no segment with key 'nope'\n"
    )


def test_changes_are_recorded_with_the_user(demo: Path) -> None:
    from segmint.cli.common import actor

    ok("segment", "rename", "churn-risk", "Churn", "-w", demo)
    with App.open(demo) as app, app.store.read() as r:
        seg = r.require("churn-risk")
    assert seg.updated_by == actor()


def test_member_rows_keep_profiles_that_left_the_data(demo_ro: Path) -> None:
    from segmint.cli.segments import profile_rows

    with App.open(demo_ro) as app:
        page = profile_rows(app, "contact", ["C0000039", "C9999999"], ["email"], 100, 0)
    assert page.fields == ["contact_id", "email"]
    assert page.rows[0]["contact_id"] == "C0000039"
    assert page.rows[0]["email"]
    assert page.rows[1] == {"contact_id": "C9999999", "email": None}


def test_conflicts_have_their_own_code(demo: Path) -> None:
    assert error_json("segment", "delete", "churn-risk", "-w", demo)["code"] == "conflict"
    assert error_json("stop", "churn-risk", "-w", demo)["code"] == "conflict"
    assert error_json("go-live", "churn-risk", "-w", demo)["code"] == "conflict"
