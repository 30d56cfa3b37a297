"""Logging in, locks and single-use links, through the real bus over the fake unit of work.

Across two app processes and over HTTP, on the database: tests/integration/test_login_lockout.py
and the accounts feature.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from guarantee.adapters.clock import FixedClock
from guarantee.bootstrap import System
from guarantee.domain.accounts import LoginRefused
from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import DomainError
from guarantee.services import commands as c
from tests.support.accounts import PASSWORD, open_account
from tests.support.builders import MANAGER
from tests.support.fake_uow import FakeStore

ADDRESS = "192.0.2.10"


def login(system: System, username: str, password: str) -> str:
    logged: str = system.bus.handle(
        c.Login(username, password, ADDRESS), Actor.anonymous(ADDRESS)
    ).token
    return logged


def test_ten_wrong_passwords_lock_the_account_even_against_the_right_one(
    fake_system: System, store: FakeStore, clock: FixedClock
) -> None:
    actor = open_account(fake_system, "giulia", Role.FUND_MANAGER)
    for n in range(10):
        with pytest.raises(LoginRefused) as wrong:
            login(fake_system, "giulia", f"sbagliata-{n}")
        assert wrong.value.retry_after_seconds is None

    with pytest.raises(LoginRefused) as locked:
        login(fake_system, "giulia", PASSWORD)

    assert locked.value.retry_after_seconds == 15 * 60 + 1
    reasons = [
        a.reason
        for a in store.audit
        if a.entity_id == actor.account_id and a.action == "login_failed"
    ]
    assert reasons == ["credenziali errate"] * 10 + ["accesso bloccato da troppi tentativi"]
    clock.set(clock.now() + timedelta(minutes=16))
    assert login(fake_system, "giulia", PASSWORD)


def test_an_unknown_user_is_refused_like_a_known_one_and_audited(
    fake_system: System, store: FakeStore
) -> None:
    with pytest.raises(LoginRefused) as refused:
        login(fake_system, "nessuno", PASSWORD)

    assert str(refused.value) == "credenziali non valide"
    assert [(a.entity_id, a.reason) for a in store.audit] == [("sconosciuto", "utente inesistente")]


def test_an_invitation_link_sets_the_password_once(fake_system: System, store: FakeStore) -> None:
    fake_system.bus.handle(
        c.CreateAccount("marco", "Marco Neri", Role.FUND_MANAGER, email="marco@example.it"),
        MANAGER,
    )
    (invited,) = [m for m in store.outbox if m.topic == "account_invited"]
    token = invited.payload["token"]
    anyone = Actor.anonymous(ADDRESS)

    fake_system.bus.handle(c.ResetPassword(token, "una-nuova-password-lunga"), anyone)
    before = store.snapshot()
    with pytest.raises(DomainError) as again:
        fake_system.bus.handle(c.ResetPassword(token, "un-altra-password-lunga"), anyone)

    assert again.value.code == "invalid_reset_link"
    assert store.snapshot() == before
    assert login(fake_system, "marco", "una-nuova-password-lunga")


def test_changing_ones_password_ends_every_login(fake_system: System, store: FakeStore) -> None:
    actor = open_account(fake_system, "anna", Role.MEDIATOR)
    login(fake_system, "anna", PASSWORD)
    login(fake_system, "anna", PASSWORD)
    assert len([t for t in store.tokens.values() if t.user_id == actor.account_id]) == 2

    fake_system.bus.handle(c.ChangePassword(PASSWORD, "la-mia-password-nuova-7"), actor)

    assert [t for t in store.tokens.values() if t.user_id == actor.account_id] == []
    with pytest.raises(LoginRefused):
        login(fake_system, "anna", PASSWORD)
