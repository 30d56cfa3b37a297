"""The mediator's side of the back office: its cases by deadline, and each case's page.

A mediator reads only the cases assigned to it (any other answers 404, as in the API) and,
of the parties, only how to reach them; the fund's managers and auditors read every case.
Each form sends the same command on the bus as the API; only the moves the case's state
allows for the role are offered (``access.actions_for``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import InvalidField, NotFound
from guarantee.domain.mediation import MediationOutcome
from guarantee.read import access
from guarantee.read import claims as claims_read
from guarantee.read.history import history_of
from guarantee.services import commands as c
from guarantee.web.deps import DbDep, SystemDep
from guarantee.web.pages import forms, sessions
from guarantee.web.pages.backoffice import (
    FUND_ROLES,
    Form,
    NotLoggedIn,
    NotStaff,
    PageNumber,
    PageSize,
    _not_found,
    _refused,
    _staff,
    page_count,
)
from guarantee.web.pages.forms import FormState, send
from guarantee.web.pages.rendering import render
from guarantee.web.pages.timeline import CASE_STEPS, timeline
from guarantee.web.request_db import RequestDb

NO_LONGER = "Questa operazione non è più possibile su questa pratica."
CASE_LABELS = {
    "opened": "Aperta, da assegnare",
    "assigned": "Assegnata, primo contatto da fare",
    "in_progress": "In corso",
    "agreement": "Accordo raggiunto",
    "no_agreement": "Nessun accordo",
    "withdrawn": "Segnalazione ritirata",
    "agreement_broken": "Accordo non rispettato",
    "closed": "Chiusa",
}
OUTCOME_LABELS = {
    "agreement": "Accordo",
    "no_agreement": "Nessun accordo",
    "withdrawn": "Segnalazione ritirata",
}
CHANNEL_LABELS = {"email": "e-mail", "phone": "telefono", "post": "posta", "pec": "PEC"}
INSTALMENT_LABELS = {"due": "Da pagare", "paid": "Pagata", "missed": "Non pagata"}
_REPAYMENT_FIELDS = {
    "repayment.total": "total",
    "repayment.instalments": "instalments",
    "repayment.first_due_on": "first_due_on",
}
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def _time(text: str, field_name: str) -> time:
    found = _TIME.match(text.strip())
    if found is None or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        raise InvalidField(field_name, "ora non valida: scrivere per esempio 10:30")
    return time(int(found.group(1)), int(found.group(2)))


def _ended(number: str, outcome: MediationOutcome) -> Callable[[FormState], c.Command]:
    """A case closed without agreement or withdrawn: the day and the reason from the form."""
    return lambda f: c.RecordMediationOutcome(
        number, outcome, forms.day(f.values.get("on", ""), "on"), f.values.get("reason", "")
    )


def deadline_words(system: System, case: dict[str, Any], today: date) -> str:
    """The first contact's deadline told in working days: due in N, due today, or late by N."""
    if case["first_contact_on"] is not None:
        return (
            "fatto in ritardo" if case["first_contact_on"] > case["first_contact_due"] else "fatto"
        )
    if case["status"] not in ("opened", "assigned"):
        return "non più richiesto"
    due, calendar = case["first_contact_due"], system.deps.calendar
    if due > today:
        days = calendar.working_days_between(today, due)
        return f"entro {days} {'giorno lavorativo' if days == 1 else 'giorni lavorativi'}"
    if due == today:
        return "entro oggi"
    late = max(1, calendar.working_days_between(due, today))
    return f"in ritardo di {late} {'giorno lavorativo' if late == 1 else 'giorni lavorativi'}"


# A mediator follows its own cases; the fund managers and the auditor all of them.
CASE_READERS = FUND_ROLES | {Role.MEDIATOR}


class BackofficeCasesController(Controller):
    path = "/backoffice/casi"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def my_cases(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
        page_number: PageNumber = 1,
        page_size: PageSize = 50,
        after: str | None = None,
        overdue: bool | None = None,
    ) -> Response[Any]:
        """The cases by deadline, a page at a time, on each page the overdue first contacts
        first: a mediator's own; the fund's all, with who mediates them."""
        try:
            actor, token = _staff(request, system, db, CASE_READERS)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        today = system.deps.clock.today()
        with db.reading() as conn:
            found = claims_read.list_cases(
                conn,
                actor=actor,
                today=today,
                overdue=overdue or None,
                page=page_number,
                page_size=page_size,
                after=after,
            )
        cases = [access.case_view(actor, row) for row in found.items]
        for case in cases:
            case["deadline_words"] = deadline_words(system, case, today)
        cases.sort(key=lambda case: not case["overdue"])  # list_cases sorts by deadline
        return render(
            system,
            "backoffice/cases.html.j2",
            actor=actor,
            token=token,
            cases=cases,
            case_labels=CASE_LABELS,
            found=found,
            pages=page_count(found),
            whole_fund=actor.role in FUND_ROLES,
            only_overdue=bool(overdue),
        )

    @get("/{number:str}", sync_to_thread=True)
    def case(
        self, number: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        return _case_page(system, db, actor, token, number, None, FormState())

    @post("/{number:str}/primo-contatto", sync_to_thread=True)
    def first_contact(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return _act(
            number,
            "record_first_contact",
            request,
            data,
            system,
            db,
            lambda f: c.RecordFirstContact(
                number, forms.day(f.values.get("on", ""), "on"), f.values.get("note", "")
            ),
        )

    @post("/{number:str}/incontri", sync_to_thread=True)
    def meeting(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        def build(f: FormState) -> c.Command:
            on = _collect(f, "on", lambda text: forms.day(text, "on"))
            at = _collect(f, "at", lambda text: _time(text, "at"))
            for name, reason in (("place", "indicare il luogo"), ("participants", "indicare chi")):
                if not f.values.get(name, "").strip():
                    f.errors[name] = reason
            if on is None or at is None or not f.ok:
                raise _Incomplete
            return c.ScheduleMeeting(
                number,
                on,
                at,
                f.values.get("place", "").strip(),
                f.values.get("participants", "").strip(),
                f.values.get("notes", ""),
            )

        return _act(number, "schedule_meeting", request, data, system, db, build)

    @post("/{number:str}/incontri/{meeting_id:str}/svolto", sync_to_thread=True)
    def meeting_held(
        self,
        number: str,
        meeting_id: str,
        request: Request[Any, Any, Any],
        data: Form,
        system: SystemDep,
        db: DbDep,
    ) -> Response[Any]:
        """Who came to the meeting, and the minutes."""
        return _act(
            number,
            f"meeting-{meeting_id}",
            request,
            data,
            system,
            db,
            lambda f: c.RecordMeetingHeld(
                number, meeting_id, f.values.get("attended", ""), f.values.get("notes", "")
            ),
        )

    @post("/{number:str}/note", sync_to_thread=True)
    def note(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return _act(
            number,
            "add_note",
            request,
            data,
            system,
            db,
            lambda f: c.AddCaseNote(number, f.values.get("text", "")),
        )

    @post("/{number:str}/accordo", sync_to_thread=True)
    def agreement(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        """The parties agree; with a total, a repayment plan in monthly instalments."""

        def build(f: FormState) -> c.Command:
            on = _collect(f, "on", lambda text: forms.day(text, "on"))
            repayment = None
            if f.values.get("total", "").strip():
                total = _collect(f, "total", lambda text: forms.amount(text, "total"))
                count = _collect(f, "instalments", _count)
                first = _collect(f, "first_due_on", lambda text: forms.day(text, "first_due_on"))
                if total is not None and count is not None and first is not None:
                    repayment = c.RepaymentTermsData(total, count, first)
            if on is None or not f.ok:
                raise _Incomplete
            return c.RecordMediationOutcome(
                number, MediationOutcome.AGREEMENT, on, f.values.get("reason", ""), repayment
            )

        return _act(number, "reach_agreement", request, data, system, db, build)

    @post("/{number:str}/nessun-accordo", sync_to_thread=True)
    def no_agreement(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return _act(
            number,
            "record_no_agreement",
            request,
            data,
            system,
            db,
            _ended(number, MediationOutcome.NO_AGREEMENT),
        )

    @post("/{number:str}/ritiro", sync_to_thread=True)
    def withdrawn(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return _act(
            number,
            "withdraw",
            request,
            data,
            system,
            db,
            _ended(number, MediationOutcome.WITHDRAWN),
        )

    @post("/{number:str}/rate/{instalment_id:str}", sync_to_thread=True)
    def instalment(
        self,
        number: str,
        instalment_id: str,
        request: Request[Any, Any, Any],
        data: Form,
        system: SystemDep,
        db: DbDep,
    ) -> Response[Any]:
        """An agreed instalment paid, or not paid (which breaks the agreement)."""
        paid = str(data.get("paid", "")) == "si"
        return _act(
            number,
            "record_instalment_paid" if paid else "record_instalment_missed",
            request,
            data,
            system,
            db,
            lambda f: c.RecordAgreementInstalment(number, instalment_id, paid),
        )

    @post("/{number:str}/chiudi", sync_to_thread=True)
    def close(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return _act(
            number,
            "close",
            request,
            data,
            system,
            db,
            lambda f: c.CloseMediationCase(number, f.values.get("reason", "").strip() or None),
        )


class _Incomplete(Exception):
    """Some fields were refused already (their errors are in the form)."""


def _collect(form: FormState, name: str, parse: Callable[[str], Any]) -> Any:
    text = form.values.get(name, "").strip()
    if not text:
        form.errors[name] = "campo obbligatorio"
        return None
    try:
        return parse(text)
    except InvalidField as error:
        form.refuse(error)
        return None


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise InvalidField("instalments", "indicare un numero di rate da 1 in su")
    return int(text)


def _detail(conn: Any, system: System, actor: Actor, number: str) -> dict[str, Any]:
    """The case as this person may read it: a mediator only its own, the fund any."""
    if actor.role not in (Role.MEDIATOR, Role.FUND_MANAGER, Role.AUDITOR):
        raise NotFound("pratica di mediazione", number)
    return claims_read.case_detail(conn, number, actor=actor, today=system.deps.clock.today())


def _needed(action: str) -> str:
    """The case's move an action's form stands for (recording a meeting is a note)."""
    return "add_note" if action.startswith("meeting-") else action


def _act(
    number: str,
    action: str,
    request: Request[Any, Any, Any],
    data: dict[str, Any],
    system: System,
    db: RequestDb,
    build: Callable[[FormState], c.Command],
) -> Response[Any]:
    try:
        actor, token = _staff(request, system, db)
    except (NotLoggedIn, NotStaff) as error:
        return _refused(request, system, error)
    try:
        with db.reading() as conn:
            row = _detail(conn, system, actor, number)
    except NotFound:
        return _not_found(system)
    form = FormState.of(data)
    legal = access.actions_for(actor, "mediation_case", row["allowed_actions"])
    needed = _needed(action)
    if not sessions.form_csrf_ok(token, data):
        form.general = sessions.FORM_EXPIRED
    elif needed not in legal:
        form.general = NO_LONGER
    if form.ok:
        command: c.Command | None = None
        try:
            command = build(form)
        except _Incomplete:
            pass  # the form's own checks already put their errors beside the fields
        except InvalidField as error:
            form.refuse(error, rename=_REPAYMENT_FIELDS)
        if command is not None:
            send(system.bus, command, actor, form, rename=_REPAYMENT_FIELDS)
            if form.ok:
                return Redirect(path=f"/backoffice/casi/{number}", status_code=303)
    return _case_page(system, db, actor, token, number, action, form, 400)


def _case_page(
    system: System,
    db: RequestDb,
    actor: Actor,
    token: str,
    number: str,
    failed_action: str | None,
    form: FormState,
    status_code: int = 200,
) -> Response[str]:
    today = system.deps.clock.today()
    try:
        with db.reading() as conn:
            row = _detail(conn, system, actor, number)
            parties = claims_read.case_parties(conn, number)
            history = history_of(conn, "mediation_case", str(row["id"]))
    except NotFound:
        return _not_found(system)
    case = access.case_view(actor, row)
    case["deadline_words"] = deadline_words(system, row, today)
    return render(
        system,
        "backoffice/case.html.j2",
        actor=actor,
        token=token,
        case=case,
        landlord=access.shaped("landlord", actor, parties["landlord"]),
        household=access.shaped("household", actor, parties["household"])
        if parties["household"]
        else {},
        actions=case["allowed_actions"],
        timeline=timeline(history, CASE_STEPS),
        case_labels=CASE_LABELS,
        outcome_labels=OUTCOME_LABELS,
        channel_labels=CHANNEL_LABELS,
        instalment_labels=INSTALMENT_LABELS,
        today=today,
        failed_action=failed_action,
        # A refusal whose form is no longer offered is shown at the top of the page.
        orphan_error=failed_action is not None
        and _needed(failed_action) not in case["allowed_actions"],
        form=form,
        status_code=status_code,
    )
