"""scale: the chain's staging table (no lock on the commit path); indexes for the lists

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Each list's filter and sort key (the queues' own are in 0011) (guarantee.read.paging): a page walks one of these from where
# the previous page ended. Partial ones (PostgreSQL) hold only the rows their list shows.
APPLICATIONS = (
    "status IN ('approved', 'draft', 'eligible', 'ineligible', 'needs_review', 'submitted')"
)
INDEXES: list[tuple[str, str, list[str], str | None]] = [
    ("ix_guarantees_issued", "guarantees", ["issued_at", "id"], "number IS NOT NULL"),
    ("ix_guarantees_landlord_issued", "guarantees", ["landlord_id", "issued_at", "id"], None),
    ("ix_guarantees_fund_issued", "guarantees", ["fund_id", "issued_at", "id"], None),
    ("ix_guarantees_created_by", "guarantees", ["created_by", "created_at", "id"], None),
    ("ix_guarantees_applications", "guarantees", ["created_at", "id"], APPLICATIONS),
    ("ix_guarantees_ends_on_id", "guarantees", ["ends_on", "id"], None),
    ("ix_landlords_name_id", "landlords", ["name", "id"], None),
    ("ix_properties_created_id", "properties", ["created_at", "id"], None),
    ("ix_properties_landlord_created", "properties", ["landlord_id", "created_at", "id"], None),
]


def upgrade() -> None:
    for name, table, columns, where in INDEXES:
        op.create_index(
            name,
            table,
            columns,
            postgresql_where=sa.text(where) if where else None,
        )
    op.create_table(
        "evidence_pending",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("record_hash", sa.String(length=64), nullable=False),
        sa.Column("staged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_evidence_pending")),
    )


def downgrade() -> None:
    # Whatever was staged and not sealed yet is chained before the staging table goes.
    from guarantee.adapters.db.evidence_chain import seal

    seal(op.get_bind())
    op.drop_table("evidence_pending")
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
