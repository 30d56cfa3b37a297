"""The claim (richiesta di escussione): the landlord asks the fund to pay.

Lifecycle (SPEC §5): submitted → under_review → awaiting_mediation → (approved |
partially_approved | rejected) → paid → (in_recovery → recovered | written_off) → closed.
Shortcuts in the table: a claim without arrears is decided straight from review; a paid
claim with nothing to recover is written off without a plan; a rejected claim closes.
Ways back and out: an arrears claim waits while mediation on its guarantee is open and
returns to review when it ends; a fund manager may revoke an unpaid decision (its
commitment is released) and decide again; the landlord may withdraw a claim until it is
paid.

A decision commits the approved amounts against the guarantee's cover (``CoverState``);
a payment above the product's threshold is proposed by one fund manager and authorised by
another (four eyes, compared by account, not by name).

Admissibility is checked when the claim is filed (nothing is recorded if refused): cover
dates, waiting period, reporting deadline, damages deadline and evidence. Whether arrears
may be paid (mediation) and how much (remaining cover) is checked at the decision. The
rules themselves are in ``claim_rules``; the items in ``claim_items``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from guarantee.domain import identifiers
from guarantee.domain.aggregate import Aggregate
from guarantee.domain.arrears import ArrearsReport
from guarantee.domain.claim_items import ARREARS_KINDS, ClaimItem, ItemDecision
from guarantee.domain.claim_rules import (
    MediationView,
    arrears_payable,
    check_arrears,
    check_damages,
    check_items,
    check_within_cover,
)
from guarantee.domain.cover import CoverState, ItemKind
from guarantee.domain.errors import Conflict, DomainError, InvalidField
from guarantee.domain.evidence import DEFAULT_EVIDENCE_LIMITS, EvidenceFile, EvidenceLimits
from guarantee.domain.formats import amount_it
from guarantee.domain.guarantee_facts import GuaranteeFacts
from guarantee.domain.landlords import IbanHold
from guarantee.domain.lifecycle import StateMachine
from guarantee.domain.money import ZERO, money
from guarantee.domain.products import Product
from guarantee.domain.receipts import Receipt, ReceiptChannel


class ClaimStatus(StrEnum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    AWAITING_MEDIATION = "awaiting_mediation"
    APPROVED = "approved"
    PARTIALLY_APPROVED = "partially_approved"
    REJECTED = "rejected"
    PAID = "paid"
    IN_RECOVERY = "in_recovery"
    RECOVERED = "recovered"
    WRITTEN_OFF = "written_off"
    CLOSED = "closed"


C = ClaimStatus
UNDECIDED_STATES = frozenset({C.SUBMITTED, C.UNDER_REVIEW, C.AWAITING_MEDIATION})
# Decided, not yet paid: the approved amounts are committed against the cover.
COMMITTED_STATES = frozenset({C.APPROVED, C.PARTIALLY_APPROVED})
_UNDECIDED = sorted(UNDECIDED_STATES)
_COMMITTED = sorted(COMMITTED_STATES)

CLAIM_LIFECYCLE: StateMachine[ClaimStatus] = StateMachine(
    "richiesta di escussione",
    {
        "start_review": ([C.SUBMITTED], [C.UNDER_REVIEW]),
        "await_mediation": ([C.UNDER_REVIEW], [C.AWAITING_MEDIATION]),
        "end_mediation_wait": ([C.AWAITING_MEDIATION], [C.UNDER_REVIEW]),
        "decide": (
            [C.UNDER_REVIEW, C.AWAITING_MEDIATION],
            [C.APPROVED, C.PARTIALLY_APPROVED, C.REJECTED],
        ),
        "revoke_decision": ([*_COMMITTED, C.REJECTED], [C.UNDER_REVIEW]),
        "propose_payment": (_COMMITTED, _COMMITTED),
        "refuse_payment": (_COMMITTED, _COMMITTED),
        "mark_paid": (_COMMITTED, [C.PAID]),
        "start_recovery": ([C.PAID], [C.IN_RECOVERY]),
        # a new plan for what is still owed takes over from the closed one
        "replan_recovery": ([C.IN_RECOVERY], [C.IN_RECOVERY]),
        "end_recovery": ([C.IN_RECOVERY], [C.RECOVERED, C.WRITTEN_OFF]),
        "write_off": ([C.PAID], [C.WRITTEN_OFF]),
        "close": ([C.REJECTED, C.RECOVERED, C.WRITTEN_OFF], [C.CLOSED]),
        "withdraw": ([*_UNDECIDED, *_COMMITTED], [C.CLOSED]),
        # keep the state
        "add_evidence": (_UNDECIDED, _UNDECIDED),
    },
)
STAY_ACTIONS = frozenset({"add_evidence", "propose_payment", "refuse_payment", "replan_recovery"})


@dataclass(frozen=True)
class PaymentProposal:
    """A payment above the threshold, proposed by one fund manager, waiting for another."""

    proposed_by: str  # the name people read
    proposed_by_account: str  # the stable identity four eyes compares
    proposed_at: datetime
    reference: str | None
    note: str | None
    # The IBAN the first fund manager saw: if the landlord's IBAN changes before the second
    # confirms, the proposal no longer stands (the second would authorise another account).
    iban: str | None = None


class Claim(Aggregate):
    entity_type = "claim"

    def __init__(
        self,
        *,
        guarantee: GuaranteeFacts,
        product: Product,
        items: Sequence[ClaimItem],
        filed_on: date,
        filed_at: datetime,
        filed_by: str,
        evidence: Sequence[EvidenceFile] = (),
        arrears_report: ArrearsReport | None = None,
        evidence_limits: EvidenceLimits = DEFAULT_EVIDENCE_LIMITS,
        receipt: Receipt | None = None,
        number: str | None = None,
        id: str | None = None,
    ) -> None:
        """``filed_on`` is the day the claim reached the fund (deadlines are judged on it);
        ``filed_at`` when it was entered; ``receipt`` how it came (online when not given)."""
        how = receipt or Receipt.online(filed_on)
        if how.received_on != filed_on:
            raise ValueError("filed_on must be the receipt's day")
        guarantee.check_product(product)
        ordered = sorted(items, key=lambda i: (i.loss_on, list(ItemKind).index(i.kind)))
        check_items(ordered, guarantee, product, filed_on)
        if any(i.kind in ARREARS_KINDS for i in ordered):
            check_arrears(ordered, guarantee, product, arrears_report)
        attached: list[EvidenceFile] = []
        for index, file in enumerate(evidence):
            evidence_limits.check(file, attached, index)
            attached.append(file)
        if any(i.kind is ItemKind.DAMAGES for i in ordered):
            check_damages(guarantee, product, filed_on, attached)

        self.id = id or str(uuid.uuid4())
        self.number = number  # human number (SIN-2027-000001), given by the service layer
        self.guarantee_id = guarantee.guarantee_id
        self.guarantee_number = guarantee.number
        self.product_code = product.code
        self.product_version = str(product.version)
        self.arrears_report_id = arrears_report.id if arrears_report is not None else None
        self.status = C.SUBMITTED
        self.items: list[ClaimItem] = ordered
        self.evidence: list[EvidenceFile] = attached
        self.filed_on = filed_on
        self.filed_at = filed_at
        self.filed_by = filed_by
        self.received_via: ReceiptChannel = how.channel
        self.received_reference = how.reference
        self.decided_at: datetime | None = None
        self.decided_by: str | None = None
        self.decision_note: str | None = None
        self.payment_proposal = None
        self.paid_amount = ZERO
        self.paid_at: datetime | None = None
        self.payment_reference: str | None = None
        self.paid_to_iban: str | None = None
        self.recovery_plan_id: str | None = None
        self.recovered_amount = ZERO
        self.written_off_amount = ZERO
        self.closed_at: datetime | None = None
        self.close_reason: str | None = None
        self.updated_at = filed_at
        self._record(
            "submitted",
            {},
            {
                "status": self.status.value,
                "guarantee_id": self.guarantee_id,
                "claimed": str(self.claimed_total),
                "items": [f"{i.kind.value} {i.loss_on.isoformat()} {i.claimed}" for i in ordered],
                **how.as_dict(),
            },
        )
        self._emit(
            "claim_submitted", guarantee_id=self.guarantee_id, claimed=str(self.claimed_total)
        )

    # -- review and decision -----------------------------------------------------------------

    def start_review(self, *, now: datetime) -> None:
        self._move("start_review", now)

    def await_mediation(self, *, now: datetime, reason: str | None = None) -> None:
        """Park an arrears claim until the mediation on the guarantee has ended."""
        self.check_can("await_mediation")
        if not self.has_arrears:
            raise DomainError(
                "solo una richiesta per morosità attende la mediazione", code="no_arrears"
            )
        self._move("await_mediation", now, reason=reason)

    def end_mediation_wait(self, *, now: datetime, reason: str) -> None:
        """The mediation it waited for has ended: back to review, to be decided."""
        self._move("end_mediation_wait", now, reason=reason)

    def add_evidence(
        self, file: EvidenceFile, *, now: datetime, limits: EvidenceLimits = DEFAULT_EVIDENCE_LIMITS
    ) -> None:
        self.check_can("add_evidence")
        limits.check(file, self.evidence, len(self.evidence))
        self.evidence.append(file)
        self._move("add_evidence", now, extra={"file": file.file_name, "sha256": file.sha256})

    def decide(
        self,
        decisions: Sequence[ItemDecision],
        *,
        cover: CoverState,
        product: Product,
        mediation_cases: Iterable[MediationView],
        now: datetime,
        by: str,
        note: str | None = None,
    ) -> ClaimStatus:
        """Approve, approve in part or reject, item by item; refuses amounts above cover.

        ``cover`` is the guarantee's cover without this claim: what other claims paid or
        committed is already taken out. Nothing changes if
        any decision is refused.
        """
        self.check_can("decide")
        if product.code != self.product_code or str(product.version) != self.product_version:
            raise DomainError(
                f"la richiesta è regolata dal prodotto {self.product_code} versione "
                f"{self.product_version}, non {product.code} versione {product.version}",
                code="wrong_product_version",
            )
        amounts = self._checked(decisions)
        approved_arrears = sum(
            (amounts[i.id][0] for i in self.items if i.kind in ARREARS_KINDS), ZERO
        )
        if approved_arrears > 0 and not arrears_payable(
            product, self.guarantee_id, mediation_cases
        ):
            raise DomainError(
                "la morosità si paga solo dopo che la mediazione sulla garanzia si è chiusa "
                "senza accordo, o dopo che l'accordo non è stato rispettato",
                code="mediation_not_concluded",
            )
        check_within_cover(self.items, amounts, cover)

        approved_total = sum((a for a, _ in amounts.values()), ZERO)
        if approved_total == self.claimed_total:
            target = C.APPROVED
        elif approved_total == 0:
            target = C.REJECTED
        else:
            target = C.PARTIALLY_APPROVED
        for item in self.items:
            approved, reason = amounts[item.id]
            item.approved = approved
            item.refused = item.claimed - approved
            item.reason = reason
        self.decided_at = now
        self.decided_by = by
        self.decision_note = (note or "").strip() or None
        self._move(
            "decide",
            now,
            target=target,
            reason=self.decision_note,
            extra={
                "approved": str(approved_total),
                "items": {i.id: [str(i.approved), i.reason] for i in self.items},
            },
        )
        self._emit(
            "claim_decided",
            guarantee_id=self.guarantee_id,
            status=target.value,
            approved=str(approved_total),
        )
        return target

    # -- payment and after -------------------------------------------------------------------

    def revoke_decision(self, *, reason: str, now: datetime, by: str) -> None:
        """An unpaid decision is withdrawn by the fund: its commitment is released and the
        claim goes back to review, to be decided again."""
        text = _required(reason, "reason")
        self.check_can("revoke_decision")
        revoked = {i.id: [str(i.approved), i.reason] for i in self.items}
        for item in self.items:
            item.approved = None
            item.refused = None
            item.reason = None
        self.decided_at = None
        self.decided_by = None
        self.decision_note = None
        self.payment_proposal = None
        self._move("revoke_decision", now, reason=text, extra={"revoked": revoked, "by": by})
        self._emit("claim_decision_revoked", guarantee_id=self.guarantee_id, reason=text)

    def propose_payment(
        self,
        *,
        threshold: Decimal,
        by: str,
        account: str,
        now: datetime,
        reference: str | None = None,
        note: str | None = None,
        iban_hold: IbanHold | None = None,
        iban: str | None = None,
    ) -> PaymentProposal:
        """First pair of eyes on a payment above the threshold, or on any payment while the
        landlord's IBAN is held after a change."""
        self.check_can("propose_payment")
        if self.approved_total <= threshold and iban_hold is None:
            raise DomainError(
                f"il pagamento di {amount_it(self.approved_total)} € non supera la soglia di "
                f"{amount_it(threshold)} €: lo dispone un solo gestore, senza proposta",
                code="four_eyes_not_needed",
            )
        if self.payment_proposal is not None:
            raise Conflict(
                f"pagamento della richiesta {self.number} già proposto da "
                f"{self.payment_proposal.proposed_by}: serve l'autorizzazione di un altro gestore"
            )
        proposal = PaymentProposal(
            proposed_by=by,
            proposed_by_account=account,
            proposed_at=now,
            reference=(reference or "").strip() or None,
            note=(note or "").strip() or None,
            iban=identifiers.iban(iban) if iban else None,
        )
        self.payment_proposal = proposal
        self._move(
            "propose_payment",
            now,
            reason=proposal.note,
            extra={"amount": str(self.approved_total), "proposed_by": by},
        )
        return proposal

    def refuse_payment(self, *, reason: str, by: str, now: datetime) -> None:
        """The second pair of eyes says no: the proposal is dropped, the decision stands."""
        text = _required(reason, "reason")
        self.check_can("refuse_payment")
        if self.payment_proposal is None:
            raise DomainError(
                f"nessun pagamento proposto per la richiesta {self.number}", code="no_proposal"
            )
        proposed_by = self.payment_proposal.proposed_by
        self.payment_proposal = None
        self._move("refuse_payment", now, reason=text, extra={"proposed_by": proposed_by, "by": by})

    def mark_paid(
        self,
        payment_reference: str,
        iban: str,
        paid_at: datetime,
        *,
        threshold: Decimal,
        by: str,
        account: str,
        iban_hold: IbanHold | None = None,
    ) -> Decimal:
        """Paid to the landlord, once: a second call is an IllegalTransition.

        Above ``threshold``, or while the landlord's IBAN is held after a change, this is the
        authorisation of a proposal made by another account.
        """
        self.check_can("mark_paid")
        reference = payment_reference.strip()
        if not reference:
            raise InvalidField("payment_reference", "indicare il riferimento del bonifico")
        amount = self.approved_total
        proposal = self.payment_proposal
        if amount > threshold or iban_hold is not None:
            if proposal is None and iban_hold is not None:
                raise DomainError(iban_hold.message(), code="iban_change_hold")
            if proposal is None:
                raise DomainError(
                    f"il pagamento di {amount_it(amount)} € supera la soglia di "
                    f"{amount_it(threshold)} €: va proposto da un gestore e autorizzato da un "
                    "altro",
                    code="four_eyes_required",
                )
            # Same account, or same name (an act by a script or the demo has no account):
            # either is the same person, and being strict here only ever refuses.
            if account in {proposal.proposed_by_account} or by == proposal.proposed_by:
                raise DomainError(
                    f"il pagamento della richiesta {self.number} è stato proposto da lei: "
                    "deve autorizzarlo un altro gestore",
                    code="four_eyes_same_person",
                )
        account_number = identifiers.iban(iban)
        if proposal is not None and proposal.iban is not None and proposal.iban != account_number:
            raise DomainError(
                f"l'IBAN del locatore è cambiato dopo la proposta di {proposal.proposed_by}: "
                "il pagamento va proposto di nuovo sul nuovo IBAN",
                code="iban_changed_since_proposal",
            )
        self.paid_amount = amount
        self.paid_at = paid_at
        self.payment_reference = reference
        self.paid_to_iban = account_number
        extra: dict[str, Any] = {"amount": str(amount), "reference": reference, "paid_by": by}
        if proposal is not None:
            extra["proposed_by"] = proposal.proposed_by
        self._move("mark_paid", paid_at, extra=extra)
        self._emit(
            "claim_paid",
            guarantee_id=self.guarantee_id,
            amount=str(amount),
            by_kind={kind.value: str(value) for kind, value in self.approved_by_kind().items()},
            reference=reference,
        )
        return amount

    def start_recovery(self, plan_id: str, *, now: datetime) -> None:
        self._move("start_recovery", now, extra={"recovery_plan_id": plan_id})
        self.recovery_plan_id = plan_id

    def replan_recovery(self, plan_id: str, *, replaced: str, now: datetime) -> None:
        """The recovery goes on under a new plan (the old one was closed, not edited)."""
        self._move(
            "replan_recovery",
            now,
            extra={"recovery_plan_id": plan_id, "replaced_plan_id": replaced},
        )
        self.recovery_plan_id = plan_id

    def end_recovery(
        self, *, recovered: Decimal, written_off: Decimal, now: datetime
    ) -> ClaimStatus:
        """The plan ended: all recovered, or what was not is written off."""
        self.check_can("end_recovery")
        got, lost = money(recovered), money(written_off)
        if got < 0 or lost < 0 or got + lost != self.paid_amount:
            raise DomainError(
                f"recuperato ({amount_it(got)} €) più stralciato ({amount_it(lost)} €) deve "
                f"fare il pagato ({amount_it(self.paid_amount)} €)",
                code="recovery_mismatch",
            )
        target = C.RECOVERED if lost == 0 else C.WRITTEN_OFF
        self.recovered_amount = got
        self.written_off_amount = lost
        self._move(
            "end_recovery",
            now,
            target=target,
            extra={"recovered": str(got), "written_off": str(lost)},
        )
        return target

    def write_off(self, *, reason: str, now: datetime) -> Decimal:
        """Nothing can be recovered (no plan is possible): the whole payment is written off."""
        text = _required(reason, "reason")
        self.check_can("write_off")
        self.written_off_amount = self.paid_amount
        self._move("write_off", now, reason=text, extra={"written_off": str(self.paid_amount)})
        return self.paid_amount

    def close(self, *, now: datetime, reason: str | None = None) -> None:
        self.check_can("close")
        self.closed_at = now
        self.close_reason = (reason or "").strip() or None
        self._move("close", now, reason=self.close_reason)

    def withdraw(self, *, now: datetime, reason: str) -> None:
        """The landlord withdraws the claim before it is paid (a commitment is released)."""
        text = _required(reason, "reason")
        self.check_can("withdraw")
        was_committed = self.status in COMMITTED_STATES
        self.closed_at = now
        self.close_reason = text
        self.payment_proposal = None
        self._move("withdraw", now, reason=text, extra={"released": was_committed})
        self._emit("claim_withdrawn", guarantee_id=self.guarantee_id, reason=text)

    # -- queries -----------------------------------------------------------------------------

    @property
    def payment_proposal(self) -> PaymentProposal | None:
        if self._proposed_by is None or self._proposed_at is None:
            return None
        return PaymentProposal(
            proposed_by=self._proposed_by,
            proposed_by_account=self._proposed_by_account or "",
            proposed_at=self._proposed_at,
            reference=self._proposal_reference,
            note=self._proposal_note,
            iban=self._proposal_iban,
        )

    @payment_proposal.setter
    def payment_proposal(self, proposal: PaymentProposal | None) -> None:
        # Kept as five plain attributes, as the database keeps them.
        self._proposed_by = proposal.proposed_by if proposal else None
        self._proposed_by_account = proposal.proposed_by_account if proposal else None
        self._proposed_at = proposal.proposed_at if proposal else None
        self._proposal_reference = proposal.reference if proposal else None
        self._proposal_note = proposal.note if proposal else None
        self._proposal_iban = proposal.iban if proposal else None

    @property
    def has_arrears(self) -> bool:
        return any(i.kind in ARREARS_KINDS for i in self.items)

    @property
    def claimed_total(self) -> Decimal:
        return sum((i.claimed for i in self.items), ZERO)

    @property
    def approved_total(self) -> Decimal:
        return sum((i.approved or ZERO for i in self.items), ZERO)

    @property
    def refused_total(self) -> Decimal:
        return sum((i.refused or ZERO for i in self.items), ZERO)

    def approved_by_kind(self) -> dict[ItemKind, Decimal]:
        totals: dict[ItemKind, Decimal] = {}
        for item in self.items:
            if item.approved:
                totals[item.kind] = totals.get(item.kind, ZERO) + item.approved
        return totals

    @property
    def allowed_actions(self) -> list[str]:
        return CLAIM_LIFECYCLE.allowed_actions(self.status)

    def check_can(self, action: str) -> None:
        """Raise IllegalTransition now if ``action`` is not allowed from the current state."""
        CLAIM_LIFECYCLE.check(self.status, action)

    # -- internals ---------------------------------------------------------------------------

    def _checked(self, decisions: Sequence[ItemDecision]) -> dict[str, tuple[Decimal, str | None]]:
        by_id = {i.id: i for i in self.items}
        amounts: dict[str, tuple[Decimal, str | None]] = {}
        for index, decision in enumerate(decisions):
            where = f"decisions[{index}]"
            item = by_id.get(decision.item_id)
            if item is None:
                raise InvalidField(f"{where}.item_id", f"voce sconosciuta: {decision.item_id}")
            if decision.item_id in amounts:
                raise InvalidField(f"{where}.item_id", "voce decisa due volte")
            approved = money(decision.approved)
            if not ZERO <= approved <= item.claimed:
                raise InvalidField(
                    f"{where}.approved",
                    f"l'importo approvato va da 0,00 a {amount_it(item.claimed)} € (richiesto)",
                )
            reason = (decision.reason or "").strip() or None
            if approved < item.claimed and reason is None:
                raise InvalidField(f"{where}.reason", f"motivare il rifiuto di {item.label}")
            amounts[decision.item_id] = (approved, reason)
        missing = [i.label for i in self.items if i.id not in amounts]
        if missing:
            raise InvalidField("decisions", f"manca la decisione su: {', '.join(missing)}")
        return amounts

    def _move(
        self,
        action: str,
        now: datetime,
        *,
        target: ClaimStatus | None = None,
        reason: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        if action in STAY_ACTIONS:
            target = self.status
        new_status = CLAIM_LIFECYCLE.target(self.status, action, target)
        before = {"status": self.status.value}
        self.status = new_status
        self.updated_at = now
        self._record(action, before, {"status": new_status.value, **(extra or {})}, reason)


def committed_by_kind(claims: Iterable[Claim]) -> dict[ItemKind, Decimal]:
    """What decided, unpaid claims on a guarantee have promised, per kind."""
    totals: dict[ItemKind, Decimal] = {}
    for claim in claims:
        if claim.status not in COMMITTED_STATES:
            continue
        for kind, amount in claim.approved_by_kind().items():
            totals[kind] = totals.get(kind, ZERO) + amount
    return totals


def paid_by_kind(claims: Iterable[Claim]) -> dict[ItemKind, Decimal]:
    """What has been paid on a guarantee so far, per kind, from its paid claims."""
    totals: dict[ItemKind, Decimal] = {}
    for claim in claims:
        if claim.paid_at is None:
            continue
        for kind, amount in claim.approved_by_kind().items():
            totals[kind] = totals.get(kind, ZERO) + amount
    return totals


def _required(value: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidField(field, "campo obbligatorio")
    return text


__all__ = [
    "CLAIM_LIFECYCLE",
    "Claim",
    "ClaimItem",
    "ClaimStatus",
    "ItemDecision",
    "ItemKind",
    "MediationView",
    "PaymentProposal",
    "arrears_payable",
    "committed_by_kind",
    "paid_by_kind",
]
