"""Bringing a metadata database up to date with the Alembic migrations shipped in the package."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from segmint.store.sealing import Sealer


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("segmint.store") / "migrations"))
    return cfg


def upgrade(engine: Engine, revision: str = "head", *, sealer: Sealer | None = None) -> None:
    """Apply every migration up to `revision`, in one transaction (`sealer` encrypts the
    destination secrets stored in plain text before 0003)."""
    cfg = alembic_config()
    cfg.attributes["sealer"] = sealer
    with engine.connect() as conn:
        conn.info["write"] = True
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
