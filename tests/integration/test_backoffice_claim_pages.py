"""The back office's claim and mediation pages over HTTP: who reaches them, CSRF, four eyes
and form errors beside their field. (The browser journeys are in tests/browser.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
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
from tests.support.journeys import MANAGER, approved_claim, at


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
    assert iban not in paid.text, "paid to the IBAN shown masked, as before"
    trail = paid.text.split('id="cronologia"', 1)[1]
    assert "<strong>Pagamento proposto</strong>, da gestore (gestore del Fondo)" in trail
    assert "<strong>Pagamento disposto</strong>, da gestore-due (gestore del Fondo)" in trail


def test_a_second_manager_refuses_a_proposal_and_the_decision_can_be_revoked(
    world: World,
) -> None:
    log_in(world.client, "gestore")
    page = world.client.get(f"/backoffice/richieste/{world.claim}")
    world.client.post(
        f"/backoffice/richieste/{world.claim}/proponi-pagamento",
        data={"csrf_token": csrf_of(page), "note": "controllare le spese legali"},
    )
    log_in(world.client, "gestore-due")
    page = world.client.get(f"/backoffice/richieste/{world.claim}")
    empty = world.client.post(
        f"/backoffice/richieste/{world.claim}/rifiuta-pagamento",
        data={"csrf_token": csrf_of(page), "reason": "  "},
    )
    assert empty.status_code == 400
    assert re.search(r'id="reason-refuse_payment-errore"[^>]*>indicare la motivazione<', empty.text)
    refused = world.client.post(
        f"/backoffice/richieste/{world.claim}/rifiuta-pagamento",
        data={"csrf_token": csrf_of(page), "reason": "parcella dell'avvocato da verificare"},
    )
    assert refused.status_code == 200
    assert "Pagamento proposto da" not in refused.text
    assert "Proponi il pagamento" in refused.text, "the decision stands: it can be proposed again"
    revoked = world.client.post(
        f"/backoffice/richieste/{world.claim}/revoca",
        data={"csrf_token": csrf_of(refused), "reason": "rivedere la decisione"},
    )
    assert revoked.status_code == 200
    assert claim_status(world) == "under_review"
    assert "Registra la decisione" in revoked.text and "Revoca la decisione" not in revoked.text


def _open_case(world: World, clock: FixedClock) -> str:
    """A new arrears case, on another guarantee, assigned to ``mediatore``."""
    from datetime import date

    from tests.support.journeys import guarantee

    _, number, _ = guarantee(world.system)
    case = world.system.bus.handle(
        c.ReportArrears(number, (c.UnpaidRentData(date(2027, 6, 5), Decimal("650")),)), MANAGER
    ).case
    with world.system.engine.connect() as conn:
        mediator = conn.scalar(
            select(tables.users.c.id).where(tables.users.c.username == "mediatore")
        )
    if case.mediator_id != str(mediator):
        world.system.bus.handle(
            c.AssignMediationCase(str(case.number), str(mediator), "a lei"), MANAGER
        )
    return str(case.number)


def test_a_mediator_records_an_agreement_with_its_plan_and_a_missed_instalment(
    world: World, clock: FixedClock
) -> None:
    case = _open_case(world, clock)
    log_in(world.client, "mediatore")
    page = world.client.get(f"/backoffice/casi/{case}")
    assert "Accordo raggiunto" not in page.text, "no agreement before the first contact"
    page = world.client.post(
        f"/backoffice/casi/{case}/primo-contatto",
        data={"csrf_token": csrf_of(page), "on": "20/07/2027", "note": "telefonata"},
    )
    assert "In corso" in page.text and "telefonata" in page.text

    wrong = world.client.post(
        f"/backoffice/casi/{case}/accordo",
        data={
            "csrf_token": csrf_of(page),
            "on": "2027-07-20",
            "reason": "restituzione in due rate",
            "total": "1.300,00",
            "instalments": "0",
            "first_due_on": "",
        },
    )
    assert wrong.status_code == 400
    assert re.search(
        r'id="reach_agreement-instalments-errore"[^>]*>indicare un numero di rate da 1 in su<',
        wrong.text,
    )
    assert re.search(
        r'id="reach_agreement-first_due_on-errore"[^>]*>campo obbligatorio<', wrong.text
    )
    assert 'value="1.300,00"' in wrong.text, "what was typed stays"

    agreed = world.client.post(
        f"/backoffice/casi/{case}/accordo",
        data={
            "csrf_token": csrf_of(page),
            "on": "2027-07-20",
            "reason": "restituzione in due rate",
            "total": "1.300,00",
            "instalments": "2",
            "first_due_on": "2027-08-05",
        },
    )
    assert agreed.status_code == 200, re.findall(r'role="alert">([^<]+)<', agreed.text)
    assert "Accordo raggiunto" in agreed.text
    instalments = re.findall(r'action="/backoffice/casi/[^/]+/rate/([0-9a-f-]+)"', agreed.text)
    assert len(set(instalments)) == 2 and agreed.text.count("650,00") >= 2
    early = world.client.post(
        f"/backoffice/casi/{case}/rate/{instalments[0]}",
        data={"csrf_token": csrf_of(agreed), "paid": "no"},
    )
    assert early.status_code == 400, "an instalment not yet due cannot be missed"
    assert "non è ancora scaduta: non può risultare non pagata" in early.text
    at(clock, "2027-08-10")
    log_in(world.client, "mediatore")
    page = world.client.get(f"/backoffice/casi/{case}")
    missed = world.client.post(
        f"/backoffice/casi/{case}/rate/{instalments[0]}",
        data={"csrf_token": csrf_of(page), "paid": "no"},
    )
    assert missed.status_code == 200
    assert "Accordo non rispettato" in missed.text
    trail = missed.text.split('id="cronologia"', 1)[1]
    assert "<strong>Accordo raggiunto</strong>, da mediatore" in trail
    assert "restituzione in due rate" in trail
