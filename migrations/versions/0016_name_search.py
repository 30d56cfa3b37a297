"""name search: trigram indexes for the search by part of a name (PostgreSQL only)

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A LIKE '%…%' on a name cannot use a b-tree: the landlords' list (`q`) and the back office's
# search read the whole table. pg_trgm's GIN index answers it. pg_trgm is a trusted extension
# (PostgreSQL 13+): the database's owner may create it. SQLite keeps reading the table.
INDEXES = [
    ("ix_landlords_name_trgm", "landlords", "lower(name)"),
    ("ix_household_members_name_trgm", "household_members", "lower(full_name)"),
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _, _ in reversed(INDEXES):
        op.execute(f"DROP INDEX IF EXISTS {name}")
    # The extension stays: something else in the database may have come to use it.
