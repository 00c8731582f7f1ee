"""The `segmint` command: output for people and for scripts, exit codes, error messages.

Runs in-process with Typer's CliRunner against the shared ingested workspace (`shop`), plus
one run of the installed `segmint` script in a subprocess.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from segmint.cli.app import app
from segmint.errors import InternalError
from segmint.services import evaluation
from segmint.workspace import open_workspace

AS_OF = "2025-07-01"

SEATTLE = """\
name: Seattle
audience: contact
condition: {type: attribute, field: city, op: eq, value: Seattle}
"""

RETAIL = """\
audience: contact
condition:
  type: and
  conditions:
    - {type: attribute, field: city, op: in, value: [Seattle, Boston]}
    - {type: attribute, field: account.industry, op: eq, value: Retail}
"""

TYPO = """\
audience: contact
condition:
  type: and
  conditions:
    - {type: attribute, field: citty, op: eq, value: Seattle}
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def seattle(tmp_path: Path) -> Path:
    path = tmp_path / "seattle.yaml"
    path.write_text(SEATTLE)
    return path


@pytest.fixture
def retail(tmp_path: Path) -> Path:
    path = tmp_path / "retail.yaml"
    path.write_text(RETAIL)
    return path


# --- init and ingest -------------------------------------------------------------------


def test_init(tmp_path: Path) -> None:
    result = run("init", tmp_path / "a")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"Created workspace {tmp_path / 'a'}"
    assert (tmp_path / "a" / "segmint.toml").is_file()
    result = run("init", tmp_path / "b", "--json")
    assert result.exit_code == 0
    assert as_json(result) == {"workspace": str(tmp_path / "b")}


def test_init_twice(tmp_path: Path) -> None:
    assert run("init", tmp_path).exit_code == 0
    result = run("init", tmp_path)
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path} is already a workspace\n"
    result = run("init", tmp_path, "--json")
    assert result.exit_code == 1
    assert as_json(result) == {
        "error": {
            "code": "workspace_error",
            "message": f"{tmp_path} is already a workspace",
            "problems": [],
        }
    }


def test_ingest(workspace: Path) -> None:
    result = run("ingest", "--workspace", workspace)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "contact: 4 rows",
        "account: 2 rows",
        "order: 4 rows",
        "email_opened: 4 rows",
    ]
    assert (
        "warning: data/contacts.csv: column account_id (contact.account): "
        "1 row(s) point to no account"
    ) in result.stderr.splitlines()


def test_ingest_json(workspace: Path) -> None:
    result = run("ingest", "-w", workspace, "--json")
    assert result.exit_code == 0
    assert result.stderr == ""  # no progress bars for scripts
    assert as_json(result) == {
        "rows": {"contact": 4, "account": 2, "order": 4, "email_opened": 4},
        "warnings": [
            {
                "path": "data/contacts.csv: column account_id (contact.account)",
                "message": "1 row(s) point to no account",
            },
            {
                "path": "data/orders.jsonl: column contact_id (contact.orders)",
                "message": "1 row(s) point to no contact",
            },
        ],
    }


def test_ingest_failure(workspace: Path) -> None:
    (workspace / "data" / "orders.jsonl").unlink()
    result = run("ingest", "-w", workspace)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        "ingest failed; nothing was changed and the previous data stays",
        "  data/orders.jsonl: file not found (for order)",
    ]
    result = run("ingest", "-w", workspace, "--json")
    assert result.exit_code == 1
    assert as_json(result)["error"] == {
        "code": "ingest_failed",
        "message": "ingest failed; nothing was changed and the previous data stays",
        "problems": [{"path": "data/orders.jsonl", "message": "file not found (for order)"}],
    }


# --- validate, count, members, explain, sql ----------------------------------------------


def test_validate(shop: Path, seattle: Path) -> None:
    sentence = evaluation.validate(open_workspace(shop), seattle).sentence
    assert "Seattle" in sentence
    result = run("validate", seattle, "-w", shop)
    assert result.exit_code == 0
    assert result.stdout == f"{seattle}: valid\n{sentence}\n"
    result = run("validate", seattle, "-w", shop, "--json")
    assert result.exit_code == 0
    assert as_json(result) == {"key": "seattle", "valid": True, "sentence": sentence}


def test_count(shop: Path, seattle: Path, retail: Path) -> None:
    result = run("count", seattle, "-w", shop, "--as-of", AS_OF)
    assert result.exit_code == 0
    assert re.fullmatch(r"2 members \(\d+\.\d ms\)\n", result.stdout)
    result = run("count", retail, "-w", shop, "--as-of", AS_OF)
    assert re.fullmatch(r"1 member \(\d+\.\d ms\)\n", result.stdout)


def test_count_json(shop: Path, seattle: Path, retail: Path) -> None:
    result = run("count", seattle, "-w", shop, "--as-of", AS_OF, "--json")
    assert result.exit_code == 0
    data = as_json(result)
    assert set(data) == {"key", "count", "seconds", "as_of"}
    assert type(data["count"]) is int
    assert data["count"] == 2
    assert data["key"] == "seattle"
    assert data["as_of"] == "2025-07-01T00:00:00+00:00"
    assert data["seconds"] >= 0
    result = run("count", retail, "-w", shop, "--as-of", "2025-07-01T09:00:00+02:00", "--json")
    assert as_json(result)["count"] == 1
    assert as_json(result)["as_of"] == "2025-07-01T09:00:00+02:00"


def test_members(shop: Path, seattle: Path) -> None:
    result = run("members", seattle, "-w", shop, "--as-of", AS_OF, "--json")
    assert result.exit_code == 0
    assert as_json(result) == {
        "fields": ["contact_id"],
        "rows": [{"contact_id": 1}, {"contact_id": 3}],
        "limit": 100,
        "offset": 0,
    }


def test_members_with_fields_limit_and_offset(shop: Path, seattle: Path) -> None:
    args: list[str | Path] = [
        *("members", seattle, "-w", shop, "--as-of", AS_OF),
        *("--fields", "email, account.industry"),
    ]
    assert as_json(run(*args, "--json"))["rows"] == [
        {"contact_id": 1, "email": "ann@example.com", "account.industry": "Retail"},
        {"contact_id": 3, "email": "cy@example.com", "account.industry": None},  # no account A9
    ]
    page = as_json(run(*args, "--limit", "1", "--offset", "1", "--json"))
    assert page == {
        "fields": ["contact_id", "email", "account.industry"],
        "rows": [{"contact_id": 3, "email": "cy@example.com", "account.industry": None}],
        "limit": 1,
        "offset": 1,
    }
    result = run(*args, "--limit", "1")
    assert result.exit_code == 0
    assert "account.industry" in result.stdout
    assert "Retail" in result.stdout
    assert "cy@example.com" not in result.stdout
    assert result.stdout.splitlines()[-1] == "1 row from offset 0"


def test_members_with_an_unknown_field(shop: Path, seattle: Path) -> None:
    result = run("members", seattle, "-w", shop, "--fields", "account.size")
    assert result.exit_code == 1
    assert result.stderr == "unknown fields: account has no attribute named 'size'\n"


def test_explain_a_member(shop: Path, retail: Path) -> None:
    result = run("explain", retail, "1", "-w", shop, "--as-of", AS_OF)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "1 is a member"
    assert len(lines) == 4  # the and, then its two conditions
    assert all("✔" in line for line in lines[1:])
    assert "Retail" in lines[3]
    data = as_json(run("explain", retail, "1", "-w", shop, "--as-of", AS_OF, "--json"))
    assert data["profile"] == 1
    assert data["member"] is True
    assert data["tree"]["result"] is True
    assert [c["result"] for c in data["tree"]["children"]] == [True, True]


def test_explain_a_non_member(shop: Path, retail: Path) -> None:
    result = run("explain", retail, "3", "-w", shop, "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "3 is not a member"
    assert "✘" in result.stdout
    data = as_json(run("explain", retail, "3", "-w", shop, "--as-of", AS_OF, "--json"))
    assert data["member"] is False
    assert [c["result"] for c in data["tree"]["children"]] == [True, False]


def test_explain_an_unknown_profile(shop: Path, retail: Path) -> None:
    result = run("explain", retail, "99", "-w", shop)
    assert result.exit_code == 1
    assert result.stderr == "no contact with contact_id = '99'\n"
    result = run("explain", retail, "99", "-w", shop, "--json")
    assert result.exit_code == 1
    assert as_json(result)["error"]["code"] == "not_found"


def test_sql(shop: Path, seattle: Path) -> None:
    result = run("sql", seattle, "-w", shop, "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.stdout.startswith("SELECT")
    assert '"contact"' in result.stdout
    assert "'Seattle'" in result.stdout
    data = as_json(run("sql", seattle, "-w", shop, "--as-of", AS_OF, "--json"))
    assert data == {"sql": result.stdout.rstrip("\n")}


# --- user errors: exit 1, the place named ----------------------------------------------


def test_a_bad_definition(shop: Path, tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(TYPO)
    for command in ("validate", "count", "members", "sql"):
        result = run(command, path, "-w", shop)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            f"{path} is not a valid definition",
            "  condition.conditions[0].field: contact has no attribute named 'citty'",
        ]
    result = run("validate", path, "-w", shop, "--json")
    assert result.exit_code == 1
    assert result.stderr == ""
    assert as_json(result) == {
        "error": {
            "code": "invalid_definition",
            "message": f"{path} is not a valid definition",
            "problems": [
                {
                    "path": "condition.conditions[0].field",
                    "message": "contact has no attribute named 'citty'",
                }
            ],
        }
    }


def test_invalid_yaml_in_a_definition(shop: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("audience: contact\ncondition: {type: attribute\n")
    result = run("validate", path, "-w", shop)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path} is not valid YAML"
    assert lines[1].startswith("  line 3, column 1: ")


ONE_LINE_ERRORS = {
    "missing file": (
        ["count", "nowhere.yaml", "-w", "{shop}"],
        "not_found",
        "nowhere.yaml: no such file",
    ),
    "bad --as-of": (
        ["count", "{seattle}", "-w", "{shop}", "--as-of", "yesterday"],
        "user_error",
        "--as-of 'yesterday': not an ISO date or date-time (e.g. 2026-11-01T09:00:00+01:00)",
    ),
    "not a workspace": (
        ["count", "{seattle}", "-w", "{tmp}"],
        "workspace_error",
        (
            "{tmp} is not a Segmint workspace (no segmint.toml); create one with "
            "`segmint init {tmp}` or pass --workspace"
        ),
    ),
    "--limit out of range": (
        ["members", "{seattle}", "-w", "{shop}", "--limit", "0"],
        "user_error",
        "--limit must be between 1 and 100000",
    ),
    "--limit not a number": (
        ["members", "{seattle}", "-w", "{shop}", "--limit", "ten"],
        "usage_error",
        (
            "Invalid value for '--limit': Input should be a valid integer, unable to parse "
            "string as an integer (see segmint members --help)"
        ),
    ),
    "negative --offset": (
        ["members", "{seattle}", "-w", "{shop}", "--offset", "-1"],
        "user_error",
        "--offset must not be negative",
    ),
    "unknown option": (
        ["count", "{seattle}", "--limit", "3"],
        "usage_error",
        "No such option: --limit (see segmint count --help)",
    ),
    "missing argument": (
        ["explain", "{seattle}", "-w", "{shop}"],
        "usage_error",
        "Missing argument 'profile_id'. (see segmint explain --help)",
    ),
}


@pytest.mark.parametrize("case", list(ONE_LINE_ERRORS))
def test_user_errors_are_one_line_and_exit_1(
    case: str, shop: Path, seattle: Path, tmp_path: Path
) -> None:
    places = {"shop": shop, "seattle": seattle, "tmp": tmp_path}
    template, code, message = ONE_LINE_ERRORS[case]
    args = [a.format(**places) for a in template]
    expected = message.format(**places)
    result = run(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == expected + "\n"
    result = run(*args, "--json")
    assert result.exit_code == 1
    assert result.stderr == ""
    assert as_json(result) == {"error": {"code": code, "message": expected, "problems": []}}


@pytest.mark.parametrize(
    "args",
    [["ingest"], ["validate", "x.yaml"], ["members", "x.yaml"], ["explain", "x.yaml", "1"]],
    ids=lambda a: a[0],
)
def test_every_command_needs_a_workspace(args: list[str], tmp_path: Path) -> None:
    result = run(*args, "-w", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path} is not a Segmint workspace")


def test_commands_before_ingest(tmp_path: Path, seattle: Path) -> None:
    assert run("init", tmp_path / "w").exit_code == 0
    result = run("count", seattle, "-w", tmp_path / "w")
    assert result.exit_code == 1
    assert result.stderr == "not loaded yet: contact; run `segmint ingest`\n"


# --- internal errors: exit 2, no traceback ----------------------------------------------


def test_an_internal_error(shop: Path, seattle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(evaluation, "count", broken)
    result = run("count", seattle, "-w", shop)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "internal error: RuntimeError: boom (set SEGMINT_DEBUG=1 for details)\n"
    assert "Traceback" not in result.output
    result = run("count", seattle, "-w", shop, "--json")
    assert result.exit_code == 2
    assert as_json(result) == {
        "error": {
            "code": "internal_error",
            "message": "RuntimeError: boom (set SEGMINT_DEBUG=1 for details)",
            "problems": [],
        }
    }


def test_an_engine_failure(shop: Path, seattle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args: object, **kwargs: object) -> None:
        raise InternalError("the engine failed: out of memory", sql="SELECT 1")

    monkeypatch.setattr(evaluation, "sql", failing)
    result = run("sql", seattle, "-w", shop)
    assert result.exit_code == 2
    assert result.stderr == "internal error: the engine failed: out of memory\n"


def test_debug_lets_the_exception_through(
    shop: Path, seattle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(evaluation, "count", broken)
    monkeypatch.setenv("SEGMINT_DEBUG", "1")
    result = run("count", seattle, "-w", shop)
    assert isinstance(result.exception, RuntimeError)


# --- the installed script ---------------------------------------------------------------


def test_the_segmint_script(shop: Path, seattle: Path) -> None:
    script = Path(sys.executable).with_name("segmint")
    done = subprocess.run(
        [str(script), "count", str(seattle), "-w", str(shop), "--as-of", AS_OF, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["count"] == 2
