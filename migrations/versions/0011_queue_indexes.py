"""queue indexes: the back office's queues walk an index in order and stop at the page

Revision ID: 0011_queue_indexes
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_guarantees_status_created": ("guarantees", ["status", "created_at", "id"]),
    "ix_guarantees_status_updated": ("guarantees", ["status", "updated_at", "id"]),
    "ix_guarantees_ends_on_status": ("guarantees", ["ends_on", "status"]),
    "ix_claims_status_filed": ("claims", ["status", "filed_on", "number"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
