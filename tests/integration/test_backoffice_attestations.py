"""Back office: a help desk asks an attestation with the form and reads it; another help desk
and a landlord do not find it; a fund manager withdraws it with a reason."""

from __future__ import annotations

import html
import re

from litestar.testing import TestClient

from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from tests.support import builders
from tests.support.accounts import PASSWORD, open_account
from tests.support.http import api_client

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _log_in(client: TestClient, username: str) -> None:  # type: ignore[type-arg]
    token = CSRF.search(client.get("/backoffice/accesso").text)
    assert token is not None
    answer = client.post(
        "/backoffice/accesso",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.text


def _csrf(client: TestClient, path: str) -> str:  # type: ignore[type-arg]
    found = CSRF.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def test_a_help_desk_issues_an_attestation_in_the_back_office(system: System) -> None:
    landlord = builders.enrol_landlord(system)
    for name, role in (("sportello", Role.OPERATOR), ("altro", Role.OPERATOR)):
        open_account(system, name, role, full_name=name)
    open_account(system, "gestore", Role.FUND_MANAGER, full_name="Gestore")
    open_account(system, "rossi", Role.LANDLORD, full_name="Rossi", landlord_id=landlord.id)
    form = {
        "full_name": "Lucia Ferrero",
        "tax_code": builders.tax_code(),
        "postal_address": "Via Jervis 5, 10015 Ivrea (TO)",
        "isee": "12.000,00",
        "net_monthly_income": "1.350,00",
        "referral_source": "help_desk",
    }
    with api_client(system) as client:
        _log_in(client, "sportello")
        token = _csrf(client, "/sportello/attestazioni/nuova")
        empty = client.post("/sportello/attestazioni/nuova", data={"csrf_token": token})
        assert empty.status_code == 400 and "indicare nome e cognome" in html.unescape(empty.text)
        done = client.post(
            "/sportello/attestazioni/nuova",
            data=form | {"csrf_token": token},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
        path = done.headers["location"]
        page = html.unescape(client.get(path).text).replace("\xa0", " ")
        assert "540,00 €" in page and "24 maggio 2027" in page
        assert "Da verificare quando il contratto è noto" in page
        assert "/verify/" in page
        listed = client.get("/sportello/attestazioni").text
        assert path.rsplit("/", 1)[1] in listed
    with api_client(system) as client:
        _log_in(client, "altro")
        assert client.get(path).status_code == 404
    with api_client(system) as client:
        _log_in(client, "rossi")
        assert client.get(path).status_code == 404
        assert client.get("/sportello/attestazioni").status_code == 404
    with api_client(system) as client:
        _log_in(client, "gestore")
        token = _csrf(client, path)
        unreasoned = client.post(f"{path}/revoca", data={"csrf_token": token})
        assert unreasoned.status_code == 400
        withdrawn = client.post(
            f"{path}/revoca",
            data={"csrf_token": token, "reason": "documento non confermato"},
            follow_redirects=False,
        )
        assert withdrawn.status_code == 303
        assert "Revocata" in client.get(path).text


def test_a_help_desk_lands_on_its_attestations_and_finds_no_back_office_page(
    system: System,
) -> None:
    open_account(system, "sportello", Role.OPERATOR, full_name="Sportello")
    with api_client(system) as client:
        token = CSRF.search(client.get("/backoffice/accesso").text)
        assert token is not None
        landed = client.post(
            "/backoffice/accesso",
            data={"username": "sportello", "password": PASSWORD, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert landed.headers["location"] == "/sportello/attestazioni"
        for page in ("/backoffice/", "/backoffice/coda/domande", "/backoffice/fondo"):
            assert client.get(page, follow_redirects=False).status_code == 404, page
        assert client.get("/sportello/attestazioni").status_code == 200


def test_the_login_takes_a_help_desk_back_to_the_attestation_it_asked_for(
    system: System,
) -> None:
    open_account(system, "sportello", Role.OPERATOR, full_name="Sportello")
    with api_client(system) as client:
        asked = client.get("/sportello/attestazioni/nuova", follow_redirects=False)
        assert asked.status_code in (302, 303)
        login_page = asked.headers["location"]
        token = CSRF.search(client.get(login_page).text)
        assert token is not None
        landed = client.post(
            "/backoffice/accesso",
            data={
                "username": "sportello",
                "password": PASSWORD,
                "csrf_token": token.group(1),
                "next": "/sportello/attestazioni/nuova",
            },
            follow_redirects=False,
        )
        assert landed.headers["location"] == "/sportello/attestazioni/nuova"
