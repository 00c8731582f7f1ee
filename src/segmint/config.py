"""Settings: read from the workspace's segmint.toml, overridden by SEGMINT_* environment variables.

Nested settings use a double underscore in the environment, e.g.
`SEGMINT_ENGINE__DATABASE=/data/big.duckdb` or `SEGMINT_LIMITS__MAX_DEPTH=30`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from segmint.definition.check import Limits
from segmint.errors import Problem, WorkspaceError

SETTINGS_FILE = "segmint.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EngineSettings(_Section):
    """Where segments are evaluated."""

    kind: Literal["duckdb"] = "duckdb"  # the embedded engine; Spark and PostgreSQL come later
    database: str = "segmint.duckdb"  # relative to the workspace
    threads: int | None = Field(default=None, ge=1)  # DuckDB worker threads; default: all cores
    memory_limit: str | None = None  # e.g. "8GB"; default: DuckDB's (80% of RAM)


class MetadataSettings(_Section):
    """Where segments, runs and history are kept."""

    url: str = "sqlite:///segmint.db"  # relative SQLite paths are inside the workspace


class DefaultSettings(_Section):
    """Defaults for new segments and previews."""

    timezone: str = "UTC"
    preview_limit: int = Field(default=100, ge=1, le=10_000)


class RefreshSettings(_Section):
    """How refresh runs execute and how long membership versions are kept."""

    workers: int = Field(default=2, ge=1, le=64)  # segments refreshed at the same time
    lease_seconds: float = Field(default=60.0, ge=2)  # a dead run is failed after this
    keep_versions: int = Field(default=30, ge=1)  # membership versions kept per segment
    max_active_segments: int = Field(default=500, ge=1)  # quota of live, active segments


class ExportSettings(_Section):
    """How exports reach their destinations (see docs/exports.md)."""

    allow_private_addresses: bool = False  # let webhook/segmint URLs reach private addresses
    attempts: int = Field(default=5, ge=1, le=50)  # tries per batch before a run fails
    backoff_seconds: float = Field(default=1.0, ge=0)  # first retry delay (doubling, jittered)
    max_backoff_seconds: float = Field(default=60.0, ge=0)  # the longest retry delay
    max_retry_after_seconds: float = Field(default=300.0, ge=0)  # longest Retry-After honoured
    timeout_seconds: float = Field(default=30.0, gt=0)  # one HTTP request
    stale_after_seconds: float = Field(default=60.0, ge=2)  # a dead export run is resumed then
    public_url: str = ""  # this instance's address, shown on mirrors as their source


class LimitSettings(_Section):
    """Size limits on one definition."""

    max_depth: int = Field(default=20, ge=1, le=100)
    max_conditions: int = Field(default=500, ge=1, le=10_000)
    max_list_values: int = Field(default=1000, ge=1, le=100_000)
    max_text_length: int = Field(default=1000, ge=1, le=100_000)
    max_relative: int = Field(default=100_000, ge=1)

    def to_limits(self) -> Limits:
        return Limits(**self.model_dump())


class Settings(BaseSettings):
    """Every setting of a workspace."""

    model_config = SettingsConfigDict(
        env_prefix="SEGMINT_", env_nested_delimiter="__", extra="forbid"
    )

    name: str = "segmint"
    engine: EngineSettings = Field(default_factory=EngineSettings)
    metadata: MetadataSettings = Field(default_factory=MetadataSettings)
    defaults: DefaultSettings = Field(default_factory=DefaultSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    refresh: RefreshSettings = Field(default_factory=RefreshSettings)
    exports: ExportSettings = Field(default_factory=ExportSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],  # noqa: ARG003
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file (passed in as init values).
        return env_settings, init_settings


def load_settings(root: Path) -> Settings:
    """Read segmint.toml in `root` (if present) and apply environment overrides."""
    path = root / SETTINGS_FILE
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise WorkspaceError(f"{path}: not valid TOML ({exc})") from None
    try:
        return Settings(**data)
    except SettingsError as exc:  # e.g. SEGMINT_LIMITS set to text that is not JSON
        raise WorkspaceError(f"{path}: invalid settings ({exc})") from None
    except ValidationError as exc:
        problems = [_problem(err["loc"], err["msg"]) for err in exc.errors()]
        raise WorkspaceError(f"{path}: invalid settings", problems) from None


def _problem(loc: tuple[int | str, ...], message: str) -> Problem:
    """A settings problem, naming the environment variable when one set the value."""
    where = ".".join(str(p) for p in loc)
    variable = "SEGMINT_" + "__".join(str(p) for p in loc).upper()
    if variable in os.environ:
        where += f" (from {variable})"
    return Problem(where, message)


DEFAULT_TOML = """\
# Segmint workspace settings. Every value can be overridden by an environment variable:
# SEGMINT_<SECTION>__<KEY>, e.g. SEGMINT_ENGINE__DATABASE=/tmp/other.duckdb
name = "{name}"

[engine]
kind = "duckdb"
database = "segmint.duckdb"

[metadata]
url = "sqlite:///segmint.db"

[defaults]
timezone = "UTC"
preview_limit = 100

[refresh]
workers = 2
lease_seconds = 60
keep_versions = 30
max_active_segments = 500

[limits]
max_depth = 20
max_conditions = 500
max_list_values = 1000
max_text_length = 1000
max_relative = 100000

[exports]
allow_private_addresses = false
attempts = 5
backoff_seconds = 1.0
max_backoff_seconds = 60.0
max_retry_after_seconds = 300.0
timeout_seconds = 30.0
stale_after_seconds = 60.0
public_url = ""
"""
