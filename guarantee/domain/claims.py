"""The claim (richiesta di escussione): the landlord asks the fund to pay.

Lifecycle (SPEC §5): submitted → under_review → awaiting_mediation → (approved |
partially_approved | rejected) → paid → (in_recovery → recovered | written_off) → closed.
Shortcuts in the table: a claim without arrears is decided straight from review; a paid
claim with nothing to recover is written off without a plan; a rejected claim closes;
the landlord may withdraw a claim until it is decided.

Admissibility is checked when the claim is filed (nothing is recorded if refused): cover
dates, waiting period, reporting deadline, damages deadline and evidence. Whether arrears
may be paid (mediation) and how much (remaining cover) is checked at the decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from guarantee.domain import identifiers
from guarantee.domain.aggregate import Aggregate
from guarantee.domain.arrears import (
    ArrearsReport,
    check_reported_in_time,
    first_covered_day,
    is_in_waiting_period,
)
from guarantee.domain.cover import LINE_NAMES, LINE_OF, CoverLine, CoverState, ItemKind
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.domain.evidence import DEFAULT_EVIDENCE_LIMITS, EvidenceFile, EvidenceLimits
from guarantee.domain.formats import amount_it, date_it
from guarantee.domain.guarantee_facts import GuaranteeFacts
from guarantee.domain.lifecycle import StateMachine
from guarantee.domain.money import ZERO, money
from guarantee.domain.products import Product


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
_UNDECIDED = sorted(UNDECIDED_STATES)

CLAIM_LIFECYCLE: StateMachine[ClaimStatus] = StateMachine(
    "richiesta di escussione",
    {
        "start_review": ([C.SUBMITTED], [C.UNDER_REVIEW]),
        "await_mediation": ([C.UNDER_REVIEW], [C.AWAITING_MEDIATION]),
        "decide": (
            [C.UNDER_REVIEW, C.AWAITING_MEDIATION],
            [C.APPROVED, C.PARTIALLY_APPROVED, C.REJECTED],
        ),
        "mark_paid": ([C.APPROVED, C.PARTIALLY_APPROVED], [C.PAID]),
        "start_recovery": ([C.PAID], [C.IN_RECOVERY]),
        "end_recovery": ([C.IN_RECOVERY], [C.RECOVERED, C.WRITTEN_OFF]),
        "write_off": ([C.PAID], [C.WRITTEN_OFF]),
        "close": ([C.REJECTED, C.RECOVERED, C.WRITTEN_OFF], [C.CLOSED]),
        "withdraw": (_UNDECIDED, [C.CLOSED]),
        # keeps the state
        "add_evidence": (_UNDECIDED, _UNDECIDED),
    },
)
STAY_ACTIONS = frozenset({"add_evidence"})

# How a refusal names an item: singular, so "… è fuori copertura" reads right.
_ITEM_LABELS = {
    ItemKind.ARREARS: "il canone scaduto il {}",
    ItemKind.CHARGES: "l'importo per spese scaduto il {}",
    ItemKind.DAMAGES: "il danno del {}",
    ItemKind.LEGAL_COSTS: "l'importo per spese legali del {}",
}
ARREARS_KINDS = frozenset({ItemKind.ARREARS, ItemKind.CHARGES})


@dataclass(eq=False)
class ClaimItem:
    """One thing claimed. ``loss_on``: the rent's due date, the day the damage was found,
    the day the eviction costs were incurred. ``approved``/``refused`` stay None until the
    decision; ``reason`` says (in Italian) why anything was refused."""

    kind: ItemKind
    loss_on: date
    claimed: Decimal
    description: str = ""
    approved: Decimal | None = None
    refused: Decimal | None = None
    reason: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or str(uuid.uuid4())
        self.kind = ItemKind(self.kind)
        self.claimed = money(self.claimed)
        self.description = self.description.strip()

    @property
    def label(self) -> str:
        return _ITEM_LABELS[self.kind].format(date_it(self.loss_on))


@dataclass(frozen=True)
class ItemDecision:
    """What the fund pays on one item; ``reason`` is required when it pays less."""

    item_id: str
    approved: Decimal
    reason: str | None = None


class MediationView(Protocol):
    """What a claim reads of a mediation case (``MediationCase`` is one)."""

    @property
    def guarantee_id(self) -> str: ...

    @property
    def opens_claim_path(self) -> bool: ...


def arrears_payable(
    product: Product, guarantee_id: str, mediation_cases: Iterable[MediationView]
) -> bool:
    """SPEC §3: arrears are payable once a mediation case on the guarantee closed without
    agreement or its agreement was broken (if the product asks for mediation at all)."""
    if not product.arrears_claim_requires_mediation:
        return True
    return any(c.opens_claim_path for c in mediation_cases if c.guarantee_id == guarantee_id)


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
        id: str | None = None,
    ) -> None:
        guarantee.check_product(product)
        ordered = sorted(items, key=lambda i: (i.loss_on, list(ItemKind).index(i.kind)))
        _check_items(ordered, guarantee, product, filed_on)
        if any(i.kind in ARREARS_KINDS for i in ordered):
            _check_arrears(ordered, guarantee, product, arrears_report)
        attached: list[EvidenceFile] = []
        for index, file in enumerate(evidence):
            evidence_limits.check(file, attached, index)
            attached.append(file)
        if any(i.kind is ItemKind.DAMAGES for i in ordered):
            _check_damages(guarantee, product, filed_on, attached)

        self.id = id or str(uuid.uuid4())
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
        self.decided_at: datetime | None = None
        self.decided_by: str | None = None
        self.decision_note: str | None = None
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
        if not self.has_arrears:
            raise DomainError(
                "solo una richiesta per morosità attende la mediazione", code="no_arrears"
            )
        self._move("await_mediation", now, reason=reason)

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

        ``cover`` is the guarantee's cover before this claim is paid. Nothing changes if
        any decision is refused.
        """
        self.check_can("decide")
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
        _check_cover(self.items, amounts, cover)

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

    def mark_paid(self, payment_reference: str, iban: str, paid_at: datetime) -> Decimal:
        """Paid to the landlord, once: a second call is an IllegalTransition."""
        self.check_can("mark_paid")
        reference = payment_reference.strip()
        if not reference:
            raise InvalidField("payment_reference", "indicare il riferimento del bonifico")
        account = identifiers.iban(iban)
        amount = self.approved_total
        self.paid_amount = amount
        self.paid_at = paid_at
        self.payment_reference = reference
        self.paid_to_iban = account
        self._move("mark_paid", paid_at, extra={"amount": str(amount), "reference": reference})
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
        """The landlord withdraws the claim before a decision."""
        text = _required(reason, "reason")
        self.check_can("withdraw")
        self.closed_at = now
        self.close_reason = text
        self._move("withdraw", now, reason=text)

    # -- queries -----------------------------------------------------------------------------

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


def paid_by_kind(claims: Iterable[Claim]) -> dict[ItemKind, Decimal]:
    """What has been paid on a guarantee so far, per kind, from its paid claims."""
    totals: dict[ItemKind, Decimal] = {}
    for claim in claims:
        if claim.paid_at is None:
            continue
        for kind, amount in claim.approved_by_kind().items():
            totals[kind] = totals.get(kind, ZERO) + amount
    return totals


# -- admissibility at filing -----------------------------------------------------------------


def _check_items(
    items: list[ClaimItem], guarantee: GuaranteeFacts, product: Product, filed_on: date
) -> None:
    if not items:
        raise InvalidField("items", "indicare almeno una voce")
    seen: set[tuple[ItemKind, date]] = set()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if item.claimed <= 0:
            raise InvalidField(f"{where}.claimed", "l'importo richiesto deve essere positivo")
        if item.loss_on > filed_on:
            raise InvalidField(f"{where}.loss_on", f"{item.label} è successivo alla richiesta")
        if item.kind in ARREARS_KINDS and (item.kind, item.loss_on) in seen:
            raise InvalidField(f"{where}.loss_on", f"{item.label} è richiesto due volte")
        seen.add((item.kind, item.loss_on))
        if item.kind is ItemKind.CHARGES and not product.arrears_include_charges:
            raise DomainError(
                f"{item.label}: le spese non pagate non sono coperte da questo prodotto",
                code="charges_not_covered",
            )
        guarantee.check_live_on(item.loss_on, item.label)


def _check_arrears(
    items: list[ClaimItem],
    guarantee: GuaranteeFacts,
    product: Product,
    report: ArrearsReport | None,
) -> None:
    arrears = [i for i in items if i.kind in ARREARS_KINDS]
    for item in arrears:
        if is_in_waiting_period(item.loss_on, guarantee.lease_start, product):
            last = first_covered_day(guarantee.lease_start, product) - timedelta(days=1)
            raise DomainError(
                f"{item.label} cade nel periodo di carenza (i primi "
                f"{product.waiting_period_days} giorni del contratto, fino al {date_it(last)}) "
                "e non è coperto",
                code="arrears_in_waiting_period",
            )
    if report is None or report.guarantee_id != guarantee.guarantee_id:
        raise DomainError(
            "la richiesta per morosità richiede la segnalazione della morosità sulla garanzia "
            f"{guarantee.label}",
            code="arrears_not_reported",
        )
    # Every unpaid rent counts, reported or claimed: a rent left out of a report cannot
    # move the deadline.
    dates = [*report.covered_due_dates, *(i.loss_on for i in arrears)]
    check_reported_in_time(dates, report.reported_on, product)


def _check_damages(
    guarantee: GuaranteeFacts, product: Product, filed_on: date, evidence: list[EvidenceFile]
) -> None:
    deadline = guarantee.lease_end + timedelta(days=product.damages_claim_days)
    if filed_on > deadline:
        raise DomainError(
            f"richiesta per danni tardiva: andava presentata entro il {date_it(deadline)}, "
            f"{product.damages_claim_days} giorni dalla fine del contratto "
            f"({date_it(guarantee.lease_end)})",
            code="damages_claimed_late",
        )
    if not evidence:
        raise DomainError(
            "la richiesta per danni va documentata: allegare almeno una prova "
            "(fotografie, verbale di riconsegna, preventivo o fattura)",
            code="damages_without_evidence",
        )


def _check_cover(
    items: list[ClaimItem],
    amounts: Mapping[str, tuple[Decimal, str | None]],
    cover: CoverState,
) -> None:
    per_line = {line: ZERO for line in CoverLine}
    for item in items:
        approved = amounts[item.id][0]
        if approved > 0 and not cover.covers(item.kind):
            raise DomainError(
                f"{item.label}: le spese non sono coperte da questo prodotto",
                code="above_remaining_cover",
            )
        per_line[LINE_OF[item.kind]] += approved
    for line, approved in per_line.items():
        if approved > cover.remaining(line):
            raise DomainError(
                f"importo approvato per {LINE_NAMES[line]} ({amount_it(approved)} €) oltre la "
                f"copertura residua ({amount_it(cover.remaining(line))} €)",
                code="above_remaining_cover",
            )
    total = sum(per_line.values(), ZERO)
    if total > cover.overall_remaining:
        raise DomainError(
            f"importo approvato ({amount_it(total)} €) oltre la copertura residua complessiva "
            f"della garanzia ({amount_it(cover.overall_remaining)} €)",
            code="above_remaining_cover",
        )


def _required(value: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidField(field, "campo obbligatorio")
    return text
