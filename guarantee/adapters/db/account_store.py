"""Accounts' persistence: the account aggregate, its tokens, reset links and login throttle.

Tokens and reset links are stored as SHA-256 digests only: a copy of the database yields
nothing that logs in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from guarantee.adapters.db import tables
from guarantee.adapters.db.repositories import Repository
from guarantee.domain.accounts import Account
from guarantee.domain.errors import NotFound


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AccountRepository(Repository[Account]):
    model = Account
    table = tables.users
    label = "utente"

    def by_username(self, username: str, *, for_update: bool = False) -> Account:
        found = self.find_username(username, for_update=for_update)
        if found is None:
            raise NotFound(self.label, username)
        return found

    def find_username(self, username: str, *, for_update: bool = False) -> Account | None:
        return self._one(("username",), username, for_update)

    def find_email(self, email: str) -> Account | None:
        found = self.session.scalars(
            select(Account).where(self.table.c.email == email).limit(1)
        ).one_or_none()
        if found is not None:
            self.seen.add(found)
        return found


class Tokens:
    """Bearer tokens and page sessions: issued at login, revoked at logout or reset."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def issue(self, user_id: str, now: datetime, ttl: timedelta, *, kind: str = "api") -> str:
        token = secrets.token_urlsafe(32)
        self.session.execute(
            insert(tables.api_tokens).values(
                token_hash=digest(token),
                user_id=user_id,
                created_at=now,
                expires_at=now + ttl,
                kind=kind,
            )
        )
        # Expired tokens are of no use to anyone: sweep them while we are here.
        t = tables.api_tokens.c
        self.session.execute(delete(tables.api_tokens).where(t.expires_at < now))
        return token

    def revoke(self, token: str) -> bool:
        t = tables.api_tokens.c
        result: Any = self.session.execute(
            delete(tables.api_tokens).where(t.token_hash == digest(token))
        )
        return bool(result.rowcount)

    def revoke_all(self, user_id: str) -> None:
        t = tables.api_tokens.c
        self.session.execute(delete(tables.api_tokens).where(t.user_id == user_id))


class PasswordResets:
    """Single-use links to choose a password; a new one voids the ones before it."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, user_id: str, now: datetime, ttl: timedelta) -> str:
        r = tables.password_resets.c
        self.session.execute(
            update(tables.password_resets)
            .where(r.user_id == user_id, r.used_at.is_(None))
            .values(used_at=now)
        )
        token = secrets.token_urlsafe(32)
        self.session.execute(
            insert(tables.password_resets).values(
                token_hash=digest(token), user_id=user_id, created_at=now, expires_at=now + ttl
            )
        )
        return token

    def consume(self, token: str, now: datetime) -> str | None:
        """The account the link is for, once; None if unknown, used or expired."""
        r = tables.password_resets.c
        row = self.session.execute(
            select(r.user_id, r.expires_at, r.used_at)
            .where(r.token_hash == digest(token))
            .with_for_update()
        ).one_or_none()
        if row is None or row.used_at is not None or row.expires_at <= now:
            return None
        self.session.execute(
            update(tables.password_resets).where(r.token_hash == digest(token)).values(used_at=now)
        )
        user_id: str = row.user_id
        return user_id


class LoginThrottle:
    """Failures per key (an account or an address) in a sliding window, locked at a limit.

    One upsert per failure, so two app processes counting at once never lose a failure.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def locked_until(self, keys: list[str], now: datetime) -> datetime | None:
        th = tables.login_throttle.c
        until = self.session.scalars(
            select(th.locked_until).where(th.key.in_(keys), th.locked_until > now)
        ).all()
        return max(until) if until else None

    def fail(
        self, key: str, now: datetime, *, limit: int, window: timedelta, lock: timedelta
    ) -> None:
        table = tables.login_throttle
        dialect = self.session.get_bind().dialect.name
        statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
        statement = statement.values(
            key=key[:200],
            failures=1,
            window_started_at=now,
            locked_until=now + lock if limit <= 1 else None,
        )
        expired = table.c.window_started_at < now - window
        failures = case((expired, 1), else_=table.c.failures + 1)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": failures,
                "window_started_at": case((expired, now), else_=table.c.window_started_at),
                "locked_until": case((failures >= limit, now + lock), else_=table.c.locked_until),
            },
        )
        self.session.execute(statement)

    def clear(self, key: str) -> None:
        th = tables.login_throttle.c
        self.session.execute(delete(tables.login_throttle).where(th.key == key))
