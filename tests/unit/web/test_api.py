"""The JSON API as a client sees it: login, lists, detail, actions, and bad input refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from tests.support import builders
from tests.support.http import api_client, login_as


def count(system: System, table: Any) -> int:
    with system.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_health_and_openapi_answer_without_login(system: System) -> None:
    with api_client(system) as client:
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json()["checks"]["database"] == "ok"
        schema = client.get("/schema/openapi.json").json()
        assert "/api/v1/guarantees" in schema["paths"]
        assert "/api/v1/auth/login" in schema["paths"]


def test_the_api_needs_a_valid_token(system: System) -> None:
    with api_client(system) as client:
        assert client.get("/api/v1/guarantees").status_code == 401
        bad = client.get("/api/v1/guarantees", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        wrong = client.post("/api/v1/auth/login", json={"username": "x", "password": "y"})
        assert wrong.status_code == 401
        assert "traceback" not in wrong.text.lower()


def test_a_fund_manager_takes_an_application_to_an_active_guarantee(system: System) -> None:
    fund = builders.fund_with(system, builders.money("100000.00"))
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        landlord = client.post(
            "/api/v1/landlords",
            headers=manager,
            json={
                "kind": "company",
                "name": "Immobiliare Dora S.r.l.",
                "tax_code": builders.vat_number(4242),
                "iban": builders.iban(4242),
                "email": "info@immobiliaredora.it",
            },
        )
        assert landlord.status_code == 201, landlord.text
        dwelling = client.post(
            "/api/v1/properties",
            headers=manager,
            json={
                "landlord_id": landlord.json()["id"],
                "address": "Corso Cavour 3, Ivrea",
                "municipality_istat_code": "001125",
                "cadastral_reference": "Foglio 7, particella 88, sub. 2",
                "floor_area_m2": 75,
            },
        )
        assert dwelling.status_code == 201, dwelling.text
        application = client.post(
            "/api/v1/applications",
            headers=manager,
            json=application_body(dwelling.json()["id"]),
        )
        assert application.status_code == 201, application.text
        body = application.json()
        assert body["status"] == "eligible"
        assert body["application_number"].startswith("DOM-2026-")
        assert body["eligibility"]["outcome"] == "eligible"
        number = body["application_number"]
        assert (
            client.post(f"/api/v1/applications/{number}/approve", headers=manager).status_code
            == 200
        )
        issued = client.post(
            f"/api/v1/guarantees/{number}/issue", headers=manager, json={"fund_id": fund.id}
        )
        assert issued.status_code == 200, issued.text
        guarantee_number = issued.json()["number"]
        assert guarantee_number == "GC-2026-000001"
        active = client.post(f"/api/v1/guarantees/{guarantee_number}/activate", headers=manager)
        assert active.json()["status"] == "active"
        listed = client.get("/api/v1/guarantees?status=active", headers=manager).json()
        assert [g["number"] for g in listed["items"]] == [guarantee_number]
        detail = client.get(f"/api/v1/guarantees/{guarantee_number}", headers=manager).json()
        assert [h["action"] for h in detail["history"]] == [
            "created",
            "submit",
            "record_eligibility",
            "approve",
            "issue",
            "activate",
        ]
        # What this fund manager may do now: suspension comes with a claim, not by hand.
        assert detail["allowed_actions"] == ["exhaust", "expire", "renew", "terminate"]
        figures = client.get(f"/api/v1/funds/{fund.id}", headers=manager).json()
        assert figures["reserved"] == "3840.00"
        assert figures["free_capacity"] == "96160.00"


def application_body(property_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "property_id": property_id,
        "members": [
            {"full_name": "Anna Bianchi", "tax_code": builders.tax_code(99), "is_main_tenant": True}
        ],
        "isee": "12000.00",
        "net_monthly_income": "1900.00",
        "referral_source": "help_desk",
        "lease": {
            "lease_type": "canone_concordato_3_2",
            "start": "2027-01-01",
            "end": "2029-12-31",
            "monthly_rent": "650.00",
            "monthly_charges": "80.00",
            "registered": True,
            "registration_reference": "serie 3T n. 1234",
        },
    }
    body.update(overrides)
    return body


def test_an_illegal_move_is_a_409_with_a_clear_message(system: System) -> None:
    guarantee = builders.issued_guarantee(
        system, builders.fund_with(system, builders.money("50000")).id
    )
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        answer = client.post(f"/api/v1/guarantees/{guarantee.number}/issue", headers=manager)
        assert answer.status_code == 409
        assert (
            answer.json()["detail"] == "garanzia: impossibile eseguire 'issue' dallo stato 'issued'"
        )
        assert client.get("/api/v1/guarantees/GC-1999-000001", headers=manager).status_code == 404


BAD_LANDLORDS = [
    ({"tax_code": "RSSMRA85T10A562X"}, "tax_code", 422),
    ({"iban": "IT60X0542811101000000123457"}, "iban", 422),
    ({"email": "non-una-email"}, "email", 422),
    ({"kind": "alien"}, "kind", 400),
    ({"name": 12}, "name", 400),
    ({"name": ""}, "name", 400),
]


@pytest.mark.parametrize(("change", "field", "status"), BAD_LANDLORDS)
def test_bad_landlord_input_names_the_field_and_writes_nothing(
    system: System, change: dict[str, Any], field: str, status: int
) -> None:
    body = {
        "kind": "person",
        "name": "Mario Rossi",
        "tax_code": builders.tax_code(1),
        "iban": builders.iban(1),
        "email": "mario@example.it",
        **change,
    }
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        audit_before = count(system, tables.audit_events)  # the account and its login
        answer = client.post("/api/v1/landlords", headers=manager, json=body)
    assert answer.status_code == status, answer.text
    assert any(field in e["field"] for e in answer.json()["errors"]), answer.json()
    assert count(system, tables.landlords) == 0
    assert count(system, tables.audit_events) == audit_before


BAD_APPLICATIONS = [
    ({"lease": {"end": "2026-12-31"}}, "lease.end", 422),
    ({"lease": {"monthly_rent": "-650.00"}}, "monthly_rent", 400),
    ({"lease": {"monthly_rent": "abc"}}, "monthly_rent", 400),
    ({"isee": "-1"}, "isee", 400),
    (
        {"members": [{"full_name": "X", "tax_code": "RSSMRA85T10A562X", "is_main_tenant": True}]},
        "members.tax_code",
        422,
    ),
    ({"members": []}, "members", 400),
    ({"referral_source": "friend"}, "referral_source", 400),
    ({"property_id": "does-not-exist"}, None, 404),
]


@pytest.mark.parametrize(("change", "field", "status"), BAD_APPLICATIONS)
def test_bad_application_input_names_the_field_and_writes_nothing(
    system: System, change: dict[str, Any], field: str | None, status: int
) -> None:
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    body = application_body(dwelling.id)
    for key, value in change.items():
        if isinstance(value, dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        audit_before = count(system, tables.audit_events)  # the account and its login
        answer = client.post("/api/v1/applications", headers=manager, json=body)
    assert answer.status_code == status, answer.text
    if field:
        assert any(field in e["field"] for e in answer.json()["errors"]), answer.json()
    assert count(system, tables.guarantees) == 0
    assert count(system, tables.households) == 0
    assert count(system, tables.audit_events) == audit_before


def test_bad_property_and_contribution_input(system: System) -> None:
    landlord = builders.enrol_landlord(system)
    fund = builders.fund_with(system, builders.money("0"))
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        bad_area = client.post(
            "/api/v1/properties",
            headers=manager,
            json={
                "landlord_id": landlord.id,
                "address": "Via Palestro 1",
                "municipality_istat_code": "1125",
                "cadastral_reference": "F.1 P.2",
                "floor_area_m2": -3,
            },
        )
        assert bad_area.status_code == 400
        fields = {e["field"] for e in bad_area.json()["errors"]}
        assert {"municipality_istat_code", "floor_area_m2"} <= fields
        negative = client.post(
            f"/api/v1/funds/{fund.id}/contributions",
            headers=manager,
            json={"amount": "-100", "donor": "X", "on": "2026-11-01", "reference": "r"},
        )
        assert negative.status_code == 400
        assert negative.json()["errors"][0]["field"] == "amount"
    assert count(system, tables.properties) == 0
    assert count(system, tables.journal_entries) == 0


def test_a_landlord_sees_only_its_own_guarantees(system: System) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    mine = builders.issued_guarantee(system, fund.id)
    other = builders.issued_guarantee(system, fund.id)
    with api_client(system) as client:
        landlord = login_as(client, system, Role.LANDLORD, landlord_id=mine.landlord_id)
        listed = client.get("/api/v1/guarantees", headers=landlord).json()
        assert [g["number"] for g in listed["items"]] == [mine.number]
        assert client.get(f"/api/v1/guarantees/{other.number}", headers=landlord).status_code == 404
        refused = client.post(f"/api/v1/guarantees/{mine.number}/activate", headers=landlord)
        assert refused.status_code == 403
        assert client.get("/api/v1/landlords", headers=landlord).status_code == 403
        assert client.get(f"/api/v1/funds/{fund.id}", headers=landlord).status_code == 403


def test_pagination(system: System) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    numbers = [builders.issued_guarantee(system, fund.id).number for _ in range(5)]
    with api_client(system) as client:
        auditor = login_as(client, system, Role.AUDITOR)
        first = client.get("/api/v1/guarantees?page=1&page_size=2", headers=auditor).json()
        third = client.get("/api/v1/guarantees?page=3&page_size=2", headers=auditor).json()
        assert first["total"] == 5 and len(first["items"]) == 2 and len(third["items"]) == 1
        assert client.get("/api/v1/guarantees?page=0", headers=auditor).status_code == 400
        assert first["has_more"] and not third["has_more"] and third["next"] is None
        # Following the next links (keyset cursors) visits every guarantee once.
        seen, link = [], "/api/v1/guarantees?page_size=2&status=issued"
        while link:
            page = client.get(link, headers=auditor).json()
            seen += [row["number"] for row in page["items"]]
            link = page["next"]
            assert link is None or ("status=issued" in link and "after=" in link)
        assert sorted(seen) == sorted(numbers)
        forged = client.get("/api/v1/guarantees?after=bm90LWEtY3Vyc29y", headers=auditor)
        assert forged.status_code == 422
        assert forged.json()["errors"] == [
            {"field": "after", "reason": "cursore di pagina non valido"}
        ]
    assert len(set(numbers)) == 5


def facts(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "isee": "18000.00",
        "net_monthly_income": "1700.00",
        "monthly_rent": "600.00",
        "monthly_charges": "80.00",
        "municipality_istat_code": "001125",
        "floor_area_m2": 75,
        "lease_type": "canone_concordato_3_2",
        "lease_registered": True,
        "lease_months": 36,
        "referral_source": "social_services",
    }
    body.update(overrides)
    return body


def test_a_what_if_eligibility_check_explains_every_rule_and_stores_nothing(system: System) -> None:
    with api_client(system) as client:
        desk = login_as(client, system, Role.OPERATOR)
        at_40 = client.post("/api/v1/eligibility/check", headers=desk, json=facts())
        assert at_40.status_code == 200, at_40.text
        body = at_40.json()
        assert body["outcome"] == "eligible" and body["ruleset_version"] == "2026-01"
        assert len(body["verdicts"]) == 10
        assert {v["result"] for v in body["verdicts"]} == {"pass"}
        above = client.post(
            "/api/v1/eligibility/check", headers=desk, json=facts(net_monthly_income="1699.00")
        ).json()
        assert above["outcome"] == "needs_review"
        rent = next(v for v in above["verdicts"] if v["code"] == "rent_to_income")
        assert rent["result"] == "review"
        assert rent["facts_seen"]["net_monthly_income"] == "1699.00"
        old_rules = client.post(
            "/api/v1/eligibility/check", headers=desk, json=facts(isee="25000.00", on="2025-06-01")
        ).json()
        assert old_rules["ruleset_version"] == "2023-01" and old_rules["outcome"] == "needs_review"
        bad = client.post("/api/v1/eligibility/check", headers=desk, json=facts(isee="-5"))
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "isee"
        owner = login_as(
            client, system, Role.LANDLORD, landlord_id=builders.enrol_landlord(system).id
        )
        refused = client.post("/api/v1/eligibility/check", headers=owner, json=facts())
        assert refused.status_code == 403
    assert count(system, tables.guarantees) == 0
    assert count(system, tables.households) == 0


def test_every_answer_carries_a_request_id(system: System) -> None:
    with api_client(system) as client:
        mine = client.get("/health", headers={"X-Request-ID": "sportello-42"})
        assert mine.headers["x-request-id"] == "sportello-42"
        made = client.get("/health", headers={"X-Request-ID": "<script>"})
        assert made.headers["x-request-id"] != "<script>"
        assert len(made.headers["x-request-id"]) == 32
