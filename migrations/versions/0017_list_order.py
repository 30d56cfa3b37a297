"""list order: the claims, mediation cases and attestations lists walk an index in their order

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The three lists became keyset pages: each page is read by walking an index in the list's own
# order from where the last one ended, with or without the filter or the reader's scope.
INDEXES: list[tuple[str, str, list[str]]] = [
    # claims, newest first, by status
    ("ix_claims_status_number", "claims", ["status", "number"]),
    # cases by first-contact deadline: the fund's, a mediator's, by status
    ("ix_mediation_cases_due_number", "mediation_cases", ["first_contact_due", "number"]),
    (
        "ix_mediation_cases_mediator_due",
        "mediation_cases",
        ["mediator_id", "first_contact_due", "number"],
    ),
    (
        "ix_mediation_cases_status_due",
        "mediation_cases",
        ["status", "first_contact_due", "number"],
    ),
    # attestations, latest first: the fund's and a help desk's own
    ("ix_attestations_created_number", "attestations", ["created_at", "number"]),
    (
        "ix_attestations_created_by_created",
        "attestations",
        ["created_by", "created_at", "number"],
    ),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
