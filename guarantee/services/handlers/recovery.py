"""Recovery (rivalsa): the tenant's repayment plan after a paid claim, and the books.

Every paid instalment brings money back to the fund in the same transaction; a write-off
closes what will not come back. A plan asks at most the product's share of the income in
force when it is made; after an income change a fund manager re-plans what is still owed
(the old plan is closed, a new one takes over). When the plan in force ends, so does the
claim, with what every plan of it recovered and wrote off.
"""

from __future__ import annotations

from guarantee.domain.claims import Claim
from guarantee.domain.money import ZERO
from guarantee.domain.recovery import RecoveryPlan, RecoveryStatus
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.handlers.funds import recover_on_guarantee, write_off_on_guarantee
from guarantee.services.handlers.mediation import next_number
from guarantee.services.unit_of_work import UnitOfWork


def create_recovery_plan(
    cmd: c.CreateRecoveryPlan, uow: UnitOfWork, deps: Dependencies
) -> RecoveryPlan:
    with uow:
        now, today = deps.clock.now(), deps.clock.today()
        claim = uow.claims.by_number(cmd.claim_number, for_update=True)
        claim.check_can("start_recovery")
        guarantee = uow.guarantees.get(claim.guarantee_id)
        household = uow.households.get(guarantee.household_id)
        product = deps.products.get(guarantee.product_code, guarantee.product_version).product
        # The household's income in force today (staff record changes on the day they hold).
        plan = RecoveryPlan(
            claim_id=claim.id,
            guarantee_id=guarantee.id,
            household_id=household.id,
            amount=claim.paid_amount,
            net_monthly_income=household.net_monthly_income,
            product=product,
            first_due_on=cmd.first_due_on,
            created_at=now,
            created_by=uow.actor.user_id,
            instalments=cmd.instalments,
            number=next_number(uow, "RIE", "recovery_plan", today.year),
        )
        uow.recovery_plans.add(plan)
        claim.start_recovery(plan.id, now=now)
        uow.commit()
        return plan


def replan_recovery(cmd: c.ReplanRecovery, uow: UnitOfWork, deps: Dependencies) -> RecoveryPlan:
    """Close the plan as it stands (what was paid stays paid) and plan the rest at the
    product's share of the household's income now; returns the new plan."""
    with uow:
        now, today = deps.clock.now(), deps.clock.today()
        old = _plan(uow, cmd.number)
        claim = uow.claims.get(old.claim_id, for_update=True)
        guarantee = uow.guarantees.get(old.guarantee_id)
        household = uow.households.get(old.household_id)
        product = deps.products.get(guarantee.product_code, guarantee.product_version).product
        plan = old.replan(
            net_monthly_income=household.net_monthly_income,
            product=product,
            first_due_on=cmd.first_due_on,
            reason=cmd.reason,
            now=now,
            created_by=uow.actor.user_id,
            instalments=cmd.instalments,
            number=next_number(uow, "RIE", "recovery_plan", today.year),
        )
        uow.recovery_plans.add(plan)
        claim.replan_recovery(plan.id, replaced=old.id, now=now)
        uow.commit()
        return plan


def _plan(uow: UnitOfWork, number: str) -> RecoveryPlan:
    plan = uow.recovery_plans.by_number(number, for_update=True)
    return plan


def record_recovery_instalment(
    cmd: c.RecordRecoveryInstalment, uow: UnitOfWork, deps: Dependencies
) -> RecoveryPlan:
    with uow:
        plan = _plan(uow, cmd.number)
        now, on = deps.clock.now(), cmd.on or deps.clock.today()
        if cmd.paid:
            amount = plan.record_payment(cmd.instalment_id, paid_on=on, now=now)
            number = next(i.number for i in plan.instalments if i.id == cmd.instalment_id)
            guarantee = uow.guarantees.get(plan.guarantee_id)
            recover_on_guarantee(
                uow, deps, guarantee, amount, reference=f"{plan.number} rata {number}", on=on
            )
        else:
            plan.record_missed(cmd.instalment_id, today=on, now=now, reason=cmd.reason)
        _end_claim_with(uow, deps, plan)
        uow.commit()
        return plan


def write_off_recovery_plan(
    cmd: c.WriteOffRecoveryPlan, uow: UnitOfWork, deps: Dependencies
) -> RecoveryPlan:
    with uow:
        plan = _plan(uow, cmd.number)
        now = deps.clock.now()
        if cmd.proposed_only:
            amount = plan.decide_proposed_write_off(reason=cmd.reason, now=now)
        else:
            amount = plan.write_off(reason=cmd.reason, now=now)
        if amount > 0:
            guarantee = uow.guarantees.get(plan.guarantee_id)
            write_off_on_guarantee(uow, deps, guarantee, amount, reason=cmd.reason)
        _end_claim_with(uow, deps, plan)
        uow.commit()
        return plan


def _end_claim_with(uow: UnitOfWork, deps: Dependencies, plan: RecoveryPlan) -> Claim | None:
    """A plan that ended ends its claim: recovered, or written off, then closed."""
    if plan.status is RecoveryStatus.ACTIVE:
        return None
    claim = uow.claims.get(plan.claim_id, for_update=True)
    now = deps.clock.now()
    plans = uow.recovery_plans.for_claim(claim.id)
    claim.end_recovery(
        recovered=sum((p.recovered for p in plans), ZERO),
        written_off=sum((p.written_off for p in plans), ZERO),
        now=now,
    )
    claim.close(now=now, reason=f"piano di rientro {plan.number} concluso")
    return claim
