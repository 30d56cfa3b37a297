"""The token check of every request: an opaque bearer token, stored as SHA-256, to an actor.

Accounts themselves are changed only through the message bus (services/handlers/accounts).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.actors import Actor, Role


def actor_for_token(conn: Connection, token: str, now: datetime) -> Actor | None:
    t, u = tables.api_tokens.c, tables.users.c
    row = conn.execute(
        select(u.id, u.username, u.role, u.landlord_id)
        .select_from(tables.api_tokens.join(tables.users, t.user_id == u.id))
        .where(
            t.token_hash == _digest(token),
            t.kind == "api",  # a page session's cookie is not a bearer token
            t.expires_at > now,
            u.active.is_(True),
        )
    ).one_or_none()
    if row is None:
        return None
    return Actor(
        user_id=row.username,
        role=Role(row.role),
        landlord_id=row.landlord_id,
        account_id=str(row.id),
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
