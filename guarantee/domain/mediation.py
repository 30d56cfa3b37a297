"""The mediation case (pratica di mediazione): contact, meetings, and an outcome.

Lifecycle (SPEC §5): opened → assigned → in_progress → (agreement | no_agreement |
withdrawn) → closed. An agreement may carry a repayment plan from tenant to landlord;
a missed instalment moves the case to ``agreement_broken``, which reopens the path to an
arrears claim (``opens_claim_path``). Actions that do not change the state (meetings,
notes, reassignment, instalments) are in the table too, as moves from a state to itself,
so ``allowed_actions`` tells the back office every button it may show.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from guarantee.domain.aggregate import Aggregate
from guarantee.domain.arrears import ArrearsReport
from guarantee.domain.calendar import WorkingCalendar
from guarantee.domain.errors import DomainError, InvalidField, NotFound
from guarantee.domain.formats import amount_it, date_it
from guarantee.domain.instalments import (
    Instalment,
    InstalmentStatus,
    find_instalment,
    monthly_due_dates,
    split_instalments,
)
from guarantee.domain.lifecycle import StateMachine
from guarantee.domain.money import ZERO, money

# SPEC §5 fixes it (it is a service standard, not a product number).
FIRST_CONTACT_WORKING_DAYS = 5


class MediationStatus(StrEnum):
    OPENED = "opened"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    AGREEMENT = "agreement"
    NO_AGREEMENT = "no_agreement"
    WITHDRAWN = "withdrawn"
    AGREEMENT_BROKEN = "agreement_broken"
    CLOSED = "closed"


class MediationOutcome(StrEnum):
    AGREEMENT = "agreement"
    NO_AGREEMENT = "no_agreement"
    WITHDRAWN = "withdrawn"


M = MediationStatus
_WITH_MEDIATOR = [M.ASSIGNED, M.IN_PROGRESS, M.AGREEMENT, M.AGREEMENT_BROKEN]
_NOT_CLOSED = [s for s in M if s is not M.CLOSED]

MEDIATION_LIFECYCLE: StateMachine[MediationStatus] = StateMachine(
    "pratica di mediazione",
    {
        "assign": ([M.OPENED], [M.ASSIGNED]),
        "record_first_contact": ([M.ASSIGNED], [M.IN_PROGRESS]),
        "reach_agreement": ([M.IN_PROGRESS], [M.AGREEMENT]),
        "record_no_agreement": ([M.IN_PROGRESS], [M.NO_AGREEMENT]),
        "withdraw": ([M.OPENED, M.ASSIGNED, M.IN_PROGRESS], [M.WITHDRAWN]),
        # The first missed instalment breaks the agreement; later ones only add to it.
        "record_instalment_missed": ([M.AGREEMENT, M.AGREEMENT_BROKEN], [M.AGREEMENT_BROKEN]),
        "close": ([M.AGREEMENT, M.NO_AGREEMENT, M.WITHDRAWN, M.AGREEMENT_BROKEN], [M.CLOSED]),
        # moves that keep the state
        "reassign": (_WITH_MEDIATOR, _WITH_MEDIATOR),
        "schedule_meeting": (
            [M.ASSIGNED, M.IN_PROGRESS, M.AGREEMENT],
            [M.ASSIGNED, M.IN_PROGRESS, M.AGREEMENT],
        ),
        "add_note": (_NOT_CLOSED, _NOT_CLOSED),
        "record_instalment_paid": (
            [M.AGREEMENT, M.AGREEMENT_BROKEN],
            [M.AGREEMENT, M.AGREEMENT_BROKEN],
        ),
    },
)
# Actions whose target is the state they leave from.
STAY_ACTIONS = frozenset({"reassign", "schedule_meeting", "add_note", "record_instalment_paid"})


@dataclass(eq=False)
class Meeting:
    on: date
    at: time
    place: str
    participants: str
    scheduled_by: str
    scheduled_at: datetime
    notes: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or str(uuid.uuid4())
        self.place = _required(self.place, "place")
        self.participants = _required(self.participants, "participants")


@dataclass(eq=False)
class CaseNote:
    written_at: datetime
    author: str
    text: str
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or str(uuid.uuid4())
        self.text = _required(self.text, "text")


@dataclass(eq=False)
class AgreementInstalment(Instalment):
    """An instalment the tenant owes the landlord under a mediation agreement."""


@dataclass(frozen=True)
class RepaymentTerms:
    """What the parties agreed: ``total`` in ``instalments`` monthly rates from ``first_due_on``."""

    total: Decimal
    instalments: int
    first_due_on: date


class MediationCase(Aggregate):
    entity_type = "mediation_case"

    def __init__(
        self,
        *,
        guarantee_id: str,
        opened_on: date,
        first_contact_due: date,
        reason: str,
        opened_at: datetime,
        opened_by: str,
        arrears_report_id: str | None = None,
        number: str | None = None,
        id: str | None = None,
    ) -> None:
        if first_contact_due < opened_on:
            raise InvalidField("first_contact_due", "il primo contatto non precede l'apertura")
        self.id = id or str(uuid.uuid4())
        self.number = number  # human number (MED-2027-000001), given by the service layer
        self.guarantee_id = guarantee_id
        self.arrears_report_id = arrears_report_id
        self.status = M.OPENED
        self.reason = _required(reason, "reason")
        self.opened_on = opened_on
        self.opened_at = opened_at
        self.opened_by = opened_by
        self.first_contact_due = first_contact_due
        self.first_contact_on: date | None = None
        self.mediator_id: str | None = None
        self.assigned_at: datetime | None = None
        self.outcome: MediationOutcome | None = None
        self.outcome_on: date | None = None
        self.outcome_reason: str | None = None
        self.agreement_total: Decimal | None = None
        self.agreement_broken_on: date | None = None
        self.closed_at: datetime | None = None
        self.updated_at = opened_at
        self.meetings: list[Meeting] = []
        self.notes: list[CaseNote] = []
        self.instalments: list[AgreementInstalment] = []
        self._record(
            "opened",
            {},
            {
                "status": self.status.value,
                "guarantee_id": guarantee_id,
                "arrears_report_id": arrears_report_id,
                "first_contact_due": first_contact_due.isoformat(),
            },
            self.reason,
        )
        self._emit(
            "mediation_opened",
            guarantee_id=guarantee_id,
            first_contact_due=first_contact_due.isoformat(),
        )

    @classmethod
    def for_arrears(
        cls,
        report: ArrearsReport,
        calendar: WorkingCalendar,
        *,
        now: datetime,
        by: str,
        first_contact_days: int = FIRST_CONTACT_WORKING_DAYS,
        number: str | None = None,
    ) -> MediationCase:
        """The case an arrears report opens; first contact within N working days of it."""
        months = len(report.covered_due_dates)
        return cls(
            guarantee_id=report.guarantee_id,
            arrears_report_id=report.id,
            opened_on=report.reported_on,
            first_contact_due=calendar.add_working_days(report.reported_on, first_contact_days),
            reason=(
                f"morosità segnalata il {date_it(report.reported_on)}: "
                f"{months} {'canone' if months == 1 else 'canoni'} non "
                f"{'pagato' if months == 1 else 'pagati'} "
                f"({amount_it(report.covered_amount)} €)"
            ),
            opened_at=now,
            opened_by=by,
            number=number,
        )

    # -- people and contact ------------------------------------------------------------------

    def assign(self, mediator_id: str, *, now: datetime, reason: str | None = None) -> None:
        """Give the case to a mediator; from a later state this is a reassignment."""
        action = "assign" if self.status is M.OPENED else "reassign"
        self.check_can(action)
        if not mediator_id.strip():
            raise InvalidField("mediator_id", "indicare il mediatore")
        if mediator_id == self.mediator_id:
            raise DomainError(
                f"la pratica è già assegnata a {mediator_id}", code="already_assigned"
            )
        before = {"mediator_id": self.mediator_id}
        self._move(action, now, reason=reason, extra={"mediator_id": mediator_id}, before=before)
        self.mediator_id = mediator_id
        self.assigned_at = now

    def record_first_contact(self, on: date, *, now: datetime, note: str = "", by: str) -> None:
        if on < self.opened_on:
            raise InvalidField("on", "il primo contatto non può precedere l'apertura")
        self.check_can("record_first_contact")
        if note.strip():
            self.notes.append(CaseNote(written_at=now, author=by, text=note))
        self.first_contact_on = on
        self._move(
            "record_first_contact",
            now,
            extra={"first_contact_on": on.isoformat(), "late": on > self.first_contact_due},
        )

    def is_overdue(self, today: date) -> bool:
        """First contact not made and its due day has passed (a withdrawn case needs none)."""
        return (
            self.first_contact_on is None
            and self.status in (M.OPENED, M.ASSIGNED)
            and today > self.first_contact_due
        )

    def schedule_meeting(
        self,
        *,
        on: date,
        at: time,
        place: str,
        participants: str,
        by: str,
        now: datetime,
        notes: str = "",
    ) -> Meeting:
        self.check_can("schedule_meeting")
        meeting = Meeting(
            on=on,
            at=at,
            place=place,
            participants=participants,
            scheduled_by=by,
            scheduled_at=now,
            notes=notes.strip(),
        )
        self.meetings.append(meeting)
        self._move(
            "schedule_meeting",
            now,
            extra={"meeting_id": meeting.id, "on": on.isoformat(), "at": at.isoformat()},
        )
        self._emit(
            "mediation_meeting_scheduled", guarantee_id=self.guarantee_id, meeting_id=meeting.id
        )
        return meeting

    def record_meeting_notes(self, meeting_id: str, notes: str, *, now: datetime) -> None:
        """What was said at a meeting (the minutes); kept on the meeting itself."""
        self.check_can("add_note")
        meeting = next((m for m in self.meetings if m.id == meeting_id), None)
        if meeting is None:
            raise NotFound("incontro", meeting_id)
        meeting.notes = _required(notes, "notes")
        self._move("add_note", now, extra={"meeting_id": meeting_id})

    def record_meeting_held(
        self, meeting_id: str, *, attended: str, notes: str, now: datetime
    ) -> Meeting:
        """After a meeting: who came (in place of who was invited, kept in the audit trail)
        and, if any, what was said."""
        self.check_can("add_note")
        meeting = next((m for m in self.meetings if m.id == meeting_id), None)
        if meeting is None:
            raise NotFound("incontro", meeting_id)
        came = _required(attended, "attended")
        invited = meeting.participants
        meeting.participants = came
        if notes.strip():
            meeting.notes = notes.strip()
        self._move(
            "add_note",
            now,
            before={"meeting_id": meeting_id, "participants": invited},
            extra={"meeting_id": meeting_id, "attended": came},
        )
        return meeting

    def add_note(self, text: str, *, by: str, now: datetime) -> CaseNote:
        self.check_can("add_note")
        note = CaseNote(written_at=now, author=by, text=text)
        self.notes.append(note)
        self._move("add_note", now, extra={"note_id": note.id})
        return note

    # -- outcomes ----------------------------------------------------------------------------

    def reach_agreement(
        self,
        *,
        on: date,
        reason: str,
        now: datetime,
        repayment: RepaymentTerms | None = None,
    ) -> None:
        """The parties agree; with ``repayment`` the tenant repays the landlord in instalments."""
        self.check_can("reach_agreement")
        text = _required(reason, "reason")
        self._check_outcome_date(on)
        instalments = _plan(repayment, on) if repayment is not None else []
        self.instalments = instalments
        self.agreement_total = money(repayment.total) if repayment is not None else None
        self._outcome(MediationOutcome.AGREEMENT, on, text)
        self._move(
            "reach_agreement",
            now,
            reason=text,
            extra={
                "agreement_total": str(self.agreement_total) if repayment else None,
                "instalments": [str(i.amount) for i in instalments],
            },
        )

    def record_no_agreement(self, *, on: date, reason: str, now: datetime) -> None:
        self.check_can("record_no_agreement")
        text = _required(reason, "reason")
        self._outcome(MediationOutcome.NO_AGREEMENT, on, text)
        self._move("record_no_agreement", now, reason=text)

    def withdraw(self, *, on: date, reason: str, now: datetime) -> None:
        """The report is withdrawn (e.g. the tenant paid): nothing left to mediate."""
        self.check_can("withdraw")
        text = _required(reason, "reason")
        self._outcome(MediationOutcome.WITHDRAWN, on, text)
        self._move("withdraw", now, reason=text)

    def record_instalment_paid(
        self, instalment_id: str, *, paid_on: date, now: datetime, amount: Decimal | None = None
    ) -> None:
        self.check_can("record_instalment_paid")
        instalment = find_instalment(self.instalments, instalment_id)
        before = {"instalment": instalment.number, "instalment_status": instalment.status.value}
        instalment.record_paid(paid_on, amount)
        self._move(
            "record_instalment_paid",
            now,
            before=before,
            extra={
                "instalment": instalment.number,
                "instalment_status": instalment.status.value,
                "paid_on": paid_on.isoformat(),
            },
        )
        if self.status is M.AGREEMENT and self.agreement_fulfilled:
            self._emit("mediation_agreement_fulfilled", guarantee_id=self.guarantee_id)

    def record_instalment_missed(
        self, instalment_id: str, *, today: date, now: datetime, reason: str | None = None
    ) -> None:
        """An instalment went unpaid: the agreement is broken and a claim becomes possible."""
        self.check_can("record_instalment_missed")
        instalment = find_instalment(self.instalments, instalment_id)
        before = {"instalment": instalment.number, "instalment_status": instalment.status.value}
        instalment.record_missed(today)
        first_breach = self.agreement_broken_on is None
        if first_breach:
            self.agreement_broken_on = today
        self._move(
            "record_instalment_missed",
            now,
            reason=reason,
            before=before,
            extra={"instalment": instalment.number, "instalment_status": instalment.status.value},
        )
        if first_breach:
            self._emit(
                "mediation_agreement_broken",
                guarantee_id=self.guarantee_id,
                instalment=instalment.number,
            )

    def close(self, *, now: datetime, reason: str | None = None) -> None:
        self.check_can("close")
        if self.status is M.AGREEMENT and not self.agreement_fulfilled:
            unpaid = sum(1 for i in self.instalments if i.status is not InstalmentStatus.PAID)
            raise DomainError(
                f"l'accordo ha ancora {unpaid} rate da pagare: la pratica si chiude quando "
                "il piano è stato rispettato, o dopo una rata non pagata",
                code="agreement_running",
            )
        self.closed_at = now
        outcome = self.outcome.value if self.outcome else None
        self._move("close", now, reason=reason, extra={"outcome": outcome})
        self._emit(
            "mediation_closed",
            guarantee_id=self.guarantee_id,
            outcome=outcome,
            opens_claim_path=self.opens_claim_path,
        )

    # -- queries -----------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status is not M.CLOSED

    @property
    def agreement_fulfilled(self) -> bool:
        """Every agreed instalment paid (trivially, for an agreement without a plan)."""
        return self.outcome is MediationOutcome.AGREEMENT and all(
            i.status is InstalmentStatus.PAID for i in self.instalments
        )

    @property
    def opens_claim_path(self) -> bool:
        """An arrears claim may be paid: closed without agreement, or the agreement broken."""
        closed_without_agreement = (
            self.status is M.CLOSED and self.outcome is MediationOutcome.NO_AGREEMENT
        )
        return closed_without_agreement or self.agreement_broken_on is not None

    @property
    def agreement_paid(self) -> Decimal:
        return sum((i.amount for i in self.instalments if i.status is InstalmentStatus.PAID), ZERO)

    @property
    def allowed_actions(self) -> list[str]:
        return MEDIATION_LIFECYCLE.allowed_actions(self.status)

    def check_can(self, action: str) -> None:
        """Raise IllegalTransition now if ``action`` is not allowed from the current state."""
        MEDIATION_LIFECYCLE.check(self.status, action)

    # -- internals ---------------------------------------------------------------------------

    def _check_outcome_date(self, on: date) -> None:
        if on < self.opened_on:
            raise InvalidField("on", "l'esito non può precedere l'apertura della pratica")

    def _outcome(self, outcome: MediationOutcome, on: date, reason: str) -> None:
        self._check_outcome_date(on)
        self.outcome = outcome
        self.outcome_on = on
        self.outcome_reason = reason

    def _move(
        self,
        action: str,
        now: datetime,
        *,
        reason: str | None = None,
        before: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        new_status = MEDIATION_LIFECYCLE.target(
            self.status, action, self.status if action in STAY_ACTIONS else None
        )
        old = {"status": self.status.value, **(before or {})}
        self.status = new_status
        self.updated_at = now
        self._record(action, old, {"status": new_status.value, **(extra or {})}, reason)


def _plan(terms: RepaymentTerms, agreed_on: date) -> list[AgreementInstalment]:
    if terms.instalments < 1:
        raise InvalidField("repayment.instalments", "almeno una rata")
    total = money(terms.total)
    if total <= 0:
        raise InvalidField("repayment.total", "l'importo da restituire deve essere positivo")
    if terms.first_due_on < agreed_on:
        raise InvalidField("repayment.first_due_on", "la prima rata non precede l'accordo")
    amounts = split_instalments(total, terms.instalments)
    if len(amounts) < terms.instalments:
        raise InvalidField(
            "repayment.instalments",
            f"{amount_it(total)} € non si dividono in {terms.instalments} rate di almeno un "
            "centesimo",
        )
    dates = monthly_due_dates(terms.first_due_on, len(amounts))
    return [
        AgreementInstalment(number=n, due_on=due_on, amount=amount)
        for n, (due_on, amount) in enumerate(zip(dates, amounts, strict=True), start=1)
    ]


def _required(value: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidField(field, "campo obbligatorio")
    return text
