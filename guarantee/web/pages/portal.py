"""The landlord portal: guarantees, documents, arrears, claims and their clock, in Italian.

Every page reads through the same role-shaped read side as the API (``read.access``) and
every form goes through the message bus with the logged-in landlord as the actor. Another
landlord's guarantee or claim answers 404, as in the API.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect
from sqlalchemy import Connection

from guarantee.adapters.storage import FileStore
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.claim_clock import ClaimDates, claim_clock
from guarantee.domain.cover import ItemKind
from guarantee.domain.documents import DocumentKind, sha256_hex
from guarantee.domain.errors import DomainError, InvalidField, NotFound
from guarantee.domain.landlords import LandlordKind
from guarantee.read import access
from guarantee.read import claims as claims_read
from guarantee.read import documents as documents_read
from guarantee.read import guarantees as guarantees_read
from guarantee.read.cover import cover_lines, cover_state
from guarantee.read.renewals import renewal_state
from guarantee.services import commands as c
from guarantee.web.deps import DbDep, SystemDep
from guarantee.web.pages import sessions
from guarantee.web.pages.forms import FormState, amount, day, send
from guarantee.web.pages.rendering import render
from guarantee.web.pages.renewal_form import RENEWAL_FIELDS, relatives_declared, renewal_lease
from guarantee.web.request_db import RequestDb

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
PRELOGIN = sessions.PRELOGIN
DOCUMENT_NAMES = {
    DocumentKind.GUARANTEE_CONTRACT: "Contratto di garanzia",
    DocumentKind.CERTIFICATE: "Certificato di garanzia",
    DocumentKind.CLAIM_ACKNOWLEDGEMENT: "Ricevuta della richiesta",
    DocumentKind.CLAIM_DECISION: "Decisione sulla richiesta",
    DocumentKind.PAYMENT_NOTICE: "Avviso di pagamento",
    DocumentKind.MEDIATION_CONVOCATION: "Convocazione alla mediazione",
    DocumentKind.EXPIRY_REMINDER: "Promemoria di scadenza",
    DocumentKind.GUARANTEE_NOTICE: "Comunicazione sulla garanzia",
}
KIND_LABELS = {
    ItemKind.ARREARS: "Canoni non pagati",
    ItemKind.CHARGES: "Spese condominiali non pagate",
    ItemKind.DAMAGES: "Danni all'alloggio",
    ItemKind.LEGAL_COSTS: "Spese legali di sfratto",
}
MAX_ROWS = 6
# The home page shows a landlord's latest claims; a guarantee's page all of its own.
HOME_CLAIMS = 50
GUARANTEE_CLAIMS = 200


class NotLoggedIn(Exception):
    """No valid session: the caller sends the browser to the login page."""


def _address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "sconosciuto"


def _landlord(request: Request[Any, Any, Any], system: System, db: RequestDb) -> tuple[Actor, str]:
    token = sessions.session_token(request)
    if token is None:
        raise NotLoggedIn
    with db.reading() as conn:
        actor = sessions.actor_for_session(conn, token, system.deps.clock.now())
    if actor is None:
        raise NotLoggedIn
    return actor, token


def _to_login(request: Request[Any, Any, Any]) -> Redirect:
    return Redirect(path=f"/portal/accesso?next={request.url.path}", status_code=303)


def _check_csrf(token: str, data: dict[str, Any]) -> None:
    if not sessions.form_csrf_ok(token, data):
        raise NotFound("pagina", "modulo scaduto")


def _only_landlords(system: System, actor: Actor, token: str) -> Response[str] | None:
    if actor.role is Role.LANDLORD:
        return None
    return render(
        system,
        "portal/not_for_you.html.j2",
        actor=actor,
        token=token,
        status_code=403,
    )


def _not_found(system: System, actor: Actor | None, token: str | None) -> Response[str]:
    return render(system, "portal/not_found.html.j2", actor=actor, token=token, status_code=404)


class PortalController(Controller):
    path = "/portal"
    include_in_schema = False

    # -- access -----------------------------------------------------------------------------

    @get("/accesso", sync_to_thread=True)
    def login_form(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        next_path: Annotated[str, QueryParameter(name="next", max_length=200)] = "/portal/",
    ) -> Response[str]:
        nonce = secrets.token_urlsafe(24)
        response = render(
            system,
            "portal/login.html.j2",
            form=FormState(),
            login_csrf=sessions.csrf_token(nonce),
            next_path=next_path if next_path.startswith("/portal") else "/portal/",
        )
        sessions.guard_form(response, nonce, request, system, area="/portal")
        return response

    @post("/accesso", sync_to_thread=True)
    def login(
        self, request: Request[Any, Any, Any], data: Form, system: SystemDep
    ) -> Response[Any]:
        form = FormState.of(data)
        nonce = request.cookies.get(PRELOGIN)
        next_path = str(data.get("next", "/portal/"))
        attempt = sessions.log_in_from_form(
            request,
            system,
            form.values,
            str(data.get(sessions.CSRF_FIELD, "")),
            area="/portal",
            next_path=next_path,
        )
        if attempt.redirect is not None:
            return attempt.redirect
        form.general = attempt.message
        if not next_path.startswith("/portal"):
            next_path = "/portal/"
        form.values.pop("password", None)  # never echoed back
        return render(
            system,
            "portal/login.html.j2",
            form=form,
            login_csrf=sessions.csrf_token(nonce or ""),
            next_path=next_path,
            status_code=400,
        )

    @post("/uscita", sync_to_thread=True)
    def logout(
        self, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        try:
            actor, token = _landlord(request, system, db)
        except NotLoggedIn:
            return _to_login(request)
        _check_csrf(token, data)
        system.bus.handle(c.Logout(token), actor)
        response: Response[Any] = Redirect(path="/portal/accesso", status_code=303)
        sessions.end(response, secure=sessions.secure_cookies(request, system))
        return response

    # -- passwords and self-enrolment (no session: the pre-login token guards the forms) ----

    @get("/password", sync_to_thread=True)
    def password_form(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        token: Annotated[str, QueryParameter(max_length=200)] = "",
    ) -> Response[str]:
        return _public_form(request, system, "portal/password.html.j2", reset_token=token)

    @post("/password", sync_to_thread=True)
    def set_password(
        self, request: Request[Any, Any, Any], data: Form, system: SystemDep
    ) -> Response[Any]:
        form = _public_checked(request, data)
        if form.ok and form.values.get("new_password") != form.values.get("repeat_password"):
            form.errors["repeat_password"] = "le due password non coincidono"
        if form.ok:
            address = _address(request)
            command = c.ResetPassword(form.values.get("token", ""), form.values["new_password"])
            send(
                system.bus,
                command,
                Actor.anonymous(address),
                form,
                rename={"password": "new_password"},
            )
            if form.ok:
                return render(system, "portal/password_done.html.j2")
        return _public_form(
            request,
            system,
            "portal/password.html.j2",
            form=form,
            reset_token=form.values.get("token", ""),
            status_code=400,
        )

    @get("/password-dimenticata", sync_to_thread=True)
    def forgot_form(
        self, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[str]:
        return _public_form(request, system, "portal/forgot.html.j2")

    @post("/password-dimenticata", sync_to_thread=True)
    def forgot(
        self, request: Request[Any, Any, Any], data: Form, system: SystemDep
    ) -> Response[Any]:
        form = _public_checked(request, data)
        if form.ok:
            address = _address(request)
            system.bus.handle(
                c.RequestPasswordReset(form.values.get("username", ""), address),
                Actor.anonymous(address),
            )
            return render(system, "portal/forgot_done.html.j2")
        return _public_form(request, system, "portal/forgot.html.j2", form=form, status_code=400)

    @get("/registrazione", sync_to_thread=True)
    def enrol_form(
        self, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[str]:
        return _public_form(
            request,
            system,
            "portal/enrol.html.j2",
            privacy_version=system.settings.privacy_notice_version,
        )

    @post("/registrazione", sync_to_thread=True)
    def enrol(
        self, request: Request[Any, Any, Any], data: Form, system: SystemDep
    ) -> Response[Any]:
        form = _public_checked(request, data)
        values = form.values
        if form.ok and values.get("password") != values.get("repeat_password"):
            form.errors["repeat_password"] = "le due password non coincidono"
        if form.ok:
            address = _address(request)
            try:
                system.bus.handle(
                    c.EnrolOnline(
                        kind=LandlordKind(values.get("kind", "person")),
                        name=values.get("name", ""),
                        tax_code=values.get("tax_code", ""),
                        iban=values.get("iban", ""),
                        email=values.get("email", ""),
                        username=values.get("username", ""),
                        password=values.get("password", ""),
                        privacy_notice_version=values.get("privacy_version", ""),
                        privacy_accepted=values.get("privacy") == "accetto",
                        phone=values.get("phone"),
                        postal_address=values.get("postal_address"),
                    ),
                    Actor.anonymous(address),
                )
            except InvalidField as error:
                form.refuse(error, rename={"address": "postal_address"})
            except DomainError as error:
                form.general = error.message
            except ValueError:
                form.errors["kind"] = "scegliere persona fisica o società"
            else:
                return render(system, "portal/enrol_done.html.j2")
        for secret in ("password", "repeat_password"):
            values.pop(secret, None)
        return _public_form(
            request,
            system,
            "portal/enrol.html.j2",
            form=form,
            privacy_version=system.settings.privacy_notice_version,
            status_code=400,
        )

    @get("/privacy", sync_to_thread=True)
    def privacy(self, system: SystemDep) -> Response[str]:
        return render(
            system, "portal/privacy.html.j2", privacy_version=system.settings.privacy_notice_version
        )

    # -- the landlord's own record ------------------------------------------------------------

    @get("/profilo", sync_to_thread=True)
    def profile(
        self, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._profile(request, system, db, None)

    @post("/profilo", sync_to_thread=True)
    def change_profile(
        self, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._profile(request, system, db, data)

    def _profile(
        self,
        request: Request[Any, Any, Any],
        system: System,
        db: RequestDb,
        data: dict[str, Any] | None,
    ) -> Response[Any]:
        """Contacts and IBAN, changed by the landlord itself through the same use cases as
        the fund's staff: each change is confirmed to the old and the new address, and a new
        IBAN holds payments for a second fund manager for the product's days."""
        try:
            actor, token = _landlord(request, system, db)
        except NotLoggedIn:
            return _to_login(request)
        if (refused := _only_landlords(system, actor, token)) is not None:
            return refused
        assert actor.landlord_id is not None
        form = FormState() if data is None else FormState.of(data)
        done = ""
        if data is not None:
            _check_csrf(token, data)
            why = "modificato dal locatore nel portale"
            try:
                if form.values.get("what") == "iban":
                    system.bus.handle(
                        c.ChangeLandlordIban(actor.landlord_id, form.values.get("iban", ""), why),
                        actor,
                    )
                    done = (
                        "IBAN aggiornato. Per sicurezza lo abbiamo comunicato anche al suo "
                        "indirizzo e-mail; nei prossimi giorni ogni pagamento sarà confermato "
                        "da un secondo gestore del Fondo."
                    )
                else:
                    system.bus.handle(
                        c.ChangeLandlordContacts(
                            actor.landlord_id,
                            form.values.get("email", ""),
                            why,
                            phone=form.values.get("phone") or None,
                            address=form.values.get("address") or None,
                        ),
                        actor,
                    )
                    done = "Recapiti aggiornati."
            except InvalidField as error:
                form.refuse(error)
            except DomainError as error:
                form.general = error.message
        with db.reading() as conn:
            record = access.shaped(
                "landlord",
                actor,
                guarantees_read.landlord_detail(conn, actor.landlord_id, actor=actor),
                actor.landlord_id,
            )
        if data is None or done:
            form = FormState(
                values={
                    "email": str(record.get("email") or ""),
                    "phone": str(record.get("phone") or ""),
                    "address": str(record.get("address") or ""),
                }
            )
        return render(
            system,
            "portal/profile.html.j2",
            actor=actor,
            token=token,
            record=record,
            form=form,
            done=done,
            status_code=200 if form.ok else 400,
        )

    # -- guarantees -------------------------------------------------------------------------

    @get("/", sync_to_thread=True)
    def home(self, request: Request[Any, Any, Any], system: SystemDep, db: DbDep) -> Response[Any]:
        try:
            actor, token = _landlord(request, system, db)
        except NotLoggedIn:
            return _to_login(request)
        if (refused := _only_landlords(system, actor, token)) is not None:
            return refused
        with db.reading() as conn:
            found = guarantees_read.list_guarantees(conn, actor=actor, page=1, page_size=200)
            rows = [access.shaped("guarantee", actor, row) for row in found.items]
            latest = claims_read.list_claims(conn, actor=actor, page_size=HOME_CLAIMS)
            claims = [access.shaped("claim", actor, row) for row in latest.items]
        return render(
            system,
            "portal/home.html.j2",
            actor=actor,
            token=token,
            guarantees=rows,
            claims=claims,
            more_claims=latest.has_more,
        )

    @get("/garanzie/{number:str}", sync_to_thread=True)
    def guarantee(
        self, number: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        try:
            actor, token = _landlord(request, system, db)
        except NotLoggedIn:
            return _to_login(request)
        if (refused := _only_landlords(system, actor, token)) is not None:
            return refused
        try:
            with db.reading() as conn:
                context = _guarantee_context(conn, system, actor, number)
        except NotFound:
            return _not_found(system, actor, token)
        return render(system, "portal/guarantee.html.j2", actor=actor, token=token, **context)

    @get("/documenti/{document_id:str}", sync_to_thread=True)
    def document(
        self, document_id: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        try:
            actor, token = _landlord(request, system, db)
        except NotLoggedIn:
            return _to_login(request)
        with db.reading() as conn:
            try:
                found = documents_read.document_file(conn, document_id)
            except NotFound:
                return _not_found(system, actor, token)
            visible = guarantees_read.guarantee_visible(conn, found["guarantee_id"], actor=actor)
        if not visible or not access.may_download(actor, found["kind"]):
            return _not_found(system, actor, token)
        content = FileStore(system.settings.storage_dir).get(found["storage_key"])
        if sha256_hex(content) != found["sha256"]:
            return render(
                system,
                "portal/not_found.html.j2",
                actor=actor,
                token=token,
                status_code=409,
                message="Il documento archiviato non corrisponde alla sua impronta: "
                "contattare il Fondo.",
            )
        name = DOCUMENT_NAMES.get(DocumentKind(found["kind"]), "Documento")
        filename = f"{name} {found['protocol_year']}-{found['protocol_sequence']:06d}.pdf"
        return Response(
            content,
            media_type=found["media_type"],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    # -- arrears ----------------------------------------------------------------------------

    @get("/garanzie/{number:str}/morosita", sync_to_thread=True)
    def arrears_form(
        self, number: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._arrears(number, request, system, db, None)

    @post("/garanzie/{number:str}/morosita", sync_to_thread=True)
    def report_arrears(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._arrears(number, request, system, db, data)

    def _arrears(
        self,
        number: str,
        request: Request[Any, Any, Any],
        system: System,
        db: RequestDb,
        data: dict[str, Any] | None,
    ) -> Response[Any]:
        found = _landlord_on_guarantee(request, system, db, number)
        if isinstance(found, Response):
            return found
        actor, token, guarantee = found
        form = FormState() if data is None else FormState.of(data)
        if data is not None:
            _check_csrf(token, data)
            rents = _rents(form)
            if form.ok:
                command = c.ReportArrears(number, tuple(rents), form.values.get("notes", ""))
                done = send(system.bus, command, actor, form, rename=_ROW_FIELDS)
                if form.ok:
                    return render(
                        system,
                        "portal/arrears_done.html.j2",
                        actor=actor,
                        token=token,
                        guarantee=guarantee,
                        report=done.report,
                        case=done.case,
                    )
        return render(
            system,
            "portal/arrears.html.j2",
            actor=actor,
            token=token,
            guarantee=guarantee,
            form=form,
            rows=range(MAX_ROWS),
            status_code=200 if form.ok else 400,
        )

    # -- renewal ----------------------------------------------------------------------------

    @get("/garanzie/{number:str}/rinnovo", sync_to_thread=True)
    def renewal_form(
        self, number: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._renewal(number, request, system, db, None)

    @post("/garanzie/{number:str}/rinnovo", sync_to_thread=True)
    def request_renewal(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._renewal(number, request, system, db, data)

    def _renewal(
        self,
        number: str,
        request: Request[Any, Any, Any],
        system: System,
        db: RequestDb,
        data: dict[str, Any] | None,
    ) -> Response[Any]:
        """The landlord asks to renew its own guarantee with the renewed lease's terms; the
        eligibility check and the fund's capacity answer in Italian beside the form."""
        found = _landlord_on_guarantee(request, system, db, number)
        if isinstance(found, Response):
            return found
        actor, token, guarantee = found
        form = FormState() if data is None else FormState.of(data)
        if data is not None:
            _check_csrf(token, data)
            lease = renewal_lease(form)
            if lease is not None:
                command = c.RenewGuarantee(
                    number=number, lease=lease, declared_relatives=relatives_declared(form)
                )
                send(system.bus, command, actor, form, rename=RENEWAL_FIELDS)
                if form.ok:
                    return Redirect(path=f"/portal/garanzie/{number}", status_code=303)
        return render(
            system,
            "portal/renewal.html.j2",
            actor=actor,
            token=token,
            guarantee=guarantee,
            form=form,
            status_code=200 if form.ok else 400,
        )

    # -- claims -----------------------------------------------------------------------------

    @get("/garanzie/{number:str}/richiesta", sync_to_thread=True)
    def claim_form(
        self, number: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._claim(number, request, system, db, None)

    @post("/garanzie/{number:str}/richiesta", sync_to_thread=True)
    def file_claim(
        self,
        number: str,
        request: Request[Any, Any, Any],
        data: Multipart,
        system: SystemDep,
        db: DbDep,
    ) -> Response[Any]:
        return self._claim(number, request, system, db, data)

    def _claim(
        self,
        number: str,
        request: Request[Any, Any, Any],
        system: System,
        db: RequestDb,
        data: dict[str, Any] | None,
    ) -> Response[Any]:
        found = _landlord_on_guarantee(request, system, db, number)
        if isinstance(found, Response):
            return found
        actor, token, guarantee = found
        form = FormState() if data is None else FormState.of(data)
        if data is not None:
            _check_csrf(token, data)
            items = _claim_items(form)
            evidence = _uploads(data, form)
            if form.ok:
                command = c.FileClaim(number, tuple(items), tuple(evidence))
                claim = send(system.bus, command, actor, form, rename=_ROW_FIELDS)
                if form.ok:
                    return Redirect(path=f"/portal/richieste/{claim.number}", status_code=303)
        return render(
            system,
            "portal/claim_form.html.j2",
            actor=actor,
            token=token,
            guarantee=guarantee,
            form=form,
            rows=range(3),
            kinds=KIND_LABELS,
            status_code=200 if form.ok else 400,
        )

    @get("/richieste/{number:str}", sync_to_thread=True)
    def claim(
        self, number: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        try:
            actor, token = _landlord(request, system, db)
        except NotLoggedIn:
            return _to_login(request)
        if (refused := _only_landlords(system, actor, token)) is not None:
            return refused
        today = system.deps.clock.today()
        try:
            with db.reading() as conn:
                row = claims_read.claim_detail(
                    conn,
                    number,
                    products=system.deps.products,
                    today=today,
                    actor=actor,
                )
                # The guarantee's first case by deadline, as the claim's clock counts it.
                cases = (
                    claims_read.list_cases(
                        conn,
                        actor=actor,
                        today=today,
                        guarantee_number=row["guarantee_number"],
                        page_size=1,
                    ).items
                    if row["guarantee_number"] is not None
                    else []
                )
        except NotFound:
            return _not_found(system, actor, token)
        claim = access.shaped("claim", actor, row)
        case = cases[0] if cases else None
        clock = claim_clock(
            ClaimDates(
                filed_on=row["filed_on"],
                decided_on=row["decided_at"].date() if row["decided_at"] else None,
                paid_on=row["paid_at"].date() if row["paid_at"] else None,
                closed_on=row["closed_at"].date() if row["closed_at"] else None,
                rejected=row["status"] == "rejected",
                mediation_contact_due=case["first_contact_due"] if case else None,
                mediation_contact_on=case["first_contact_on"] if case else None,
            ),
            system.deps.calendar,
            today,
        )
        return render(
            system,
            "portal/claim.html.j2",
            actor=actor,
            token=token,
            claim=claim,
            clock=clock,
            kinds=KIND_LABELS,
            today=today,
        )


def _public_form(
    request: Request[Any, Any, Any],
    system: System,
    template: str,
    *,
    form: FormState | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response[str]:
    """A form used before logging in: guarded by a pre-login cookie and its derived token."""
    nonce = request.cookies.get(PRELOGIN) or secrets.token_urlsafe(24)
    response = render(
        system,
        template,
        form=form or FormState(),
        login_csrf=sessions.csrf_token(nonce),
        status_code=status_code,
        **context,
    )
    sessions.guard_form(response, nonce, request, system, area="/portal")
    return response


def _public_checked(request: Request[Any, Any, Any], data: dict[str, Any]) -> FormState:
    form = FormState.of(data)
    if not sessions.form_csrf_ok(request.cookies.get(PRELOGIN), data):
        form.general = sessions.FORM_EXPIRED
    return form


_ROW_FIELDS: dict[str, str] = {
    **{f"rents[{n}].due_on": f"due_on_{n}" for n in range(MAX_ROWS)},
    **{f"items[{n}].loss_on": f"loss_on_{n}" for n in range(3)},
    **{f"items[{n}].claimed": f"claimed_{n}" for n in range(3)},
}


def _landlord_on_guarantee(
    request: Request[Any, Any, Any], system: System, db: RequestDb, number: str
) -> tuple[Actor, str, dict[str, Any]] | Response[Any]:
    """The logged-in landlord and its own guarantee, or the answer instead: the login page,
    the portal-is-for-landlords page, or not found (another's guarantee)."""
    try:
        actor, token = _landlord(request, system, db)
    except NotLoggedIn:
        return _to_login(request)
    if (refused := _only_landlords(system, actor, token)) is not None:
        return refused
    try:
        with db.reading() as conn:
            return actor, token, _own_guarantee(conn, actor, number)
    except NotFound:
        return _not_found(system, actor, token)


def _own_guarantee(conn: Connection, actor: Actor, number: str) -> dict[str, Any]:
    row = guarantees_read.guarantee_detail(conn, number, actor=actor)
    return access.shaped("guarantee", actor, row)


def _guarantee_context(
    conn: Connection, system: System, actor: Actor, number: str
) -> dict[str, Any]:
    row = guarantees_read.guarantee_detail(conn, number, actor=actor)
    product = system.deps.products.get(row["product_code"], row["product_version"]).product
    cover = cover_lines(cover_state(conn, row["id"], product, row["monthly_rent"]))
    renewal = renewal_state(row, product, system.deps.clock.today())
    guarantee = access.guarantee_view(actor, row | renewal | {"cover": cover})
    documents = [
        d | {"name": DOCUMENT_NAMES.get(DocumentKind(d["kind"]), d["kind"])}
        for d in documents_read.documents_of(conn, row["id"])
        if access.may_download(actor, d["kind"])
    ]
    # A guarantee's claims are bounded by its cover: a handful, all on one page.
    claims = [
        access.shaped("claim", actor, c)
        for c in claims_read.list_claims(
            conn, actor=actor, guarantee_number=number, page_size=GUARANTEE_CLAIMS
        ).items
    ]
    return {
        "guarantee": guarantee,
        "timeline": access.landlord_timeline(row.get("history", [])),
        "documents": documents,
        "claims": claims,
        "can_report": row["status"] in {"active", "suspended"},
        "can_renew": "renew" in guarantee["allowed_actions"],
    }


def _rents(form: FormState) -> list[c.UnpaidRentData]:
    rents = []
    for n in range(MAX_ROWS):
        due, rent = form.values.get(f"due_on_{n}", ""), form.values.get(f"rent_{n}", "")
        charges = form.values.get(f"charges_{n}", "")
        if not (due or rent or charges):
            continue
        try:
            rents.append(
                c.UnpaidRentData(
                    day(due, f"due_on_{n}"),
                    amount(rent, f"rent_{n}"),
                    amount(charges, f"charges_{n}") if charges.strip() else Decimal("0.00"),
                )
            )
        except InvalidField as error:
            form.refuse(error)
    if not rents and not form.errors:
        form.errors["due_on_0"] = "indicare almeno un canone non pagato"
    return rents


def _claim_items(form: FormState) -> list[c.ClaimItemData]:
    items = []
    for n in range(3):
        kind, loss = form.values.get(f"kind_{n}", ""), form.values.get(f"loss_on_{n}", "")
        claimed = form.values.get(f"claimed_{n}", "")
        if not (loss or claimed):
            continue
        try:
            items.append(
                c.ClaimItemData(
                    ItemKind(kind) if kind in set(ItemKind) else _bad_kind(n),
                    day(loss, f"loss_on_{n}"),
                    amount(claimed, f"claimed_{n}"),
                    form.values.get(f"description_{n}", "").strip(),
                )
            )
        except InvalidField as error:
            form.refuse(error)
    if not items and not form.errors:
        form.errors["loss_on_0"] = "indicare almeno una voce della richiesta"
    return items


def _bad_kind(n: int) -> ItemKind:
    raise InvalidField(f"kind_{n}", "scegliere il tipo di voce")


def _uploads(data: dict[str, Any], form: FormState) -> list[c.EvidenceUpload]:
    files = data.get("evidence")
    uploads = files if isinstance(files, list) else [files] if files is not None else []
    evidence = []
    for upload in uploads:
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        content = upload.file.read()
        if not content:
            continue
        evidence.append(
            c.EvidenceUpload(
                file_name=upload.filename,
                media_type=upload.content_type or "",
                content=content,
                description=form.values.get("evidence_description", "").strip(),
            )
        )
    return evidence
