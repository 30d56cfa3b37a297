"""Back office: eligibility attestations, for the help desk that issues them and the fund.

A help-desk operator (who uses no other back-office page) sees the attestations it issued,
asks a new one for a household without a lease, and reads each with the requirements met,
those still to check once the lease is known, the maximum rent and its verification code;
fund managers see all of them and may withdraw one with a reason. Changes go through the
bus as the logged-in person; to anyone else these pages do not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import DomainError, InvalidField, NotFound
from guarantee.domain.households import ReferralSource
from guarantee.read import access
from guarantee.read import attestations as read
from guarantee.services import commands as c
from guarantee.web.deps import DbDep, SystemDep
from guarantee.web.pages import sessions
from guarantee.web.pages.backoffice import (
    OUTCOME_LABELS,
    VERDICT_LABELS,
    NotLoggedIn,
    NotStaff,
    PageNumber,
    PageSize,
    _refused,
    _staff,
    page_count,
)
from guarantee.web.pages.forms import FormState, amount, send
from guarantee.web.pages.rendering import render
from guarantee.web.request_db import RequestDb

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
READERS = frozenset({Role.FUND_MANAGER, Role.AUDITOR, Role.OPERATOR})
STATUS_LABELS = {"issued": "Valida", "used": "Usata per una domanda", "withdrawn": "Revocata"}
REFERRALS = {
    ReferralSource.HELP_DESK.value: "sportello partner",
    ReferralSource.SOCIAL_SERVICES.value: "servizi sociali",
    ReferralSource.SELF.value: "il nucleo stesso",
    ReferralSource.OTHER.value: "altro",
}
# The command's field names → the form's.
_FIELDS = {"members": "full_name", "contacts": "postal_address"}


def _who(request: Request[Any, Any, Any], system: System, db: RequestDb) -> tuple[Actor, str]:
    return _staff(request, system, db, READERS)


def _household_command(form: FormState) -> c.IssueAttestation | None:
    values = form.values
    for name, label in (
        ("full_name", "nome e cognome"),
        ("tax_code", "codice fiscale"),
        ("postal_address", "indirizzo"),
    ):
        if not values.get(name, "").strip():
            form.errors[name] = f"indicare {label}"
    numbers = {}
    for name in ("isee", "net_monthly_income"):
        try:
            numbers[name] = amount(values.get(name, ""), name)
        except InvalidField as error:
            form.refuse(error)
    referral = values.get("referral_source", "")
    if referral not in REFERRALS:
        form.errors["referral_source"] = "scegliere chi ha inviato il nucleo"
    if not form.ok:
        return None
    return c.IssueAttestation(
        members=(
            c.MemberData(
                values["full_name"].strip(), values["tax_code"].strip().upper(), None, True
            ),
        ),
        isee=numbers["isee"],
        net_monthly_income=numbers["net_monthly_income"],
        referral_source=ReferralSource(referral),
        referrer=values.get("referrer", "").strip() or None,
        contacts=c.ContactsData(postal_address=values["postal_address"].strip()),
    )


class BackofficeAttestationController(Controller):
    path = "/sportello/attestazioni"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def list_page(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
        page_number: PageNumber = 1,
        page_size: PageSize = 50,
        after: str | None = None,
    ) -> Response[Any]:
        try:
            actor, token = _who(request, system, db)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        with db.reading() as conn:
            found = read.list_attestations(
                conn,
                system.deps.clock.today(),
                actor=actor,
                page=page_number,
                page_size=page_size,
                after=after,
            )
        return render(
            system,
            "backoffice/attestations.html.j2",
            actor=actor,
            token=token,
            found=found,
            pages=page_count(found),
            rows=[access.shaped("attestation", actor, row) for row in found.items],
            labels=STATUS_LABELS,
            may_issue=actor.role in (Role.FUND_MANAGER, Role.OPERATOR),
        )

    @get("/nuova", sync_to_thread=True)
    def new_form(
        self, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._issue(request, system, db, None)

    @post("/nuova", sync_to_thread=True)
    def issue(
        self, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._issue(request, system, db, data)

    def _issue(
        self,
        request: Request[Any, Any, Any],
        system: System,
        db: RequestDb,
        data: dict[str, Any] | None,
    ) -> Response[Any]:
        try:
            actor, token = _who(request, system, db)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        if actor.role is Role.AUDITOR:
            return _refused(request, system, NotStaff())
        form = FormState() if data is None else FormState.of(data)
        if data is not None:
            if not sessions.form_csrf_ok(token, data):
                form.general = sessions.FORM_EXPIRED
            command = _household_command(form) if form.ok else None
            if command is not None:
                done = send(system.bus, command, actor, form, rename=_FIELDS)
                if form.ok:
                    return Redirect(path=f"{self.path}/{done.number}", status_code=303)
        return render(
            system,
            "backoffice/attestation_form.html.j2",
            actor=actor,
            token=token,
            form=form,
            referrals=REFERRALS,
            status_code=200 if form.ok else 400,
        )

    @get("/{number:str}", sync_to_thread=True)
    def detail(
        self, number: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._detail(number, request, system, db, FormState(), 200)

    @post("/{number:str}/revoca", sync_to_thread=True)
    def withdraw(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        try:
            actor, token = _who(request, system, db)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        form = FormState.of(data)
        reason = form.values.get("reason", "").strip()
        if not sessions.form_csrf_ok(token, data):
            form.general = sessions.FORM_EXPIRED
        elif not reason:
            form.errors["reason"] = "indicare la motivazione"
        if form.ok:
            try:
                system.bus.handle(c.WithdrawAttestation(number=number, reason=reason), actor)
            except NotFound:
                return _refused(request, system, NotStaff())
            except DomainError as error:
                form.general = error.message
            else:
                return Redirect(path=f"{self.path}/{number}", status_code=303)
        return self._detail(number, request, system, db, form, 400)

    def _detail(
        self,
        number: str,
        request: Request[Any, Any, Any],
        system: System,
        db: RequestDb,
        form: FormState,
        status_code: int,
    ) -> Response[Any]:
        try:
            actor, token = _who(request, system, db)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        try:
            with db.reading() as conn:
                row = read.attestation_detail(conn, number, system.deps.clock.today(), actor=actor)
        except NotFound:
            return _refused(request, system, NotStaff())
        attestation = access.shaped("attestation", actor, row, number)
        return render(
            system,
            "backoffice/attestation.html.j2",
            actor=actor,
            token=token,
            a=attestation,
            labels=STATUS_LABELS,
            verdict_labels=VERDICT_LABELS,
            outcome_labels=OUTCOME_LABELS,
            verify_url=f"{system.settings.base_url}/verify/{attestation['code']}",
            may_withdraw=attestation["status"] == "issued"
            and actor.role in (Role.FUND_MANAGER, Role.OPERATOR),
            form=form,
            status_code=status_code,
        )
