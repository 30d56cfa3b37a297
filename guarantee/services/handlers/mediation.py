"""Arrears reports and the mediation cases they open: assignment, contact, meetings, outcome."""

from __future__ import annotations

from dataclasses import dataclass

from guarantee.domain.actors import Actor, Role
from guarantee.domain.arrears import ArrearsReport, UnpaidRent
from guarantee.domain.claims import Claim, ClaimStatus
from guarantee.domain.errors import Conflict, InvalidField, NotFound
from guarantee.domain.guarantee_facts import GuaranteeFacts
from guarantee.domain.guarantees import Guarantee
from guarantee.domain.mediation import (
    MediationCase,
    MediationOutcome,
    RepaymentTerms,
)
from guarantee.domain.mediators import pick_mediator_by_workload
from guarantee.domain.receipts import Receipt
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ArrearsReported:
    report: ArrearsReport
    case: MediationCase


def next_number(uow: UnitOfWork, prefix: str, counter: str, year: int) -> str:
    """``SIN-2027-000001``: gapless within the year (the counter rolls back with a refusal)."""
    return f"{prefix}-{year}-{uow.counters.next(counter, year):06d}"


def check_own_guarantee(actor: Actor, guarantee: Guarantee) -> None:
    """A landlord acts only on its own guarantees; others look like they do not exist."""
    if actor.role is Role.LANDLORD and guarantee.landlord_id != actor.landlord_id:
        raise NotFound("garanzia", guarantee.number or guarantee.application_number)


def receipt_of(actor: Actor, received: c.ReceiptData | None, deps: Dependencies) -> Receipt:
    """How a report or claim reached the fund: a landlord files online, today; staff enter
    the day, channel and reference of a letter, a PEC or a paper handed in."""
    today = deps.clock.today()
    if received is None:
        return Receipt.online(today)
    if actor.role is Role.LANDLORD:
        raise InvalidField(
            "received_on",
            "la data di ricezione la registra il fondo: online vale il giorno dell'invio",
        )
    return Receipt.entered_by_staff(
        received_on=received.received_on,
        channel=received.channel,
        reference=received.reference,
        today=today,
    )


def pending_mediation(uow: UnitOfWork, guarantee_id: str) -> str | None:
    """The number of a mediation case on the guarantee that has not ended yet, if any."""
    for case in uow.mediation_cases.for_guarantee(guarantee_id):
        if case.is_open and not case.opens_claim_path:
            return case.number
    return None


def end_mediation_waits(
    uow: UnitOfWork, deps: Dependencies, guarantee_id: str, case_number: str
) -> list[Claim]:
    """Mediation on the guarantee ended (closed, or its agreement broken): the claims that
    waited for it go back to review. Called by the mediation handlers in their transaction."""
    if pending_mediation(uow, guarantee_id) is not None:
        return []
    released = [
        claim
        for claim in uow.claims.for_guarantee(guarantee_id)
        if claim.status is ClaimStatus.AWAITING_MEDIATION
    ]
    for claim in released:
        claim.end_mediation_wait(now=deps.clock.now(), reason=f"mediazione {case_number} conclusa")
    return released


def report_arrears(cmd: c.ReportArrears, uow: UnitOfWork, deps: Dependencies) -> ArrearsReported:
    with uow:
        now, today = deps.clock.now(), deps.clock.today()
        guarantee = uow.guarantees.by_number(cmd.guarantee_number, for_update=True)
        check_own_guarantee(uow.actor, guarantee)
        running = [case for case in uow.mediation_cases.for_guarantee(guarantee.id) if case.is_open]
        if running:
            raise Conflict(
                f"sulla garanzia {guarantee.number} è già aperta la pratica di mediazione "
                f"{running[0].number}: aggiungere lì le nuove informazioni"
            )
        product = deps.products.get(guarantee.product_code, guarantee.product_version).product
        receipt = receipt_of(uow.actor, cmd.received, deps)
        report = ArrearsReport(
            guarantee=GuaranteeFacts.of(guarantee),
            product=product,
            rents=[UnpaidRent(due_on=r.due_on, rent=r.rent, charges=r.charges) for r in cmd.rents],
            reported_on=receipt.received_on,
            reported_at=now,
            reported_by=uow.actor.user_id,
            notes=cmd.notes,
            receipt=receipt,
        )
        uow.arrears_reports.add(report)
        case = MediationCase.for_arrears(
            report,
            deps.calendar,
            now=now,
            by=uow.actor.user_id,
            number=next_number(uow, "MED", "mediation_case", today.year),
        )
        mediators = uow.mediation_cases.mediators()
        if mediators:
            chosen = pick_mediator_by_workload(
                mediators, uow.mediation_cases.open_cases_by_mediator()
            )
            case.assign(chosen.user_id, now=now, reason="assegnata per carico di lavoro")
        uow.mediation_cases.add(case)
        uow.commit()
        return ArrearsReported(report, case)


def _case(uow: UnitOfWork, number: str) -> MediationCase:
    """The case, locked; a mediator acts only on the cases assigned to them, and to a
    mediator any other case (unassigned, or another's) does not exist."""
    case = uow.mediation_cases.by_number(number, for_update=True)
    if uow.actor.role is Role.MEDIATOR and case.mediator_id != _mediator_account(uow):
        raise NotFound("pratica di mediazione", number)
    return case


def _mediator_account(uow: UnitOfWork) -> str | None:
    return uow.actor.account_id or uow.mediation_cases.user_id_of(uow.actor.user_id)


def assign_mediation_case(
    cmd: c.AssignMediationCase, uow: UnitOfWork, deps: Dependencies
) -> MediationCase:
    with uow:
        # A mediator may hand over only a case of its own; fund managers assign any.
        case = _case(uow, cmd.number)
        mediators = uow.mediation_cases.mediators()
        if cmd.mediator_id is not None:
            if not any(m.user_id == cmd.mediator_id for m in mediators):
                raise InvalidField(
                    "mediator_id", f"nessun mediatore attivo con id {cmd.mediator_id}"
                )
            mediator_id = cmd.mediator_id
            reason = cmd.reason or "assegnata a mano"
        else:
            counts = uow.mediation_cases.open_cases_by_mediator()
            others = [m for m in mediators if m.user_id != case.mediator_id]
            mediator_id = pick_mediator_by_workload(others, counts).user_id
            reason = cmd.reason or "assegnata per carico di lavoro"
        case.assign(mediator_id, now=deps.clock.now(), reason=reason)
        uow.commit()
        return case


def record_first_contact(
    cmd: c.RecordFirstContact, uow: UnitOfWork, deps: Dependencies
) -> MediationCase:
    with uow:
        case = _case(uow, cmd.number)
        case.record_first_contact(cmd.on, now=deps.clock.now(), note=cmd.note, by=uow.actor.user_id)
        uow.commit()
        return case


def schedule_meeting(cmd: c.ScheduleMeeting, uow: UnitOfWork, deps: Dependencies) -> MediationCase:
    with uow:
        case = _case(uow, cmd.number)
        case.schedule_meeting(
            on=cmd.on,
            at=cmd.at,
            place=cmd.place,
            participants=cmd.participants,
            by=uow.actor.user_id,
            now=deps.clock.now(),
            notes=cmd.notes,
        )
        uow.commit()
        return case


def record_meeting_held(
    cmd: c.RecordMeetingHeld, uow: UnitOfWork, deps: Dependencies
) -> MediationCase:
    with uow:
        case = _case(uow, cmd.number)
        case.record_meeting_held(
            cmd.meeting_id, attended=cmd.attended, notes=cmd.notes, now=deps.clock.now()
        )
        uow.commit()
        return case


def add_case_note(cmd: c.AddCaseNote, uow: UnitOfWork, deps: Dependencies) -> MediationCase:
    with uow:
        case = _case(uow, cmd.number)
        case.add_note(cmd.text, by=uow.actor.user_id, now=deps.clock.now())
        uow.commit()
        return case


def record_mediation_outcome(
    cmd: c.RecordMediationOutcome, uow: UnitOfWork, deps: Dependencies
) -> MediationCase:
    with uow:
        case = _case(uow, cmd.number)
        now = deps.clock.now()
        if cmd.outcome is MediationOutcome.AGREEMENT:
            terms = None
            if cmd.repayment is not None:
                terms = RepaymentTerms(
                    total=cmd.repayment.total,
                    instalments=cmd.repayment.instalments,
                    first_due_on=cmd.repayment.first_due_on,
                )
            case.reach_agreement(on=cmd.on, reason=cmd.reason, now=now, repayment=terms)
        elif cmd.repayment is not None:
            raise InvalidField("repayment", "un piano di restituzione solo con un accordo")
        elif cmd.outcome is MediationOutcome.NO_AGREEMENT:
            case.record_no_agreement(on=cmd.on, reason=cmd.reason, now=now)
        else:
            case.withdraw(on=cmd.on, reason=cmd.reason, now=now)
        uow.commit()
        return case


def record_agreement_instalment(
    cmd: c.RecordAgreementInstalment, uow: UnitOfWork, deps: Dependencies
) -> MediationCase:
    with uow:
        case = _case(uow, cmd.number)
        now, on = deps.clock.now(), cmd.on or deps.clock.today()
        if cmd.paid:
            case.record_instalment_paid(cmd.instalment_id, paid_on=on, now=now)
        else:
            case.record_instalment_missed(cmd.instalment_id, today=on, now=now, reason=cmd.reason)
            if case.opens_claim_path:
                end_mediation_waits(uow, deps, case.guarantee_id, case.number or case.id)
        uow.commit()
        return case


def close_mediation_case(
    cmd: c.CloseMediationCase, uow: UnitOfWork, deps: Dependencies
) -> MediationCase:
    with uow:
        case = _case(uow, cmd.number)
        case.close(now=deps.clock.now(), reason=cmd.reason)
        end_mediation_waits(uow, deps, case.guarantee_id, case.number or case.id)
        uow.commit()
        return case
