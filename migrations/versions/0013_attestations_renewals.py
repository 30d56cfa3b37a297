"""attestations before a lease, and renewals: numbered terms of a guarantee

Revision ID: 0013
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guarantees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("term", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("term_starts_on", sa.Date(), nullable=True))
    # The first term of a guarantee issued before terms existed began with it.
    op.execute("UPDATE guarantees SET term_starts_on = starts_on")
    op.create_table(
        "guarantee_terms",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("guarantee_id", sa.String(length=36), nullable=False),
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("monthly_rent", sa.BigInteger(), nullable=False),
        sa.Column("monthly_charges", sa.BigInteger(), nullable=False),
        sa.Column("lease_end", sa.Date(), nullable=False),
        sa.Column("maximum_exposure", sa.BigInteger(), nullable=False),
        sa.Column("reserve_amount", sa.BigInteger(), nullable=False),
        sa.Column("certificate_code", sa.String(length=19), nullable=True),
        sa.Column("product_version", sa.String(length=20), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["guarantee_id"],
            ["guarantees.id"],
            name=op.f("fk_guarantee_terms_guarantee_id_guarantees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantee_terms")),
        sa.UniqueConstraint("certificate_code", name=op.f("uq_guarantee_terms_certificate_code")),
        sa.UniqueConstraint(
            "guarantee_id", "term", name=op.f("uq_guarantee_terms_guarantee_id_term")
        ),
    )
    op.create_index(op.f("ix_guarantee_terms_guarantee_id"), "guarantee_terms", ["guarantee_id"])
    op.create_table(
        "attestations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=19), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("maximum_rent", sa.BigInteger(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("product_code", sa.String(length=50), nullable=False),
        sa.Column("product_version", sa.String(length=20), nullable=False),
        sa.Column("ruleset_version", sa.String(length=50), nullable=False),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("guarantee_id", sa.String(length=36), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "maximum_rent >= 0", name=op.f("ck_attestations_maximum_rent_not_negative")
        ),
        sa.CheckConstraint("valid_until >= issued_on", name=op.f("ck_attestations_validity")),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_attestations_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["guarantee_id"],
            ["guarantees.id"],
            name=op.f("fk_attestations_guarantee_id_guarantees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attestations")),
        sa.UniqueConstraint("number", name=op.f("uq_attestations_number")),
        sa.UniqueConstraint("code", name=op.f("uq_attestations_code")),
        sa.UniqueConstraint("guarantee_id", name=op.f("uq_attestations_guarantee_id")),
    )
    op.create_index(op.f("ix_attestations_status"), "attestations", ["status"])
    op.create_index(op.f("ix_attestations_household_id"), "attestations", ["household_id"])
    op.create_index(op.f("ix_attestations_created_by"), "attestations", ["created_by"])


def downgrade() -> None:
    op.drop_index(op.f("ix_attestations_created_by"), table_name="attestations")
    op.drop_index(op.f("ix_attestations_household_id"), table_name="attestations")
    op.drop_index(op.f("ix_attestations_status"), table_name="attestations")
    op.drop_table("attestations")
    op.drop_index(op.f("ix_guarantee_terms_guarantee_id"), table_name="guarantee_terms")
    op.drop_table("guarantee_terms")
    with op.batch_alter_table("guarantees", schema=None) as batch_op:
        batch_op.drop_column("term_starts_on")
        batch_op.drop_column("term")
