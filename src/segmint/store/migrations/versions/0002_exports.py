"""exports: destinations, exports, their runs, outbox and rejects; mirrors

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:38:07.955124
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "destinations",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("secrets", sa.JSON(), nullable=False),
        sa.Column("id_field", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_destinations")),
    )
    op.create_table(
        "exports",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("destination", sa.String(length=100), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["destination"], ["destinations.key"], name=op.f("fk_exports_destination_destinations")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_exports")),
    )
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exports_destination"), ["destination"], unique=False)

    op.create_table(
        "mirrors",
        sa.Column("segment", sa.String(length=100), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.String(length=100), nullable=True),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("unmatched", sa.Integer(), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("edited_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["segment"],
            ["segments.key"],
            name=op.f("fk_mirrors_segment_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("segment", name=op.f("pk_mirrors")),
    )
    op.create_table(
        "export_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("export", sa.String(length=100), nullable=False),
        sa.Column("segment", sa.String(length=100), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("pin", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["export"],
            ["exports.key"],
            name=op.f("fk_export_deliveries_export_exports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_deliveries")),
    )
    with op.batch_alter_table("export_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_export_deliveries_export_status", ["export", "status"], unique=False
        )

    op.create_table(
        "export_rejects",
        sa.Column("export", sa.String(length=100), nullable=False),
        sa.Column("segment", sa.String(length=100), nullable=False),
        sa.Column("profile", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["export"],
            ["exports.key"],
            name=op.f("fk_export_rejects_export_exports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("export", "segment", "profile", name=op.f("pk_export_rejects")),
    )
    op.create_table(
        "export_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("export", sa.String(length=100), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=True),
        sa.Column("snapshot", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("rejects", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export"],
            ["exports.key"],
            name=op.f("fk_export_runs_export_exports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_runs")),
    )
    with op.batch_alter_table("export_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_runs_export"), ["export"], unique=False)

    op.create_table(
        "export_segments",
        sa.Column("export", sa.String(length=100), nullable=False),
        sa.Column("segment", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["export"],
            ["exports.key"],
            name=op.f("fk_export_segments_export_exports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment"],
            ["segments.key"],
            name=op.f("fk_export_segments_segment_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("export", "segment", name=op.f("pk_export_segments")),
    )
    with op.batch_alter_table("export_segments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_segments_segment"), ["segment"], unique=False)

    op.create_table(
        "export_state",
        sa.Column("export", sa.String(length=100), nullable=False),
        sa.Column("segment", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("pin", sa.Integer(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snapshot", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export"],
            ["exports.key"],
            name=op.f("fk_export_state_export_exports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("export", "segment", name=op.f("pk_export_state")),
    )
    op.create_table(
        "export_batches",
        sa.Column("delivery", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=100), nullable=False),
        sa.Column("first_row", sa.Integer(), nullable=False),
        sa.Column("last_row", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("rejects", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery"],
            ["export_deliveries.id"],
            name=op.f("fk_export_batches_delivery_export_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("delivery", "number", name=op.f("pk_export_batches")),
        sa.UniqueConstraint("batch_id", name=op.f("uq_export_batches_batch_id")),
    )


def downgrade() -> None:
    op.drop_table("export_batches")
    op.drop_table("export_state")
    with op.batch_alter_table("export_segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_segments_segment"))

    op.drop_table("export_segments")
    with op.batch_alter_table("export_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_runs_export"))

    op.drop_table("export_runs")
    op.drop_table("export_rejects")
    with op.batch_alter_table("export_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_export_deliveries_export_status")

    op.drop_table("export_deliveries")
    op.drop_table("mirrors")
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exports_destination"))

    op.drop_table("exports")
    op.drop_table("destinations")
