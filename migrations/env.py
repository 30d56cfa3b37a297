"""Alembic environment: the schema is guarantee.adapters.db.tables.metadata."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.types import TypeDecorator

from guarantee.adapters.db.engine import build_engine
from guarantee.adapters.db.tables import metadata
from guarantee.settings import get_settings

config = context.config
# Revisions import sql_files.py from this folder to run their dialect's SQL.
sys.path.insert(0, str(Path(__file__).parent))


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Migrations speak plain SQL types, so they never break when application types change.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance
        autogen_context.imports.add("import sqlalchemy as sa")
        return f"sa.{impl!r}"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `garanzia db upgrade`")
run_migrations_online()
