"""Guessing passwords against two app processes: they share one count and one lock."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from tests.support.accounts import PASSWORD, open_account
from tests.support.servers import CHEAP_HASHING, app_servers


def test_fifty_wrong_passwords_across_two_processes_lock_the_account(
    system: System, database_url: str, tmp_path: Path
) -> None:
    account = open_account(system, "gestore-bersaglio", Role.FUND_MANAGER)
    # Two processes on one database, started together (their starts overlap).
    with app_servers(2, database_url, tmp_path, **CHEAP_HASHING) as ((first, _), (second, _)):
        answers: Counter[int] = Counter()
        for n in range(50):
            server = first if n % 2 == 0 else second
            answer = httpx.post(
                f"{server}/api/v1/auth/login",
                json={"username": "gestore-bersaglio", "password": f"sbagliata-{n:04d}"},
                timeout=30,
            )
            answers[answer.status_code] += 1
        # Ten failures (the limit) wherever they landed, then the lock for everyone.
        assert answers == {401: 10, 429: 40}, answers
        for server in (first, second):
            right = httpx.post(
                f"{server}/api/v1/auth/login",
                json={"username": "gestore-bersaglio", "password": PASSWORD},
                timeout=30,
            )
            assert right.status_code == 429, right.text
            assert int(right.headers["Retry-After"]) > 60
            assert "troppi tentativi" in right.json()["detail"]
    a = tables.audit_events.c
    with system.engine.connect() as conn:
        reasons = list(
            conn.scalars(
                select(a.reason).where(
                    a.entity_id == account.account_id, a.action == "login_failed"
                )
            )
        )
    assert reasons.count("credenziali errate") == 10
    assert reasons.count("accesso bloccato da troppi tentativi") == 42, "every refusal audited"
