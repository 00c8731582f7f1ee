"""`segmint static add/remove`: hand-picked members by key, from a file, or by query."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import error_json, fails, ok, ok_json

KEY = "hand-picked-vips"  # 25 members, picked among vip-customers


def members(demo: Path) -> int:
    data = ok_json("segment", "list", "-w", demo, "--type", "static", "--columns", "key")
    assert [s["key"] for s in data["segments"]] == [KEY]
    shown = ok_json("segment", "show", KEY, "-w", demo)["sentence"]
    return int(shown.split()[0])


def churn_keys(demo: Path) -> list[str]:
    rows = ok_json("segment", "members", "churn-risk", "-w", demo)["rows"]
    return [r["contact_id"] for r in rows]


def vip_keys(demo: Path) -> list[str]:
    rows = ok_json("segment", "members", KEY, "-w", demo)["rows"]
    return [r["contact_id"] for r in rows]


def outsiders(demo: Path) -> list[str]:
    """Contacts that are not hand-picked."""
    picked = set(vip_keys(demo))
    return [k for k in churn_keys(demo) if k not in picked]


def test_add_and_remove_by_ids(demo: Path) -> None:
    new = outsiders(demo)[:2]
    result = ok("static", "add", KEY, "-w", demo, "--ids", ",".join(new))
    assert result.stdout.splitlines() == [
        "Added 2 members; hand-picked-vips has 27 now",
        "They are stored as a version at the next refresh: segmint refresh hand-picked-vips",
    ]
    data = ok_json("static", "remove", KEY, "-w", demo, "--ids", f"{new[0]}, NOT-A-MEMBER")
    assert data == {
        "segment": KEY,
        "action": "remove",
        "matches": None,
        "changed": 1,
        "preview": False,
        "static_members": 26,
    }


def test_unknown_keys_add_nothing(demo: Path) -> None:
    result = fails("static", "add", KEY, "-w", demo, "--ids", f"{outsiders(demo)[0]},NOBODY")
    assert result.stderr.splitlines() == [
        "1 unknown contact key(s); nothing was added",
        "  contact NOBODY: no such profile",
    ]
    assert members(demo) == 25


def test_ids_from_a_file(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "leavers.txt"
    path.write_text("\n".join(["", *vip_keys(demo)[:3], "  ", ""]) + "\n")
    data = ok_json("static", "remove", KEY, "-w", demo, "--ids-file", path)
    assert (data["changed"], data["static_members"]) == (3, 22)
    missing = tmp_path / "none.txt"
    result = fails("static", "add", KEY, "-w", demo, "--ids-file", missing)
    assert result.stderr == f"--ids-file {missing}: no such file\n"
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    assert fails("static", "add", KEY, "-w", demo, "--ids-file", empty).stderr == (
        "--ids-file: no profile keys given\n"
    )


def test_a_query_previews_first(demo: Path) -> None:
    query = demo / "segments" / "churn-risk.yaml"
    data = ok_json("static", "add", KEY, "-w", demo, "--query", query)
    assert data["preview"] is True
    assert data["changed"] is None
    assert data["static_members"] == 25
    found = data["matches"]
    assert found["count"] == len(found["first"]) > 0
    assert found["members"] == len(set(found["first"]) & set(vip_keys(demo)))
    result = ok("static", "add", KEY, "-w", demo, "--query", query)
    lines = result.stdout.splitlines()
    noun = "member" if found["members"] == 1 else "members"
    assert lines[0] == (
        f"{found['count']} profiles match the query ({found['members']} already {noun})"
    )
    assert lines[1] == f"first matches: {', '.join(found['first'])}"
    assert (
        lines[2] == "Nothing changed: add --yes to take every match, or --select KEY,... to choose"
    )
    assert members(demo) == 25


def test_a_query_adds_all_or_the_selected_matches(demo: Path) -> None:
    query = demo / "segments" / "churn-risk.yaml"
    first = ok_json("static", "add", KEY, "-w", demo, "--query", query)["matches"]["first"]
    already = set(first) & set(vip_keys(demo))
    new = [k for k in first if k not in already]
    data = ok_json("static", "add", KEY, "-w", demo, "--query", query, "--select", new[0])
    assert (data["changed"], data["static_members"]) == (1, 26)
    data = ok_json("static", "add", KEY, "-w", demo, "--query", query, "--yes")
    assert data["matches"]["members"] == len(already) + 1
    assert data["changed"] == len(new) - 1
    assert data["static_members"] == 25 + len(new)
    data = ok_json("static", "remove", KEY, "-w", demo, "--query", query, "-y")
    assert (data["changed"], data["static_members"]) == (len(first), 25 + len(new) - len(first))


def test_selected_keys_must_be_matches(demo: Path) -> None:
    query = demo / "segments" / "churn-risk.yaml"
    outsider = next(k for k in vip_keys(demo) if k not in churn_keys(demo))
    result = fails("static", "add", KEY, "-w", demo, "--query", query, "--select", outsider)
    assert result.stderr.splitlines()[-2:] == [
        "selected keys are not among the query's matches; nothing changed",
        f"  {outsider}: not matched by the query",
    ]
    assert members(demo) == 25


def test_option_errors(demo: Path, tmp_path: Path) -> None:
    query = demo / "segments" / "churn-risk.yaml"
    assert fails("static", "add", KEY, "-w", demo).stderr == (
        "give the members with one of --ids, --ids-file or --query\n"
    )
    assert fails("static", "add", KEY, "-w", demo, "--ids", "a", "--query", query).stderr == (
        "give the members with one of --ids, --ids-file or --query\n"
    )
    assert fails("static", "add", KEY, "-w", demo, "--ids", "a", "--yes").stderr == (
        "--select and --yes work with --query only\n"
    )
    result = fails("static", "add", KEY, "-w", demo, "--query", query, "--yes", "--select", "a")
    assert result.stderr.startswith("--select and --yes do not go together")
    assert fails("static", "add", KEY, "-w", demo, "--ids", " , ").stderr == (
        "--ids: no profile keys given\n"
    )


def test_segment_and_query_errors(demo: Path, tmp_path: Path) -> None:
    assert fails("static", "add", "vip-customers", "-w", demo, "--ids", "a").stderr == (
        "vip-customers is dynamic, not static\n"
    )
    assert fails("static", "add", "nope", "-w", demo, "--ids", "a").stderr == (
        "no segment with key 'nope'\n"
    )
    accounts = demo / "segments" / "dormant-accounts.yaml"
    assert fails("static", "add", KEY, "-w", demo, "--query", accounts).stderr == (
        "hand-picked-vips is about contact; the query is about account\n"
    )
    typo = tmp_path / "typo.yaml"
    typo.write_text("audience: contact\ncondition: {type: attribute, field: x, op: eq, value: 1}\n")
    error = error_json("static", "add", KEY, "-w", demo, "--query", typo)
    assert error["code"] == "invalid_definition"
    assert error["message"].startswith(f"--query {typo}: ")
    assert error["problems"][0]["path"] == "condition.field"
    missing = tmp_path / "missing.yaml"
    assert fails("static", "add", KEY, "-w", demo, "--query", missing).stderr == (
        f"{missing}: no such file\n"
    )


def test_a_refresh_stores_the_change(demo: Path) -> None:
    ok("static", "remove", KEY, "-w", demo, "--ids", vip_keys(demo)[0])
    data = ok_json("refresh", KEY, "-w", demo)
    task = data["run"]["tasks"][0]
    assert (task["members"], task["entered"], task["exited"]) == (24, 0, 1)
