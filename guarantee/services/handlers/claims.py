"""Claims: filing with evidence, review, decision within cover, four-eyes payment, and the
ways back (revocation) and out (withdrawal).

A claim suspends its (active) guarantee while it is open; once its money is settled (paid,
or rejected, or withdrawn) the guarantee resumes. Once everything it covers has been paid it
is exhausted at once, and its reserve goes back to the fund.

Every handler that reads or changes a guarantee's cover locks the guarantee row first, so
two fund managers deciding, paying or revoking on one guarantee queue one behind the other
and each sees what the other committed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from guarantee.domain.claim_decisions import suggest_decision
from guarantee.domain.claim_items import ItemDecision
from guarantee.domain.claim_rules import arrears_payable, check_within_cover
from guarantee.domain.claims import (
    COMMITTED_STATES,
    UNDECIDED_STATES,
    Claim,
    ClaimItem,
    ClaimStatus,
    committed_by_kind,
    paid_by_kind,
)
from guarantee.domain.cover import CoverState
from guarantee.domain.errors import Conflict, DomainError, InvalidField
from guarantee.domain.evidence import EvidenceFile
from guarantee.domain.guarantee_facts import GuaranteeFacts
from guarantee.domain.guarantees import Guarantee, GuaranteeStatus
from guarantee.domain.landlords import IbanHold
from guarantee.domain.money import ZERO
from guarantee.domain.products import Product
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.handlers.funds import pay_on_guarantee
from guarantee.services.handlers.guarantees import release_reserve
from guarantee.services.handlers.mediation import (
    check_own_guarantee,
    next_number,
    pending_mediation,
    receipt_of,
)
from guarantee.services.unit_of_work import UnitOfWork

# Claim states in which money may still go out on it.
_PENDING_MONEY = UNDECIDED_STATES | COMMITTED_STATES


def _product(deps: Dependencies, guarantee: Guarantee) -> Product:
    return deps.products.get(guarantee.product_code, guarantee.product_version).product


def _evidence(
    upload: c.EvidenceUpload, uow: UnitOfWork, deps: Dependencies, index: int
) -> EvidenceFile:
    return EvidenceFile(
        file_name=upload.file_name,
        media_type=upload.media_type,
        size_bytes=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_at=deps.clock.now(),
        uploaded_by=uow.actor.user_id,
        description=upload.description.strip(),
    )


def _store(deps: Dependencies, uploads: list[c.EvidenceUpload]) -> None:
    """Bytes go to the shared store once the metadata passed every check (write-once, keyed
    by hash: a transaction that then fails leaves at most an unreferenced file)."""
    if deps.files is None:
        raise DomainError("archivio dei file non configurato", code="no_file_storage")
    for upload in uploads:
        deps.files.put(upload.content)


def file_claim(cmd: c.FileClaim, uow: UnitOfWork, deps: Dependencies) -> Claim:
    with uow:
        now, today = deps.clock.now(), deps.clock.today()
        guarantee = uow.guarantees.by_number(cmd.guarantee_number, for_update=True)
        check_own_guarantee(uow.actor, guarantee)
        reports = uow.arrears_reports.for_guarantee(guarantee.id)
        receipt = receipt_of(uow.actor, cmd.received, deps)
        claim = Claim(
            guarantee=GuaranteeFacts.of(guarantee),
            product=_product(deps, guarantee),
            items=[
                ClaimItem(
                    kind=i.kind, loss_on=i.loss_on, claimed=i.claimed, description=i.description
                )
                for i in cmd.items
            ],
            filed_on=receipt.received_on,
            filed_at=now,
            filed_by=uow.actor.user_id,
            evidence=[_evidence(u, uow, deps, n) for n, u in enumerate(cmd.evidence)],
            arrears_report=reports[-1] if reports else None,
            evidence_limits=deps.evidence_limits,
            receipt=receipt,
            number=next_number(uow, "SIN", "claim", today.year),
        )
        _store(deps, list(cmd.evidence))
        uow.claims.add(claim)
        if guarantee.status is GuaranteeStatus.ACTIVE:
            guarantee.suspend(now, f"richiesta di escussione {claim.number} aperta")
        uow.commit()
        return claim


def _claim(uow: UnitOfWork, number: str, *, lock_guarantee: bool = False) -> Claim:
    """The claim, locked; a landlord sees only claims on its own guarantees."""
    if lock_guarantee:
        # Guarantee first, then the claim: the order payments use, so writers queue.
        uow.guarantees.get(uow.claims.guarantee_id_of(number), for_update=True)
    claim = uow.claims.by_number(number, for_update=True)
    check_own_guarantee(uow.actor, uow.guarantees.get(claim.guarantee_id))
    return claim


def add_claim_evidence(cmd: c.AddClaimEvidence, uow: UnitOfWork, deps: Dependencies) -> Claim:
    with uow:
        claim = _claim(uow, cmd.number)
        file = _evidence(cmd.file, uow, deps, len(claim.evidence))
        claim.add_evidence(file, now=deps.clock.now(), limits=deps.evidence_limits)
        _store(deps, [cmd.file])
        uow.commit()
        return claim


def start_claim_review(cmd: c.StartClaimReview, uow: UnitOfWork, deps: Dependencies) -> Claim:
    """Review starts; an arrears claim then waits while mediation on the guarantee is open."""
    with uow:
        claim = _claim(uow, cmd.number)
        now = deps.clock.now()
        claim.start_review(now=now)
        pending = pending_mediation(uow, claim.guarantee_id)
        if claim.has_arrears and pending is not None:
            claim.await_mediation(
                now=now, reason=f"mediazione {pending} in corso sulla stessa garanzia"
            )
        uow.commit()
        return claim


@dataclass(frozen=True)
class DecisionBasis:
    cover: CoverState
    arrears_payable: bool
    product: Product


def _basis(uow: UnitOfWork, deps: Dependencies, claim: Claim) -> DecisionBasis:
    """The guarantee's cover without this claim (what the others paid and committed taken
    out), and whether its arrears may be paid."""
    guarantee = uow.guarantees.get(claim.guarantee_id)
    product = _product(deps, guarantee)
    others = [other for other in uow.claims.for_guarantee(guarantee.id) if other.id != claim.id]
    cover = CoverState.of(
        product, guarantee.lease.monthly_rent, paid_by_kind(others), committed_by_kind(others)
    )
    cases = uow.mediation_cases.for_guarantee(guarantee.id)
    return DecisionBasis(cover, arrears_payable(product, guarantee.id, cases), product)


def cover_of(uow: UnitOfWork, deps: Dependencies, guarantee: Guarantee) -> CoverState:
    """What a guarantee covers now: paid and committed by all its claims."""
    claims = uow.claims.for_guarantee(guarantee.id)
    return CoverState.of(
        _product(deps, guarantee),
        guarantee.lease.monthly_rent,
        paid_by_kind(claims),
        committed_by_kind(claims),
    )


def suggest_claim_decision(
    cmd: c.SuggestClaimDecision, uow: UnitOfWork, deps: Dependencies
) -> list[ItemDecision]:
    """What the fund could pay on each item now; nothing is written."""
    with uow:
        claim = _claim(uow, cmd.number)
        basis = _basis(uow, deps, claim)
        return suggest_decision(claim, basis.cover, arrears_payable=basis.arrears_payable)


def decide_claim(cmd: c.DecideClaim, uow: UnitOfWork, deps: Dependencies) -> Claim:
    with uow:
        claim = _claim(uow, cmd.number, lock_guarantee=True)
        basis = _basis(uow, deps, claim)
        claim.decide(
            [ItemDecision(d.item_id, d.approved, d.reason) for d in cmd.decisions],
            cover=basis.cover,
            product=basis.product,
            mediation_cases=uow.mediation_cases.for_guarantee(claim.guarantee_id),
            now=deps.clock.now(),
            by=uow.actor.user_id,
            note=cmd.note,
        )
        if claim.status is ClaimStatus.REJECTED:
            settle_guarantee(uow, deps, uow.guarantees.get(claim.guarantee_id), claim)
        uow.commit()
        return claim


def revoke_claim_decision(cmd: c.RevokeClaimDecision, uow: UnitOfWork, deps: Dependencies) -> Claim:
    """An unpaid decision is revoked: its commitment goes back to the cover, the claim is
    reviewed again (and its guarantee suspended again if it had resumed)."""
    with uow:
        claim = _claim(uow, cmd.number, lock_guarantee=True)
        now = deps.clock.now()
        claim.revoke_decision(reason=cmd.reason, now=now, by=uow.actor.user_id)
        guarantee = uow.guarantees.get(claim.guarantee_id)
        if guarantee.status is GuaranteeStatus.ACTIVE:
            guarantee.suspend(now, f"decisione sulla richiesta {claim.number} revocata")
        uow.commit()
        return claim


def withdraw_claim(cmd: c.WithdrawClaim, uow: UnitOfWork, deps: Dependencies) -> Claim:
    """The landlord (or the fund on its written request) withdraws a claim not yet paid."""
    with uow:
        claim = _claim(uow, cmd.number, lock_guarantee=True)
        claim.withdraw(now=deps.clock.now(), reason=cmd.reason)
        settle_guarantee(uow, deps, uow.guarantees.get(claim.guarantee_id), claim)
        uow.commit()
        return claim


def _iban_hold(
    uow: UnitOfWork, deps: Dependencies, guarantee: Guarantee, product: Product
) -> IbanHold | None:
    """Whether the landlord's IBAN changed too recently to pay it on one pair of eyes."""
    landlord = uow.landlords.get(guarantee.landlord_id)
    return landlord.iban_hold(product.iban_change_hold_days, deps.clock.today())


def propose_claim_payment(cmd: c.ProposeClaimPayment, uow: UnitOfWork, deps: Dependencies) -> Claim:
    """First pair of eyes on a payment above the product's threshold, or on any payment to
    an IBAN changed in the product's hold days."""
    with uow:
        claim = _claim(uow, cmd.number, lock_guarantee=True)
        guarantee = uow.guarantees.get(claim.guarantee_id)
        product = _product(deps, guarantee)
        claim.propose_payment(
            iban=uow.landlords.get(guarantee.landlord_id).iban,
            iban_hold=_iban_hold(uow, deps, guarantee, product),
            threshold=product.four_eyes_threshold,
            by=uow.actor.user_id,
            account=uow.actor.identity,
            now=deps.clock.now(),
            reference=cmd.payment_reference,
            note=cmd.note,
        )
        uow.commit()
        return claim


def refuse_claim_payment(cmd: c.RefuseClaimPayment, uow: UnitOfWork, deps: Dependencies) -> Claim:
    """The proposal is turned down with a reason; the decision stands (it can be proposed
    again, or revoked)."""
    with uow:
        claim = _claim(uow, cmd.number, lock_guarantee=True)
        claim.refuse_payment(reason=cmd.reason, by=uow.actor.user_id, now=deps.clock.now())
        uow.commit()
        return claim


def request_hash(cmd: c.PayClaim) -> str:
    body = {
        "number": cmd.number,
        "reference": cmd.payment_reference,
        "on": cmd.on,
        "note": cmd.note,
    }
    return hashlib.sha256(json.dumps(body, default=str, sort_keys=True).encode()).hexdigest()


def pay_claim(cmd: c.PayClaim, uow: UnitOfWork, deps: Dependencies) -> dict[str, Any]:
    """Pay once: the claim, the books, the guarantee and the idempotency key in one
    transaction. The guarantee is locked before the key is read, so concurrent requests
    queue and each later one finds the first one's key (or the claim already paid).

    Above the product's threshold this is the second pair of eyes: it authorises the
    proposal another fund manager made, and the money moves only now."""
    key = cmd.idempotency_key.strip()
    if not key or len(key) > 200:
        raise InvalidField("Idempotency-Key", "da 1 a 200 caratteri")
    with uow:
        claim = _claim(uow, cmd.number, lock_guarantee=True)
        digest = request_hash(cmd)
        first = uow.idempotency_keys.find(uow.actor.user_id, "PayClaim", key)
        if first is not None:
            if first[0] != digest:
                raise Conflict(
                    "Idempotency-Key già usata per una richiesta diversa: usare una chiave nuova"
                )
            return first[1]
        guarantee = uow.guarantees.get(claim.guarantee_id)
        landlord = uow.landlords.get(guarantee.landlord_id)
        now = deps.clock.now()
        proposal = claim.payment_proposal
        reference = (
            cmd.payment_reference
            or (proposal.reference if proposal is not None else None)
            or f"Pagamento {claim.number}"
        ).strip()
        claim.check_can("mark_paid")
        # The decision committed these amounts; check again against what the others paid
        # and committed, so a payment can never take cover that is no longer there.
        check_within_cover(
            claim.items,
            {item.id: (item.approved or ZERO, None) for item in claim.items},
            _basis(uow, deps, claim).cover,
        )
        product = _product(deps, guarantee)
        amount = claim.mark_paid(
            reference,
            landlord.iban,
            now,
            threshold=product.four_eyes_threshold,
            iban_hold=_iban_hold(uow, deps, guarantee, product),
            by=uow.actor.user_id,
            account=uow.actor.identity,
        )
        entry = pay_on_guarantee(uow, deps, guarantee, amount, reference=reference, on=cmd.on)
        settle_guarantee(uow, deps, guarantee, claim)
        result = {
            "number": claim.number,
            "status": claim.status.value,
            "amount": str(amount),
            "iban": claim.paid_to_iban,
            "payment_reference": reference,
            "paid_at": now.isoformat(),
            "proposed_by": proposal.proposed_by if proposal is not None else None,
            "authorised_by": uow.actor.user_id,
            "entry_id": entry.id,
            "guarantee_status": guarantee.status.value,
        }
        uow.idempotency_keys.save(uow.actor.user_id, "PayClaim", key, digest, result, now)
        uow.commit()
        return result


def settle_guarantee(
    uow: UnitOfWork, deps: Dependencies, guarantee: Guarantee, settled: Claim
) -> None:
    """After a claim's money is settled: a guarantee whose whole cover has been paid is
    exhausted at once (its remaining reserve goes back to the fund: nothing more can go
    out on it); otherwise a suspended guarantee with no money pending resumes."""
    if guarantee.status not in {GuaranteeStatus.ACTIVE, GuaranteeStatus.SUSPENDED}:
        return
    now = deps.clock.now()
    if cover_of(uow, deps, guarantee).used_up:
        exposure = guarantee.at_risk
        released = guarantee.exhaust(now, f"copertura esaurita dalla richiesta {settled.number}")
        release_reserve(uow, deps, guarantee, released, exposure)
        return
    if guarantee.status is not GuaranteeStatus.SUSPENDED:
        return
    claims = uow.claims.for_guarantee(guarantee.id)
    if any(other.status in _PENDING_MONEY for other in claims if other.id != settled.id):
        return
    guarantee.resume(now, f"richiesta {settled.number} definita")


def resume_guarantee(cmd: c.ResumeGuarantee, uow: UnitOfWork, deps: Dependencies) -> Guarantee:
    with uow:
        guarantee = uow.guarantees.by_number(cmd.number, for_update=True)
        guarantee.check_can("resume")
        _refuse_with_money_pending(uow, guarantee, "riattivare")
        guarantee.resume(deps.clock.now(), _reason(cmd.reason))
        uow.commit()
        return guarantee


def exhaust_guarantee(cmd: c.ExhaustGuarantee, uow: UnitOfWork, deps: Dependencies) -> Guarantee:
    with uow:
        guarantee = uow.guarantees.by_number(cmd.number, for_update=True)
        guarantee.check_can("exhaust")
        _refuse_with_money_pending(uow, guarantee, "dichiarare esaurita")
        exposure = guarantee.at_risk
        released = guarantee.exhaust(deps.clock.now(), cmd.reason or "")
        release_reserve(uow, deps, guarantee, released, exposure)
        uow.commit()
        return guarantee


def _refuse_with_money_pending(uow: UnitOfWork, guarantee: Guarantee, verb: str) -> None:
    pending = [
        claim.number or claim.id
        for claim in uow.claims.for_guarantee(guarantee.id)
        if claim.status in _PENDING_MONEY
    ]
    if pending:
        raise DomainError(
            f"impossibile {verb} la garanzia {guarantee.number}: richieste ancora da definire "
            f"({', '.join(pending)})",
            code="claims_pending",
        )


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidField("reason", "indicare la motivazione")
    return text
