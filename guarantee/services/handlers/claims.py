"""Claims: filing with evidence, review, decision within cover, and idempotent payment.

A claim suspends its (active) guarantee while it is open; once its money is settled (paid,
or rejected, or withdrawn) the guarantee resumes, or is exhausted if no cover is left.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from guarantee.domain.claim_decisions import suggest_decision
from guarantee.domain.claim_items import ItemDecision
from guarantee.domain.claim_rules import arrears_payable
from guarantee.domain.claims import UNDECIDED_STATES, Claim, ClaimItem, ClaimStatus, paid_by_kind
from guarantee.domain.cover import CoverState
from guarantee.domain.errors import Conflict, DomainError, InvalidField
from guarantee.domain.evidence import EvidenceFile
from guarantee.domain.guarantee_facts import GuaranteeFacts
from guarantee.domain.guarantees import Guarantee, GuaranteeStatus
from guarantee.domain.products import Product
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.handlers.funds import pay_on_guarantee
from guarantee.services.handlers.guarantees import release_reserve
from guarantee.services.handlers.mediation import check_own_guarantee, next_number
from guarantee.services.unit_of_work import UnitOfWork

# Claim states in which money may still go out on it.
_PENDING_MONEY = UNDECIDED_STATES | {ClaimStatus.APPROVED, ClaimStatus.PARTIALLY_APPROVED}


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
        claim = Claim(
            guarantee=GuaranteeFacts.of(guarantee),
            product=_product(deps, guarantee),
            items=[
                ClaimItem(
                    kind=i.kind, loss_on=i.loss_on, claimed=i.claimed, description=i.description
                )
                for i in cmd.items
            ],
            filed_on=today,
            filed_at=now,
            filed_by=uow.actor.user_id,
            evidence=[_evidence(u, uow, deps, n) for n, u in enumerate(cmd.evidence)],
            arrears_report=reports[-1] if reports else None,
            evidence_limits=deps.evidence_limits,
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
    with uow:
        claim = _claim(uow, cmd.number)
        claim.start_review(now=deps.clock.now())
        uow.commit()
        return claim


@dataclass(frozen=True)
class DecisionBasis:
    cover: CoverState
    arrears_payable: bool
    product: Product


def _basis(uow: UnitOfWork, deps: Dependencies, claim: Claim) -> DecisionBasis:
    """The guarantee's cover before this claim, and whether its arrears may be paid."""
    guarantee = uow.guarantees.get(claim.guarantee_id)
    product = _product(deps, guarantee)
    others = [other for other in uow.claims.for_guarantee(guarantee.id) if other.id != claim.id]
    cover = CoverState.of(product, guarantee.lease.monthly_rent, paid_by_kind(others))
    cases = uow.mediation_cases.for_guarantee(guarantee.id)
    return DecisionBasis(cover, arrears_payable(product, guarantee.id, cases), product)


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


def request_hash(cmd: c.PayClaim) -> str:
    body = {"number": cmd.number, "reference": cmd.payment_reference, "on": cmd.on}
    return hashlib.sha256(json.dumps(body, default=str, sort_keys=True).encode()).hexdigest()


def pay_claim(cmd: c.PayClaim, uow: UnitOfWork, deps: Dependencies) -> dict[str, Any]:
    """Pay once: the claim, the books, the guarantee and the idempotency key in one
    transaction. The guarantee is locked before the key is read, so concurrent requests
    queue and each later one finds the first one's key (or the claim already paid)."""
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
        reference = (cmd.payment_reference or f"Pagamento {claim.number}").strip()
        claim.check_can("mark_paid")
        amount = claim.mark_paid(reference, landlord.iban, now)
        entry = pay_on_guarantee(uow, deps, guarantee, amount, reference=reference, on=cmd.on)
        settle_guarantee(uow, deps, guarantee, claim)
        result = {
            "number": claim.number,
            "status": claim.status.value,
            "amount": str(amount),
            "iban": claim.paid_to_iban,
            "payment_reference": reference,
            "paid_at": now.isoformat(),
            "entry_id": entry.id,
            "guarantee_status": guarantee.status.value,
        }
        uow.idempotency_keys.save(uow.actor.user_id, "PayClaim", key, digest, result, now)
        uow.commit()
        return result


def settle_guarantee(
    uow: UnitOfWork, deps: Dependencies, guarantee: Guarantee, settled: Claim
) -> None:
    """No money left pending on the guarantee's claims: resume it, or exhaust it if its
    cover is used up (its remaining reserve goes back to the fund)."""
    if guarantee.status is not GuaranteeStatus.SUSPENDED:
        return
    claims = uow.claims.for_guarantee(guarantee.id)
    if any(other.status in _PENDING_MONEY for other in claims if other.id != settled.id):
        return
    now = deps.clock.now()
    product = _product(deps, guarantee)
    cover = CoverState.of(product, guarantee.lease.monthly_rent, paid_by_kind(claims))
    if cover.overall_remaining == 0:
        exposure = guarantee.at_risk
        released = guarantee.exhaust(now, f"copertura esaurita dalla richiesta {settled.number}")
        release_reserve(uow, deps, guarantee, released, exposure)
    else:
        guarantee.resume(now, f"richiesta {settled.number} definita")
