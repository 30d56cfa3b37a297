"""The fund's staff in a real browser: the dashboard (free capacity falls by the reserve of
an issue), the stress test, search and people's records with their change forms, and the
accounts page. Every page passes axe-core and is photographed at both widths."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from guarantee.bootstrap import bootstrap
from guarantee.domain.actors import Role
from guarantee.services import commands as c
from guarantee.settings import Settings
from tests.browser.conftest import Portal, check_page, log_in
from tests.support import builders
from tests.support.accounts import PASSWORD, open_account


@dataclass(frozen=True)
class Office:
    portal: Portal
    approved: str  # an approved application waiting to be issued
    tenant: str  # its main tenant's name, to search by


@pytest.fixture(scope="module")
def office(portal: Portal) -> Iterator[Office]:
    folder = portal.outbox.parent
    system = bootstrap(
        Settings(
            database_url=f"sqlite:///{folder / 'portal.db'}",
            storage_dir=folder / "storage",
            outbox_dir=folder / "outbox",
            argon2_time_cost=1,
            argon2_memory_kib=1024,
        )
    )
    try:
        landlord = builders.enrol_landlord(system)
        dwelling = builders.add_property(system, landlord.id)
        application = builders.submit_application(
            system,
            dwelling.id,
            members=(c.MemberData("Giulia Ferraris", builders.tax_code(77), None, True),),
        )
        system.bus.handle(
            c.ApproveApplication(number=application.application_number, reason="ok"),
            builders.MANAGER,
        )
        open_account(system, "revisore-fondo", Role.AUDITOR)
        yield Office(portal, application.application_number, "Giulia Ferraris")
    finally:
        system.close()


def back_office_log_in(page: Any, office: Office, username: str) -> None:
    page.goto(f"{office.portal.url}/backoffice/accesso")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _euros(text: str) -> Decimal:
    digits = text.replace("€", "").replace("\u00a0", "").replace(" ", "")
    return Decimal(digits.replace(".", "").replace(",", "."))


def test_a_manager_sees_free_capacity_fall_by_the_reserve_after_issuing(
    page: Any, office: Office
) -> None:
    url = office.portal.url
    back_office_log_in(page, office, "gestore")
    page.click("text=Cruscotto del fondo")
    assert page.locator("h1").inner_text() == "Cruscotto del fondo"
    before = _euros(page.locator("#capienza-libera").inner_text())
    live_before = int(page.locator("#garanzie-in-essere").inner_text())
    assert page.locator("svg[role=img] title").count() >= 6, "every chart has its title"
    assert page.locator("#tabella-mesi tbody tr").count() == 12
    check_page(page, "bo-fondo-01-cruscotto")

    page.goto(f"{url}/backoffice/garanzie/{office.approved}/emissione")
    reserve = _euros(page.locator("#accantonamento").inner_text())
    assert _euros(page.locator("#capacita-dopo").inner_text()) == before - reserve
    page.click("text=Conferma l'emissione")
    assert page.locator("#stato").inner_text() == "Emessa"

    page.goto(f"{url}/backoffice/fondo")
    assert _euros(page.locator("#capienza-libera").inner_text()) == before - reserve
    assert int(page.locator("#garanzie-in-essere").inner_text()) == live_before + 1

    page.click("text=Apri la prova di stress")
    page.fill("#orizzonte", "200")
    page.click("text=Esegui la prova")
    assert page.locator("#orizzonte-errore").inner_text() == "scrivere un numero intero da 1 a 120"
    check_page(page, "bo-fondo-02-stress-errore")
    page.fill("#orizzonte", "12")
    page.fill("#simulazioni", "300")
    page.click("text=Esegui la prova")
    assert page.locator("#tabella-stress tbody tr").count() == 12
    assert "%" in page.locator("#probabilita-esaurimento").inner_text()
    check_page(page, "bo-fondo-03-stress")


def test_a_manager_finds_a_household_and_its_landlord_and_keeps_them_current(
    page: Any, office: Office
) -> None:
    back_office_log_in(page, office, "gestore")
    page.click("nav >> text=Cerca")
    page.fill("#q", "ferraris")
    page.click("form[role=search] button")
    assert office.tenant in page.locator("#risultati ~ ul").first.inner_text()
    check_page(page, "bo-fondo-04-ricerca")

    page.click(f"text={office.tenant}")
    assert page.locator("h1").inner_text() == f"Nucleo familiare di {office.tenant}"
    check_page(page, "bo-fondo-05-nucleo")
    page.select_option("#preferred_channel", "email")
    page.fill("#email", "")
    page.fill("#recapiti_reason", "la famiglia preferisce la posta elettronica")
    page.click("text=Salva i recapiti")
    assert "indicare l'indirizzo" in page.locator("#email-errore").inner_text()
    assert page.locator("#recapiti_reason").input_value().startswith("la famiglia")
    check_page(page, "bo-fondo-06-nucleo-errore")
    page.fill("#email", "famiglia.ferraris@example.it")
    page.click("text=Salva i recapiti")
    assert "Recapiti aggiornati" in page.content()

    page.goto(f"{office.portal.url}/backoffice/cerca?q={office.approved}")
    page.locator("a[href*='/backoffice/locatori/']").first.click()
    assert page.locator("h1").inner_text().startswith("Locatore ")
    page.fill("#iban", "IT00 NON VALIDO")
    page.fill("#iban_reason", "richiesta del locatore")
    page.click('button:has-text("Cambia l\'IBAN")')
    assert page.locator("#iban-errore").is_visible()
    assert page.locator("#iban").input_value() == "IT00 NON VALIDO"
    check_page(page, "bo-fondo-07-locatore-errore")


def test_a_manager_opens_an_account_and_an_auditor_has_no_accounts_page(
    page: Any, office: Office
) -> None:
    back_office_log_in(page, office, "gestore")
    page.goto(f"{office.portal.url}/backoffice/account")
    assert page.locator("h1").inner_text() == "Account"
    check_page(page, "bo-fondo-08-account")
    page.fill("#username", "nuovo-mediatore")
    page.fill("#full_name", "Paolo Neri")
    page.fill("#email", "paolo@example.it")
    page.select_option("#role", "mediator")
    page.click("text=Apri l'account e invia l'invito")
    assert "Account aperto" in page.content()
    assert page.locator("#stato-nuovo-mediatore").inner_text() == "Attivo"

    back_office_log_in(page, office, "revisore-fondo")
    answer = page.goto(f"{office.portal.url}/backoffice/account")
    assert answer is not None and answer.status == 404
    page.goto(f"{office.portal.url}/backoffice/fondo")
    assert page.locator("h1").inner_text() == "Cruscotto del fondo"


def test_a_landlord_finds_none_of_these_pages(page: Any, office: Office) -> None:
    log_in(page, office.portal, "locatore-a")
    for path in ("/backoffice/fondo", "/backoffice/cerca", "/backoffice/account"):
        answer = page.goto(f"{office.portal.url}{path}")
        assert answer is not None and answer.status == 404, path
        assert re.search("locatore-a", page.content()) is None
