"""User accounts and API tokens: argon2 password hashes, opaque tokens stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import Connection, delete, insert, select

from guarantee.adapters.db import raw, tables
from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import Conflict, InvalidField

_hasher = PasswordHash.recommended()
# Verifying against a dummy hash when the user is unknown keeps the timing of both failures alike.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 12


def create_user(
    conn: Connection,
    *,
    username: str,
    password: str,
    role: Role,
    full_name: str,
    now: datetime,
    landlord_id: str | None = None,
) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidField("password", f"almeno {MIN_PASSWORD_LENGTH} caratteri")
    if role is Role.LANDLORD and landlord_id is None:
        raise InvalidField("landlord_id", "un utente locatore va collegato al suo locatore")
    u = tables.users.c
    if conn.scalar(select(u.id).where(u.username == username)) is not None:
        raise Conflict(f"utente già esistente: {username}")
    user_id = str(uuid.uuid4())
    conn.execute(
        insert(tables.users).values(
            id=user_id,
            username=username,
            password_hash=_hasher.hash(password),
            role=role,
            full_name=full_name,
            landlord_id=landlord_id,
            active=True,
            created_at=now,
        )
    )
    return user_id


def login(
    conn: Connection, username: str, password: str, now: datetime, ttl: timedelta
) -> str | None:
    """A new bearer token, or None when the username or password is wrong."""
    u = tables.users.c
    row = conn.execute(
        select(u.id, u.password_hash, u.active).where(u.username == username)
    ).one_or_none()
    if row is None:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    if not _hasher.verify(password, row.password_hash) or not row.active:
        return None
    token = secrets.token_urlsafe(32)
    conn.execute(
        insert(tables.api_tokens).values(
            token_hash=_digest(token), user_id=row.id, created_at=now, expires_at=now + ttl
        )
    )
    conn.execute(delete(tables.api_tokens).where(tables.api_tokens.c.expires_at < now))
    return token


# Every request runs this: one lookup by the token table's primary key, on the driver.
# Revocation and deactivation count at once: nothing is cached between requests.
_ACTOR_FOR_TOKEN = """
SELECT u.id, u.username, u.role, u.landlord_id
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = :token_hash AND t.expires_at > :now AND u.active
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
