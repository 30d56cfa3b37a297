"""What an attacker with database access does: switch the guards off and edit rows.

SQLite: drop the table's append-only triggers (each test has its own copy of the database).
PostgreSQL: a superuser session with triggers off (session_replication_role = replica).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text


@contextmanager
def guards_off(engine: Engine, *tables: str) -> Iterator[Connection]:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for table in tables:
                names = conn.scalars(
                    text("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name=:t"),
                    {"t": table},
                ).all()
                for name in names:
                    conn.execute(text(f'DROP TRIGGER "{name}"'))
        yield conn
