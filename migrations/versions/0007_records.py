"""records staff keep current: household income and contacts, landlord IBAN hold and legal
representative, the IBAN a payment was proposed to, how arrears reports and claims were
received, re-planned recoveries

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW_COLUMNS: dict[str, list[sa.Column[object]]] = {
    "households": [
        sa.Column("income_valid_from", sa.Date(), nullable=True),
        sa.Column("income_document", sa.String(length=300), nullable=True),
        sa.Column("postal_address", sa.String(length=300), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("preferred_channel", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    ],
    "landlords": [
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("previous_email", sa.String(length=254), nullable=True),
        sa.Column("iban_changed_on", sa.Date(), nullable=True),
        sa.Column("legal_representative_name", sa.String(length=200), nullable=True),
        sa.Column("legal_representative_tax_code", sa.String(length=16), nullable=True),
    ],
    "arrears_reports": [
        sa.Column("received_via", sa.String(length=32), nullable=True),
        sa.Column("received_reference", sa.String(length=100), nullable=True),
    ],
    "claims": [
        sa.Column("payment_proposal_iban", sa.String(length=34), nullable=True),
        sa.Column("received_via", sa.String(length=32), nullable=True),
        sa.Column("received_reference", sa.String(length=100), nullable=True),
    ],
}


def upgrade() -> None:
    # Plain ADD COLUMN of nullable columns on both dialects: no table is copied (claims and
    # the others keep whatever triggers they have). Rows from before keep NULL: for
    # received_via that means "not recorded", for preferred_channel "no contacts yet".
    for table, columns in _NEW_COLUMNS.items():
        for column in columns:
            op.add_column(table, column)
    # A recovery may now be re-planned: several plans per claim (one active), so the
    # one-plan-per-claim constraint becomes an index. recovery_plans has no triggers, so
    # SQLite's batch copy loses nothing.
    with op.batch_alter_table("recovery_plans") as batch_op:
        batch_op.drop_constraint("uq_recovery_plans_claim_id", type_="unique")
        batch_op.create_index("ix_recovery_plans_claim_id", ["claim_id"], unique=False)
        batch_op.add_column(sa.Column("replaces_plan_id", sa.String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("replaced_by_plan_id", sa.String(length=36), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("recovery_plans") as batch_op:
        batch_op.drop_column("replaced_by_plan_id")
        batch_op.drop_column("replaces_plan_id")
        batch_op.drop_index("ix_recovery_plans_claim_id")
        batch_op.create_unique_constraint("uq_recovery_plans_claim_id", ["claim_id"])
    for table, columns in reversed(_NEW_COLUMNS.items()):
        for column in reversed(columns):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column.name}")
