"""Alembic environment: migrations run on the connection handed in by segmint.store.migrate."""

from __future__ import annotations

from alembic import context

from segmint.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through segmint.store.migrate.upgrade")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
context.run_migrations()
