"""accounts as use cases: status, email, login throttle, password resets, sessions

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_USER_COLUMNS = [
    sa.Column("status", sa.String(length=32), nullable=False, server_default="active"),
    sa.Column("email", sa.String(length=200), nullable=True),
    sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("privacy_notice_version", sa.String(length=20), nullable=True),
    sa.Column("privacy_accepted_at", sa.DateTime(timezone=True), nullable=True),
]
_TOKEN_COLUMNS = [
    sa.Column("kind", sa.String(length=16), nullable=False, server_default="api"),
]


def upgrade() -> None:
    for column in _USER_COLUMNS:
        op.add_column("users", column)
    op.execute("UPDATE users SET status = CASE WHEN active THEN 'active' ELSE 'disabled' END")
    for column in _TOKEN_COLUMNS:
        op.add_column("api_tokens", column)
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_table(
        "password_resets",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_password_resets_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_password_resets")),
    )
    op.create_index(
        op.f("ix_password_resets_user_id"), "password_resets", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_password_resets_user_id"), table_name="password_resets")
    op.drop_table("password_resets")
    op.drop_table("login_throttle")
    for column in reversed(_TOKEN_COLUMNS):
        op.execute(f"ALTER TABLE api_tokens DROP COLUMN {column.name}")
    for column in reversed(_USER_COLUMNS):
        op.execute(f"ALTER TABLE users DROP COLUMN {column.name}")
