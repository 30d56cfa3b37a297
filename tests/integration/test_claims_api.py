"""The claims API: roles, idempotent payment (also under 20 concurrent requests), evidence."""

from __future__ import annotations

import base64
import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.cover import ItemKind
from guarantee.domain.errors import Conflict
from guarantee.services import commands as c
from guarantee.settings import Settings
from tests.support import builders
from tests.support.http import api_client, login_as
from tests.support.journeys import (
    SECOND_MANAGER,
    approved_claim,
    at,
    guarantee,
    mediator_user,
)
from tests.support.payments import file_and_decide, past_lease

MANAGER = builders.MANAGER
MEDIATOR = Actor("mediatore", Role.MEDIATOR)
D = Decimal


def payments(system: System, fund_id: str) -> int:
    j = tables.journal_entries.c
    with system.engine.connect() as conn:
        count = conn.scalar(
            select(func.count())
            .select_from(tables.journal_entries)
            .where(j.fund_id == fund_id)
            .where(j.kind == "claim_payment")
        )
    return int(count or 0)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Tokens that outlive the story's months (the clock moves from June to September)."""
    return settings.model_copy(update={"token_ttl_hours": 24 * 365})


def test_the_whole_journey_over_http_with_each_role(system: System, clock: FixedClock) -> None:
    fund_id, number, landlord_id = guarantee(system)
    other = builders.enrol_landlord(system)
    mediator_id = mediator_user(system)
    with api_client(system) as client:
        owner = login_as(client, system, Role.LANDLORD, landlord_id=landlord_id)
        stranger = login_as(client, system, Role.LANDLORD, landlord_id=other.id, username="altro")
        manager = login_as(client, system, Role.FUND_MANAGER)
        second = login_as(client, system, Role.FUND_MANAGER, username="gestore-due")
        auditor = login_as(client, system, Role.AUDITOR)
        mediator = login_as(client, system, Role.MEDIATOR, username=MEDIATOR.user_id)
        at(clock, "2027-06-21")
        body = {
            "guarantee_number": number,
            "rents": [
                {"due_on": "2027-05-05", "rent": "650.00", "charges": "80.00"},
                {"due_on": "2027-06-05", "rent": "650.00", "charges": "80.00"},
            ],
        }
        assert (
            client.post("/api/v1/arrears-reports", json=body, headers=stranger).status_code == 404
        )
        assert (
            client.post("/api/v1/arrears-reports", json=body, headers=mediator).status_code == 403
        )
        bad = {**body, "rents": [{"due_on": "2027-05-05", "rent": "-1"}]}
        refused = client.post("/api/v1/arrears-reports", json=bad, headers=owner)
        assert refused.status_code == 400 and "rents" in refused.text
        reported = client.post("/api/v1/arrears-reports", json=body, headers=owner)
        assert reported.status_code == 201, reported.text
        case = reported.json()["mediation_case"]
        # The landlord learns the case and its deadline, not who the mediator is.
        assert (case["status"], case["mediator_id"], case["first_contact_due"]) == (
            "assigned",
            None,
            "2027-06-28",
        )
        staff_view = client.get(f"/api/v1/mediation-cases/{case['number']}", headers=manager).json()
        assert staff_view["mediator_id"] == mediator_id
        assert reported.json()["deadline"] == "2027-08-04"
        path = f"/api/v1/mediation-cases/{case['number']}"

        at(clock, "2027-06-29")
        overdue = client.get("/api/v1/mediation-cases?overdue=true", headers=manager).json()
        assert [c["number"] for c in overdue["items"]] == [case["number"]]
        assert client.get(path, headers=stranger).status_code == 404
        contact = {"on": "2027-06-29", "note": "telefonata alla conduttrice"}
        assert client.post(f"{path}/first-contact", json=contact, headers=owner).status_code == 403
        assert (
            client.post(f"{path}/first-contact", json=contact, headers=mediator).status_code == 200
        )
        late = client.get("/api/v1/mediation-cases?overdue=true", headers=manager).json()
        assert late["items"] == [] and late["total"] == 0
        meeting = {
            "on": "2027-07-08",
            "at": "10:00",
            "place": "Sportello Casa",
            "participants": "locatore, conduttrice",
        }
        scheduled = client.post(f"{path}/meetings", json=meeting, headers=mediator)
        assert scheduled.status_code == 201
        held = client.post(
            f"{path}/meetings/{scheduled.json()['meetings'][0]['id']}/held",
            json={"attended": "conduttrice", "notes": "il locatore era assente"},
            headers=mediator,
        )
        assert held.status_code == 200, held.text
        assert held.json()["meetings"][0]["participants"] == "conduttrice"
        note = client.post(f"{path}/notes", json={"text": "nessuna proposta"}, headers=mediator)
        assert note.status_code == 201 and len(note.json()["notes"]) == 2
        at(clock, "2027-07-15")
        outcome = {"outcome": "no_agreement", "on": "2027-07-15", "reason": "nessun accordo"}
        assert client.post(f"{path}/outcome", json=outcome, headers=mediator).status_code == 200
        closed = client.post(f"{path}/close", headers=mediator)
        assert closed.json()["status"] == "closed"

        at(clock, "2027-07-20")
        claim_body = {
            "guarantee_number": number,
            "items": [
                {"kind": "arrears", "loss_on": d, "claimed": "730.00"}
                for d in ("2027-05-05", "2027-06-05", "2027-07-05")
            ]
            + [{"kind": "legal_costs", "loss_on": "2027-07-16", "claimed": "2400.00"}],
        }
        assert client.post("/api/v1/claims", json=claim_body, headers=mediator).status_code == 403
        filed = client.post("/api/v1/claims", json=claim_body, headers=owner)
        assert filed.status_code == 201, filed.text
        claim = filed.json()["number"]
        assert claim.startswith("SIN-2027-")
        owned = client.get("/api/v1/claims", headers=owner).json()["items"]
        assert [c["number"] for c in owned] == [claim]
        assert client.get("/api/v1/claims", headers=stranger).json()["items"] == []
        assert client.get(f"/api/v1/claims/{claim}", headers=stranger).status_code == 404
        assert client.post(f"/api/v1/claims/{claim}/review", headers=owner).status_code == 403
        assert client.post(f"/api/v1/claims/{claim}/review", headers=manager).status_code == 200
        suggestion = client.get(f"/api/v1/claims/{claim}/suggested-decision", headers=auditor)
        assert [D(d["approved"]) for d in suggestion.json()] == [D("730")] * 3 + [D("2000")]
        decision = {"decisions": suggestion.json()}
        assert (
            client.post(
                f"/api/v1/claims/{claim}/decide", json=decision, headers=auditor
            ).status_code
            == 403
        )
        decided = client.post(f"/api/v1/claims/{claim}/decide", json=decision, headers=manager)
        assert decided.json()["status"] == "partially_approved"
        assert D(decided.json()["approved_total"]) == D("4190.00")

        detail = client.get(f"/api/v1/claims/{claim}", headers=owner).json()
        legal = next(line for line in detail["cover"] if line["line"] == "legal_costs")
        assert (D(legal["committed"]), D(legal["remaining"])) == (D("2000.00"), D("0.00"))
        assert detail["needs_two_managers"] is None, "the fund's internal step is not shown"
        assert detail["allowed_actions"] == ["withdraw"], "only what the landlord may do"
        staff = client.get(f"/api/v1/claims/{claim}", headers=manager).json()
        assert staff["needs_two_managers"] is True

        pay = f"/api/v1/claims/{claim}/pay"
        assert client.post(pay, headers=manager).status_code == 400  # no Idempotency-Key
        assert client.post(pay, headers={**auditor, "Idempotency-Key": "k"}).status_code == 403
        # 4.190,00 € is above the threshold: one manager proposes, another authorises.
        alone = client.post(pay, headers={**manager, "Idempotency-Key": "bonifico-0"})
        assert alone.status_code == 409 and alone.json()["code"] == "four_eyes_required"
        proposal = f"/api/v1/claims/{claim}/payment-proposal"
        assert client.post(proposal, headers=owner).status_code == 403
        proposed = client.post(proposal, json={"note": "fatture verificate"}, headers=manager)
        assert proposed.json()["payment_proposal"]["proposed_by"] == "fund_manager"
        same = client.post(pay, headers={**manager, "Idempotency-Key": "bonifico-0"})
        assert same.status_code == 409 and same.json()["code"] == "four_eyes_same_person"
        assert payments(system, fund_id) == 0
        first = client.post(pay, headers={**second, "Idempotency-Key": "bonifico-1"})
        again = client.post(pay, headers={**second, "Idempotency-Key": "bonifico-1"})
        assert first.status_code == again.status_code == 200, first.text
        assert first.json() == again.json()
        assert D(first.json()["amount"]) == D("4190.00")
        assert (first.json()["proposed_by"], first.json()["authorised_by"]) == (
            "fund_manager",
            "gestore-due",
        )
        other_body = client.post(
            pay,
            json={"payment_reference": "altro"},
            headers={**second, "Idempotency-Key": "bonifico-1"},
        )
        assert other_body.status_code == 409
        assert (
            client.post(pay, headers={**second, "Idempotency-Key": "bonifico-2"}).status_code == 409
        )
        assert payments(system, fund_id) == 1
        figures = client.get(f"/api/v1/funds/{fund_id}", headers=manager).json()
        assert (D(figures["balance"]), D(figures["reserved"])) == (D("95810.00"), D("2583.00"))

        plan = client.post(
            "/api/v1/recovery-plans",
            json={"claim_number": claim, "first_due_on": "2027-09-01"},
            headers=manager,
        )
        assert plan.status_code == 201, plan.text
        plan_number = plan.json()["number"]
        first_instalment = plan.json()["instalments"][0]
        at(clock, "2027-09-01")
        paid = client.post(
            f"/api/v1/recovery-plans/{plan_number}/instalments/{first_instalment['id']}",
            json={"paid": True},
            headers=manager,
        )
        assert D(paid.json()["recovered"]) == D(first_instalment["amount"])
        assert (
            client.post(
                f"/api/v1/recovery-plans/{plan_number}/write-off",
                json={"reason": "x"},
                headers=auditor,
            ).status_code
            == 403
        )
        written = client.post(
            f"/api/v1/recovery-plans/{plan_number}/write-off",
            json={"reason": "la conduttrice è senza reddito"},
            headers=manager,
        )
        assert written.json()["status"] == "written_off"
        assert D(written.json()["balance"]) == 0
        final = client.get(f"/api/v1/claims/{claim}", headers=owner).json()
        assert (final["status"], D(final["written_off_amount"])) == (
            "closed",
            D("4190.00") - D(first_instalment["amount"]),
        )


def test_twenty_concurrent_payments_with_one_key_pay_once(
    system: System, clock: FixedClock
) -> None:
    fund_id, claim = approved_claim(system, clock)
    at(clock, "2027-07-30")

    system.bus.handle(c.ProposeClaimPayment(claim), MANAGER)

    def pay(_: int) -> dict[str, Any]:
        result: dict[str, Any] = system.bus.handle(
            c.PayClaim(claim, idempotency_key="stesso-bonifico"), SECOND_MANAGER
        )
        return result

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(pay, range(20)))
    assert all(r == results[0] for r in results)
    assert results[0]["amount"] == "4190.00"
    assert payments(system, fund_id) == 1


def test_a_second_key_for_a_paid_claim_pays_nothing(system: System, clock: FixedClock) -> None:
    fund_id, claim = approved_claim(system, clock)
    system.bus.handle(c.ProposeClaimPayment(claim), MANAGER)
    system.bus.handle(c.PayClaim(claim, idempotency_key="a"), SECOND_MANAGER)
    try:
        system.bus.handle(
            c.PayClaim(claim, idempotency_key="a", payment_reference="x"), SECOND_MANAGER
        )
    except Conflict:
        pass
    else:
        raise AssertionError("the same key with another body must be refused")
    assert payments(system, fund_id) == 1


def test_evidence_is_stored_with_its_hash_and_limits_name_the_field(
    system: System, clock: FixedClock
) -> None:
    _, number, landlord_id = guarantee(system)
    at(clock, "2027-07-20")
    landlord = Actor("locatore", Role.LANDLORD, landlord_id=landlord_id)
    claim = system.bus.handle(
        c.FileClaim(number, (c.ClaimItemData(ItemKind.LEGAL_COSTS, date(2027, 7, 16), D("900")),)),
        landlord,
    )
    with api_client(system) as client:
        owner = login_as(client, system, Role.LANDLORD, landlord_id=landlord_id)
        path = f"/api/v1/claims/{claim.number}/evidence"
        pdf = b"%PDF-1.4 parcella dell'avvocato"
        stored = client.post(
            path,
            files={"file": ("parcella.pdf", pdf, "application/pdf")},
            data={"description": "parcella"},
            headers=owner,
        )
        assert stored.status_code == 201, stored.text
        [evidence] = stored.json()["evidence"]
        digest = hashlib.sha256(pdf).hexdigest()
        assert (evidence["sha256"], evidence["size_bytes"]) == (digest, len(pdf))
        assert system.deps.files is not None
        assert system.deps.files.get(f"{digest[:2]}/{digest}") == pdf
        gif = client.post(path, files={"file": ("foto.gif", b"GIF89a", "image/gif")}, headers=owner)
        assert gif.status_code == 422
        assert gif.json()["errors"][0]["field"] == "evidence[1].media_type"
        twice = client.post(
            path, files={"file": ("copia.pdf", pdf, "application/pdf")}, headers=owner
        )
        assert twice.status_code == 422 and "già allegato" in twice.text
        big = client.post(
            path,
            files={"file": ("grande.pdf", b"0" * (10 * 1024 * 1024 + 1), "application/pdf")},
            headers=owner,
        )
        assert big.status_code == 422
        assert big.json()["errors"][0]["field"] == "evidence[1].size_bytes"
        assert (
            len(client.get(f"/api/v1/claims/{claim.number}", headers=owner).json()["evidence"]) == 1
        )


def test_a_landlord_files_a_damages_claim_with_its_evidence_over_http(
    system: System, clock: FixedClock
) -> None:
    _, number, landlord_id = guarantee(system)
    at(clock, "2030-01-20")
    photo = b"\x89PNG\r\n\x1a\n foto del pavimento rovinato"
    body = {
        "guarantee_number": number,
        "items": [
            {
                "kind": "damages",
                "loss_on": "2029-12-30",
                "claimed": "1800.00",
                "description": "pavimento del soggiorno da rifare",
            }
        ],
    }
    with api_client(system) as client:
        owner = login_as(client, system, Role.LANDLORD, landlord_id=landlord_id)
        without = client.post("/api/v1/claims", json=body, headers=owner)
        assert without.status_code == 409
        assert without.json()["code"] == "damages_without_evidence"
        body["evidence"] = [
            {
                "file_name": "pavimento.png",
                "media_type": "image/png",
                "content_base64": base64.b64encode(photo).decode(),
                "description": "foto al rilascio",
            }
        ]
        filed = client.post("/api/v1/claims", json=body, headers=owner)
        assert filed.status_code == 201, filed.text
        [evidence] = filed.json()["evidence"]
        assert evidence["sha256"] == hashlib.sha256(photo).hexdigest()
        body["evidence"][0]["content_base64"] = "non è base64!"
        broken = client.post("/api/v1/claims", json=body, headers=owner)
        assert broken.status_code == 400
        assert "content_base64" in broken.json()["errors"][0]["field"]
    with system.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(tables.claims)) == 1


def test_ways_out_over_http_withdraw_revoke_resume_exhaust(system: System) -> None:
    fund = builders.fund_with(system, D("100000.00"))
    issued = builders.issued_guarantee(system, fund.id, lease_data=past_lease())
    number = issued.number
    assert number is not None
    other = builders.enrol_landlord(system)
    first = file_and_decide(system, number, D("2000.00"))
    second = file_and_decide(system, number, D("500.00"))
    with api_client(system) as client:
        owner = login_as(client, system, Role.LANDLORD, landlord_id=issued.landlord_id)
        stranger = login_as(client, system, Role.LANDLORD, landlord_id=other.id, username="x")
        manager = login_as(client, system, Role.FUND_MANAGER)
        auditor = login_as(client, system, Role.AUDITOR)
        why = {"reason": "danno riparato"}

        assert (
            client.post(f"/api/v1/claims/{first}/withdraw", json=why, headers=stranger).status_code
            == 404
        )
        assert (
            client.post(f"/api/v1/claims/{first}/withdraw", json={}, headers=owner).status_code
            == 400
        )
        withdrawn = client.post(f"/api/v1/claims/{first}/withdraw", json=why, headers=owner)
        assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "closed"
        damages = next(x for x in withdrawn.json()["cover"] if x["line"] == "damages")
        assert (D(damages["committed"]), D(damages["remaining"])) == (D("500.00"), D("2500.00"))
        again = client.post(f"/api/v1/claims/{first}/withdraw", json=why, headers=owner)
        assert again.status_code == 409 and "closed" in again.json()["detail"]

        revoke = f"/api/v1/claims/{second}/revoke-decision"
        assert client.post(revoke, json=why, headers=owner).status_code == 403
        assert client.post(revoke, json=why, headers=auditor).status_code == 403
        revoked = client.post(revoke, json={"reason": "perizia da rifare"}, headers=manager)
        assert revoked.status_code == 200 and revoked.json()["status"] == "under_review"

        detail = client.get(f"/api/v1/guarantees/{number}", headers=manager).json()
        assert detail["status"] == "suspended" and "resume" in detail["allowed_actions"]
        pending = client.post(
            f"/api/v1/guarantees/{number}/resume", json={"reason": "ok"}, headers=manager
        )
        assert pending.status_code == 409 and second in pending.json()["detail"]
        client.post(f"/api/v1/claims/{second}/withdraw", json=why, headers=owner)
        assert (
            client.post(
                f"/api/v1/guarantees/{number}/exhaust", json={"reason": "x"}, headers=owner
            ).status_code
            == 403
        )
        # Withdrawing the last open claim resumed the guarantee by itself.
        resumed = client.get(f"/api/v1/guarantees/{number}", headers=manager).json()
        assert resumed["status"] == "active"
        assert (
            client.post(
                f"/api/v1/guarantees/{number}/resume", json={"reason": "ok"}, headers=manager
            ).status_code
            == 409
        )
        exhausted = client.post(
            f"/api/v1/guarantees/{number}/exhaust",
            json={"reason": "delibera del comitato: copertura chiusa"},
            headers=manager,
        )
        assert exhausted.status_code == 200, exhausted.text
        assert (exhausted.json()["status"], D(exhausted.json()["reserve_amount"])) == (
            "exhausted",
            D("0.00"),
        )
