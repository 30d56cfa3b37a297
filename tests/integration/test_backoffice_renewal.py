"""A fund manager renews a guarantee from the back office: offered on the guarantee page
while it may be renewed, refused beside the form in Italian with what was typed kept, and an
auditor (who acts on nothing) neither sees the form nor gets a forged one through."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.services import commands as c
from guarantee.settings import Settings
from tests.support import builders
from tests.support.accounts import PASSWORD, open_account
from tests.support.http import api_client

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FIELDS = {
    "end": "2032-12-31",
    "monthly_rent": "700,00",
    "monthly_charges": "80,00",
    "registration_reference": "serie 3T n. 4321",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"token_ttl_hours": 24 * 365 * 5})


@dataclass
class World:
    client: TestClient  # type: ignore[type-arg]
    system: System
    number: str

    @property
    def page(self) -> str:
        return f"/backoffice/garanzie/{self.number}"


def _world(system: System, clock: FixedClock, capital: str) -> Iterator[World]:
    fund = builders.fund_with(system, Decimal(capital))
    guarantee = builders.issued_guarantee(system, fund.id, net_monthly_income=Decimal("2100"))
    system.bus.handle(c.ActivateGuarantee(number=guarantee.number), builders.MANAGER)
    open_account(system, "gestore-rinnovi", Role.FUND_MANAGER)
    open_account(system, "revisore", Role.AUDITOR)
    clock.set(datetime(2029, 11, 16, 10, tzinfo=UTC))
    assert guarantee.number is not None
    with api_client(system) as client:
        yield World(client, system, guarantee.number)


@pytest.fixture
def world(system: System, clock: FixedClock) -> Iterator[World]:
    yield from _world(system, clock, "100000.00")


@pytest.fixture
def small_fund(system: System, clock: FixedClock) -> Iterator[World]:
    # 3.840,00 € reserved of 3.900,00 €: 60,00 € free, the renewal at 700,00 € needs 180,00 €.
    yield from _world(system, clock, "3900.00")


def log_in(client: TestClient, username: str) -> None:  # type: ignore[type-arg]
    client.cookies.clear()
    form = client.get("/backoffice/accesso")
    token = CSRF.search(form.text)
    assert token is not None
    answer = client.post(
        "/backoffice/accesso",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def csrf_of(page: Any) -> str:
    found = CSRF.search(page.text)
    assert found is not None, "the page has a form"
    return found.group(1)


def written(world: World) -> tuple[Any, ...]:
    """The guarantee's term and reserve, and how many audit rows and ledger entries exist."""
    g = tables.guarantees.c
    with world.system.engine.connect() as conn:
        term, reserve = conn.execute(
            select(g.term, g.reserve_amount).where(g.number == world.number)
        ).one()
        audit = conn.scalar(select(func.count()).select_from(tables.audit_events))
        entries = conn.scalar(select(func.count()).select_from(tables.journal_entries))
    return term, reserve, audit, entries


def test_a_fund_manager_renews_from_the_guarantee_page(world: World) -> None:
    log_in(world.client, "gestore-rinnovi")
    shown = world.client.get(world.page)
    assert shown.status_code == 200
    assert f"{world.page}/rinnovo" in shown.text and "una volta" in shown.text
    form = world.client.get(f"{world.page}/rinnovo")
    assert form.status_code == 200
    done = world.client.post(
        f"{world.page}/rinnovo",
        data=FIELDS | {"csrf_token": csrf_of(form)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == world.page
    after = world.client.get(world.page).text
    assert "2º, dal 1 gennaio 2030" in after, "the new term"
    assert "Periodi precedenti" in after and "31 dicembre 2029" in after, "the past term kept"
    assert "31 dicembre 2032" in after and "700,00" in after
    assert f"{world.page}/rinnovo" not in after, "renewed once: no second offer"
    assert world.client.get(f"{world.page}/rinnovo").status_code == 404
    term, reserve, *_ = written(world)
    assert term == 2 and reserve == Decimal("4020.00")


def test_an_auditor_is_not_offered_a_renewal_and_a_forged_one_is_refused(world: World) -> None:
    log_in(world.client, "revisore")
    shown = world.client.get(world.page)
    assert shown.status_code == 200
    assert f"{world.page}/rinnovo" not in shown.text
    assert world.client.get(f"{world.page}/rinnovo").status_code == 404
    before = written(world)
    forged = world.client.post(
        f"{world.page}/rinnovo",
        data=FIELDS | {"csrf_token": csrf_of(shown)},  # the auditor's own valid token
        follow_redirects=False,
    )
    assert forged.status_code == 404
    assert written(world) == before


def test_a_wrong_field_is_shown_beside_it_and_what_was_typed_is_kept(world: World) -> None:
    log_in(world.client, "gestore-rinnovi")
    token = csrf_of(world.client.get(f"{world.page}/rinnovo"))
    before = written(world)
    bad = world.client.post(
        f"{world.page}/rinnovo",
        data=FIELDS | {"monthly_rent": "tanto", "csrf_token": token},
        follow_redirects=False,
    )
    assert bad.status_code == 400
    assert re.search(r'id="monthly_rent-errore"[^>]*>importo non valido', bad.text)
    assert 'value="tanto"' in bad.text and 'value="serie 3T n. 4321"' in bad.text
    expired = world.client.post(
        f"{world.page}/rinnovo", data=FIELDS | {"csrf_token": "falso"}, follow_redirects=False
    )
    assert expired.status_code == 400 and "Modulo scaduto" in expired.text
    assert written(world) == before


def test_a_renewal_the_fund_cannot_cover_is_refused_in_italian_and_writes_nothing(
    small_fund: World,
) -> None:
    world = small_fund
    log_in(world.client, "gestore-rinnovi")
    token = csrf_of(world.client.get(f"{world.page}/rinnovo"))
    before = written(world)
    refused = world.client.post(
        f"{world.page}/rinnovo", data=FIELDS | {"csrf_token": token}, follow_redirects=False
    )
    assert refused.status_code == 400
    assert "capienza del fondo insufficiente (servono 180,00 €, disponibili 60,00 €)" in (
        refused.text
    )
    assert 'value="700,00"' in refused.text
    assert written(world) == before


def test_a_renewal_the_rules_send_to_review_needs_the_fund_managers_reason(
    world: World,
) -> None:
    log_in(world.client, "gestore-rinnovi")
    token = csrf_of(world.client.get(f"{world.page}/rinnovo"))
    # 880,00 € on 2.100,00 € a month: above 40%, within 50%: the rules ask for a review.
    higher = FIELDS | {"monthly_charges": "180,00", "csrf_token": token}
    before = written(world)
    asked = world.client.post(f"{world.page}/rinnovo", data=higher, follow_redirects=False)
    assert asked.status_code == 400
    assert re.search(r'id="reason-errore"[^>]*>il rinnovo richiede la verifica', asked.text)
    assert written(world) == before
    reason = "reddito stabile da contratto a tempo indeterminato"
    done = world.client.post(
        f"{world.page}/rinnovo", data=higher | {"reason": reason}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    assert reason in world.client.get(world.page).text, "the reason is in the timeline"
