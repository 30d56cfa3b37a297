"""The back office's fund dashboard, accounts page, people's records and search, through the
real app: who may open each page (everyone else 404, anonymous to the login page), forms
guarded by CSRF with Italian errors beside the field, changes made by the API's commands,
and every opening of a person's record left in the audit trail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.accounts import AccountStatus
from guarantee.domain.actors import Actor, Role
from guarantee.domain.landlords import LandlordKind
from guarantee.read import fund_dashboard
from guarantee.read.funds import fund_figures
from guarantee.services import commands as c
from guarantee.web.app import create_app
from tests.support import builders
from tests.support.accounts import PASSWORD, open_account

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
Client = TestClient  # type: ignore[type-arg]


@dataclass
class World:
    client: Any
    system: System
    fund: str
    guarantee: str
    landlord: str
    household: str
    tenant: str


def log_in(client: Any, username: str) -> str:
    """Log into the back office as a person does; the CSRF token of its forms (or "")."""
    client.cookies.clear()
    form = client.get("/backoffice/accesso").text
    token = CSRF.search(form)
    assert token is not None
    answer = client.post(
        "/backoffice/accesso",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    home = client.get("/backoffice/")
    found = CSRF.search(home.text)
    return found.group(1) if found and home.status_code == 200 else ""


@pytest.fixture
def world(system: System) -> Iterator[World]:
    fund = builders.fund_with(system, Decimal("100000.00"))
    issued = builders.issued_guarantee(system, fund.id, main_tenant=builders.tax_code(7))
    assert issued.number is not None
    open_account(system, "gestore", Role.FUND_MANAGER, email="gestore@example.it")
    open_account(system, "revisore", Role.AUDITOR)
    open_account(system, "mediatore", Role.MEDIATOR)
    open_account(system, "sportello", Role.OPERATOR)
    open_account(system, "locatore", Role.LANDLORD, landlord_id=issued.landlord_id)
    with TestClient(app=create_app(system)) as client:
        yield World(
            client,
            system,
            fund.id,
            issued.number,
            issued.landlord_id,
            issued.household_id,
            builders.tax_code(7),
        )


def _pages(world: World) -> list[str]:
    return [
        "/backoffice/fondo",
        f"/backoffice/fondo/stress?fondo={world.fund}",
        "/backoffice/account",
        "/backoffice/cerca?q=Bianchi",
        f"/backoffice/locatori/{world.landlord}",
        f"/backoffice/nuclei/{world.household}",
    ]


def test_each_new_page_is_there_only_for_the_roles_that_may_see_it(world: World) -> None:
    client = world.client
    expected = {
        "gestore": dict.fromkeys(_pages(world), 200),
        # An auditor reads the fund and people's records; accounts are the managers'.
        "revisore": dict.fromkeys(_pages(world), 200) | {"/backoffice/account": 404},
        "mediatore": dict.fromkeys(_pages(world), 404),
        "sportello": dict.fromkeys(_pages(world), 404),
        "locatore": dict.fromkeys(_pages(world), 404),
    }
    wrong = []
    for username, statuses in expected.items():
        log_in(client, username)
        for path, status in statuses.items():
            answer = client.get(path)
            if answer.status_code != status:
                wrong.append(f"{username} {path}: {answer.status_code}, not {status}")
            elif status == 404 and username in answer.text:
                wrong.append(f"{username} {path}: the 404 names who is logged in")
    client.cookies.clear()
    for path in _pages(world):
        answer = client.get(path, follow_redirects=False)
        if answer.status_code != 303 or "/backoffice/accesso" not in answer.headers["location"]:
            wrong.append(f"anonymous {path}: {answer.status_code}")
    assert wrong == []


def _free_capacity(client: Any) -> str:
    found = re.search(r'id="capienza-libera">([^<]+)<', client.get("/backoffice/fondo").text)
    assert found is not None
    return found.group(1)


def test_the_dashboard_shows_free_capacity_fall_by_the_reserve_of_an_issue(world: World) -> None:
    log_in(world.client, "gestore")
    before = _free_capacity(world.client)
    issued = builders.issued_guarantee(world.system, world.fund)
    after = _free_capacity(world.client)
    with world.system.engine.connect() as conn:
        figures = fund_figures(conn, world.fund)
    reserve = issued.reserve_amount
    assert reserve > 0
    expected_before = figures["free_capacity"] + reserve
    assert _euros(before) == expected_before
    assert _euros(after) == figures["free_capacity"] == expected_before - reserve
    page = world.client.get("/backoffice/fondo").text
    assert 'id="garanzie-in-essere">2<' in page
    assert "<svg" in page and '<title id="grafico-denaro-titolo">' in page
    assert "<script" not in page.split("</main>")[0], "no inline script in the page body"


def _euros(text: str) -> Decimal:
    digits = text.replace("€", "").replace("\u00a0", "").replace(".", "").replace(",", ".")
    return Decimal(digits.strip())


def test_month_by_month_figures_are_the_books_at_each_months_end(
    world: World, clock: FixedClock
) -> None:
    """The dashboard's months, folded from the day totals, agree with the figures as of
    each month's last day (the same books `garanzia fund report --as-of` reads)."""
    system = world.system
    today = clock.today()
    system.bus.handle(
        c.RecordContribution(
            fund_id=world.fund,
            amount=Decimal("2500.00"),
            donor="Comune",
            on=today,
            reference="delibera 3",
        ),
        builders.MANAGER,
    )
    with system.engine.connect() as conn:
        months = fund_dashboard.monthly_figures(conn, world.fund, today=today, months=12)
        for month in months:
            end = min(fund_dashboard.add_months(month.month, 1) - timedelta(days=1), today)
            as_of = fund_figures(conn, world.fund, end)
            assert (month.figures.balance, month.figures.reserved) == (
                as_of["balance"],
                as_of["reserved"],
            ), month.month
            assert month.figures.exposure == as_of["exposure"]
        assert months[-1].figures.balance == fund_figures(conn, world.fund)["balance"]
    assert len(months) == 12 and months[-1].month == date(today.year, today.month, 1)


def test_the_stress_page_runs_the_same_simulation_as_the_command(world: World) -> None:
    log_in(world.client, "revisore")
    answer = world.client.get(
        f"/backoffice/fondo/stress?fondo={world.fund}&orizzonte=6&simulazioni=200&seme=3&nuove=0"
    )
    assert answer.status_code == 200
    rows = re.findall(r"<tr><th scope=\"row\">(\d+)</th>", answer.text)
    assert rows == [str(n) for n in range(1, 7)], "one row per simulated month"
    assert 'id="probabilita-esaurimento"' in answer.text
    bad = world.client.get(f"/backoffice/fondo/stress?fondo={world.fund}&orizzonte=500")
    assert bad.status_code == 400
    assert 'id="orizzonte-errore"' in bad.text and "da 1 a 120" in bad.text
    assert 'value="500"' in bad.text, "what was typed stays in the field"


def test_a_forged_form_changes_nothing(world: World) -> None:
    log_in(world.client, "gestore")
    forged = {"csrf_token": "0" * 64, "email": "altro@example.it", "recapiti_reason": "x"}
    answer = world.client.post(f"/backoffice/locatori/{world.landlord}/recapiti", data=forged)
    assert answer.status_code == 400 and "Modulo scaduto" in answer.text
    account = world.client.post(
        "/backoffice/account/nuovo",
        data={"csrf_token": "", "username": "nuovo", "full_name": "N", "role": "auditor"},
    )
    assert account.status_code == 400 and "Modulo scaduto" in account.text
    with world.system.engine.connect() as conn:
        email = conn.scalar(
            select(tables.landlords.c.email).where(tables.landlords.c.id == world.landlord)
        )
        created = conn.scalar(select(tables.users.c.id).where(tables.users.c.username == "nuovo"))
    assert email != "altro@example.it" and created is None


def test_a_manager_changes_a_landlords_contacts_and_iban_with_errors_beside_the_field(
    world: World,
) -> None:
    csrf = log_in(world.client, "gestore")
    base = f"/backoffice/locatori/{world.landlord}"
    wrong = world.client.post(
        f"{base}/iban", data={"csrf_token": csrf, "iban": "IT00XYZ", "iban_reason": "richiesta"}
    )
    assert wrong.status_code == 400
    error = re.search(r'id="iban-errore"[^>]*>([^<]+)<', wrong.text)
    assert error is not None and "IBAN" in error.group(1).upper()
    assert 'value="IT00XYZ"' in wrong.text, "what was typed stays in the field"
    no_reason = world.client.post(
        f"{base}/recapiti", data={"csrf_token": csrf, "email": "nuova@example.it"}
    )
    assert no_reason.status_code == 400
    assert 'id="recapiti_reason-errore"' in no_reason.text
    assert "indicare il motivo della modifica" in no_reason.text
    done = world.client.post(
        f"{base}/recapiti",
        data={"csrf_token": csrf, "email": "nuova@example.it", "recapiti_reason": "telefonata"},
    )
    assert done.status_code == 200 and "Recapiti aggiornati" in done.text
    changed = world.client.post(
        f"{base}/iban",
        data={
            "csrf_token": csrf,
            "iban": builders.iban(42),
            "iban_reason": "richiesta scritta del locatore",
        },
    )
    assert changed.status_code == 200 and "secondo gestore" in changed.text
    with world.system.engine.connect() as conn:
        row = conn.execute(
            select(tables.landlords).where(tables.landlords.c.id == world.landlord)
        ).one()
    assert row.email == "nuova@example.it"
    assert row.iban == builders.iban(42) and row.iban_changed_on is not None


def test_an_auditor_reads_a_record_but_is_offered_and_allowed_no_change(world: World) -> None:
    csrf = log_in(world.client, "revisore")
    page = world.client.get(f"/backoffice/nuclei/{world.household}")
    assert page.status_code == 200 and "Cambia i recapiti" not in page.text
    answer = world.client.post(
        f"/backoffice/nuclei/{world.household}/recapiti",
        data={
            "csrf_token": csrf,
            "postal_address": "Via Nuova 1",
            "preferred_channel": "post",
            "recapiti_reason": "prova",
        },
    )
    assert answer.status_code == 404


def test_a_manager_changes_a_households_members_and_income(world: World) -> None:
    csrf = log_in(world.client, "gestore")
    base = f"/backoffice/nuclei/{world.household}"
    members = {
        "csrf_token": csrf,
        "rows": "2",
        "m0_full_name": "Anna Bianchi",
        "m0_tax_code": world.tenant,
        "m1_full_name": "Luca Bianchi",
        "m1_tax_code": "CODICE-SBAGLIATO",
        "main": "0",
        "componenti_reason": "nascita",
    }
    wrong = world.client.post(f"{base}/componenti", data=members)
    assert wrong.status_code == 400
    assert 'id="m1_tax_code-errore"' in wrong.text, "the error is beside the second member"
    assert 'value="Luca Bianchi"' in wrong.text
    members["m1_tax_code"] = builders.tax_code(8)
    assert world.client.post(f"{base}/componenti", data=members).status_code == 200
    income = world.client.post(
        f"{base}/reddito",
        data={
            "csrf_token": csrf,
            "net_monthly_income": "1.450,00",
            "valid_from": "25/11/2026",
            "document": "cedolino di novembre",
            "reddito_reason": "nuovo lavoro",
        },
    )
    assert income.status_code == 200, re.findall(r'errore"[^>]*>([^<]+)<', income.text)
    assert "Reddito aggiornato" in income.text
    bad_amount = world.client.post(
        f"{base}/reddito",
        data={"csrf_token": csrf, "net_monthly_income": "tanti", "reddito_reason": "x"},
    )
    assert bad_amount.status_code == 400
    assert "importo non valido" in bad_amount.text
    with world.system.engine.connect() as conn:
        names = set(
            conn.scalars(
                select(tables.household_members.c.full_name).where(
                    tables.household_members.c.household_id == world.household
                )
            )
        )
        net = conn.scalar(
            select(tables.households.c.net_monthly_income).where(
                tables.households.c.id == world.household
            )
        )
    assert names == {"Anna Bianchi", "Luca Bianchi"} and net == Decimal("1450.00")


def test_opening_a_record_found_by_search_is_in_the_audit_trail(world: World) -> None:
    log_in(world.client, "revisore")
    found = world.client.get("/backoffice/cerca", params={"q": "bianchi"})
    assert found.status_code == 200
    link = f"/backoffice/nuclei/{world.household}?da=ricerca"
    assert link in found.text.replace("&amp;", "&")
    by_number = world.client.get("/backoffice/cerca", params={"q": world.guarantee.lower()})
    assert f"/backoffice/garanzie/{world.guarantee}" in by_number.text
    with world.system.engine.connect() as conn:
        tax_code = conn.scalar(
            select(tables.landlords.c.tax_code).where(tables.landlords.c.id == world.landlord)
        )
    by_tax_code = world.client.get("/backoffice/cerca", params={"q": tax_code})
    assert f"/backoffice/locatori/{world.landlord}?da=ricerca" in by_tax_code.text.replace(
        "&amp;", "&"
    )
    a = tables.audit_events.c
    with world.system.engine.connect() as conn:
        before = conn.scalar(select(a.seq).order_by(a.seq.desc()).limit(1))
    assert world.client.get(link).status_code == 200
    world.client.get(f"/backoffice/locatori/{world.landlord}?da=ricerca")
    with world.system.engine.connect() as conn:
        rows = conn.execute(
            select(a.actor_id, a.actor_role, a.entity_type, a.entity_id, a.action, a.after)
            .where(a.seq > before)
            .order_by(a.seq)
        ).all()
    assert [(r.actor_id, r.actor_role, r.entity_type, r.entity_id, r.action) for r in rows] == [
        ("revisore", "auditor", "record_read", world.household, "read_household"),
        ("revisore", "auditor", "record_read", world.landlord, "read_landlord"),
    ]
    assert rows[0].after == {"subject": "household", "via": "ricerca"}


def test_a_record_nobody_holds_is_not_found_and_no_read_is_recorded(world: World) -> None:
    log_in(world.client, "gestore")
    a = tables.audit_events.c
    with world.system.engine.connect() as conn:
        before = conn.scalar(select(a.seq).order_by(a.seq.desc()).limit(1))
    assert world.client.get("/backoffice/nuclei/non-esiste").status_code == 404
    with world.system.engine.connect() as conn:
        assert conn.scalar(select(a.seq).where(a.seq > before).limit(1)) is None


def test_a_manager_opens_disables_enables_and_resets_accounts(world: World) -> None:
    csrf = log_in(world.client, "gestore")
    missing = world.client.post(
        "/backoffice/account/nuovo",
        data={"csrf_token": csrf, "username": "nuova-revisora", "full_name": "Rita", "role": ""},
    )
    assert missing.status_code == 400 and 'id="role-errore"' in missing.text
    assert 'value="nuova-revisora"' in missing.text
    no_landlord = world.client.post(
        "/backoffice/account/nuovo",
        data={
            "csrf_token": csrf,
            "username": "nuovo-locatore",
            "full_name": "Mario",
            "email": "m@example.it",
            "role": "landlord",
            "landlord_tax_code": "RSSMRA80A01H501U",
        },
    )
    assert no_landlord.status_code == 400
    assert 'id="landlord_tax_code-errore"' in no_landlord.text
    created = world.client.post(
        "/backoffice/account/nuovo",
        data={
            "csrf_token": csrf,
            "username": "nuova-revisora",
            "full_name": "Rita Verdi",
            "email": "rita@example.it",
            "role": "auditor",
        },
    )
    assert created.status_code == 200 and "collegamento" in created.text
    no_reason = world.client.post(
        "/backoffice/account/nuova-revisora/disattiva", data={"csrf_token": csrf, "reason": ""}
    )
    assert no_reason.status_code == 400 and "indicare perché" in no_reason.text
    for action, reason in (("disattiva", "fine incarico"), ("attiva", "rientro")):
        answer = world.client.post(
            f"/backoffice/account/nuova-revisora/{action}",
            data={"csrf_token": csrf, "reason": reason},
        )
        assert answer.status_code == 200, answer.text
    reset = world.client.post(
        "/backoffice/account/nuova-revisora/reset",
        data={"csrf_token": csrf, "reason": "password condivisa per errore"},
    )
    assert reset.status_code == 200 and "collegamento" in reset.text
    u, o = tables.users.c, tables.outbox.c
    with world.system.engine.connect() as conn:
        status = conn.scalar(select(u.status).where(u.username == "nuova-revisora"))
        topics = list(conn.scalars(select(o.topic).order_by(o.created_at)))
    assert status == AccountStatus.ACTIVE
    assert "account_invited" in topics and "password_reset_requested" in topics


def test_a_manager_confirms_a_landlords_self_enrolment(world: World) -> None:
    world.system.bus.handle(
        c.EnrolOnline(
            kind=LandlordKind.PERSON,
            name="Carla Neri",
            tax_code=builders.tax_code(31),
            iban=builders.iban(31),
            email="carla@example.it",
            username="carla",
            password="una-password-molto-lunga-7",
            privacy_notice_version=world.system.settings.privacy_notice_version,
            privacy_accepted=True,
        ),
        Actor.anonymous("127.0.0.1"),
    )
    csrf = log_in(world.client, "gestore")
    page = world.client.get("/backoffice/account")
    assert "Iscrizioni da confermare" in page.text and "Carla Neri" in page.text
    answer = world.client.post(
        "/backoffice/account/carla/attiva", data={"csrf_token": csrf, "reason": ""}
    )
    assert answer.status_code == 200
    assert "Iscrizioni da confermare" not in answer.text
    with world.system.engine.connect() as conn:
        status = conn.scalar(
            select(tables.users.c.status).where(tables.users.c.username == "carla")
        )
    assert status == AccountStatus.ACTIVE


def test_the_portfolio_by_state_and_municipality_follows_each_change(world: World) -> None:
    """Counted once and kept, yet a guarantee moving state shows on the next read."""
    second = builders.issued_guarantee(world.system, world.fund)
    assert second.number is not None
    with world.system.engine.connect() as conn:
        first = fund_dashboard.portfolio(conn, world.fund)
    world.system.bus.handle(c.ActivateGuarantee(number=second.number), builders.MANAGER)
    with world.system.engine.connect() as conn:
        after = fund_dashboard.portfolio(conn, world.fund)
        code = conn.scalar(
            select(tables.properties.c.municipality_istat_code).where(
                tables.properties.c.id == second.property_id
            )
        )
    assert first.by_state == [("issued", 2), ("active", 0), ("suspended", 0)]
    assert after.by_state == [("issued", 1), ("active", 1), ("suspended", 0)]
    assert after.by_municipality == [(code, 2)]
    log_in(world.client, "revisore")
    page = world.client.get("/backoffice/fondo").text
    assert re.search(r"In vigore</th><td class=\"text-end\">1<", page)
