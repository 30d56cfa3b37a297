"""Issue 15's two journeys in a real browser on `garanzia serve`.

A fund manager finds the application the rules sent to review, reads why, approves and
issues it (the reserve it takes and the capacity left shown before confirming), decides a
claim in part and proposes its payment; a second fund manager authorises and pays it (four
eyes: above the product's threshold the first is never offered its own proposal). A mediator
sees its overdue case first, makes the first contact, schedules a meeting and records who
came, records that no agreement was reached and closes the case: the arrears claim that
waited for the mediation is then the fund manager's to decide. Every page passes axe-core
and is photographed at both widths.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from guarantee.bootstrap import bootstrap
from guarantee.domain.actors import Role
from guarantee.domain.cover import ItemKind
from guarantee.domain.receipts import ReceiptChannel
from guarantee.services import commands as c
from guarantee.settings import Settings
from tests.browser.conftest import Portal, _months_ago, check_page
from tests.support import builders
from tests.support.accounts import PASSWORD, open_account


@dataclass(frozen=True)
class Journeys:
    portal: Portal
    application: str  # needs review
    damages_claim: str  # 2.500,00 € of damages, with a photo, on a live guarantee
    overdue_case: str  # first contact due days ago
    recent_case: str  # opened today
    waiting_claim: str  # an arrears claim waiting for the overdue case's mediation


def _today() -> date:
    return datetime.now(ZoneInfo("Europe/Rome")).date()


def _fifth_before(day: date) -> date:
    """The latest 5th of a month strictly before ``day``'s month's 5th (a rent due date)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, 5)


@pytest.fixture(scope="module")
def journeys(portal: Portal) -> Iterator[Journeys]:
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
        today = _today()
        start = _months_ago(today, 7)
        lease = builders.lease(start=start, end=date(start.year + 3, start.month, 1))
        open_account(system, "gestore-due", Role.FUND_MANAGER)
        open_account(system, "mediatrice", Role.MEDIATOR)  # the only one: every case is hers

        landlord = builders.enrol_landlord(system)
        dwelling = builders.add_property(system, landlord.id)
        application = builders.submit_application(system, dwelling.id, isee=Decimal("30000.00"))
        assert application.status.value == "needs_review"

        fund = builders.fund_with(system, Decimal("100000.00"))
        numbers = []
        for _ in range(3):
            issued = builders.issued_guarantee(system, fund.id, lease_data=lease)
            assert issued.number is not None
            system.bus.handle(c.ActivateGuarantee(number=issued.number), builders.MANAGER)
            numbers.append(issued.number)

        photo = c.EvidenceUpload("danni-cucina.jpg", "image/jpeg", b"\xff\xd8\xff foto dei danni")
        damages = system.bus.handle(
            c.FileClaim(
                numbers[0],
                (c.ClaimItemData(ItemKind.DAMAGES, today, Decimal("2500.00"), "cucina"),),
                (photo,),
            ),
            builders.MANAGER,
        )

        recent = system.bus.handle(
            c.ReportArrears(numbers[1], (c.UnpaidRentData(_fifth_before(today), Decimal("650")),)),
            builders.MANAGER,
        ).case
        reported_on = today - timedelta(days=25)
        rent_due = _fifth_before(reported_on)
        overdue = system.bus.handle(
            c.ReportArrears(
                numbers[2],
                (c.UnpaidRentData(rent_due, Decimal("650")),),
                received=c.ReceiptData(reported_on, ReceiptChannel.POST, "raccomandata 1"),
            ),
            builders.MANAGER,
        ).case
        waiting = system.bus.handle(
            c.FileClaim(numbers[2], (c.ClaimItemData(ItemKind.ARREARS, rent_due, Decimal("650")),)),
            builders.MANAGER,
        )
        system.bus.handle(c.StartClaimReview(waiting.number), builders.MANAGER)
        yield Journeys(
            portal,
            application.application_number,
            damages.number,
            str(overdue.number),
            str(recent.number),
            waiting.number,
        )
    finally:
        system.close()


def log_in(page: Any, journeys: Journeys, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{journeys.portal.url}/backoffice/accesso")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_fund_manager_issues_an_application_and_two_managers_pay_a_claim_in_part(
    page: Any, journeys: Journeys
) -> None:
    url = journeys.portal.url
    log_in(page, journeys, "gestore")
    page.click('a[href="/backoffice/coda/domande"]')
    page.click(f"text={journeys.application}")
    rules = page.locator("#ammissibilita + p + div table").inner_text()
    assert "ISEE del nucleo fino a 26.000 €" in rules and "Da verificare" in rules
    page.fill("#reason-approva", "ISEE verificato sull'attestazione aggiornata")
    page.click("text=Approva la domanda")
    assert page.locator("#stato").inner_text() == "Approvata"
    page.click("text=Emetti la garanzia")
    reserve = page.locator("#accantonamento").inner_text()
    after = page.locator("#capacita-dopo").inner_text()
    assert reserve.endswith("€") and after.endswith("€")
    page.click("text=Conferma l'emissione")
    assert page.locator("#stato").inner_text() == "Emessa"

    page.goto(f"{url}/backoffice/coda/richieste")
    page.click(f"text={journeys.damages_claim}")
    assert page.locator("h1").inner_text() == f"Richiesta di escussione {journeys.damages_claim}"
    checks = page.locator("#verifiche + div table").inner_text()
    assert "Entro la copertura residua per danni all'alloggio" in checks
    assert "richiesti 2.500,00 €, residui 3.000,00 €" in checks
    with page.expect_download() as download:
        page.click("text=danni-cucina.jpg")
    assert download.value.suggested_filename == "danni-cucina.jpg"
    page.click("text=Avvia l'istruttoria")
    assert page.locator("#stato").inner_text() == "In istruttoria"
    check_page(page, "bo-20-richiesta-istruttoria")

    amount = page.locator("input[name^=approved-]")
    assert amount.input_value() == "2500.00", "the suggestion: what the cover allows"
    amount.fill("1500,00")
    page.click("text=Registra la decisione")
    reason = page.locator("input[name^=reason-]")
    assert page.locator(".invalid-feedback").inner_text() == "motivare la parte non accolta"
    assert amount.input_value() == "1500,00", "what was typed stays"
    check_page(page, "bo-21-richiesta-errore")
    reason.fill("il preventivo del falegname supera il danno documentato")
    page.click("text=Registra la decisione")
    assert page.locator("#stato").inner_text() == "Accolta in parte"
    assert page.locator("#accolto").inner_text() == "1.500,00\u00a0€"

    pay_form = page.locator("form[action$='/paga']")
    assert pay_form.count() == 0, "above 1.000,00 € one manager alone cannot pay"
    page.click("text=Proponi il pagamento")
    assert "deve autorizzarlo un altro gestore" in page.content()
    assert pay_form.count() == 0, "never one's own proposal"
    check_page(page, "bo-22-richiesta-proposta")

    log_in(page, journeys, "gestore-due")
    page.click('a[href="/backoffice/coda/pagamenti"]')
    page.click(f"text={journeys.damages_claim}")
    assert re.fullmatch(r"[* ]+[0-9A-Z]{4}", page.locator("#iban").inner_text()), "masked IBAN"
    check_page(page, "bo-23-richiesta-autorizzazione")
    page.click("text=Autorizza e paga")
    assert page.locator("#stato").inner_text() == "Pagata"
    assert page.locator("#pagato").inner_text() == "1.500,00\u00a0€"
    check_page(page, "bo-24-richiesta-pagata")


def test_a_mediator_handles_the_overdue_case_and_the_claim_becomes_the_funds_to_decide(
    page: Any, journeys: Journeys
) -> None:
    url = journeys.portal.url
    log_in(page, journeys, "mediatrice")
    assert page.locator("h1").inner_text() == "Le mie pratiche"
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    first = rows.nth(0).inner_text()
    assert journeys.overdue_case in first and "In ritardo" in first, "the overdue case first"
    assert "giorni lavorativi" in first
    assert journeys.recent_case in rows.nth(1).inner_text()
    check_page(page, "bo-30-mie-pratiche")

    page.click(f"text={journeys.overdue_case}")
    assert page.locator("h1").inner_text() == f"Pratica di mediazione {journeys.overdue_case}"
    assert "Conduttore" in page.content() and "ISEE" not in page.content()
    check_page(page, "bo-31-pratica")
    page.click("text=Registra il primo contatto")
    assert page.locator("#stato").inner_text() == "In corso"

    today = _today().isoformat()
    page.fill("#schedule_meeting-on", today)
    page.fill("#schedule_meeting-place", "Sportello Casa, Via Jervis 22, Ivrea")
    page.click("text=Fissa l'incontro")
    assert page.locator("#schedule_meeting-at-errore").inner_text() == "campo obbligatorio"
    assert page.locator("#schedule_meeting-place").input_value().startswith("Sportello Casa")
    check_page(page, "bo-32-pratica-errore")
    page.fill("#schedule_meeting-at", "10:30")
    page.fill("#schedule_meeting-participants", "locatore, conduttore, assistente sociale")
    page.click("text=Fissa l'incontro")
    meeting_id = page.locator("input[name=attended]").get_attribute("id")
    assert meeting_id is not None
    page.fill(f"#{meeting_id}", "conduttore, assistente sociale")
    page.locator("textarea[name=notes]").first.fill("Il locatore non si è presentato.")
    page.click("text=Registra l'incontro")
    meetings = page.locator("#incontri + div table").inner_text()
    assert "conduttore, assistente sociale" in meetings and "non si è presentato" in meetings

    page.fill("#record_no_agreement-reason", "il conduttore non può pagare gli arretrati")
    page.click("text=Registra nessun accordo")
    assert page.locator("#stato").inner_text() == "Nessun accordo"
    page.click("text=Chiudi la pratica")
    assert page.locator("#stato").inner_text() == "Chiusa"
    check_page(page, "bo-33-pratica-chiusa")

    log_in(page, journeys, "gestore")
    page.goto(f"{url}/backoffice/coda/richieste")
    row = page.locator("tr", has_text=journeys.waiting_claim).inner_text()
    assert "In istruttoria" in row, "no longer waiting for the mediation"
    page.click(f"text={journeys.waiting_claim}")
    checks = page.locator("#verifiche + div table").inner_text()
    assert "la mediazione sulla garanzia si è conclusa senza accordo" in checks
    assert page.locator("input[name^=approved-]").input_value() == "650.00"
    assert "Registra la decisione" in page.content()
    check_page(page, "bo-34-richiesta-dopo-mediazione")
