"""Settings: segmint.toml, overridden by SEGMINT_* environment variables."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from segmint.config import DEFAULT_TOML, Settings, load_settings
from segmint.definition.check import Limits
from segmint.errors import Problem, WorkspaceError


def write(root: Path, text: str) -> Path:
    path = root / "segmint.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_settings_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.name == "segmint"
    assert settings.engine.kind == "duckdb"
    assert settings.engine.database == "segmint.duckdb"
    assert settings.engine.threads is None
    assert settings.engine.memory_limit is None
    assert settings.metadata.url == "sqlite:///segmint.db"
    assert settings.defaults.timezone == "UTC"
    assert settings.defaults.preview_limit == 100
    assert settings.limits.to_limits() == Limits()


def test_the_file_written_by_init_holds_the_defaults() -> None:
    written = tomllib.loads(DEFAULT_TOML.format(name="segmint"))
    assert Settings(**written) == Settings()


def test_values_are_read_from_the_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        'name = "shop"\n[engine]\nthreads = 4\nmemory_limit = "2GB"\n'
        "[defaults]\ntimezone = 'Europe/Berlin'\n[limits]\nmax_depth = 5\n",
    )
    settings = load_settings(tmp_path)
    assert settings.name == "shop"
    assert settings.engine.threads == 4
    assert settings.engine.memory_limit == "2GB"
    assert settings.defaults.timezone == "Europe/Berlin"
    assert settings.limits.max_depth == 5
    assert settings.limits.max_conditions == 500  # not in the file: the default
    assert settings.limits.to_limits() == dataclasses.replace(Limits(), max_depth=5)


def test_environment_variables_override_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, DEFAULT_TOML.format(name="shop"))
    monkeypatch.setenv("SEGMINT_LIMITS__MAX_DEPTH", "30")
    monkeypatch.setenv("SEGMINT_DEFAULTS__TIMEZONE", "America/New_York")
    monkeypatch.setenv("SEGMINT_ENGINE__DATABASE", "/data/big.duckdb")
    monkeypatch.setenv("SEGMINT_NAME", "override")
    monkeypatch.setenv("SEGMINT_DEBUG", "1")  # the CLI's switch, not a setting: ignored here
    settings = load_settings(tmp_path)
    assert settings.limits.max_depth == 30
    assert settings.limits.max_conditions == 500  # the rest of the section is kept
    assert settings.defaults.timezone == "America/New_York"
    assert settings.defaults.preview_limit == 100
    assert settings.engine.database == "/data/big.duckdb"
    assert settings.name == "override"


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[engine\nkind = 'duckdb'\n")
    with pytest.raises(WorkspaceError) as caught:
        load_settings(tmp_path)
    assert caught.value.message.startswith(f"{path}: not valid TOML (")
    assert "line 1" in caught.value.message


def test_invalid_values_are_listed_with_their_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "[limits]\nmax_depth = 0\n[engine]\nthreads = 'many'\nspeed = 3\n")
    with pytest.raises(WorkspaceError) as caught:
        load_settings(tmp_path)
    assert caught.value.message == f"{path}: invalid settings"
    assert [p.path for p in caught.value.problems] == [
        "engine.threads",
        "engine.speed",
        "limits.max_depth",
    ]
    assert caught.value.problems[2].message == "Input should be greater than or equal to 1"


def test_an_invalid_environment_value_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGMINT_LIMITS__MAX_DEPTH", "deep")
    with pytest.raises(WorkspaceError) as caught:
        load_settings(tmp_path)
    assert caught.value.problems == [
        Problem(
            "limits.max_depth (from SEGMINT_LIMITS__MAX_DEPTH)",
            "Input should be a valid integer, unable to parse string as an integer",
        )
    ]


def test_a_section_variable_that_is_not_json_is_a_workspace_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGMINT_LIMITS", "deep")
    with pytest.raises(WorkspaceError, match="invalid settings"):
        load_settings(tmp_path)


def test_limits_settings_and_definition_limits_agree() -> None:
    fields = {f.name for f in dataclasses.fields(Limits)}
    assert set(Settings().limits.model_dump()) == fields
    assert Settings().limits.to_limits() == Limits()


@pytest.mark.parametrize(
    ("text", "where"),
    [("[engine]\nkind = 'spark'\n", "engine.kind"), ("[engine]\nthreads = 0\n", "engine.threads")],
)
def test_engine_settings_are_checked(tmp_path: Path, text: str, where: str) -> None:
    write(tmp_path, text)
    with pytest.raises(WorkspaceError) as caught:
        load_settings(tmp_path)
    assert [p.path for p in caught.value.problems] == [where]
