"""claim payment proposals (four eyes) and the account behind each audit event

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROPOSAL_COLUMNS = [
    sa.Column("payment_proposed_by", sa.String(length=100), nullable=True),
    sa.Column("payment_proposed_by_account", sa.String(length=100), nullable=True),
    sa.Column("payment_proposed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("payment_proposal_reference", sa.String(length=100), nullable=True),
    sa.Column("payment_proposal_note", sa.Text(), nullable=True),
]


def upgrade() -> None:
    # Plain ADD COLUMN on both dialects: the audit trail's append-only triggers stay in place
    # (a batch copy of the table would drop them).
    for column in _PROPOSAL_COLUMNS:
        op.add_column("claims", column)
    op.add_column("audit_events", sa.Column("actor_account_id", sa.String(length=36)))


def downgrade() -> None:
    op.execute("ALTER TABLE audit_events DROP COLUMN actor_account_id")
    for column in reversed(_PROPOSAL_COLUMNS):
        op.execute(f"ALTER TABLE claims DROP COLUMN {column.name}")
