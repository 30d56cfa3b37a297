"""Run a migration's SQL file for the current dialect (statements split on '-- next')."""

from __future__ import annotations

from pathlib import Path

from alembic import op

SQL_DIR = Path(__file__).parent / "sql"


def run_sql(name: str, direction: str) -> None:
    bind = op.get_bind()
    path = SQL_DIR / f"{name}.{bind.dialect.name}.{direction}.sql"
    # The driver's own cursor, without parameters: '%' in PL/pgSQL is not a placeholder.
    cursor = bind.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for statement in path.read_text(encoding="utf-8").split("-- next"):
            if statement.strip():
                cursor.execute(statement)
    finally:
        cursor.close()
