"""ledger guards: entries sealed only when balanced; books and audit trail append-only

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sql_files import run_sql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("posted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    run_sql("0002_ledger_guards", "up")


def downgrade() -> None:
    run_sql("0002_ledger_guards", "down")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_column("posted")
