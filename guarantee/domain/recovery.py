"""The recovery plan (piano di rientro): after paying a claim, the fund asks the tenant back.

Up to the product's maximum number of monthly instalments, each at most a share of the
household's net monthly income (SPEC §3). The total is spread over all the instalments
allowed; what they cannot reach is proposed for write-off, which a fund manager decides.
Lifecycle: active → (completed | written_off | replaced). ``completed``: every instalment
paid and nothing undecided; ``written_off``: a fund manager ended the plan, writing off the
rest; ``replaced``: the household's income changed and a fund manager re-planned what was
still owed — the old plan is closed as it stood (what was paid stays paid, its open
instalments lapse) and a new plan at the share of the new income takes over.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from guarantee.domain.aggregate import Aggregate
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.domain.formats import amount_it
from guarantee.domain.instalments import (
    Instalment,
    InstalmentStatus,
    find_instalment,
    monthly_due_dates,
    split_instalments,
)
from guarantee.domain.lifecycle import StateMachine
from guarantee.domain.money import ZERO, money
from guarantee.domain.products import Product


class RecoveryStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WRITTEN_OFF = "written_off"
    REPLACED = "replaced"


R = RecoveryStatus
RECOVERY_LIFECYCLE: StateMachine[RecoveryStatus] = StateMachine(
    "piano di rientro",
    {
        # the last payment (or the decision on the last undecided euro) completes the plan
        "record_payment": ([R.ACTIVE], [R.ACTIVE, R.COMPLETED]),
        "record_missed": ([R.ACTIVE], [R.ACTIVE]),
        "decide_proposed_write_off": ([R.ACTIVE], [R.ACTIVE, R.COMPLETED]),
        "write_off": ([R.ACTIVE], [R.WRITTEN_OFF]),
        "replace": ([R.ACTIVE], [R.REPLACED]),
    },
)


@dataclass(eq=False)
class RecoveryInstalment(Instalment):
    """An instalment the tenant owes the fund."""


class RecoveryPlan(Aggregate):
    entity_type = "recovery_plan"

    def __init__(
        self,
        *,
        claim_id: str,
        guarantee_id: str,
        household_id: str,
        amount: Decimal,
        net_monthly_income: Decimal,
        product: Product,
        first_due_on: date,
        created_at: datetime,
        created_by: str,
        instalments: int | None = None,
        replaces: RecoveryPlan | None = None,
        number: str | None = None,
        id: str | None = None,
    ) -> None:
        total = money(amount)
        if total <= 0:
            raise InvalidField("amount", "l'importo da recuperare deve essere positivo")
        income = money(net_monthly_income)
        if income < 0:
            raise InvalidField("net_monthly_income", "il reddito non può essere negativo")
        count = product.recovery_max_instalments if instalments is None else instalments
        if not 1 <= count <= product.recovery_max_instalments:
            raise InvalidField(
                "instalments", f"da 1 a {product.recovery_max_instalments} rate mensili"
            )
        cap = product.recovery_instalment_cap(income)
        amounts = split_instalments(total, count, cap)
        dates = monthly_due_dates(first_due_on, len(amounts))

        self.id = id or str(uuid.uuid4())
        self.number = number  # human number (RIE-2027-000001), given by the service layer
        self.claim_id = claim_id
        self.guarantee_id = guarantee_id
        self.household_id = household_id
        self.product_code = product.code
        self.product_version = str(product.version)
        self.status = R.ACTIVE
        self.amount = total
        self.net_monthly_income = income
        self.instalment_cap = cap
        self.instalments: list[RecoveryInstalment] = [
            RecoveryInstalment(number=n, due_on=due_on, amount=value)
            for n, (due_on, value) in enumerate(zip(dates, amounts, strict=True), start=1)
        ]
        self.planned_amount = sum(amounts, ZERO)
        self.proposed_write_off = total - self.planned_amount
        self.proposal_decided = self.proposed_write_off == 0
        self.written_off = ZERO
        self.write_off_reason: str | None = None
        self.created_at = created_at
        self.created_by = created_by
        self.updated_at = created_at
        self.ended_at: datetime | None = None
        self.replaces_plan_id = replaces.id if replaces is not None else None
        self.replaced_by_plan_id: str | None = None
        self._record(
            "created",
            {},
            {
                "status": self.status.value,
                "claim_id": claim_id,
                "net_monthly_income": str(income),
                "replaces": replaces.number if replaces is not None else None,
                "amount": str(total),
                "instalment_cap": str(cap),
                "instalments": len(amounts),
                "planned": str(self.planned_amount),
                "proposed_write_off": str(self.proposed_write_off),
            },
        )
        self._emit(
            "recovery_plan_created",
            claim_id=claim_id,
            guarantee_id=guarantee_id,
            planned=str(self.planned_amount),
            proposed_write_off=str(self.proposed_write_off),
        )

    # -- instalments -------------------------------------------------------------------------

    def record_payment(
        self,
        instalment_id: str,
        *,
        paid_on: date,
        now: datetime,
        amount: Decimal | None = None,
    ) -> Decimal:
        """The tenant paid an instalment (late payment of a missed one included)."""
        RECOVERY_LIFECYCLE.check(self.status, "record_payment")
        instalment = find_instalment(self.instalments, instalment_id)
        before = {"instalment": instalment.number, "instalment_status": instalment.status.value}
        instalment.record_paid(paid_on, amount)
        # The books take the money back in (recoveries); cover is not restored. Emitted
        # first: the move below may end the plan.
        self._emit(
            "recovery_instalment_paid",
            claim_id=self.claim_id,
            guarantee_id=self.guarantee_id,
            amount=str(instalment.amount),
            paid_on=paid_on.isoformat(),
        )
        self._move(
            "record_payment",
            now,
            before=before,
            extra={
                "instalment": instalment.number,
                "instalment_status": instalment.status.value,
                "amount": str(instalment.amount),
                "paid_on": paid_on.isoformat(),
            },
        )
        return instalment.amount

    def record_missed(
        self, instalment_id: str, *, today: date, now: datetime, reason: str | None = None
    ) -> None:
        RECOVERY_LIFECYCLE.check(self.status, "record_missed")
        instalment = find_instalment(self.instalments, instalment_id)
        before = {"instalment": instalment.number, "instalment_status": instalment.status.value}
        instalment.record_missed(today)
        self._move(
            "record_missed",
            now,
            reason=reason,
            before=before,
            extra={"instalment": instalment.number, "instalment_status": instalment.status.value},
        )

    # -- write-off (a fund manager's decision) -----------------------------------------------

    def decide_proposed_write_off(self, *, reason: str, now: datetime) -> Decimal:
        """Write off what the plan could not reach (e.g. 590,00 € with income 1.000,00 €)."""
        text = _required(reason)
        RECOVERY_LIFECYCLE.check(self.status, "decide_proposed_write_off")
        if self.proposal_decided:
            raise DomainError(
                "non c'è una proposta di stralcio da decidere", code="no_write_off_proposal"
            )
        amount = self.proposed_write_off
        self.proposal_decided = True
        self.written_off += amount
        self.write_off_reason = text
        self._emit_write_off(amount)  # before the plan's end, which may follow
        self._move(
            "decide_proposed_write_off", now, reason=text, extra={"written_off": str(amount)}
        )
        return amount

    def write_off(self, *, reason: str, now: datetime) -> Decimal:
        """End the plan: everything not yet recovered is written off; open instalments lapse."""
        text = _required(reason)
        RECOVERY_LIFECYCLE.check(self.status, "write_off")
        amount = self.balance
        for instalment in self.instalments:
            if instalment.status in (InstalmentStatus.DUE, InstalmentStatus.MISSED):
                instalment.cancel()
        self.proposal_decided = True
        self.written_off += amount
        self.write_off_reason = text
        self.ended_at = now
        self._emit_write_off(amount)
        self._move("write_off", now, reason=text, extra={"written_off": str(amount)})
        return amount

    # -- re-planning (a fund manager's decision after an income change) ---------------------

    def replan(
        self,
        *,
        net_monthly_income: Decimal,
        product: Product,
        first_due_on: date,
        reason: str,
        now: datetime,
        created_by: str,
        instalments: int | None = None,
        number: str | None = None,
    ) -> RecoveryPlan:
        """Close this plan and return a new one for what is still owed, at the product's
        share of the household's income now. Only an income change justifies it."""
        text = reason.strip()
        if not text:
            raise InvalidField("reason", "la ripianificazione richiede una motivazione")
        RECOVERY_LIFECYCLE.check(self.status, "replace")
        income = money(net_monthly_income)
        if income == self.net_monthly_income:
            raise DomainError(
                f"il reddito del nucleo ({amount_it(income)} €) è quello su cui il piano "
                f"{self.number} è stato fatto: registrare prima la variazione del reddito",
                code="income_unchanged",
            )
        owed = self.balance
        if owed <= 0:
            raise DomainError(
                f"sul piano {self.number} non resta nulla da recuperare", code="nothing_owed"
            )
        successor = RecoveryPlan(
            claim_id=self.claim_id,
            guarantee_id=self.guarantee_id,
            household_id=self.household_id,
            amount=owed,
            net_monthly_income=income,
            product=product,
            first_due_on=first_due_on,
            created_at=now,
            created_by=created_by,
            instalments=instalments,
            replaces=self,
            number=number,
        )
        lapsed = 0
        for instalment in self.instalments:
            if instalment.status in (InstalmentStatus.DUE, InstalmentStatus.MISSED):
                instalment.cancel()
                lapsed += 1
        # What the old plan proposed for write-off is re-proposed (or not) by the new one.
        self.proposal_decided = True
        self.replaced_by_plan_id = successor.id
        self._move(
            "replace",
            now,
            reason=text,
            extra={
                "replaced_by": number,
                "recovered": str(self.recovered),
                "carried_over": str(owed),
                "lapsed_instalments": lapsed,
                "net_monthly_income": str(income),
            },
        )
        return successor

    # -- queries -----------------------------------------------------------------------------

    @property
    def recovered(self) -> Decimal:
        return sum((i.amount for i in self.instalments if i.status is InstalmentStatus.PAID), ZERO)

    @property
    def balance(self) -> Decimal:
        """Still owed to the fund on this plan: neither recovered nor written off (nor, for
        a replaced plan, carried over to its successor)."""
        if self.status is R.REPLACED:
            return ZERO
        return self.amount - self.recovered - self.written_off

    @property
    def carried_over(self) -> Decimal:
        """What a replaced plan handed to its successor."""
        if self.status is not R.REPLACED:
            return ZERO
        return self.amount - self.recovered - self.written_off

    @property
    def missed_count(self) -> int:
        return sum(1 for i in self.instalments if i.status is InstalmentStatus.MISSED)

    @property
    def allowed_actions(self) -> list[str]:
        return RECOVERY_LIFECYCLE.allowed_actions(self.status)

    # -- internals ---------------------------------------------------------------------------

    def _settled(self) -> bool:
        paid = all(i.status is InstalmentStatus.PAID for i in self.instalments)
        return paid and self.proposal_decided

    def _move(
        self,
        action: str,
        now: datetime,
        *,
        reason: str | None = None,
        before: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        if action == "write_off":
            target = R.WRITTEN_OFF
        elif action == "replace":
            target = R.REPLACED
        elif action != "record_missed" and self._settled():
            target = R.COMPLETED
        else:
            target = self.status
        new_status = RECOVERY_LIFECYCLE.target(self.status, action, target)
        old = {"status": self.status.value, **(before or {})}
        self.status = new_status
        self.updated_at = now
        if new_status in (R.COMPLETED, R.REPLACED):
            self.ended_at = now
        self._record(action, old, {"status": new_status.value, **(extra or {})}, reason)
        if new_status not in (R.ACTIVE, R.REPLACED):
            self._emit(
                "recovery_plan_ended",
                claim_id=self.claim_id,
                status=new_status.value,
                recovered=str(self.recovered),
                written_off=str(self.written_off),
            )

    def _emit_write_off(self, amount: Decimal) -> None:
        self._emit(
            "recovery_written_off",
            claim_id=self.claim_id,
            guarantee_id=self.guarantee_id,
            amount=str(amount),
        )


def _required(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidField("reason", "lo stralcio richiede una motivazione")
    return text
