"""notices: scheduled runs once per period, protocol numbers taken before rendering, outbox
leases and idempotency keys, the mail lifecycle

Revision ID: 0008
Revises: 0006 (the integrator re-chains it onto 0007)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE on both dialects, no batch copy of existing tables.
    op.add_column("outbox", sa.Column("dedup_key", sa.String(length=200), nullable=True))
    op.add_column("outbox", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ux_outbox_dedup_key", "outbox", ["dedup_key"], unique=True)
    op.add_column("outgoing_mails", sa.Column("body_html", sa.Text(), nullable=True))
    op.add_column(
        "outgoing_mails", sa.Column("retry_after", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "outgoing_mails",
        sa.Column("unknown_outcomes", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "scheduled_runs",
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("job", "period"),
    )
    op.create_table(
        "document_numbers",
        sa.Column("protocol_year", sa.Integer(), nullable=False),
        sa.Column("protocol_sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("source_event_id", sa.String(length=36), nullable=False),
        sa.Column("guarantee_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("template_version", sa.String(length=20), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("protocol_year", "protocol_sequence"),
        sa.UniqueConstraint("source_event_id", "kind", name="uq_document_numbers_event_kind"),
    )


def downgrade() -> None:
    op.drop_table("document_numbers")
    op.drop_table("scheduled_runs")
    for column in ("unknown_outcomes", "retry_after", "body_html"):
        op.execute(f"ALTER TABLE outgoing_mails DROP COLUMN {column}")
    op.drop_index("ux_outbox_dedup_key", table_name="outbox")
    for column in ("lease_until", "dedup_key"):
        op.execute(f"ALTER TABLE outbox DROP COLUMN {column}")
