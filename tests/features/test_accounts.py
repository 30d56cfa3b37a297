"""Steps for accounts.feature, over HTTP on the real app, with a real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from tests.support import builders
from tests.support.accounts import PASSWORD, open_account
from tests.support.http import api_client, login_as
from tests.support.jobs import run_jobs
from tests.support.servers import Inbox, smtp_server

scenarios("accounts.feature")


@dataclass
class World:
    client: TestClient  # type: ignore[type-arg]
    inbox: Inbox
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    earlier: list[dict[str, str]] = field(default_factory=list)
    link_token: str = ""
    answer: Any = None


@pytest.fixture
def world(system: System) -> Iterator[World]:
    with smtp_server() as (inbox, url):
        system.settings.smtp_url = url
        with api_client(system) as client:
            yield World(client, inbox)


def login(world: World, username: str, password: str) -> Any:
    return world.client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )


def bearer(answer: Any) -> dict[str, str]:
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@given(parsers.parse('the fund manager "{name}" can log in'))
def manager_account(system: System, world: World, name: str) -> None:
    open_account(system, name, Role.FUND_MANAGER, email=f"{name}@example.it")
    world.headers[name] = bearer(login(world, name, PASSWORD))


@given(parsers.parse('the landlord "{name}" can log in'))
def landlord_account(system: System, world: World, name: str) -> None:
    landlord = builders.enrol_landlord(system)
    world.headers[name] = login_as(
        world.client, system, Role.LANDLORD, landlord_id=landlord.id, username=name
    )


@given("a mailbox catches the fund's mail")
def mailbox(world: World) -> None:
    assert world.inbox.accepted == []


@when(
    parsers.parse(
        '"{manager}" opens a mediator account "{username}" for "{full_name}" with email "{email}"'
    )
)
def open_mediator(world: World, manager: str, username: str, full_name: str, email: str) -> None:
    answer = world.client.post(
        "/api/v1/accounts",
        headers=world.headers[manager],
        json={"username": username, "full_name": full_name, "role": "mediator", "email": email},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "active"


@then(parsers.parse('"{address}" receives a mail "{subject}" with a link'))
def mail_with_link(system: System, world: World, address: str, subject: str) -> None:
    run_jobs(system)
    mails = [m for m in world.inbox.accepted if address in str(m["To"])]
    assert [" ".join(str(m["Subject"]).split()) for m in mails] == [subject]
    text = "".join(
        part.get_payload(decode=True).decode()
        for part in mails[0].walk()
        if part.get_content_type() == "text/plain"
    )
    found = re.search(r"/portal/password\?token=([\w-]+)", text)
    assert found is not None, text
    world.link_token = found.group(1)
    with system.engine.connect() as conn:
        payloads = conn.scalars(select(tables.outbox.c.payload)).all()
        kept = conn.scalars(select(tables.outgoing_mails.c.body_text)).all()
    assert all(world.link_token not in str(p) for p in payloads), "the outbox forgot the token"
    assert all(world.link_token not in body for body in kept), "the sent copy keeps no link"
    html = conn_html(system)
    assert html and all(world.link_token not in body for body in html)


def conn_html(system: System) -> list[str]:
    with system.engine.connect() as conn:
        return [b for b in conn.scalars(select(tables.outgoing_mails.c.body_html)) if b]


@then(parsers.parse('"{username}" cannot log in yet'))
@then(parsers.parse('"{username}" cannot log in with her password'))
def cannot_log_in(world: World, username: str) -> None:
    answer = login(world, username, PASSWORD)
    assert answer.status_code == 401 and answer.json()["detail"] == "credenziali non valide"


@when(parsers.parse('the link is used to choose the password "{password}"'))
def use_link(world: World, password: str) -> None:
    world.answer = world.client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": world.link_token, "new_password": password},
    )


@then(parsers.parse('the request is refused on field "{field_name}" because "{reason}"'))
def refused_on_field(world: World, field_name: str, reason: str) -> None:
    assert world.answer.status_code == 422, world.answer.text
    (error,) = world.answer.json()["errors"]
    assert error["field"] == field_name and reason in error["reason"], error


@then(parsers.parse('the request is refused with code "{code}"'))
def refused_with_code(world: World, code: str) -> None:
    assert world.answer.status_code == 409 and world.answer.json()["code"] == code


@then(parsers.parse('"{username}" logs in with "{password}"'))
def logs_in_with(world: World, username: str, password: str) -> None:
    world.headers[username] = bearer(login(world, username, password))
    me = world.client.get("/api/v1/accounts", headers=world.headers[username])
    assert me.status_code in {200, 403}  # the token is accepted; the list is for managers


@then(parsers.parse('"{username}" logs in with her password'))
def logs_in_with_her_password(world: World, username: str) -> None:
    logs_in_with(world, username, PASSWORD)


def audit_actions(system: System, username: str) -> list[str]:
    u, a = tables.users.c, tables.audit_events.c
    with system.engine.connect() as conn:
        account = conn.scalar(select(u.id).where(u.username == username))
        return list(
            conn.scalars(
                select(a.action)
                .where(a.entity_type == "account", a.entity_id == account)
                .order_by(a.seq)
            )
        )


@then(parsers.parse('the audit trail of "{username}" reads "{actions}"'))
def audit_reads(system: System, username: str, actions: str) -> None:
    assert ", ".join(audit_actions(system, username)) == actions


@when(parsers.parse('someone tries {count:d} wrong passwords for "{username}"'))
def wrong_passwords(world: World, count: int, username: str) -> None:
    for n in range(count):
        assert login(world, username, f"sbagliata-{n:04d}").status_code == 401


@then(
    parsers.parse('"{username}" logging in with her password is told to wait {minutes:d} minutes')
)
def told_to_wait(world: World, username: str, minutes: int) -> None:
    answer = login(world, username, PASSWORD)
    assert answer.status_code == 429, answer.text
    assert f"riprovare tra {minutes} minuti" in answer.json()["detail"]
    assert int(answer.headers["Retry-After"]) == minutes * 60 + 1


@when(parsers.parse("{minutes:d} minutes pass"))
def time_passes(clock: FixedClock, minutes: int) -> None:
    clock.set(clock.now() + timedelta(minutes=minutes))


@then(
    parsers.parse(
        'the audit trail of "{username}" counts {failed:d} failed logins, {locked:d} refused '
        "while locked"
    )
)
def failures_audited(system: System, username: str, failed: int, locked: int) -> None:
    a = tables.audit_events.c
    u = tables.users.c
    with system.engine.connect() as conn:
        account = conn.scalar(select(u.id).where(u.username == username))
        reasons = list(
            conn.scalars(select(a.reason).where(a.entity_id == account, a.action == "login_failed"))
        )
    assert reasons.count("credenziali errate") == failed
    assert reasons.count("accesso bloccato da troppi tentativi") == locked


@then(
    parsers.parse(
        'logging in as "{unknown}" with "{any_password}" and as "{known}" with "{wrong}" get '
        "the same answer"
    )
)
def same_answer(world: World, unknown: str, any_password: str, known: str, wrong: str) -> None:
    first, second = login(world, unknown, any_password), login(world, known, wrong)
    assert first.status_code == second.status_code == 401
    assert first.json() == second.json()


@given(parsers.parse('"{username}" has logged in twice'))
def logged_in_twice(world: World, username: str) -> None:
    world.earlier = [bearer(login(world, username, PASSWORD)) for _ in range(2)]


@given(parsers.parse('"{username}" has logged in'))
def logged_in_once(world: World, username: str) -> None:
    world.earlier = [bearer(login(world, username, PASSWORD))]


@when(parsers.parse('"{username}" changes her password to "{password}"'))
def change_password(world: World, username: str, password: str) -> None:
    answer = world.client.post(
        "/api/v1/auth/password",
        headers=world.earlier[0],
        json={"current_password": PASSWORD, "new_password": password},
    )
    assert answer.status_code == 200, answer.text


@then("neither of her earlier logins works any more")
@then(parsers.parse('the earlier login of "{username}" no longer works'))
def earlier_logins_end(world: World, username: str = "") -> None:
    for headers in world.earlier:
        assert world.client.get("/api/v1/guarantees", headers=headers).status_code == 401


@when(parsers.parse('"{manager}" disables "{username}" because "{reason}"'))
def disable(world: World, manager: str, username: str, reason: str) -> None:
    answer = world.client.post(
        f"/api/v1/accounts/{username}/disable",
        headers=world.headers[manager],
        json={"reason": reason},
    )
    assert answer.status_code == 200 and answer.json()["status"] == "disabled", answer.text


@when(parsers.parse('"{manager}" enables "{username}" again'))
def enable(world: World, manager: str, username: str) -> None:
    answer = world.client.post(
        f"/api/v1/accounts/{username}/enable", headers=world.headers[manager], json=None
    )
    assert answer.status_code == 200 and answer.json()["status"] == "active", answer.text


@when(parsers.parse('"{manager}" forces a new password on "{username}" because "{reason}"'))
def force_reset(world: World, manager: str, username: str, reason: str) -> None:
    answer = world.client.post(
        f"/api/v1/accounts/{username}/force-reset",
        headers=world.headers[manager],
        json={"reason": reason},
    )
    assert answer.status_code == 200, answer.text


@then(
    parsers.parse(
        '"{landlord}" may not open an account, and an auditor may list them but not open one'
    )
)
def only_managers(system: System, world: World, landlord: str) -> None:
    auditor = login_as(world.client, system, Role.AUDITOR)
    body = {"username": "nuovo", "full_name": "Nuovo", "role": "mediator", "email": "n@e.it"}
    for headers in (world.headers[landlord], auditor):
        assert world.client.post("/api/v1/accounts", headers=headers, json=body).status_code == 403
    assert world.client.get("/api/v1/accounts", headers=world.headers[landlord]).status_code == 403
    listed = world.client.get("/api/v1/accounts", headers=auditor)
    assert listed.status_code == 200
    assert "password_hash" not in listed.text and "nuovo" not in listed.text
