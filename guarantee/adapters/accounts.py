"""The token check of every request: an opaque bearer token, stored as SHA-256, to an actor.

Accounts themselves are changed only through the message bus (services/handlers/accounts).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Connection

from guarantee.adapters.db import raw
from guarantee.domain.actors import Actor, Role

# Every request runs this: one lookup by the token table's primary key, on the driver.
# Revocation and deactivation count at once: nothing is cached between requests. A page
# session's cookie (kind 'session') is not a bearer token.
_ACTOR_FOR_TOKEN = """
SELECT u.id, u.username, u.role, u.landlord_id
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = :token_hash AND t.kind = 'api' AND t.expires_at > :now AND u.active
"""


def actor_for_token(conn: Connection, token: str, now: datetime) -> Actor | None:
    rows = raw.fetch(
        conn,
        _ACTOR_FOR_TOKEN,
        {"token_hash": _digest(token), "now": raw.utc_parameter(conn, now)},
    )
    if not rows:
        return None
    row = rows[0]
    return Actor(
        user_id=row["username"],
        role=Role(row["role"]),
        landlord_id=row["landlord_id"],
        account_id=str(row["id"]),
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
