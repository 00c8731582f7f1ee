"""`segmint segment make-static / make-dynamic KEY`."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import fails, ok, ok_json

KEY = "repeat-customers-no-returns"  # read by a compound segment only


def test_make_static_and_back(demo: Path) -> None:
    before = ok_json("segment", "members", KEY, "-w", demo, "--limit", "10000")["rows"]
    made = ok_json("segment", "make-static", KEY, "-w", demo, "--json")
    assert made["segment"]["type"] == "static" and made["frozen"] == len(before)
    result = ok("segment", "make-dynamic", KEY, "-w", demo)
    assert result.stdout.splitlines()[0] == (
        f"{KEY} is dynamic now (revision 3); its members follow the definition"
    )
    assert ok_json("segment", "show", KEY, "-w", demo)["segment"]["type"] == "dynamic"


def test_make_static_text_and_errors(demo: Path, tmp_path: Path) -> None:
    said = ok("segment", "make-static", KEY, "-w", demo).stdout
    assert said.startswith(f"{KEY} is static now with ")
    assert fails("segment", "make-static", KEY, "-w", demo).stderr.startswith(
        f"{KEY} is static; only dynamic and compound segments can be made static"
    )
    refused = fails("segment", "make-static", "churn-risk", "-w", demo).stderr.splitlines()
    assert refused[1:] == ["  segment vip-thank-you: references it"]
    assert (
        "no such file"
        in fails(
            "segment", "make-dynamic", KEY, "-w", demo, "--definition", tmp_path / "none.yaml"
        ).stderr
    )
    seattle = tmp_path / "seattle.yaml"
    seattle.write_text(
        "audience: contact\ncondition: {type: attribute, field: city, op: eq, value: Seattle}\n",
        encoding="utf-8",
    )
    made = ok_json("segment", "make-dynamic", KEY, "-w", demo, "--definition", seattle, "--json")
    assert made["segment"]["type"] == "dynamic" and made["refresh"]["run"] is not None
