"""Renewals and attestations over HTTP, role by role: who may act (403), whose resource
exists for whom (404), what the state refuses (409, in Italian), what a landlord reads."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.services import commands as c
from guarantee.settings import Settings
from tests.support import builders
from tests.support.http import api_client, login_as

MANAGER = builders.MANAGER


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Tokens that outlive the story's years (the clock moves to the end of the term)."""
    return settings.model_copy(update={"token_ttl_hours": 24 * 365 * 5})


def _renewal(rent: str = "700.00", end: str = "2032-12-31") -> dict[str, Any]:
    return {
        "lease": {
            "end": end,
            "monthly_rent": rent,
            "monthly_charges": "80.00",
            "registration_reference": "serie 3T n. 4321",
        }
    }


def _household(income: str = "1350.00") -> dict[str, Any]:
    return {
        "members": [
            {"full_name": "Lucia Ferrero", "tax_code": builders.tax_code(), "is_main_tenant": True}
        ],
        "isee": "12000.00",
        "net_monthly_income": income,
        "referral_source": "help_desk",
        "contacts": {"postal_address": "Via Jervis 5, 10015 Ivrea (TO)"},
    }


def test_renewal_by_role(system: System, clock: FixedClock) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    guarantee = builders.issued_guarantee(system, fund.id, net_monthly_income=Decimal("2100.00"))
    number = guarantee.number
    other = builders.enrol_landlord(system)
    with api_client(system) as client:
        owner = login_as(client, system, Role.LANDLORD, landlord_id=guarantee.landlord_id)
        stranger = login_as(
            client, system, Role.LANDLORD, landlord_id=other.id, username="altro-locatore"
        )
        desk = login_as(client, system, Role.OPERATOR)
        mediator = login_as(client, system, Role.MEDIATOR)
        auditor = login_as(client, system, Role.AUDITOR)
        manager = login_as(client, system, Role.FUND_MANAGER)
        clock.set(datetime(2029, 11, 16, 10, tzinfo=UTC))
        url = f"/api/v1/guarantees/{number}/renew"

        assert client.post(url, json=_renewal(), headers=stranger).status_code == 404
        for headers in (desk, mediator, auditor):
            refused = client.post(url, json=_renewal(), headers=headers)
            assert refused.status_code == 403, refused.text
        bad = client.post(url, json=_renewal(rent="-5"), headers=owner)
        assert bad.status_code in (400, 422)
        assert "monthly_rent" in bad.text
        early = client.post(url, json=_renewal(end="2029-06-30"), headers=owner)
        assert early.status_code == 422 and "lease.end" in early.text

        renewed = client.post(url, json=_renewal(), headers=owner)
        assert renewed.status_code == 200, renewed.text
        body = renewed.json()
        assert (body["term"], body["term_starts_on"], body["ends_on"]) == (
            2,
            "2030-01-01",
            "2032-12-31",
        )
        # The landlord reads its renewal, never the household's means or the fund's reserve.
        assert body["reserve_amount"] is None and body["household_id"] is None
        assert body["eligibility"] is None
        assert body["terms"][0]["reserve_amount"] is None
        assert body["terms"][0]["monthly_rent"] == "650.00"
        assert body["renewals_left"] == 0 and "renew" not in body["allowed_actions"]
        assert "Garanzia rinnovata per un nuovo periodo" in [t["label"] for t in body["timeline"]]

        staff = client.get(f"/api/v1/guarantees/{number}", headers=manager).json()
        assert staff["reserve_amount"] == "4020.00"
        assert staff["terms"][0]["reserve_amount"] == "3840.00"

        again = client.post(url, json=_renewal(end="2035-12-31"), headers=manager)
        assert again.status_code == 409
        assert "è già stata rinnovata" in again.json()["detail"]

        schema = client.get("/schema/openapi.json").json()
        documented = schema["paths"]["/api/v1/guarantees/{number}/renew"]["post"]["responses"]
        assert {"403", "404", "409", "422"} <= set(documented)


def test_attestations_by_role(system: System, clock: FixedClock) -> None:
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    with api_client(system) as client:
        desk = login_as(client, system, Role.OPERATOR)
        other_desk = login_as(client, system, Role.OPERATOR, username="altro-sportello")
        owner = login_as(client, system, Role.LANDLORD, landlord_id=landlord.id)
        mediator = login_as(client, system, Role.MEDIATOR)
        auditor = login_as(client, system, Role.AUDITOR)
        manager = login_as(client, system, Role.FUND_MANAGER)

        assert (
            client.post("/api/v1/attestations", json=_household(), headers=owner).status_code == 403
        )
        created = client.post("/api/v1/attestations", json=_household(), headers=desk)
        assert created.status_code == 201, created.text
        attestation = created.json()
        number = attestation["number"]
        assert attestation["maximum_rent"] == "540.00"
        assert attestation["valid_until"] == "2027-05-24" and attestation["valid"] is True

        path = f"/api/v1/attestations/{number}"
        for headers in (owner, mediator, other_desk):
            assert client.get(path, headers=headers).status_code == 404
        assert client.get(path, headers=auditor).status_code == 200
        own = client.get("/api/v1/attestations", headers=desk).json()["items"]
        assert [a["number"] for a in own] == [number]
        assert client.get("/api/v1/attestations", headers=other_desk).json()["items"] == []

        lease = builders.lease(start=date(2027, 2, 1), end=date(2031, 1, 31))
        application = {
            "property_id": dwelling.id,
            "lease": {
                "lease_type": lease.lease_type,
                "start": "2027-02-01",
                "end": "2031-01-31",
                "monthly_rent": "460.00",
                "monthly_charges": "80.00",
                "registered": True,
                "registration_reference": "serie 3T n. 1",
            },
        }
        apply = f"{path}/application"
        assert client.post(apply, json=application, headers=other_desk).status_code == 404
        assert client.post(apply, json=application, headers=owner).status_code == 403
        withdraw = f"{path}/withdraw"
        assert client.post(withdraw, json={"reason": "x"}, headers=owner).status_code == 403
        withdrawn = client.post(withdraw, json={"reason": "documento falso"}, headers=manager)
        assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
        late = client.post(apply, json=application, headers=desk)
        assert late.status_code == 409
        assert "withdrawn" in late.json()["detail"]
        with system.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(tables.guarantees)) == 0

        fresh = client.post("/api/v1/attestations", json=_household(), headers=desk).json()
        made = client.post(
            f"/api/v1/attestations/{fresh['number']}/application", json=application, headers=desk
        )
        assert made.status_code == 201, made.text
        assert made.json()["status"] == "eligible"
        twice = client.post(
            f"/api/v1/attestations/{fresh['number']}/application", json=application, headers=desk
        )
        assert twice.status_code == 409

        poor = client.post("/api/v1/attestations", json=_household("0.00"), headers=desk)
        assert poor.status_code == 409, poor.text

        checked = client.get(f"/api/v1/verify/{fresh['code']}").json()
        assert checked["kind"] == "attestation" and checked["valid"] is False
        assert checked["status"] == "used"


def test_a_renewal_without_lease_terms_is_bad_input(system: System) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    guarantee = builders.issued_guarantee(system, fund.id)
    system.bus.handle(c.ActivateGuarantee(number=guarantee.number), MANAGER)
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        answer = client.post(
            f"/api/v1/guarantees/{guarantee.number}/renew", json={}, headers=manager
        )
        assert answer.status_code in (400, 422)
        assert "lease" in answer.text
