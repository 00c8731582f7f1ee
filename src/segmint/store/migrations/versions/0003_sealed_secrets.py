"""destination secrets encrypted at rest: secrets (plain JSON) -> sealed_secrets (Fernet)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:05:00.000000
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_destinations = sa.table(
    "destinations",
    sa.column("key", sa.String()),
    sa.column("secrets", sa.JSON()),
    sa.column("sealed_secrets", sa.Text()),
)


def _plain(value: Any) -> dict[str, Any]:
    if isinstance(value, str):  # some drivers hand JSON back as text
        value = json.loads(value)
    return dict(value or {})


def _sealer() -> Any:
    """The segmint.store.sealing.Sealer handed in by segmint.store.migrate, if any."""
    config = op.get_context().config
    return config.attributes.get("sealer") if config is not None else None


def upgrade() -> None:
    with op.batch_alter_table("destinations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_secrets", sa.Text(), nullable=True))
    conn = op.get_bind()
    sealer = _sealer()
    rows = list(conn.execute(sa.select(_destinations.c.key, _destinations.c.secrets)))
    for key, secrets in rows:
        values = _plain(secrets)
        if not values:
            continue
        if sealer is None:
            raise RuntimeError(
                f"destination {key} has secrets stored in plain text; open the store with its "
                "workspace so they can be encrypted"
            )
        conn.execute(
            sa.update(_destinations)
            .where(_destinations.c.key == key)
            .values(sealed_secrets=sealer.seal(values))
        )
    with op.batch_alter_table("destinations", schema=None) as batch_op:
        batch_op.drop_column("secrets")


def downgrade() -> None:
    with op.batch_alter_table("destinations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("secrets", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    conn = op.get_bind()
    sealer = _sealer()
    rows = list(conn.execute(sa.select(_destinations.c.key, _destinations.c.sealed_secrets)))
    for key, sealed in rows:
        if not sealed:
            continue
        if sealer is None:
            raise RuntimeError(f"destination {key} has sealed secrets and no key was given")
        conn.execute(
            sa.update(_destinations)
            .where(_destinations.c.key == key)
            .values(secrets=sealer.open(sealed, f"destination {key}"))
        )
    with op.batch_alter_table("destinations", schema=None) as batch_op:
        batch_op.drop_column("sealed_secrets")
