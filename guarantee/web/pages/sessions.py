"""Page sessions: a server-side session behind an HttpOnly cookie, and its CSRF token.

The cookie holds an opaque token whose SHA-256 is a row of ``api_tokens`` of kind
``session`` (so logout, password changes and disabled accounts end it like a bearer token);
every login issues a new one. The CSRF token of a form is derived from the session token
with a keyed hash: a page from another site can neither read it nor compute it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.response import Redirect
from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.accounts import LoginRefused
from guarantee.domain.actors import Actor, Role
from guarantee.services import commands as c

COOKIE = "gc_session"
CSRF_FIELD = "csrf_token"
# Before a session exists, forms are guarded by this cookie and the token derived from it.
PRELOGIN = "gc_prelogin"


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


def secure_cookies(request: Request[Any, Any, Any], system: System) -> bool:
    """Cookies only over HTTPS when the app is reached over HTTPS (behind a TLS proxy the
    scheme comes from its headers) or is published at an https address."""
    return request.url.scheme == "https" or system.settings.base_url.startswith("https://")


def csrf_token(token: str) -> str:
    return hmac.new(token.encode(), b"garanzia-casa csrf", hashlib.sha256).hexdigest()


def csrf_ok(token: str | None, submitted: str | None) -> bool:
    if not token or not submitted:
        return False
    return hmac.compare_digest(csrf_token(token), submitted)


# What a form whose CSRF token does not match is told, wherever it was sent from.
FORM_EXPIRED = "Modulo scaduto: ricaricare la pagina e riprovare."


def form_csrf_ok(token: str | None, data: Mapping[str, Any]) -> bool:
    """Whether a submitted form carries the CSRF token of the session (or pre-login) ``token``."""
    return csrf_ok(token, str(data.get(CSRF_FIELD, "")))


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


def guard_form(
    response: Response[Any],
    nonce: str,
    request: Request[Any, Any, Any],
    system: System,
    *,
    area: str,
    cookie: str = PRELOGIN,
) -> None:
    """The pre-login cookie a public form of ``area`` is checked against (strictly same-site,
    never readable by scripts)."""
    response.set_cookie(
        cookie,
        nonce,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request, system),
        path=area,
    )


def end(response: Response[Any], *, secure: bool) -> None:
    response.delete_cookie(COOKIE, path="/")


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of a login form: a redirect carrying the new session, or the message to
    show beside the form (the password is never sent back)."""

    redirect: Response[Any] | None
    message: str


def log_in_from_form(
    request: Request[Any, Any, Any],
    system: System,
    values: dict[str, str],
    submitted_csrf: str,
    *,
    area: str,
    next_path: str,
    prelogin_cookie: str = PRELOGIN,
    homes: Mapping[Role, str] | None = None,
) -> LoginAttempt:
    """One login for every area (portal, back office): the pre-login token, the Login
    command through the bus, a fresh session cookie; ``next_path`` stays inside ``area`` or
    one of the roles' ``homes`` (a help desk's pages live beside the back office), and a role
    with a home of its own lands there when nothing else was asked for."""
    nonce = request.cookies.get(prelogin_cookie)
    homes = homes or {}
    if not next_path.startswith((area, *homes.values())):
        next_path = f"{area}/"  # never an open redirect
    if not csrf_ok(nonce, submitted_csrf):
        return LoginAttempt(None, FORM_EXPIRED)
    address = request.client.host if request.client else "sconosciuto"
    try:
        done = system.bus.handle(
            c.Login(
                values.get("username", ""), values.get("password", ""), address, kind="session"
            ),
            Actor.anonymous(address),
        )
    except LoginRefused as refused:
        if refused.retry_after_seconds is None:
            return LoginAttempt(None, "Nome utente o password non corretti.")
        minutes = max(1, round(refused.retry_after_seconds / 60))
        return LoginAttempt(None, f"Troppi tentativi di accesso: riprovare tra {minutes} minuti.")
    if next_path == f"{area}/" and done.role in homes:
        next_path = homes[done.role]
    redirect: Response[Any] = Redirect(path=next_path, status_code=303)
    start(
        redirect,
        done.token,
        secure=secure_cookies(request, system),
        max_age=system.settings.token_ttl_hours * 3600,
    )
    redirect.delete_cookie(prelogin_cookie, path=area)
    return LoginAttempt(redirect, "")
