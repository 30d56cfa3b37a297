"""Page sessions: a server-side session behind an HttpOnly cookie, and its CSRF token.

The cookie holds an opaque token whose SHA-256 is a row of ``api_tokens`` of kind
``session`` (so logout, password changes and disabled accounts end it like a bearer token);
every login issues a new one. The CSRF token of a form is derived from the session token
with a keyed hash: a page from another site can neither read it nor compute it.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar import Request, Response
from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.actors import Actor, Role

COOKIE = "gc_session"
CSRF_FIELD = "csrf_token"


def session_token(request: Request[Any, Any, Any]) -> str | None:
    token = request.cookies.get(COOKIE)
    return token if token and len(token) < 200 else None


def actor_for_session(conn: Connection, token: str, now: Any) -> Actor | None:
    t, u = tables.api_tokens.c, tables.users.c
    row = conn.execute(
        select(u.id, u.username, u.role, u.landlord_id)
        .select_from(tables.api_tokens.join(tables.users, t.user_id == u.id))
        .where(
            t.token_hash == hashlib.sha256(token.encode()).hexdigest(),
            t.kind == "session",
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


def csrf_token(token: str) -> str:
    return hmac.new(token.encode(), b"garanzia-casa csrf", hashlib.sha256).hexdigest()


def csrf_ok(token: str | None, submitted: str | None) -> bool:
    if not token or not submitted:
        return False
    return hmac.compare_digest(csrf_token(token), submitted)


def start(response: Response[Any], token: str, *, secure: bool, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        secure=secure,
        samesite="lax",
    )


def end(response: Response[Any], *, secure: bool) -> None:
    response.delete_cookie(COOKIE, path="/")
