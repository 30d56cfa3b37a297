"""The back office's claim and mediation pages over HTTP: who reaches them, CSRF, four eyes
and form errors beside their field. (The browser journeys are in tests/browser.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.services import commands as c
from guarantee.web.app import create_app
from tests.support.accounts import PASSWORD, open_account
from tests.support.journeys import MANAGER, approved_claim


@dataclass
class World:
    client: TestClient  # type: ignore[type-arg]
    system: System
    claim: str
    case: str


@pytest.fixture
def world(system: System, clock: FixedClock) -> Iterator[World]:
    _, claim = approved_claim(system, clock)  # 4.190,00 € accepted of 4.590,00 €: four eyes
    cl, m, g = tables.claims.c, tables.mediation_cases.c, tables.guarantees.c
    with system.engine.connect() as conn:
        guarantee_id = conn.scalar(select(cl.guarantee_id).where(cl.number == claim))
        case = conn.scalar(select(m.number).where(m.guarantee_id == guarantee_id))
        owner = conn.scalar(select(g.landlord_id).where(g.id == guarantee_id))
    open_account(system, "gestore", Role.FUND_MANAGER)
    open_account(system, "gestore-due", Role.FUND_MANAGER)
    open_account(system, "mediatore-due", Role.MEDIATOR)
    open_account(system, "locatore", Role.LANDLORD, landlord_id=owner)
    open_account(system, "sportello", Role.OPERATOR)
    with TestClient(app=create_app(system)) as client:
        yield World(client, system, claim, str(case))


def log_in(client: TestClient, username: str) -> None:  # type: ignore[type-arg]
    client.cookies.clear()
    form = client.get("/backoffice/accesso")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
    assert token is not None
    answer = client.post(
        "/backoffice/accesso",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def csrf_of(page: Any) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found is not None, "the page has a form"
    return found.group(1)


def claim_status(world: World) -> str:
    with world.system.engine.connect() as conn:
        status: str = conn.scalar(
            select(tables.claims.c.status).where(tables.claims.c.number == world.claim)
        )
    return status


def pages(world: World) -> list[tuple[str, str]]:
    claim, case = f"/backoffice/richieste/{world.claim}", f"/backoffice/casi/{world.case}"
    return [
        ("GET", claim),
        ("GET", f"/backoffice/sinistri/{world.claim}"),
        ("GET", f"{claim}/prove/00000000-0000-0000-0000-000000000000"),
        ("POST", f"{claim}/decidi"),
        ("POST", f"{claim}/respingi"),
        ("POST", f"{claim}/revoca"),
        ("POST", f"{claim}/proponi-pagamento"),
        ("POST", f"{claim}/rifiuta-pagamento"),
        ("POST", f"{claim}/paga"),
        ("POST", f"{claim}/istruttoria"),
        ("GET", "/backoffice/casi"),
        ("GET", case),
        ("POST", f"{case}/primo-contatto"),
        ("POST", f"{case}/incontri"),
        ("POST", f"{case}/note"),
        ("POST", f"{case}/nessun-accordo"),
        ("POST", f"{case}/accordo"),
        ("POST", f"{case}/ritiro"),
        ("POST", f"{case}/chiudi"),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(world: World) -> None:
    for method, path in pages(world):
        answer = world.client.request(method, path, data={}, follow_redirects=False)
        if path.startswith("/backoffice/sinistri/"):
            assert answer.status_code == 301  # the same page under its other name
            continue
        assert answer.status_code == 303, (method, path)
        assert answer.headers["location"].startswith("/backoffice/accesso"), (method, path)


@pytest.mark.parametrize("username", ["locatore", "sportello"])
def test_a_landlord_or_an_operator_is_told_nothing_is_there(world: World, username: str) -> None:
    log_in(world.client, username)
    for method, path in pages(world):
        if path.startswith("/backoffice/sinistri/"):
            continue
        answer = world.client.request(method, path, data={}, follow_redirects=False)
        assert answer.status_code == 404, (username, method, path)
        assert username not in answer.text
    assert claim_status(world) == "partially_approved", "nothing changed"


def test_a_mediator_reaches_only_its_own_cases(world: World) -> None:
    log_in(world.client, "mediatore-due")
    assert world.client.get("/backoffice/casi").text.count(world.case) == 0
    assert world.client.get(f"/backoffice/casi/{world.case}").status_code == 404
    refused = world.client.post(
        f"/backoffice/casi/{world.case}/note", data={"text": "non mia", "csrf_token": "x"}
    )
    assert refused.status_code == 404
    assert world.client.get(f"/backoffice/richieste/{world.claim}").status_code == 404

    log_in(world.client, "mediatore")
    own = world.client.get(f"/backoffice/casi/{world.case}")
    assert own.status_code == 200
    assert "Locatore" in own.text and "Conduttore" in own.text
    assert "ISEE" not in own.text, "a mediator reaches the parties, not the household's means"
    listed = world.client.get("/backoffice/casi")
    assert world.case in listed.text


def test_a_form_without_its_csrf_token_changes_nothing(world: World) -> None:
    log_in(world.client, "gestore")
    forged = world.client.post(
        f"/backoffice/richieste/{world.claim}/revoca", data={"reason": "da un altro sito"}
    )
    assert forged.status_code == 400
    assert "Modulo scaduto" in forged.text
    assert claim_status(world) == "partially_approved"

    log_in(world.client, "mediatore")
    note = world.client.post(
        f"/backoffice/casi/{world.case}/note", data={"text": "x", "csrf_token": "0" * 64}
    )
    assert note.status_code == 400 and "Modulo scaduto" in note.text


def test_a_decision_error_is_shown_beside_its_field_and_keeps_what_was_typed(world: World) -> None:
    world.system.bus.handle(c.RevokeClaimDecision(world.claim, "da rifare"), MANAGER)
    log_in(world.client, "gestore")
    page = world.client.get(f"/backoffice/richieste/{world.claim}")
    assert "Registra la decisione" in page.text
    ids = re.findall(r'name="approved-([0-9a-f-]+)"', page.text)
    assert len(ids) == 4
    data = {"csrf_token": csrf_of(page)}
    for item in ids:
        data[f"approved-{item}"] = "100,00"
        data[f"reason-{item}"] = "oltre il dovuto"
    data[f"reason-{ids[0]}"] = ""
    data[f"approved-{ids[1]}"] = "dieci euro"
    answer = world.client.post(f"/backoffice/richieste/{world.claim}/decidi", data=data)
    assert answer.status_code == 400
    assert re.search(
        rf'id="reason-{ids[0]}-errore"[^>]*>motivare la parte non accolta<', answer.text
    )
    assert re.search(rf'id="approved-{ids[1]}-errore"[^>]*>importo non valido', answer.text)
    assert 'value="dieci euro"' in answer.text, "what was typed stays"
    assert claim_status(world) == "under_review"


def test_four_eyes_the_proposer_is_never_offered_its_own_payment(world: World) -> None:
    log_in(world.client, "gestore")
    page = world.client.get(f"/backoffice/richieste/{world.claim}")
    assert "Proponi il pagamento" in page.text
    with world.system.engine.connect() as conn:
        iban: str = conn.scalar(select(tables.landlords.c.iban))
    shown = page.text.split('id="iban">', 1)[1].split("<", 1)[0]
    assert shown.endswith(iban[-4:]) and iban not in page.text, "the IBAN, its tail readable"
    proposed = world.client.post(
        f"/backoffice/richieste/{world.claim}/proponi-pagamento",
        data={"csrf_token": csrf_of(page)},
    )
    assert proposed.status_code == 200  # after the redirect
    assert "Autorizza e paga" not in proposed.text
    assert "deve autorizzarlo un altro gestore" in proposed.text
    forced = world.client.post(
        f"/backoffice/richieste/{world.claim}/paga",
        data={"csrf_token": csrf_of(proposed), "idempotency_key": "k1"},
    )
    assert forced.status_code == 400
    assert claim_status(world) == "partially_approved", "one's own proposal is never paid"

    log_in(world.client, "gestore-due")
    second = world.client.get(f"/backoffice/richieste/{world.claim}")
    assert "Autorizza e paga" in second.text
    assert "Rifiuta la proposta di pagamento" in second.text
    paid = world.client.post(
        f"/backoffice/richieste/{world.claim}/paga",
        data={"csrf_token": csrf_of(second), "idempotency_key": "k2"},
    )
    assert paid.status_code == 200
    assert claim_status(world) == "paid"
    assert "Pagata" in paid.text and "4.190,00" in paid.text
