"""notices: scheduled runs once per period, protocol numbers taken before rendering, outbox
leases and idempotency keys, the mail lifecycle

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
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
    # One mail per event and addressee (the tenant's and the landlord's letters of one event).
    # outgoing_mails has no triggers, so SQLite's batch copy loses nothing.
    with op.batch_alter_table("outgoing_mails") as batch:
        batch.add_column(
            sa.Column(
                "addressee", sa.String(length=20), nullable=False, server_default="landlord"
            )
        )
        batch.drop_constraint("uq_outgoing_mails_outbox_id", type_="unique")
        batch.create_unique_constraint(
            "uq_outgoing_mails_outbox_id_addressee", ["outbox_id", "addressee"]
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
    op.create_table(
        "print_batches",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("letters", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_print_batches"),
        sa.UniqueConstraint("day", name="uq_print_batches_day"),
    )
    op.create_table(
        "postal_letters",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("outbox_id", sa.String(length=36), nullable=False),
        sa.Column("addressee", sa.String(length=20), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_address", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name="fk_postal_letters_outbox_id_outbox"
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["print_batches.id"], name="fk_postal_letters_batch_id_print_batches"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_postal_letters"),
        sa.UniqueConstraint(
            "outbox_id", "addressee", name="uq_postal_letters_outbox_id_addressee"
        ),
    )
    op.create_index("ix_postal_letters_batch_id", "postal_letters", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_postal_letters_batch_id", table_name="postal_letters")
    op.drop_table("postal_letters")
    op.drop_table("print_batches")
    op.drop_table("document_numbers")
    op.drop_table("scheduled_runs")
    with op.batch_alter_table("outgoing_mails") as batch:
        batch.drop_constraint("uq_outgoing_mails_outbox_id_addressee", type_="unique")
        batch.create_unique_constraint("uq_outgoing_mails_outbox_id", ["outbox_id"])
        for column in ("addressee", "unknown_outcomes", "retry_after", "body_html"):
            batch.drop_column(column)
    op.drop_index("ux_outbox_dedup_key", table_name="outbox")
    for column in ("lease_until", "dedup_key"):
        op.execute(f"ALTER TABLE outbox DROP COLUMN {column}")
