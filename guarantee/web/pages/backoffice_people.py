"""Search, and the records of people: a landlord's and a household's, with their change forms.

Staff of the fund (managers and auditors) search and read; whoever the permissions table
lets make a change (a fund manager) is offered its form. Every change is the API's command
through the bus; every opening of a person's record is itself recorded in the audit trail
(``RecordPersonalDataRead``), so who read whose data is known as surely as who changed it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect
from sqlalchemy import Connection

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.domain.errors import DomainError, InvalidField, NotFound
from guarantee.domain.households import ContactChannel, Member
from guarantee.read import access, people_search
from guarantee.read import guarantees as guarantees_read
from guarantee.read import households as households_read
from guarantee.services import commands as c
from guarantee.services.permissions import ALLOWED
from guarantee.web.deps import DbDep, SystemDep
from guarantee.web.pages import forms, sessions
from guarantee.web.pages.backoffice import (
    FUND_ROLES,
    NotLoggedIn,
    NotStaff,
    _not_found,
    _refused,
    _staff,
)
from guarantee.web.pages.forms import FormState
from guarantee.web.pages.rendering import render
from guarantee.web.personal_reads import record_personal_read
from guarantee.web.request_db import RequestDb

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Via = Annotated[str | None, QueryParameter(name="da", max_length=20)]
DONE = {
    "recapiti": "Recapiti aggiornati: il cambio è stato comunicato ai recapiti vecchi e nuovi.",
    "iban": "IBAN aggiornato: è stato comunicato ai due indirizzi e-mail, e per i prossimi "
    "giorni ogni pagamento sarà confermato da un secondo gestore del Fondo.",
    "componenti": "Componenti del nucleo aggiornati.",
    "reddito": "Reddito aggiornato.",
}
CHANNELS = {ContactChannel.POST.value: "Posta", ContactChannel.EMAIL.value: "E-mail"}
MEMBER_ROWS_EXTRA = 1  # one empty row to add a member


def may(actor: Actor, command: type[c.Command]) -> bool:
    return actor.role in ALLOWED.get(command, frozenset())


class BackofficePeopleController(Controller):
    path = "/backoffice"
    include_in_schema = False

    # -- search ---------------------------------------------------------------------------

    @get("/cerca", sync_to_thread=True)
    def search(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
        q: Annotated[str, QueryParameter(max_length=100)] = "",
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        found = None
        if q.strip():
            with db.reading() as conn:
                found = people_search.search(conn, q)
            found.guarantees = [access.shaped("guarantee", actor, r) for r in found.guarantees]
            found.landlords = [access.shaped("landlord", actor, r) for r in found.landlords]
            found.households = [access.shaped("household", actor, r) for r in found.households]
        return render(
            system,
            "backoffice/search.html.j2",
            actor=actor,
            token=token,
            q=q,
            found=found,
            min_name=people_search.MIN_NAME,
        )

    # -- a landlord -----------------------------------------------------------------------

    @get("/locatori/{landlord_id:str}", sync_to_thread=True)
    def landlord(
        self,
        landlord_id: str,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
        via: Via = None,
        done: Annotated[str | None, QueryParameter(name="fatto", max_length=20)] = None,
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        return self._landlord_page(
            system, db, actor, token, landlord_id, None, FormState(), via, DONE.get(done or "")
        )

    def _landlord_page(
        self,
        system: System,
        db: RequestDb,
        actor: Actor,
        token: str,
        landlord_id: str,
        failed: str | None,
        form: FormState,
        via: str | None = None,
        done: str | None = None,
    ) -> Response[str]:
        try:
            with db.reading() as conn:
                row = guarantees_read.landlord_detail(conn, landlord_id, actor=actor)
                record = access.shaped("landlord", actor, row, landlord_id)
                guarantees = people_search.landlord_guarantees(conn, landlord_id)
        except NotFound:
            return _not_found(system)
        record_personal_read(
            system, db, actor, "landlord", landlord_id, "ricerca" if via == "ricerca" else "scheda"
        )
        defaults = {
            "email": record.get("email") or "",
            "phone": record.get("phone") or "",
            "address": record.get("address") or "",
        }
        form.values = {k: str(v) for k, v in defaults.items()} | form.values
        return render(
            system,
            "backoffice/landlord.html.j2",
            actor=actor,
            token=token,
            record=record,
            guarantees=guarantees,
            failed=failed,
            form=form,
            done=done,
            may_contacts=may(actor, c.ChangeLandlordContacts),
            may_iban=may(actor, c.ChangeLandlordIban),
            status_code=400 if failed else 200,
        )

    @post("/locatori/{landlord_id:str}/recapiti", sync_to_thread=True)
    def landlord_contacts(
        self,
        landlord_id: str,
        request: Request[Any, Any, Any],
        data: Form,
        system: SystemDep,
        db: DbDep,
    ) -> Response[Any]:
        def command(v: dict[str, str]) -> c.Command:
            return c.ChangeLandlordContacts(
                landlord_id,
                v.get("email", ""),
                v.get("recapiti_reason", ""),
                phone=v.get("phone") or None,
                address=v.get("address") or None,
            )

        return self._change(
            "locatori",
            self._landlord_page,
            landlord_id,
            "recapiti",
            c.ChangeLandlordContacts,
            command,
            request,
            data,
            system,
            db,
        )

    @post("/locatori/{landlord_id:str}/iban", sync_to_thread=True)
    def landlord_iban(
        self,
        landlord_id: str,
        request: Request[Any, Any, Any],
        data: Form,
        system: SystemDep,
        db: DbDep,
    ) -> Response[Any]:
        def command(v: dict[str, str]) -> c.Command:
            return c.ChangeLandlordIban(landlord_id, v.get("iban", ""), v.get("iban_reason", ""))

        return self._change(
            "locatori",
            self._landlord_page,
            landlord_id,
            "iban",
            c.ChangeLandlordIban,
            command,
            request,
            data,
            system,
            db,
        )

    def _change(
        self,
        area: str,
        page: Callable[..., Response[Any]],
        record_id: str,
        which: str,
        kind: type[c.Command],
        command: Callable[[dict[str, str]], c.Command],
        request: Request[Any, Any, Any],
        data: dict[str, Any],
        system: System,
        db: RequestDb,
    ) -> Response[Any]:
        """A change form of a person's record: the same use case as the API, through the bus;
        back to the record when done, else the record again with the form's errors."""
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        if not may(actor, kind):
            return _not_found(system)
        form = FormState.of(data)
        if _send(system, actor, token, data, form, lambda: command(form.values), which):
            return Redirect(path=f"/backoffice/{area}/{record_id}?fatto={which}")
        return page(system, db, actor, token, record_id, which, form)

    # -- a household ----------------------------------------------------------------------

    @get("/nuclei/{household_id:str}", sync_to_thread=True)
    def household(
        self,
        household_id: str,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
        via: Via = None,
        done: Annotated[str | None, QueryParameter(name="fatto", max_length=20)] = None,
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        return self._household_page(
            system, db, actor, token, household_id, None, FormState(), via, DONE.get(done or "")
        )

    def _household_page(
        self,
        system: System,
        db: RequestDb,
        actor: Actor,
        token: str,
        household_id: str,
        failed: str | None,
        form: FormState,
        via: str | None = None,
        done: str | None = None,
    ) -> Response[str]:
        try:
            with db.reading() as conn:
                record = _household(conn, actor, household_id)
                guarantees = people_search.household_guarantees(conn, household_id)
        except NotFound:
            return _not_found(system)
        record_personal_read(
            system,
            db,
            actor,
            "household",
            household_id,
            "ricerca" if via == "ricerca" else "scheda",
        )
        members = record.get("members", [])
        defaults: dict[str, str] = {
            "postal_address": record.get("postal_address") or "",
            "email": record.get("email") or "",
            "phone": record.get("phone") or "",
            "preferred_channel": str(record.get("preferred_channel") or "post"),
            "rows": str(len(members) + MEMBER_ROWS_EXTRA),
        }
        for i, member in enumerate(members):
            defaults |= {
                f"m{i}_full_name": member["full_name"],
                f"m{i}_tax_code": member["tax_code"],
                f"m{i}_birth_date": member["birth_date"].isoformat()
                if member["birth_date"]
                else "",
            }
            if member["is_main_tenant"]:
                defaults["main"] = str(i)
        if failed == "componenti":
            defaults = {k: v for k, v in defaults.items() if not k.startswith("m")}
        form.values = defaults | form.values
        rows = _row_count(form.values, len(members) + MEMBER_ROWS_EXTRA)
        return render(
            system,
            "backoffice/household.html.j2",
            actor=actor,
            token=token,
            record=record,
            guarantees=guarantees,
            failed=failed,
            form=form,
            done=done,
            rows=rows,
            channels=CHANNELS,
            may_contacts=may(actor, c.ChangeHouseholdContacts),
            may_members=may(actor, c.ChangeHouseholdMembers),
            may_income=may(actor, c.ChangeHouseholdIncome),
            status_code=400 if failed else 200,
        )

    @post("/nuclei/{household_id:str}/recapiti", sync_to_thread=True)
    def household_contacts(
        self,
        household_id: str,
        request: Request[Any, Any, Any],
        data: Form,
        system: SystemDep,
        db: DbDep,
    ) -> Response[Any]:
        def command(v: dict[str, str]) -> c.Command:
            channel = v.get("preferred_channel", "")
            if channel not in CHANNELS:
                raise InvalidField("preferred_channel", "scegliere posta o e-mail")
            contacts = c.ContactsData(
                postal_address=v.get("postal_address") or None,
                email=v.get("email") or None,
                phone=v.get("phone") or None,
                preferred_channel=ContactChannel(channel),
            )
            return c.ChangeHouseholdContacts(household_id, contacts, v.get("recapiti_reason", ""))

        return self._change(
            "nuclei",
            self._household_page,
            household_id,
            "recapiti",
            c.ChangeHouseholdContacts,
            command,
            request,
            data,
            system,
            db,
        )

    @post("/nuclei/{household_id:str}/componenti", sync_to_thread=True)
    def household_members(
        self,
        household_id: str,
        request: Request[Any, Any, Any],
        data: Form,
        system: SystemDep,
        db: DbDep,
    ) -> Response[Any]:
        def command(v: dict[str, str]) -> c.Command:
            members = _members(v)
            return c.ChangeHouseholdMembers(household_id, members, v.get("componenti_reason", ""))

        return self._change(
            "nuclei",
            self._household_page,
            household_id,
            "componenti",
            c.ChangeHouseholdMembers,
            command,
            request,
            data,
            system,
            db,
        )

    @post("/nuclei/{household_id:str}/reddito", sync_to_thread=True)
    def household_income(
        self,
        household_id: str,
        request: Request[Any, Any, Any],
        data: Form,
        system: SystemDep,
        db: DbDep,
    ) -> Response[Any]:
        def command(v: dict[str, str]) -> c.Command:
            return c.ChangeHouseholdIncome(
                household_id,
                forms.amount(v.get("net_monthly_income", ""), "net_monthly_income"),
                forms.day(v.get("valid_from", ""), "valid_from"),
                v.get("document", ""),
                v.get("reddito_reason", ""),
            )

        return self._change(
            "nuclei",
            self._household_page,
            household_id,
            "reddito",
            c.ChangeHouseholdIncome,
            command,
            request,
            data,
            system,
            db,
        )


def _send(
    system: System,
    actor: Actor,
    token: str,
    data: dict[str, Any],
    form: FormState,
    command: Callable[[], c.Command],
    which: str,
) -> bool:
    """Check the form's CSRF token and send its command; False with the errors in ``form``
    (beside the field the domain names, the reason under this form's own name)."""
    if not sessions.form_csrf_ok(token, data):
        form.general = sessions.FORM_EXPIRED
        return False
    try:
        system.bus.handle(command(), actor)
    except InvalidField as error:
        form.refuse(error, rename={"reason": f"{which}_reason", "members": f"{which}_members"})
        if error.field not in {"reason", "members"} and error.field not in form.values:
            form.general = error.reason  # a field this form does not have: say it on top
        return False
    except DomainError as error:
        form.general = error.message
        return False
    return True


def _household(conn: Connection, actor: Actor, household_id: str) -> dict[str, Any]:
    row = households_read.household_detail(conn, household_id, actor=actor)
    return access.shaped("household", actor, row, household_id)


def _row_count(values: dict[str, str], default: int) -> int:
    text = values.get("rows", "")
    return min(int(text), 20) if text.isdigit() and int(text) > 0 else default


def _members(values: dict[str, str]) -> tuple[c.MemberData, ...]:
    """The member rows typed in the form (a row left empty is dropped), each checked here so
    that an error lands beside its own row's field."""
    members = []
    main = values.get("main", "")
    for i in range(_row_count(values, 0)):
        name = values.get(f"m{i}_full_name", "").strip()
        tax_code = values.get(f"m{i}_tax_code", "").strip()
        born = values.get(f"m{i}_birth_date", "").strip()
        if not (name or tax_code or born):
            continue
        birth: date | None = forms.day(born, f"m{i}_birth_date") if born else None
        try:
            checked = Member(name, tax_code, birth, main == str(i))
        except InvalidField as error:
            raise InvalidField(f"m{i}_{error.field.split('.')[-1]}", error.reason) from error
        members.append(
            c.MemberData(checked.full_name, checked.tax_code, birth, checked.is_main_tenant)
        )
    return tuple(members)
