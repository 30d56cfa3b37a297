"""schemes: each fund says which scheme's eligibility rules it applies

Existing funds apply the default scheme, garanzia-casa, so existing data works unchanged.

Revision ID: 0012
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("funds") as batch:
        batch.add_column(
            sa.Column(
                "scheme", sa.String(length=60), nullable=False, server_default="garanzia-casa"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("funds") as batch:
        batch.drop_column("scheme")
