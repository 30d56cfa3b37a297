"""The claim clock: each step of a claim with the day it is due, so a landlord knows when.

The terms are those the fund's letters promise (decision within 30 days of receipt, payment
within 15 days of the decision, mediation's first contact within 5 working days of the
report); a term that ends on a non-working day moves to the next working day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from guarantee.domain.calendar import WorkingCalendar

REVIEW_DAYS = 30  # from receipt to decision, as the acknowledgement letter says
PAYMENT_DAYS = 15  # from decision to payment, as the decision letter says


class StepState(StrEnum):
    DONE = "done"
    WAITING = "waiting"  # due, not yet late
    OVERDUE = "overdue"
    NOT_DUE = "not_due"  # comes after a step not yet done


@dataclass(frozen=True)
class ClockStep:
    label: str
    due_on: date | None
    done_on: date | None
    state: StepState


@dataclass(frozen=True)
class ClaimDates:
    filed_on: date
    decided_on: date | None
    paid_on: date | None
    closed_on: date | None
    rejected: bool
    mediation_contact_due: date | None = None
    mediation_contact_on: date | None = None
    mediation_ended_on: date | None = None


def _step(label: str, due: date | None, done: date | None, today: date) -> ClockStep:
    if done is not None:
        return ClockStep(label, due, done, StepState.DONE)
    if due is None:
        return ClockStep(label, None, None, StepState.NOT_DUE)
    return ClockStep(label, due, None, StepState.OVERDUE if today > due else StepState.WAITING)


def claim_clock(dates: ClaimDates, calendar: WorkingCalendar, today: date) -> list[ClockStep]:
    def on_working_day(day: date) -> date:
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    steps = [ClockStep("Richiesta ricevuta", dates.filed_on, dates.filed_on, StepState.DONE)]
    if dates.mediation_contact_due is not None:
        steps.append(
            _step(
                "Primo contatto della mediazione",
                dates.mediation_contact_due,
                dates.mediation_contact_on,
                today,
            )
        )
    decision_due = on_working_day(dates.filed_on + timedelta(days=REVIEW_DAYS))
    steps.append(_step("Decisione del Fondo", decision_due, dates.decided_on, today))
    if dates.rejected:
        return steps
    payment_due = (
        on_working_day(dates.decided_on + timedelta(days=PAYMENT_DAYS))
        if dates.decided_on is not None
        else None
    )
    if dates.closed_on is not None and dates.paid_on is None:
        return steps  # withdrawn: nothing more is due
    steps.append(_step("Pagamento", payment_due, dates.paid_on, today))
    return steps
