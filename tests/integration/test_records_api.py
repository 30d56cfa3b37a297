"""Keeping records current over HTTP, by each role: households (income, members, contacts),
landlords (IBAN, contacts, legal representative), the received date of claims and arrears
reports, the recovery re-plan. Allowed, refused, 404 for others' data — and nothing
written on a refusal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.settings import Settings
from tests.support import builders
from tests.support.http import api_client, login_as
from tests.support.journeys import at
from tests.support.payments import file_and_decide, past_lease, pay_on
from tests.unit.web.test_api import application_body

D = Decimal
Headers = dict[str, str]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Tokens that outlive the stories' months."""
    return settings.model_copy(update={"token_ttl_hours": 24 * 365 * 4})


def audit_rows(system: System) -> int:
    with system.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(tables.audit_events)) or 0)


def row(system: System, table: Any, id: str) -> dict[str, Any]:
    with system.engine.connect() as conn:
        return dict(conn.execute(select(table).where(table.c.id == id)).mappings().one())


class Roles:
    """One logged-in account per role; ``desk`` referred the household, ``other_desk`` not."""

    def __init__(self, client: TestClient, system: System, landlord_id: str) -> None:  # type: ignore[type-arg]
        self.manager = login_as(client, system, Role.FUND_MANAGER)
        self.desk = login_as(client, system, Role.OPERATOR, username="sportello-ivrea")
        self.other_desk = login_as(client, system, Role.OPERATOR, username="sportello-altro")
        self.landlord = login_as(client, system, Role.LANDLORD, landlord_id=landlord_id)
        self.mediator = login_as(client, system, Role.MEDIATOR)
        self.auditor = login_as(client, system, Role.AUDITOR)


def referred_household(client: TestClient, system: System) -> tuple[Roles, str, str]:  # type: ignore[type-arg]
    """The help desk files an application (with contacts) over HTTP."""
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    roles = Roles(client, system, landlord.id)
    body = application_body(
        dwelling.id,
        contacts={"email": "anna.bianchi@example.it", "preferred_channel": "email"},
    )
    answer = client.post("/api/v1/applications", json=body, headers=roles.desk)
    assert answer.status_code == 201, answer.text
    return roles, answer.json()["household_id"], landlord.id


CHANGES: list[tuple[str, dict[str, Any]]] = [
    (
        "income",
        {
            "net_monthly_income": "900.00",
            "valid_from": "2026-11-25",
            "document": "lettera di licenziamento",
            "reason": "reddito diminuito",
        },
    ),
    (
        "members",
        {
            "members": [
                {
                    "full_name": "Anna Bianchi",
                    "tax_code": builders.tax_code(99),
                    "is_main_tenant": True,
                },
                {
                    "full_name": "Luca Bianchi",
                    "tax_code": builders.tax_code(7),
                    "birth_date": "2015-04-02",
                },
            ],
            "reason": "nascita registrata in anagrafe",
        },
    ),
    (
        "contacts",
        {
            "postal_address": "Via Jervis 4, 10015 Ivrea (TO)",
            "phone": "+39 0125 000000",
            "preferred_channel": "post",
            "reason": "non legge la posta elettronica",
        },
    ),
]


@pytest.mark.parametrize(("change", "body"), CHANGES, ids=[c for c, _ in CHANGES])
def test_each_household_change_by_each_role(
    system: System, change: str, body: dict[str, Any]
) -> None:
    with api_client(system) as client:
        roles, household_id, _ = referred_household(client, system)
        url = f"/api/v1/households/{household_id}/{change}"
        before, audited = row(system, tables.households, household_id), audit_rows(system)
        for headers, status in [
            (roles.other_desk, 404),  # another help desk's household does not exist for it
            (roles.landlord, 403),
            (roles.mediator, 403),
            (roles.auditor, 403),
        ]:
            answer = client.post(url, json=body, headers=headers)
            assert answer.status_code == status, answer.text
            assert row(system, tables.households, household_id) == before
            assert audit_rows(system) == audited, "nothing is written on a refusal"

        for headers in (roles.desk, roles.manager):
            answer = client.post(url, json=body, headers=headers)
            assert answer.status_code == 200, answer.text
        detail = answer.json()
        change_events = [h for h in detail["history"] if h["action"] == f"{change}_changed"]
        assert [h["actor_id"] for h in change_events] == ["sportello-ivrea", "fund_manager"]
        assert change_events[0]["reason"] == body["reason"]
        assert change_events[0]["before"] != change_events[0]["after"]


def test_the_referring_desk_and_staff_read_the_household_others_do_not(system: System) -> None:
    with api_client(system) as client:
        roles, household_id, _ = referred_household(client, system)
        url = f"/api/v1/households/{household_id}"
        for headers in (roles.desk, roles.manager, roles.auditor):
            answer = client.get(url, headers=headers)
            assert answer.status_code == 200, answer.text
        # A mediator reads a household only through a case of its own (it has none here).
        for headers in (roles.other_desk, roles.landlord, roles.mediator):
            assert client.get(url, headers=headers).status_code == 404
        shown = client.get(url, headers=roles.desk).json()
        assert shown["email"] == "anna.bianchi@example.it"
        assert shown["preferred_channel"] == "email"
        assert shown["net_monthly_income"] == "1900.00"
        assert shown["isee"] == "12000.00"
        assert client.get("/api/v1/households/nessuno", headers=roles.manager).status_code == 404


def test_income_changes_are_checked_and_a_refusal_writes_nothing(system: System) -> None:
    with api_client(system) as client:
        roles, household_id, _ = referred_household(client, system)
        url = f"/api/v1/households/{household_id}/income"
        good = dict(CHANGES[0][1])
        audited = audit_rows(system)
        cases = [
            ({"valid_from": "2026-11-26"}, "valid_from", "non può essere nel futuro"),
            ({"valid_from": "2026-11-24"}, "valid_from", "precede quella del reddito"),
            ({"document": " "}, "document", ""),
            ({"net_monthly_income": "-1.00"}, "net_monthly_income", ""),
            ({"reason": ""}, "reason", ""),
        ]
        for change, field, reason in cases:
            answer = client.post(url, json=good | change, headers=roles.desk)
            assert answer.status_code in (400, 422), answer.text
            errors = answer.json()["errors"]
            assert field in errors[0]["field"]
            assert reason in errors[0]["reason"]
        assert audit_rows(system) == audited
        assert row(system, tables.households, household_id)["net_monthly_income"] == D("1900.00")


def test_contacts_must_reach_the_household_by_the_channel_chosen(system: System) -> None:
    with api_client(system) as client:
        roles, household_id, _ = referred_household(client, system)
        url = f"/api/v1/households/{household_id}/contacts"
        answer = client.post(
            url, json={"preferred_channel": "post", "reason": "trasloco"}, headers=roles.desk
        )
        assert answer.status_code == 422
        assert answer.json()["errors"] == [
            {
                "field": "postal_address",
                "reason": "per ricevere le lettere per posta indicare l'indirizzo",
            }
        ]
        two_mains = {
            "members": [
                {"full_name": "A B", "tax_code": builders.tax_code(1), "is_main_tenant": True},
                {"full_name": "C D", "tax_code": builders.tax_code(2), "is_main_tenant": True},
            ],
            "reason": "errore",
        }
        answer = client.post(
            f"/api/v1/households/{household_id}/members", json=two_mains, headers=roles.desk
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "members"


LANDLORD_CHANGES: list[tuple[str, dict[str, Any], str]] = [
    ("iban", {"iban": builders.iban(424242), "reason": "nuovo conto"}, "iban_changed"),
    (
        "contacts",
        {
            "email": "nuovo@example.it",
            "phone": "0125 1",
            "address": "Corso Nigra 1, Ivrea",
            "reason": "trasloco",
        },
        "contacts_changed",
    ),
]


@pytest.mark.parametrize(
    ("change", "body", "action"), LANDLORD_CHANGES, ids=[c for c, _, _ in LANDLORD_CHANGES]
)
def test_each_landlord_change_by_each_role(
    system: System, change: str, body: dict[str, Any], action: str
) -> None:
    landlord = builders.enrol_landlord(system)
    with api_client(system) as client:
        roles = Roles(client, system, landlord.id)
        url = f"/api/v1/landlords/{landlord.id}/{change}"
        other = builders.enrol_landlord(system)
        stranger = login_as(client, system, Role.LANDLORD, landlord_id=other.id, username="altro")
        before, audited = row(system, tables.landlords, landlord.id), audit_rows(system)
        for headers in (roles.desk, roles.mediator, roles.auditor):
            assert client.post(url, json=body, headers=headers).status_code == 403
        # A landlord changes its own record (the portal's profile), never another's.
        assert client.post(url, json=body, headers=stranger).status_code == 404
        assert row(system, tables.landlords, landlord.id) == before
        assert audit_rows(system) == audited
        answer = client.post(url, json=body, headers=roles.manager)
        assert answer.status_code == 200, answer.text
        change_event = answer.json()["history"][-1]
        assert change_event["action"] == action
        assert change_event["actor_id"] == "fund_manager"
        assert change_event["reason"] == body["reason"]
        assert change_event["before"] != change_event["after"]
        missing = client.post(
            f"/api/v1/landlords/nessuno/{change}", json=body, headers=roles.manager
        )
        assert missing.status_code == 404


def test_an_iban_is_revalidated_and_its_change_holds_payments(
    system: System, clock: FixedClock
) -> None:
    fund = builders.fund_with(system, D("100000.00"))
    guarantee = builders.issued_guarantee(system, fund.id, lease_data=past_lease())
    assert guarantee.number is not None
    with api_client(system) as client:
        roles = Roles(client, system, guarantee.landlord_id)
        url = f"/api/v1/landlords/{guarantee.landlord_id}/iban"
        audited = audit_rows(system)
        bad = client.post(
            url, json={"iban": "IT60X0542811101000000123457", "reason": "x"}, headers=roles.manager
        )
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "iban"
        assert audit_rows(system) == audited
        new_iban = builders.iban(515151)
        answer = client.post(
            url, json={"iban": new_iban, "reason": "nuovo conto"}, headers=roles.manager
        )
        assert answer.status_code == 200
        assert answer.json()["iban_changed_on"] == "2026-11-25"
        # The hold shows on the claim, and a single fund manager cannot pay it.
        claim = file_and_decide(system, guarantee.number, D("300.00"))
        detail = client.get(f"/api/v1/claims/{claim}", headers=roles.manager).json()
        assert detail["iban_held_until"] == "2026-11-29"
        assert detail["needs_two_managers"] is True
        refused = client.post(
            f"/api/v1/claims/{claim}/pay",
            json={},
            headers=roles.manager | {"Idempotency-Key": "k1"},
        )
        assert refused.status_code == 409
        assert refused.json()["detail"] == (
            "l'IBAN del locatore è stato cambiato il 25 novembre 2026: fino al 29 novembre 2026 "
            "ogni pagamento va proposto da un gestore e confermato da un altro"
        )
        at(clock, "2026-11-30")
        paid = client.post(
            f"/api/v1/claims/{claim}/pay",
            json={},
            headers=roles.manager | {"Idempotency-Key": "k2"},
        )
        assert paid.status_code == 200, paid.text
        assert paid.json()["iban"] == new_iban
        assert paid.json()["amount"] == "300.00"


def test_a_legal_representative_only_for_a_company(system: System) -> None:
    person = builders.enrol_landlord(system)
    company = builders.enrol_landlord(system, kind="company", tax_code=builders.vat_number(4321))
    body = {"full_name": "Maria Rossi", "tax_code": builders.tax_code(55), "reason": "nuova nomina"}
    with api_client(system) as client:
        roles = Roles(client, system, company.id)
        answer = client.post(
            f"/api/v1/landlords/{person.id}/legal-representative", json=body, headers=roles.manager
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "legal_representative"
        for headers in (roles.desk, roles.landlord, roles.auditor):
            assert (
                client.post(
                    f"/api/v1/landlords/{company.id}/legal-representative",
                    json=body,
                    headers=headers,
                ).status_code
                == 403
            )
        answer = client.post(
            f"/api/v1/landlords/{company.id}/legal-representative", json=body, headers=roles.manager
        )
        assert answer.status_code == 200
        assert answer.json()["legal_representative_name"] == "Maria Rossi"


def test_staff_record_when_and_how_a_claim_arrived_landlords_cannot(
    system: System, clock: FixedClock
) -> None:
    fund = builders.fund_with(system, D("100000.00"))
    guarantee = builders.issued_guarantee(system, fund.id, lease_data=past_lease())
    assert guarantee.number is not None
    photo = {"file_name": "danno.jpg", "media_type": "image/jpeg", "content_base64": "ZGFubm8="}
    body = {
        "guarantee_number": guarantee.number,
        "items": [{"kind": "damages", "loss_on": "2026-11-20", "claimed": "700"}],
        "evidence": [photo],
    }
    with api_client(system) as client:
        roles = Roles(client, system, guarantee.landlord_id)
        client.post(f"/api/v1/guarantees/{guarantee.number}/activate", headers=roles.manager)
        claims_before = audit_rows(system)
        received = {"received_on": "2026-11-24", "channel": "pec", "reference": "opec.42"}
        refused = client.post("/api/v1/claims", json=body | received, headers=roles.landlord)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "received_on"
        half = client.post(
            "/api/v1/claims", json=body | {"received_on": "2026-11-24"}, headers=roles.manager
        )
        assert half.status_code == 422
        assert half.json()["errors"][0]["field"] == "channel"
        no_number = client.post(
            "/api/v1/claims",
            json=body | {"received_on": "2026-11-24", "channel": "post"},
            headers=roles.manager,
        )
        assert no_number.status_code == 422
        assert no_number.json()["errors"][0] == {
            "field": "reference",
            "reason": "indicare il numero della raccomandata",
        }
        assert audit_rows(system) == claims_before
        answer = client.post("/api/v1/claims", json=body | received, headers=roles.manager)
        assert answer.status_code == 201, answer.text
        claim = answer.json()
        assert claim["filed_on"] == "2026-11-24"
        assert claim["filed_at"].startswith("2026-11-25")
        assert claim["received_via"] == "pec"
        assert claim["received_reference"] == "opec.42"
        assert claim["approved_total"] == "0.00"
        assert claim["items"][0]["claimed"] == "700.00"
        online = client.post(
            "/api/v1/claims",
            json=body | {"items": [{"kind": "damages", "loss_on": "2026-11-21", "claimed": "50"}]},
            headers=roles.landlord,
        )
        assert online.status_code == 201, online.text
        assert online.json()["filed_on"] == "2026-11-25"
        assert online.json()["received_via"] == "online"


def test_staff_record_when_an_arrears_report_arrived(system: System, clock: FixedClock) -> None:
    fund = builders.fund_with(system, D("100000.00"))
    guarantee = builders.issued_guarantee(system, fund.id, lease_data=past_lease())
    assert guarantee.number is not None
    body = {
        "guarantee_number": guarantee.number,
        "rents": [
            {"due_on": "2026-09-05", "rent": "650.00", "charges": "80.00"},
            {"due_on": "2026-10-05", "rent": "650.00", "charges": "80.00"},
        ],
    }
    with api_client(system) as client:
        roles = Roles(client, system, guarantee.landlord_id)
        client.post(f"/api/v1/guarantees/{guarantee.number}/activate", headers=roles.manager)
        audited = audit_rows(system)
        before_facts = body | {"received_on": "2026-10-01", "channel": "desk"}
        answer = client.post("/api/v1/arrears-reports", json=before_facts, headers=roles.manager)
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "rents[1].due_on"
        assert audit_rows(system) == audited
        answer = client.post(
            "/api/v1/arrears-reports",
            json=body | {"received_on": "2026-11-20", "channel": "post", "reference": "RR 1234"},
            headers=roles.manager,
        )
        assert answer.status_code == 201, answer.text
        report = answer.json()
        assert report["reported_on"] == "2026-11-20"
        assert report["reported_at"].startswith("2026-11-25")
        assert report["received_via"] == "post"
        assert report["covered_amount"] == "1460.00"


def test_a_recovery_is_replanned_by_a_fund_manager_only(system: System, clock: FixedClock) -> None:
    fund = builders.fund_with(system, D("100000.00"))
    guarantee = builders.issued_guarantee(
        system, fund.id, lease_data=past_lease(), net_monthly_income=D("1900.00")
    )
    assert guarantee.number is not None
    claim = pay_on(system, guarantee.number, D("2000.00"))["number"]
    with api_client(system) as client:
        roles = Roles(client, system, guarantee.landlord_id)
        plan = client.post(
            "/api/v1/recovery-plans",
            json={"claim_number": claim, "first_due_on": "2027-01-01"},
            headers=roles.manager,
        ).json()
        assert plan["instalment_cap"] == "190.00"
        at(clock, "2026-12-10")
        income = {
            "net_monthly_income": "500.00",
            "valid_from": "2026-12-01",
            "document": "verbale INPS",
            "reason": "cassa integrazione",
        }
        changed = client.post(
            f"/api/v1/households/{guarantee.household_id}/income",
            json=income,
            headers=roles.manager,
        )
        assert changed.status_code == 200, changed.text
        url = f"/api/v1/recovery-plans/{plan['number']}/replan"
        body = {"first_due_on": "2027-01-01", "reason": "reddito ridotto"}
        audited = audit_rows(system)
        for headers in (roles.desk, roles.landlord, roles.mediator, roles.auditor):
            assert client.post(url, json=body, headers=headers).status_code == 403
        assert audit_rows(system) == audited
        answer = client.post(url, json=body, headers=roles.manager)
        assert answer.status_code == 201, answer.text
        new = answer.json()
        assert new["instalment_cap"] == "50.00"
        assert new["amount"] == "2000.00"
        assert new["replaces_plan_number"] == plan["number"]
        old = client.get(f"/api/v1/recovery-plans/{plan['number']}", headers=roles.manager).json()
        assert old["status"] == "replaced"
        assert old["balance"] == "0.00"
        assert old["carried_over"] == "2000.00"
        assert old["replaced_by_plan_number"] == new["number"]
        again = client.post(
            f"/api/v1/recovery-plans/{plan['number']}/replan", json=body, headers=roles.manager
        )
        assert again.status_code == 409


def test_amounts_always_have_two_decimals(system: System) -> None:
    fund = builders.fund_with(system, D("100000"))
    guarantee = builders.issued_guarantee(system, fund.id)
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        detail = client.get(f"/api/v1/guarantees/{guarantee.number}", headers=manager).json()
        assert detail["paid_amount"] == "0.00"
        assert {line["paid"] for line in detail["cover"]} == {"0.00"}
        assert detail["monthly_rent"] == "650.00"
        assert detail["maximum_exposure"] == "12800.00"
