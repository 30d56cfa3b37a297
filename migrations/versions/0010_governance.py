"""governance: the hash chain over the audit trail and the document archive

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sql_files import run_sql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_chain",
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("record_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column("chained_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_evidence_chain")),
        sa.UniqueConstraint(
            "record_type", "record_id", name=op.f("uq_evidence_chain_record_type_record_id")
        ),
    )
    op.create_index(
        "ix_evidence_chain_type_position", "evidence_chain", ["record_type", "position"]
    )
    run_sql("0010_evidence_chain", "up")
    # Records written before the chain existed are chained now, in their stored order.
    from guarantee.adapters.db.evidence_chain import chain_everything_pending

    chain_everything_pending(op.get_bind(), audit_events=True)


def downgrade() -> None:
    run_sql("0010_evidence_chain", "down")
    op.drop_index("ix_evidence_chain_type_position", table_name="evidence_chain")
    op.drop_table("evidence_chain")
