"""The accounts page for fund managers: open an account (the person gets an invitation to
choose the password), disable or enable it, force a password reset, confirm a landlord's
self-enrolment. The same commands as the API and `garanzia accounts`, through the bus."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.read import access
from guarantee.read import accounts as read
from guarantee.services import commands as c
from guarantee.web.deps import DbDep, SystemDep
from guarantee.web.pages import sessions
from guarantee.web.pages.backoffice import NotLoggedIn, NotStaff, _refused, _staff
from guarantee.web.pages.forms import FormState, send
from guarantee.web.pages.rendering import render
from guarantee.web.request_db import RequestDb

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
MANAGERS = frozenset({Role.FUND_MANAGER})
ROLE_CHOICES = {
    "fund_manager": "Gestore del Fondo",
    "auditor": "Revisore",
    "mediator": "Mediatore",
    "operator": "Operatore dello sportello",
    "landlord": "Locatore",
}
STATUS_LABELS = {"pending": "Da confermare", "active": "Attivo", "disabled": "Disattivato"}
DONE = {
    "creato": "Account aperto: la persona riceve per e-mail il collegamento per scegliere "
    "la password.",
    "disattiva": "Account disattivato: le sue sessioni sono terminate.",
    "attiva": "Account attivo.",
    "reset": "La password non vale più: è partito un collegamento per sceglierne una nuova.",
}
ACTIONS: dict[str, type[c.Command]] = {
    "disattiva": c.DisableAccount,
    "attiva": c.EnableAccount,
    "reset": c.ForcePasswordReset,
}


class BackofficeAccountsController(Controller):
    path = "/backoffice/account"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def accounts(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=10_000)] = 1,
        done: Annotated[str | None, QueryParameter(name="fatto", max_length=20)] = None,
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db, MANAGERS)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        return self._page(
            system, db, actor, token, page_number, FormState(), None, DONE.get(done or "")
        )

    def _page(
        self,
        system: System,
        db: RequestDb,
        actor: Actor,
        token: str,
        page_number: int,
        form: FormState,
        failed: tuple[str, str] | None,
        done: str | None = None,
    ) -> Response[str]:
        with db.reading() as conn:
            found = read.accounts_page(conn, page=page_number)
        rows = [access.shaped("account", actor, row) for row in found.items]
        return render(
            system,
            "backoffice/accounts.html.j2",
            actor=actor,
            token=token,
            rows=rows,
            found=found,
            pages=max(1, -(-found.total // found.page_size)),
            form=form,
            new_form=form if failed and failed[0] == "nuovo" else FormState(),
            failed=failed,
            done=done,
            roles=ROLE_CHOICES,
            statuses=STATUS_LABELS,
            status_code=400 if failed else 200,
        )

    @post("/nuovo", sync_to_thread=True)
    def create(
        self, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db, MANAGERS)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        form = FormState.of(data)
        values = form.values
        role = values.get("role", "")
        if not sessions.form_csrf_ok(token, data):
            form.general = sessions.FORM_EXPIRED
        elif role not in ROLE_CHOICES:
            form.errors["role"] = "scegliere il ruolo"
        landlord_id = None
        if form.ok and role == "landlord":
            with db.reading() as conn:
                landlord_id = read.landlord_id_by_tax_code(
                    conn, values.get("landlord_tax_code", "")
                )
            if landlord_id is None:
                form.errors["landlord_tax_code"] = (
                    "nessun locatore iscritto con questo codice fiscale o partita IVA"
                )
        if form.ok:
            command = c.CreateAccount(
                username=values.get("username", ""),
                full_name=values.get("full_name", ""),
                role=Role(role),
                email=values.get("email", "").strip() or None,
                landlord_id=landlord_id,
            )
            send(system.bus, command, actor, form, rename={"landlord_id": "landlord_tax_code"})
            if form.ok:
                return Redirect(path="/backoffice/account?fatto=creato")
        return self._page(system, db, actor, token, 1, form, ("nuovo", ""))

    @post("/{username:str}/{action:str}", sync_to_thread=True)
    def act(
        self,
        username: str,
        action: str,
        request: Request[Any, Any, Any],
        data: Form,
        system: SystemDep,
        db: DbDep,
    ) -> Response[Any]:
        """Disable, enable (or confirm an enrolment), or force a password reset."""
        try:
            actor, token = _staff(request, system, db, MANAGERS)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        form = FormState.of(data)
        if action not in ACTIONS:
            form.general = "Operazione sconosciuta."
        elif not sessions.form_csrf_ok(token, data):
            form.general = sessions.FORM_EXPIRED
        else:
            reason = form.values.get("reason", "").strip()
            command: c.Command
            if action == "attiva":
                command = c.EnableAccount(username, reason or None)
            elif action == "disattiva":
                command = c.DisableAccount(username, reason)
            else:
                command = c.ForcePasswordReset(username, reason)
            send(system.bus, command, actor, form)
            if form.ok:
                return Redirect(path=f"/backoffice/account?fatto={action}")
        return self._page(system, db, actor, token, 1, form, (action, username))
