"""queue order: each back-office queue walks a partial index in its own sort order

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported: a migration keeps the words of its day.
REVIEW_FIRST = "CASE WHEN status = 'needs_review' THEN 0 ELSE 1 END"
INDEXES: list[tuple[str, str, list[str | sa.TextClause], str]] = [
    (
        "ix_guarantees_queue_to_check",
        "guarantees",
        [sa.text(f"({REVIEW_FIRST})"), "created_at", "id"],
        "status IN ('eligible', 'needs_review', 'submitted')",
    ),
    (
        "ix_guarantees_queue_live_ending",
        "guarantees",
        ["ends_on", "id"],
        "status IN ('active', 'issued', 'suspended')",
    ),
    (
        "ix_claims_queue_to_decide",
        "claims",
        ["filed_on", "number"],
        "status IN ('awaiting_mediation', 'submitted', 'under_review')",
    ),
    (
        "ix_claims_queue_decided",
        "claims",
        ["filed_on", "number"],
        "status IN ('approved', 'partially_approved')",
    ),
]


def upgrade() -> None:
    for name, table, columns, where in INDEXES:
        op.create_index(name, table, columns, postgresql_where=sa.text(where))


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
