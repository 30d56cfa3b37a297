"""A landlord uses the portal in a real browser: its guarantees, a certificate, arrears, a
claim with its clock; another landlord is shown nothing; enrolment and a password reset."""

from __future__ import annotations

import re
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.browser.conftest import Portal, check_page, log_in

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def today() -> date:
    """The server's business day (Italy)."""
    return datetime.now(ZoneInfo("Europe/Rome")).date()


def _due_dates(today: date) -> list[date]:
    """The 5th of the two months before this one: covered, and reported in time."""
    days = []
    year, month = today.year, today.month
    for _ in range(2):
        month -= 1
        if month == 0:
            month, year = 12, year - 1
        days.append(date(year, month, 5))
    return sorted(days)


def test_a_landlord_follows_its_guarantee_reports_arrears_and_files_a_claim(
    page: Any, portal: Portal, tmp_path: Path
) -> None:
    page.goto(f"{portal.url}/portal/")
    assert "/portal/accesso" in page.url, "no session, no portal"
    check_page(page, "01-accesso")
    log_in(page, portal, "locatore-a", "sbagliata-000000")
    assert page.locator(".alert-danger").inner_text() == "Nome utente o password non corretti."
    log_in(page, portal, "locatore-a")
    assert page.url.rstrip("/").endswith("/portal")
    assert page.locator("h1").inner_text() == "Le sue garanzie"
    assert portal.guarantee_a in page.content() and portal.guarantee_b not in page.content()
    check_page(page, "02-garanzie")

    page.click(f"text={portal.guarantee_a}")
    assert page.locator("h1").inner_text() == f"Garanzia {portal.guarantee_a}"
    body = page.content()
    for hidden in ("ISEE", "reddito", "accantonamento", "gestore"):
        assert hidden not in body, f"a landlord must not read {hidden!r}"
    check_page(page, "03-garanzia")
    with page.expect_download() as download:
        page.click("text=Certificato di garanzia")
    saved = tmp_path / "certificato.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.click("text=Segnala canoni non pagati")
    first, second = _due_dates(today())
    page.fill("#due_on_0", first.isoformat())
    page.fill("#rent_0", "sei e cinquanta")
    page.click("text=Invia la segnalazione")
    assert page.locator("#rent_0-errore").inner_text().startswith("importo non valido")
    assert page.input_value("#due_on_0") == first.isoformat(), "what was typed is kept"
    check_page(page, "04-morosita-errore")
    page.fill("#rent_0", "650,00")
    page.fill("#charges_0", "80,00")
    page.fill("#due_on_1", second.isoformat())
    page.fill("#rent_1", "650,00")
    page.click("text=Invia la segnalazione")
    assert "Segnalazione ricevuta" in page.locator("h1").inner_text()
    done = page.locator(".alert-success").inner_text()
    assert re.search(r"pratica di mediazione \w+-\d{4}-\d{6}", done), done
    check_page(page, "05-morosita-ricevuta")

    page.goto(f"{portal.url}/portal/garanzie/{portal.guarantee_a}/richiesta")
    photo = tmp_path / "danno-porta.png"
    photo.write_bytes(PNG)
    page.select_option("#kind_0", "damages")
    page.fill("#loss_on_0", today().isoformat())
    page.fill("#claimed_0", "800,00")
    page.fill("#description_0", "porta d'ingresso forzata")
    page.set_input_files("#evidence", str(photo))
    check_page(page, "06-richiesta")
    page.click("text=Invia la richiesta")
    assert re.search(r"/portal/richieste/SIN-\d{4}-\d{6}$", page.url), page.url
    clock = page.locator(".claim-clock").inner_text()
    assert "Richiesta ricevuta: fatto il" in clock
    assert re.search(r"Decisione del Fondo: previsto entro il \d+ \w+ \d{4}", clock), clock
    check_page(page, "07-richiesta-orologio")
    portal.claim_a = page.url.rsplit("/", 1)[-1]  # type: ignore[attr-defined]


def test_another_landlord_is_shown_nothing_of_it(page: Any, portal: Portal) -> None:
    log_in(page, portal, "locatore-b")
    for path in (
        f"/portal/garanzie/{portal.guarantee_a}",
        f"/portal/garanzie/{portal.guarantee_a}/richiesta",
        f"/portal/garanzie/{portal.guarantee_a}/morosita",
    ):
        response = page.goto(portal.url + path)
        assert response.status == 404, path
        assert page.locator("h1").inner_text() == "Pagina non trovata"
    check_page(page, "08-non-trovata")


def test_a_landlord_enrols_and_enters_once_the_fund_confirms(page: Any, portal: Portal) -> None:
    page.goto(f"{portal.url}/portal/registrazione")
    check_page(page, "09-iscrizione")
    page.fill("#name", "Carla Nuova")
    page.fill("#tax_code", "NVOCRL80A41E379X")
    page.fill("#iban", "IT60X0542811101000000123456")
    page.fill("#email", "carla@example.it")
    page.fill("#username", "carla")
    page.fill("#password", "margherite-sul-balcone")
    page.fill("#repeat_password", "margherite-sul-balcone")
    page.click("text=Invia l'iscrizione")
    # A wrong tax code and no privacy acceptance: both named beside their fields.
    assert page.locator("#tax_code-errore").is_visible()
    assert page.input_value("#name") == "Carla Nuova", "what was typed is kept"
    assert page.input_value("#password") == "", "a password is never sent back"
    check_page(page, "10-iscrizione-errori")
    page.fill("#tax_code", _valid_tax_code())
    page.fill("#password", "margherite-sul-balcone")
    page.fill("#repeat_password", "margherite-sul-balcone")
    page.click("text=Invia l'iscrizione")
    assert page.locator("#privacy-errore").is_visible()
    page.fill("#password", "margherite-sul-balcone")
    page.fill("#repeat_password", "margherite-sul-balcone")
    page.locator("#privacy").check(force=True)  # Bootstrap Italia draws the box on the label
    page.click("text=Invia l'iscrizione")
    assert page.locator("h1").inner_text() == "Iscrizione ricevuta"

    log_in(page, portal, "carla", "margherite-sul-balcone")
    assert page.locator(".alert-danger").is_visible(), "not before the fund confirms"
    confirmed = httpx.post(
        f"{portal.url}/api/v1/accounts/carla/enable",
        headers={"Authorization": f"Bearer {portal.manager_token}"},
        json={"reason": "documento d'identità verificato"},
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "active"
    log_in(page, portal, "carla", "margherite-sul-balcone")
    assert page.locator("h1").inner_text() == "Le sue garanzie"
    assert "Non risultano garanzie intestate a lei." in page.content()


def test_a_forgotten_password_is_reset_from_the_emailed_link(page: Any, portal: Portal) -> None:
    page.goto(f"{portal.url}/portal/password-dimenticata")
    check_page(page, "11-password-dimenticata")
    page.fill("#username", "locatore-b")
    page.click("text=Invia il collegamento")
    assert page.locator("h1").inner_text() == "Controlli la sua posta"
    link = _wait_for_link(portal, "locatore-b@example.it")
    answer = page.goto(link)
    assert answer.status == 200, (link, page.content()[:500])
    check_page(page, "12-nuova-password")
    page.fill("#new_password", "qwerty123456")
    page.fill("#repeat_password", "qwerty123456")
    page.click("text=Salva la password")
    assert "password più comuni" in page.locator("#new_password-errore").inner_text()
    page.fill("#new_password", "lucciole-di-giugno-8")
    page.fill("#repeat_password", "lucciole-di-giugno-8")
    page.click("text=Salva la password")
    assert page.locator("h1").inner_text() == "Password salvata"
    log_in(page, portal, "locatore-b", "lucciole-di-giugno-8")
    assert page.locator("h1").inner_text() == "Le sue garanzie"


def _wait_for_link(portal: Portal, address: str) -> str:
    for _ in range(100):
        for mail in portal.mails():
            if address in mail and "/portal/password?token=" in mail:
                found = re.search(r"(http://\S+/portal/password\?token=[\w-]+)", mail)
                assert found is not None
                return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no reset mail to {address}")


def _valid_tax_code() -> str:
    from tests.support.builders import tax_code

    return tax_code(4242)


def test_a_landlord_changes_its_contacts_and_iban_and_the_fund_is_careful(
    page: Any, portal: Portal
) -> None:
    log_in(page, portal, "locatore-a")
    page.click("text=I suoi dati")
    assert page.locator("h1").inner_text() == "I suoi dati"
    check_page(page, "13-profilo")
    page.fill("#iban", "IT00 0000 0000 0000")
    page.click("text=Cambia l'IBAN")
    assert page.locator("#iban-errore").is_visible(), "a wrong IBAN is named beside the field"
    page.fill("#iban", "IT60 X054 2811 1010 0000 0123 456")
    page.click("text=Cambia l'IBAN")
    assert "secondo gestore" in page.locator(".alert-success").inner_text()
    assert "3456" in page.content() and "cambiato il" in page.content()
    page.fill("#phone", "0125 123456")
    page.click("text=Salva i recapiti")
    assert page.locator(".alert-success").inner_text() == "Recapiti aggiornati."
    assert page.input_value("#phone") == "0125 123456"
    check_page(page, "14-profilo-aggiornato")
    # The change is told to the landlord's address (a changed IBAN is a fraud path).
    for _ in range(100):
        if any("Coordinate bancarie cambiate" in mail for mail in portal.mails()):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("no mail about the changed IBAN")


def test_a_landlord_asks_to_renew_its_guarantee(page: Any, portal: Portal) -> None:
    log_in(page, portal, "locatore-c")
    page.goto(f"{portal.url}/portal/garanzie/{portal.guarantee_c}")
    page.click("text=Chiedi il rinnovo della garanzia")
    assert page.locator("h1").inner_text() == "Rinnovare la garanzia"
    check_page(page, "20-rinnovo")
    page.fill("#end", date(today().year + 6, 12, 31).isoformat())
    page.fill("#registration_reference", "Agenzia Entrate Ivrea, serie 3T n. 999")
    page.fill("#monthly_rent", "tanto")
    page.click("text=Chiedi il rinnovo")
    assert page.locator("#monthly_rent-errore").inner_text().startswith("importo non valido")
    check_page(page, "21-rinnovo-errore")
    page.fill("#monthly_rent", "650,00")
    page.fill("#monthly_charges", "80,00")
    page.click("text=Chiedi il rinnovo")
    assert page.locator("h1").inner_text() == f"Garanzia {portal.guarantee_c}"
    body = page.content()
    assert "Periodi precedenti" in body and f"31 dicembre {today().year + 6}" in body
    assert "Chiedi il rinnovo della garanzia" not in body, "renewed once: nothing more to ask"
    check_page(page, "22-garanzia-rinnovata")
