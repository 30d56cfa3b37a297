"""Claims: EXAMPLES §D steps 3–5, every transition, every refusal, and the cover."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guarantee.domain.arrears import ArrearsReport
from guarantee.domain.claim_decisions import MEDIATION_PENDING, suggest_decision
from guarantee.domain.claims import (
    CLAIM_LIFECYCLE,
    Claim,
    ClaimItem,
    ClaimStatus,
    ItemDecision,
    arrears_payable,
    paid_by_kind,
)
from guarantee.domain.cover import CoverLine, CoverState, ItemKind
from guarantee.domain.errors import DomainError, IllegalTransition, InvalidField
from guarantee.domain.evidence import EvidenceFile, EvidenceLimits
from guarantee.domain.guarantee_facts import GuaranteeFacts
from guarantee.domain.mediation import MediationCase
from guarantee.domain.products import Product
from tests.support.claims import (
    GARANZIA_CASA,
    GUARANTEE,
    IBAN,
    OFFICE,
    at,
    evidence,
    facts,
    mediation_without_agreement,
    pay_with_four_eyes,
    product,
    report,
)

C = ClaimStatus
K = ItemKind
RENT = Decimal("650.00")
FILED = date(2027, 7, 20)
NOW = at(FILED)
D = Decimal
# A payment under the threshold: one fund manager is enough.
ONE_MANAGER: dict[str, Any] = {"threshold": D("99999.00"), "by": "gestore", "account": "a-1"}


def examples_d_report() -> ArrearsReport:
    return report(date(2027, 5, 5), date(2027, 6, 5), reported_on=date(2027, 6, 21))


def examples_d_items() -> list[ClaimItem]:
    return [
        ClaimItem(K.ARREARS, date(2027, 5, 5), D("730.00"), "canone e spese di maggio"),
        ClaimItem(K.ARREARS, date(2027, 6, 5), D("730.00"), "canone e spese di giugno"),
        ClaimItem(K.ARREARS, date(2027, 7, 5), D("730.00"), "canone e spese di luglio"),
        ClaimItem(K.LEGAL_COSTS, date(2027, 7, 16), D("2400.00"), "intimazione di sfratto"),
    ]


def file_claim(
    items: list[ClaimItem] | None = None,
    *,
    arrears: ArrearsReport | None = None,
    guarantee: GuaranteeFacts = GUARANTEE,
    plan: Product = GARANZIA_CASA,
    filed_on: date = FILED,
    files: list[EvidenceFile] | None = None,
) -> Claim:
    return Claim(
        guarantee=guarantee,
        product=plan,
        items=examples_d_items() if items is None else items,
        filed_on=filed_on,
        filed_at=at(filed_on),
        filed_by="locatore-1",
        evidence=files or [],
        arrears_report=arrears,
    )


def examples_d_claim() -> tuple[Claim, MediationCase]:
    arrears = examples_d_report()
    case = mediation_without_agreement(arrears, date(2027, 7, 15))
    return file_claim(arrears=arrears), case


def fresh_cover(plan: Product = GARANZIA_CASA, **paid: Decimal) -> CoverState:
    return CoverState.of(plan, RENT, {K(kind): amount for kind, amount in paid.items()})


# -- EXAMPLES §D -----------------------------------------------------------------------------


def test_examples_d_decision_payment_and_remaining_cover() -> None:
    claim, case = examples_d_claim()
    assert claim.status is C.SUBMITTED
    assert claim.claimed_total == D("4590.00")
    claim.start_review(now=NOW)

    cover = fresh_cover()
    payable = arrears_payable(GARANZIA_CASA, claim.guarantee_id, [case])
    suggestion = suggest_decision(claim, cover, arrears_payable=payable)
    assert [(d.approved, d.reason) for d in suggestion] == [
        (D("730.00"), None),
        (D("730.00"), None),
        (D("730.00"), None),
        (D("2000.00"), "oltre il massimale per spese legali (2.000,00 €)"),
    ]
    status = claim.decide(
        suggestion,
        cover=cover,
        product=GARANZIA_CASA,
        mediation_cases=[case],
        now=at(date(2027, 7, 28)),
        by="gestore",
    )
    assert status is C.PARTIALLY_APPROVED
    assert claim.approved_by_kind() == {K.ARREARS: D("2190.00"), K.LEGAL_COSTS: D("2000.00")}
    assert claim.approved_total == D("4190.00")
    assert claim.refused_total == D("400.00")
    legal = claim.items[-1]
    assert (legal.approved, legal.refused, legal.reason) == (
        D("2000.00"),
        D("400.00"),
        "oltre il massimale per spese legali (2.000,00 €)",
    )

    paid = pay_with_four_eyes(claim, "CRO 0000123456", at(date(2027, 7, 30)))
    assert paid == D("4190.00")
    assert claim.status is C.PAID
    assert claim.paid_to_iban == IBAN
    assert claim.events[-1].name == "claim_paid"
    assert claim.events[-1].data["by_kind"] == {"arrears": "2190.00", "legal_costs": "2000.00"}
    with pytest.raises(IllegalTransition):
        pay_with_four_eyes(claim, "CRO 0000123456", at(date(2027, 7, 31)))
    assert claim.paid_at == at(date(2027, 7, 30)), "paid once"

    after = CoverState.of(GARANZIA_CASA, RENT, paid_by_kind([claim]))
    assert after.overall_remaining == D("8610.00")
    assert after.arrears_remaining == D("5610.00")
    assert after.damages_remaining == D("3000.00")
    assert after.legal_costs_remaining == D("0.00")
    assert GARANZIA_CASA.reserve_for(RENT, paid=after.paid_total) == D("2583.00")
    released = GARANZIA_CASA.reserve_for(RENT) - GARANZIA_CASA.reserve_for(RENT, after.paid_total)
    assert released == D("1257.00")


def test_the_decision_is_recorded_for_the_audit_trail() -> None:
    claim, case = examples_d_claim()
    claim.start_review(now=NOW)
    claim.decide(
        suggest_decision(claim, fresh_cover(), arrears_payable=True),
        cover=fresh_cover(),
        product=GARANZIA_CASA,
        mediation_cases=[case],
        now=NOW,
        by="gestore",
        note="esito della mediazione: nessun accordo",
    )
    change = claim.changes[-1]
    assert (change.action, change.before["status"], change.after["status"]) == (
        "decide",
        "under_review",
        "partially_approved",
    )
    assert change.after["approved"] == "4190.00"
    assert change.reason == "esito della mediazione: nessun accordo"
    assert claim.decided_by == "gestore"


# -- every action from every state -----------------------------------------------------------

EXPECTED: dict[str, dict[C, C]] = {
    "start_review": {C.SUBMITTED: C.UNDER_REVIEW},
    "await_mediation": {C.UNDER_REVIEW: C.AWAITING_MEDIATION},
    "decide": {C.UNDER_REVIEW: C.PARTIALLY_APPROVED, C.AWAITING_MEDIATION: C.PARTIALLY_APPROVED},
    "mark_paid": {C.APPROVED: C.PAID, C.PARTIALLY_APPROVED: C.PAID},
    "start_recovery": {C.PAID: C.IN_RECOVERY},
    "replan_recovery": {C.IN_RECOVERY: C.IN_RECOVERY},
    "end_recovery": {C.IN_RECOVERY: C.RECOVERED},
    "write_off": {C.PAID: C.WRITTEN_OFF},
    "close": {C.REJECTED: C.CLOSED, C.RECOVERED: C.CLOSED, C.WRITTEN_OFF: C.CLOSED},
    "withdraw": {
        s: C.CLOSED
        for s in (
            C.SUBMITTED,
            C.UNDER_REVIEW,
            C.AWAITING_MEDIATION,
            C.APPROVED,
            C.PARTIALLY_APPROVED,
        )
    },
    "add_evidence": {s: s for s in (C.SUBMITTED, C.UNDER_REVIEW, C.AWAITING_MEDIATION)},
    "end_mediation_wait": {C.AWAITING_MEDIATION: C.UNDER_REVIEW},
    "revoke_decision": {s: C.UNDER_REVIEW for s in (C.APPROVED, C.PARTIALLY_APPROVED, C.REJECTED)},
    "propose_payment": {s: s for s in (C.APPROVED, C.PARTIALLY_APPROVED)},
    "refuse_payment": {s: s for s in (C.APPROVED, C.PARTIALLY_APPROVED)},
}
# The table as it is written, targets of every outcome included.
TABLE: dict[str, tuple[set[C], set[C]]] = {
    "start_review": ({C.SUBMITTED}, {C.UNDER_REVIEW}),
    "await_mediation": ({C.UNDER_REVIEW}, {C.AWAITING_MEDIATION}),
    "decide": (
        {C.UNDER_REVIEW, C.AWAITING_MEDIATION},
        {C.APPROVED, C.PARTIALLY_APPROVED, C.REJECTED},
    ),
    "mark_paid": ({C.APPROVED, C.PARTIALLY_APPROVED}, {C.PAID}),
    "start_recovery": ({C.PAID}, {C.IN_RECOVERY}),
    "replan_recovery": ({C.IN_RECOVERY}, {C.IN_RECOVERY}),
    "end_recovery": ({C.IN_RECOVERY}, {C.RECOVERED, C.WRITTEN_OFF}),
    "write_off": ({C.PAID}, {C.WRITTEN_OFF}),
    "close": ({C.REJECTED, C.RECOVERED, C.WRITTEN_OFF}, {C.CLOSED}),
    "withdraw": (
        {C.SUBMITTED, C.UNDER_REVIEW, C.AWAITING_MEDIATION, C.APPROVED, C.PARTIALLY_APPROVED},
        {C.CLOSED},
    ),
    "add_evidence": (
        {C.SUBMITTED, C.UNDER_REVIEW, C.AWAITING_MEDIATION},
        {C.SUBMITTED, C.UNDER_REVIEW, C.AWAITING_MEDIATION},
    ),
    "end_mediation_wait": ({C.AWAITING_MEDIATION}, {C.UNDER_REVIEW}),
    "revoke_decision": ({C.APPROVED, C.PARTIALLY_APPROVED, C.REJECTED}, {C.UNDER_REVIEW}),
    "propose_payment": (
        {C.APPROVED, C.PARTIALLY_APPROVED},
        {C.APPROVED, C.PARTIALLY_APPROVED},
    ),
    "refuse_payment": (
        {C.APPROVED, C.PARTIALLY_APPROVED},
        {C.APPROVED, C.PARTIALLY_APPROVED},
    ),
}


def make_claim(status: C) -> tuple[Claim, MediationCase]:
    claim, case = examples_d_claim()
    claim.status = status
    if status not in (C.SUBMITTED, C.UNDER_REVIEW, C.AWAITING_MEDIATION):
        for item in claim.items:
            item.approved, item.refused = item.claimed, D("0")
    claim.paid_amount = D("4190.00")
    claim.changes.clear()
    claim.events.clear()
    return claim, case


def perform(claim: Claim, case: MediationCase, action: str) -> None:
    if action == "decide":
        claim.decide(
            suggest_decision(claim, fresh_cover(), arrears_payable=True),
            cover=fresh_cover(),
            product=GARANZIA_CASA,
            mediation_cases=[case],
            now=NOW,
            by="gestore",
        )
    elif action == "mark_paid":
        # A product whose threshold is above the amount: one fund manager pays.
        claim.mark_paid("CRO 1", IBAN, NOW, threshold=D("99999.00"), by="gestore", account="a-1")
    elif action == "propose_payment":
        claim.propose_payment(threshold=D("1000.00"), by="gestore", account="a-1", now=NOW)
    elif action == "refuse_payment":
        if claim.status in (C.APPROVED, C.PARTIALLY_APPROVED):
            claim.propose_payment(threshold=D("1000.00"), by="gestore", account="a-1", now=NOW)
        claim.refuse_payment(reason="IBAN da verificare", by="gestore-2", now=NOW)
    elif action == "revoke_decision":
        claim.revoke_decision(reason="errore di calcolo", now=NOW, by="gestore")
    elif action == "end_mediation_wait":
        claim.end_mediation_wait(now=NOW, reason="mediazione conclusa")
    elif action == "start_recovery":
        claim.start_recovery("plan-1", now=NOW)
    elif action == "replan_recovery":
        claim.replan_recovery("plan-2", replaced="plan-1", now=NOW)
    elif action == "end_recovery":
        claim.end_recovery(recovered=D("4190.00"), written_off=D("0"), now=NOW)
    elif action in ("write_off", "withdraw"):
        getattr(claim, action)(now=NOW, reason="motivazione")
    elif action == "add_evidence":
        claim.add_evidence(evidence("fattura-avvocato.pdf"), now=NOW)
    else:
        getattr(claim, action)(now=NOW)


def snapshot(claim: Claim) -> tuple[Any, ...]:
    return (
        claim.status,
        [(i.approved, i.refused, i.reason) for i in claim.items],
        len(claim.evidence),
        claim.paid_at,
        claim.recovery_plan_id,
        claim.recovered_amount,
        claim.written_off_amount,
        claim.closed_at,
        len(claim.changes),
        len(claim.events),
    )


CASES = [(action, state) for action in EXPECTED for state in C]


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_every_action_from_every_state(action: str, state: C) -> None:
    claim, case = make_claim(state)
    expected = EXPECTED[action].get(state)
    if expected is None:
        before = snapshot(claim)
        with pytest.raises(IllegalTransition) as refused:
            perform(claim, case, action)
        assert state.value in refused.value.message
        assert snapshot(claim) == before, "a refused move changes nothing"
    else:
        perform(claim, case, action)
        assert claim.status is expected
        assert claim.changes[-1].action == action


def test_the_table_in_the_domain_is_the_table_written_here() -> None:
    assert set(CLAIM_LIFECYCLE.moves) == set(TABLE)
    for action, (sources, targets) in TABLE.items():
        assert CLAIM_LIFECYCLE.moves[action].sources == frozenset(sources)
        assert CLAIM_LIFECYCLE.moves[action].targets == frozenset(targets)


def test_only_a_claim_with_arrears_waits_for_mediation() -> None:
    claim = file_claim(
        [ClaimItem(K.DAMAGES, date(2029, 12, 31), D("1200"), "porta rotta")],
        filed_on=date(2030, 1, 15),
        files=[evidence()],
    )
    claim.start_review(now=NOW)
    with pytest.raises(DomainError) as refused:
        claim.await_mediation(now=NOW)
    assert refused.value.code == "no_arrears"
    assert claim.status is C.UNDER_REVIEW


def test_decision_outcome_follows_the_amounts() -> None:
    for approved, status in [(D("730.00"), C.APPROVED), (D("0"), C.REJECTED)]:
        arrears = examples_d_report()
        case = mediation_without_agreement(arrears, date(2027, 7, 15))
        claim = file_claim([ClaimItem(K.ARREARS, date(2027, 5, 5), D("730"))], arrears=arrears)
        claim.start_review(now=NOW)
        result = claim.decide(
            [ItemDecision(claim.items[0].id, approved, "canone già saldato dal conduttore")],
            cover=fresh_cover(),
            product=GARANZIA_CASA,
            mediation_cases=[case],
            now=NOW,
            by="gestore",
        )
        assert result is status


def test_recovery_outcomes_and_write_off_without_a_plan() -> None:
    claim, _ = make_claim(C.IN_RECOVERY)
    with pytest.raises(DomainError) as refused:
        claim.end_recovery(recovered=D("349.17"), written_off=D("0"), now=NOW)
    assert refused.value.code == "recovery_mismatch"
    assert claim.status is C.IN_RECOVERY
    assert claim.end_recovery(recovered=D("3600"), written_off=D("590"), now=NOW) is C.WRITTEN_OFF
    assert (claim.recovered_amount, claim.written_off_amount) == (D("3600.00"), D("590.00"))

    unreachable, _ = make_claim(C.PAID)
    with pytest.raises(InvalidField):
        unreachable.write_off(now=NOW, reason=" ")
    assert unreachable.write_off(now=NOW, reason="conduttore irreperibile") == D("4190.00")
    assert unreachable.status is C.WRITTEN_OFF
    unreachable.close(now=NOW)
    assert unreachable.status is C.CLOSED


# -- refusals when the claim is filed --------------------------------------------------------


def refused_filing(**kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as refused:
        file_claim(**kwargs)
    return refused.value


def test_a_loss_after_the_guarantee_expired_is_refused() -> None:
    expired = facts(ends_on=date(2027, 6, 30))
    arrears = report(
        date(2027, 5, 5), date(2027, 6, 5), reported_on=date(2027, 6, 21), guarantee=expired
    )
    error = refused_filing(arrears=arrears, guarantee=expired)
    assert error.code == "guarantee_not_live"
    assert error.message == (
        "il canone scaduto il 5 luglio 2027 è fuori copertura: la garanzia GC-2027-000001 "
        "è in vigore dal 1 gennaio 2027 al 30 giugno 2027"
    )


def test_a_damage_found_after_an_early_end_is_refused() -> None:
    ended = facts(ended_on=date(2028, 3, 31), lease_end=date(2028, 3, 31))
    error = refused_filing(
        items=[ClaimItem(K.DAMAGES, date(2028, 4, 2), D("800"), "infiltrazione")],
        guarantee=ended,
        filed_on=date(2028, 4, 10),
        files=[evidence()],
    )
    assert error.code == "guarantee_not_live"
    assert "il danno del 2 aprile 2028 è fuori copertura" in error.message


def test_arrears_in_the_waiting_period_are_refused() -> None:
    arrears = report(date(2027, 3, 5), date(2027, 4, 5), reported_on=date(2027, 4, 20))
    error = refused_filing(
        items=[
            ClaimItem(K.ARREARS, date(2027, 2, 5), D("730")),
            ClaimItem(K.ARREARS, date(2027, 3, 5), D("730")),
        ],
        arrears=arrears,
        filed_on=date(2027, 4, 20),
    )
    assert error.code == "arrears_in_waiting_period"
    assert error.message == (
        "il canone scaduto il 5 febbraio 2027 cade nel periodo di carenza (i primi 60 giorni "
        "del contratto, fino al 1 marzo 2027) e non è coperto"
    )


def test_arrears_reported_after_the_deadline_are_refused() -> None:
    # The report of May and June (21 June) was in time for them, but March and April were
    # unpaid too: counted from 5 April, the arrears had to be reported by 4 June.
    dues = (date(2027, 3, 5), date(2027, 4, 5), date(2027, 5, 5))
    error = refused_filing(
        items=[ClaimItem(K.ARREARS, d, D("730")) for d in dues], arrears=examples_d_report()
    )
    assert error.code == "arrears_reported_late"
    assert "entro il 4 giugno 2027" in error.message
    assert "è stata segnalata il 21 giugno 2027" in error.message
    # April and May alone: by 4 July, so 21 June was in time
    in_time = file_claim(
        [ClaimItem(K.ARREARS, d, D("730")) for d in dues[1:]], arrears=examples_d_report()
    )
    assert in_time.status is C.SUBMITTED


def test_arrears_never_reported_are_refused() -> None:
    assert refused_filing(arrears=None).code == "arrears_not_reported"
    other = report(
        date(2027, 5, 5),
        date(2027, 6, 5),
        reported_on=date(2027, 6, 21),
        guarantee=facts(guarantee_id="g-2"),
    )
    assert refused_filing(arrears=other).code == "arrears_not_reported"


def test_damages_are_claimed_within_60_days_of_the_lease_end() -> None:
    damages = [ClaimItem(K.DAMAGES, date(2029, 12, 31), D("1200"), "porta rotta")]
    in_time = file_claim(damages, filed_on=date(2030, 3, 1), files=[evidence()])
    assert in_time.status is C.SUBMITTED
    error = refused_filing(
        items=[ClaimItem(K.DAMAGES, date(2029, 12, 31), D("1200"))],
        filed_on=date(2030, 3, 2),
        files=[evidence()],
    )
    assert error.code == "damages_claimed_late"
    assert error.message == (
        "richiesta per danni tardiva: andava presentata entro il 1 marzo 2030, 60 giorni "
        "dalla fine del contratto (31 dicembre 2029)"
    )


def test_damages_need_evidence() -> None:
    error = refused_filing(
        items=[ClaimItem(K.DAMAGES, date(2029, 12, 31), D("1200"))], filed_on=date(2030, 1, 10)
    )
    assert error.code == "damages_without_evidence"


def test_charges_are_refused_when_the_product_does_not_cover_them() -> None:
    plan = product(arrears_include_charges=False)
    arrears = report(date(2027, 5, 5), date(2027, 6, 5), reported_on=date(2027, 6, 21), plan=plan)
    error = refused_filing(
        items=[ClaimItem(K.CHARGES, date(2027, 5, 5), D("80"))], arrears=arrears, plan=plan
    )
    assert error.code == "charges_not_covered"


def test_the_product_must_be_the_guarantee_version() -> None:
    error = refused_filing(
        items=[ClaimItem(K.LEGAL_COSTS, date(2027, 7, 1), D("500"))], plan=product(version=3)
    )
    assert error.code == "wrong_product_version"
    claim = file_claim([ClaimItem(K.LEGAL_COSTS, date(2027, 7, 1), D("500"))])
    claim.start_review(now=NOW)
    with pytest.raises(DomainError) as refused:
        decide(claim, [D("500")], plan=product(version=3))
    assert refused.value.code == "wrong_product_version"
    assert claim.status is C.UNDER_REVIEW


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([], "items"),
        ([ClaimItem(K.LEGAL_COSTS, date(2027, 7, 1), D("0"))], "items[0].claimed"),
        ([ClaimItem(K.LEGAL_COSTS, date(2027, 7, 21), D("10"))], "items[0].loss_on"),
        (
            [ClaimItem(K.ARREARS, date(2027, 5, 5), D("730"))] * 2,
            "items[1].loss_on",
        ),
    ],
)
def test_wrong_items_name_the_field(items: list[ClaimItem], field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        file_claim(items, arrears=examples_d_report())
    assert refused.value.field == field


# -- evidence --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"file_name": "foto.gif", "media_type": "image/gif"}, "evidence[0].media_type"),
        ({"file_name": "foto.png", "media_type": "image/jpeg"}, "evidence[0].file_name"),
        ({"size_bytes": 10 * 1024 * 1024 + 1}, "evidence[0].size_bytes"),
    ],
)
def test_evidence_limits(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        file_claim(
            [ClaimItem(K.LEGAL_COSTS, date(2027, 7, 1), D("500"))], files=[evidence(**changes)]
        )
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"file_name": "../../etc/passwd.pdf"}, "file_name"),
        ({"file_name": "  "}, "file_name"),
        ({"size_bytes": 0}, "size_bytes"),
        ({"sha256": "abc"}, "sha256"),
    ],
)
def test_evidence_metadata_is_checked(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        evidence(**changes)
    assert refused.value.field == field


def test_evidence_is_normalised_and_accepted_up_to_the_limit() -> None:
    photo = evidence("Cucina.JPG", media_type="IMAGE/JPEG", sha256="A" * 64)
    assert (photo.media_type, photo.sha256) == ("image/jpeg", "a" * 64)
    claim = file_claim([ClaimItem(K.LEGAL_COSTS, date(2027, 7, 1), D("500"))])
    limits = EvidenceLimits(max_files=2)
    claim.add_evidence(evidence("a.pdf"), now=NOW, limits=limits)
    with pytest.raises(InvalidField, match="già allegato"):
        claim.add_evidence(evidence("a.pdf"), now=NOW, limits=limits)
    claim.add_evidence(evidence("b.png", media_type="image/png"), now=NOW, limits=limits)
    with pytest.raises(InvalidField, match="al massimo 2 file"):
        claim.add_evidence(evidence("c.pdf"), now=NOW, limits=limits)
    assert [f.file_name for f in claim.evidence] == ["a.pdf", "b.png"]
    assert claim.changes[-1].after["file"] == "b.png"


# -- refusals at the decision ----------------------------------------------------------------


def reviewed() -> tuple[Claim, MediationCase]:
    claim, case = examples_d_claim()
    claim.start_review(now=NOW)
    return claim, case


def decide(
    claim: Claim,
    amounts: list[Decimal],
    *,
    cover: CoverState | None = None,
    cases: list[MediationCase] | None = None,
    plan: Product = GARANZIA_CASA,
    reason: str | None = "motivo",
) -> ClaimStatus:
    return claim.decide(
        [ItemDecision(i.id, a, reason) for i, a in zip(claim.items, amounts, strict=True)],
        cover=cover or fresh_cover(),
        product=plan,
        mediation_cases=cases or [],
        now=NOW,
        by="gestore",
    )


def test_approving_above_the_remaining_cover_is_refused_and_changes_nothing() -> None:
    claim, case = reviewed()
    before = snapshot(claim)
    with pytest.raises(DomainError) as refused:
        decide(claim, [D("730")] * 3 + [D("2400")], cases=[case])
    assert refused.value.code == "above_remaining_cover"
    assert refused.value.message == (
        "oltre la copertura residua per spese legali: richiesti 2.400,00 €, residui 2.000,00 €"
    )
    assert snapshot(claim) == before


def test_cover_already_used_by_an_earlier_claim_limits_the_next() -> None:
    claim, case = reviewed()
    used = fresh_cover(legal_costs=D("1500"))
    with pytest.raises(DomainError, match=r"spese legali: richiesti 600,00 €, residui 500,00 €"):
        decide(claim, [D("730")] * 3 + [D("600")], cover=used, cases=[case])
    suggestion = suggest_decision(claim, used, arrears_payable=True)
    assert (suggestion[-1].approved, suggestion[-1].reason) == (
        D("500.00"),
        "oltre la copertura residua per spese legali (500,00 € del massimale di 2.000,00 €)",
    )


def test_the_overall_cap_binds_when_it_is_below_the_sum_of_the_lines() -> None:
    plan = product(overall_cap_extra=D("4000.00"))  # 12 × 650 + 4,000 = 11,800
    claim, case = reviewed()
    used = fresh_cover(plan, arrears=D("7000"), damages=D("3000"))  # 1,800 left overall
    suggestion = suggest_decision(claim, used, arrears_payable=True)
    assert [d.approved for d in suggestion] == [D("730"), D("70"), D("0"), D("1000")]
    assert suggestion[1].reason == (
        "oltre la copertura residua per morosità (800,00 € del massimale di 7.800,00 €)"
    )
    assert suggestion[3].reason == (
        "oltre la copertura residua della garanzia (1.800,00 € del massimale di 11.800,00 €)"
    )
    refusal = r"complessiva della garanzia: richiesti 1\.801,00 €, residui 1\.800,00 €"
    with pytest.raises(DomainError, match=refusal):
        decide(claim, [D("730"), D("70"), D("0"), D("1001")], cover=used, cases=[case], plan=plan)


def test_arrears_cannot_be_paid_before_mediation_ended() -> None:
    arrears = examples_d_report()
    running = MediationCase.for_arrears(arrears, OFFICE, now=NOW, by="system")
    claim = file_claim(arrears=arrears)
    claim.start_review(now=NOW)
    claim.await_mediation(now=NOW, reason="mediazione in corso")
    before = snapshot(claim)
    with pytest.raises(DomainError) as refused:
        decide(claim, [D("730")] * 3 + [D("2000")], cases=[running])
    assert refused.value.code == "mediation_not_concluded"
    assert snapshot(claim) == before
    suggestion = suggest_decision(claim, fresh_cover(), arrears_payable=False)
    assert [(d.approved, d.reason) for d in suggestion[:3]] == [(D("0"), MEDIATION_PENDING)] * 3
    # legal costs alone do not wait for the mediation
    assert decide(claim, [D("0")] * 3 + [D("2000")], cases=[running]) is C.PARTIALLY_APPROVED


def test_a_broken_agreement_opens_the_path_and_another_guarantee_case_does_not() -> None:
    arrears = examples_d_report()
    elsewhere = mediation_without_agreement(
        report(
            date(2027, 5, 5),
            date(2027, 6, 5),
            reported_on=date(2027, 6, 21),
            guarantee=facts(guarantee_id="g-2"),
        ),
        date(2027, 7, 15),
    )
    assert not arrears_payable(GARANZIA_CASA, "g-1", [elsewhere])
    assert arrears_payable(product(arrears_claim_requires_mediation=False), "g-1", [])
    broken = MediationCase.for_arrears(arrears, OFFICE, now=NOW, by="system")
    broken.agreement_broken_on = date(2027, 9, 20)
    assert arrears_payable(GARANZIA_CASA, "g-1", [elsewhere, broken])


@pytest.mark.parametrize(
    ("decisions", "field"),
    [
        (lambda c: [ItemDecision("nessuna", D("1"))], "decisions[0].item_id"),
        (
            lambda c: [
                ItemDecision(c.items[0].id, D("730")),
                ItemDecision(c.items[0].id, D("730")),
            ],
            "decisions[1].item_id",
        ),
        (lambda c: [ItemDecision(c.items[0].id, D("731"))], "decisions[0].approved"),
        (lambda c: [ItemDecision(c.items[0].id, D("-1"), "x")], "decisions[0].approved"),
        (lambda c: [ItemDecision(c.items[0].id, D("700"))], "decisions[0].reason"),
        (lambda c: [ItemDecision(c.items[0].id, D("730"))], "decisions"),
    ],
)
def test_wrong_decisions_name_the_field(decisions: Any, field: str) -> None:
    claim, case = reviewed()
    with pytest.raises(InvalidField) as refused:
        claim.decide(
            decisions(claim),
            cover=fresh_cover(),
            product=GARANZIA_CASA,
            mediation_cases=[case],
            now=NOW,
            by="gestore",
        )
    assert refused.value.field == field
    assert claim.status is C.UNDER_REVIEW


def test_payment_needs_a_valid_iban_and_a_reference() -> None:
    claim, case = reviewed()
    claim.decide(
        suggest_decision(claim, fresh_cover(), arrears_payable=True),
        cover=fresh_cover(),
        product=GARANZIA_CASA,
        mediation_cases=[case],
        now=NOW,
        by="gestore",
    )
    with pytest.raises(InvalidField) as wrong:
        claim.mark_paid("CRO 1", "IT00X0000000000000000000000", NOW, **ONE_MANAGER)
    assert wrong.value.field == "iban"
    with pytest.raises(InvalidField) as empty:
        claim.mark_paid("  ", IBAN, NOW, **ONE_MANAGER)
    assert empty.value.field == "payment_reference"
    assert claim.status is C.PARTIALLY_APPROVED
    assert claim.paid_at is None


# -- cover -----------------------------------------------------------------------------------


def test_examples_a_caps_for_rent_650() -> None:
    cover = fresh_cover()
    assert (cover.overall_cap, cover.arrears_cap, cover.damages_cap, cover.legal_costs_cap) == (
        D("12800.00"),
        D("7800.00"),
        D("3000.00"),
        D("2000.00"),
    )


def test_charges_share_the_arrears_cap_and_the_overall_cap_bounds_every_line() -> None:
    cover = fresh_cover(arrears=D("7000"), charges=D("500"))
    assert cover.arrears_remaining == D("300.00")
    assert cover.available_for(K.CHARGES) == D("300.00")
    tight = CoverState.of(product(overall_cap_extra=D("0")), RENT, {K.ARREARS: D("7000")})
    assert tight.damages_remaining == D("3000.00")
    assert tight.available_for(K.DAMAGES) == D("800.00")
    assert not CoverState.of(product(arrears_include_charges=False), RENT).covers(K.CHARGES)
    assert CoverState.of(product(arrears_include_charges=False), RENT).available_for(
        K.CHARGES
    ) == D("0")


def test_only_paid_claims_use_cover() -> None:
    claim, _ = reviewed()
    assert paid_by_kind([claim]) == {}


AMOUNTS = st.decimals(min_value=D("0.01"), max_value=D("9000"), places=2)
PAID = st.decimals(min_value=D("0"), max_value=D("9000"), places=2)


@given(
    arrears=st.lists(AMOUNTS, min_size=0, max_size=3),
    legal=st.lists(AMOUNTS, min_size=0, max_size=2),
    paid_arrears=PAID,
    paid_legal=PAID,
    extra=st.decimals(min_value=D("0"), max_value=D("6000"), places=2),
)
def test_the_suggestion_never_exceeds_cover_and_is_always_accepted(
    arrears: list[Decimal],
    legal: list[Decimal],
    paid_arrears: Decimal,
    paid_legal: Decimal,
    extra: Decimal,
) -> None:
    plan = product(overall_cap_extra=extra)
    arrears_report = examples_d_report()
    case = mediation_without_agreement(arrears_report, date(2027, 7, 15))
    dues = [date(2027, 5, 5), date(2027, 6, 5), date(2027, 7, 5)]
    items = [ClaimItem(K.ARREARS, d, a) for d, a in zip(dues, arrears, strict=False)]
    items += [ClaimItem(K.LEGAL_COSTS, date(2027, 7, 10 + n), a) for n, a in enumerate(legal)]
    if not items:
        return
    claim = file_claim(items, arrears=arrears_report, plan=plan)
    claim.start_review(now=NOW)
    cover = CoverState.of(plan, RENT, {K.ARREARS: paid_arrears, K.LEGAL_COSTS: paid_legal})
    suggestion = suggest_decision(claim, cover, arrears_payable=True)
    claim.decide(
        suggestion, cover=cover, product=plan, mediation_cases=[case], now=NOW, by="gestore"
    )
    by_kind = claim.approved_by_kind()
    assert by_kind.get(K.ARREARS, D("0")) <= cover.remaining(CoverLine.ARREARS)
    assert by_kind.get(K.LEGAL_COSTS, D("0")) <= cover.remaining(CoverLine.LEGAL_COSTS)
    assert claim.approved_total <= cover.overall_remaining
    # nothing is cut that the cover could have paid
    assert claim.approved_total == min(
        claim.claimed_total,
        cover.overall_remaining,
        min(sum(arrears, D("0")), cover.remaining(CoverLine.ARREARS))
        + min(sum(legal, D("0")), cover.remaining(CoverLine.LEGAL_COSTS)),
    )
    for item in claim.items:
        assert item.approved is not None and item.refused is not None
        assert item.approved + item.refused == item.claimed
        assert (item.refused == 0) == (item.reason is None)
