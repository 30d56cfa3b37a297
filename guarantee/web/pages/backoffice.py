"""The back office: the fund's staff work their queues and decide applications, in Italian.

It mirrors the landlord portal: the same page sessions (the cookie is shared), the same
forms with errors beside the fields, every read shaped by ``read.access`` and every change
sent through the message bus as the logged-in person. Only fund managers, auditors and
mediators use it; to anyone else every back-office page does not exist (404), so the area
is not even confirmed to a landlord. An auditor reads what a manager reads and is offered
no action (``access.actions_for`` follows the permissions table).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect
from sqlalchemy import Connection

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import DomainError, NotFound
from guarantee.read import access
from guarantee.read import backoffice_queues as queues
from guarantee.read import guarantees as guarantees_read
from guarantee.read.cover import cover_lines, cover_state
from guarantee.read.funds import fund_figures
from guarantee.read.paging import Page
from guarantee.read.renewals import renewal_state
from guarantee.read.stats_export import columns_of, published_statistics
from guarantee.services import commands as c
from guarantee.web.deps import DbDep, SystemDep
from guarantee.web.pages import sessions
from guarantee.web.pages.forms import FormState, send
from guarantee.web.pages.rendering import render
from guarantee.web.request_db import RequestDb

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
# A paged page's query: ``page`` (or ``after``, the keyset cursor of "Pagina successiva")
# and ``page_size``.
PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=10_000)]
PageSize = Annotated[int, QueryParameter(ge=1, le=100)]


def page_count(found: Page) -> int:
    """How many pages the pager offers (the total may be a bound or an estimate)."""
    return max(1, -(-found.total // found.page_size))


PRELOGIN = "gc_bo_prelogin"
HOME = "/backoffice/"
# Where a role lands after logging in: a mediator at its cases; a help desk at its
# attestations, the only pages it has (they live under /sportello: every /backoffice page
# answers it 404).
HOMES: dict[Role, str] = {
    Role.MEDIATOR: "/backoffice/casi",
    Role.OPERATOR: "/sportello/attestazioni",
}
STAFF_ROLES = frozenset({Role.FUND_MANAGER, Role.AUDITOR, Role.MEDIATOR})
# Mediators work their own cases from the home page; the fund's queues and files are for
# the fund (managers and auditors), as ``read.access`` gives mediators no household data.
FUND_ROLES = frozenset({Role.FUND_MANAGER, Role.AUDITOR})

VERDICT_LABELS = {
    "pass": "Soddisfatta",
    "fail": "Non soddisfatta",
    "review": "Da verificare",
    "skipped": "Non si applica",
}
OUTCOME_LABELS = {
    "eligible": "Ammissibile",
    "needs_review": "Da verificare da parte del Fondo",
    "ineligible": "Non ammissibile",
}
ROLE_LABELS = {
    "fund_manager": "gestore del Fondo",
    "auditor": "revisore",
    "mediator": "mediatore",
    "operator": "operatore dello sportello",
    "landlord": "locatore",
    "system": "sistema",
    "anonymous": "anonimo",
}
ACTION_LABELS = {
    "created": "Domanda registrata",
    "submit": "Domanda presentata",
    "record_eligibility": "Ammissibilità valutata dalle regole",
    "approve": "Domanda approvata",
    "refuse": "Domanda respinta",
    "issue": "Garanzia emessa",
    "activate": "Garanzia in vigore",
    "suspend": "Garanzia sospesa",
    "resume": "Garanzia di nuovo in vigore",
    "claim_payment": "Pagamento di una richiesta",
    "expire": "Garanzia scaduta",
    "terminate": "Garanzia cessata",
    "cancel": "Garanzia annullata",
    "exhaust": "Massimale esaurito",
    "renew": "Garanzia rinnovata per un nuovo periodo",
}


@dataclass(frozen=True)
class Queue:
    """One work queue: its address, its title, and whether its rows are guarantees or claims."""

    slug: str
    title: str
    kind: str
    empty: str


QUEUES = {
    q.slug: q
    for q in (
        Queue("domande", "Domande da verificare", "guarantee", "Nessuna domanda da verificare."),
        Queue("da-emettere", "Domande approvate da emettere", "guarantee", "Nessuna."),
        Queue("richieste", "Richieste di escussione da decidere", "claim", "Nessuna richiesta."),
        Queue("pagamenti", "Pagamenti da autorizzare", "claim", "Nessun pagamento in attesa."),
        Queue("da-pagare", "Richieste accolte da pagare", "claim", "Nessuna richiesta."),
        Queue("in-scadenza", "Garanzie in scadenza entro 60 giorni", "guarantee", "Nessuna."),
    )
}


class NotLoggedIn(Exception):
    """No valid session: the browser goes to the back office's login page."""


class NotStaff(Exception):
    """A session of someone the back office is not for: answered as if nothing were here."""


def _address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "sconosciuto"


def _staff(
    request: Request[Any, Any, Any],
    system: System,
    db: RequestDb,
    roles: frozenset[Role] = STAFF_ROLES,
) -> tuple[Actor, str]:
    token = sessions.session_token(request)
    if token is None:
        raise NotLoggedIn
    with db.reading() as conn:
        actor = sessions.actor_for_session(conn, token, system.deps.clock.now())
    if actor is None:
        raise NotLoggedIn
    if actor.role not in roles:
        raise NotStaff
    return actor, token


def _not_found(system: System) -> Response[str]:
    # No user in the page: a landlord is not told the back office exists or who it is here.
    return render(system, "backoffice/not_found.html.j2", status_code=404)


def _refused(request: Request[Any, Any, Any], system: System, error: Exception) -> Response[Any]:
    if isinstance(error, NotLoggedIn):
        # Back to this page after logging in; a form's address takes no GET, so home instead.
        back = request.url.path if request.method == "GET" else HOME
        return Redirect(path=f"/backoffice/accesso?next={back}", status_code=303)
    return _not_found(system)


class BackofficeController(Controller):
    path = "/backoffice"
    include_in_schema = False

    # -- access -----------------------------------------------------------------------------

    @get("/accesso", sync_to_thread=True)
    def login_form(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        next_path: Annotated[str, QueryParameter(name="next", max_length=200)] = HOME,
    ) -> Response[str]:
        nonce = secrets.token_urlsafe(24)
        return self._login_page(request, system, FormState(), nonce, next_path, 200)

    def _login_page(
        self,
        request: Request[Any, Any, Any],
        system: System,
        form: FormState,
        nonce: str,
        next_path: str,
        status_code: int,
    ) -> Response[str]:
        response = render(
            system,
            "backoffice/login.html.j2",
            form=form,
            login_csrf=sessions.csrf_token(nonce),
            next_path=next_path if next_path.startswith("/backoffice") else HOME,
            status_code=status_code,
        )
        sessions.guard_form(response, nonce, request, system, area="/backoffice", cookie=PRELOGIN)
        return response

    @post("/accesso", sync_to_thread=True)
    def login(
        self, request: Request[Any, Any, Any], data: Form, system: SystemDep
    ) -> Response[Any]:
        form = FormState.of(data)
        nonce = request.cookies.get(PRELOGIN)
        next_path = str(data.get("next", HOME))
        attempt = sessions.log_in_from_form(
            request,
            system,
            form.values,
            str(data.get(sessions.CSRF_FIELD, "")),
            area="/backoffice",
            next_path=next_path,
            prelogin_cookie=PRELOGIN,
            homes=HOMES,
        )
        if attempt.redirect is not None:
            return attempt.redirect
        form.general = attempt.message
        if not next_path.startswith(("/backoffice", *HOMES.values())):
            next_path = HOME  # never an open redirect
        form.values.pop("password", None)  # never echoed back
        return self._login_page(
            request, system, form, nonce or secrets.token_urlsafe(24), next_path, 400
        )

    @post("/uscita", sync_to_thread=True)
    def logout(
        self, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        if not sessions.form_csrf_ok(token, data):
            return _not_found(system)
        system.bus.handle(c.Logout(token), actor)
        response: Response[Any] = Redirect(path="/backoffice/accesso", status_code=303)
        sessions.end(response, secure=sessions.secure_cookies(request, system))
        return response

    # -- home and queues --------------------------------------------------------------------

    @get("/", sync_to_thread=True)
    def home(self, request: Request[Any, Any, Any], system: SystemDep, db: DbDep) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        if actor.role is Role.MEDIATOR:
            # A mediator's desk is its list of cases (``backoffice_cases``).
            return Redirect(path=HOMES[Role.MEDIATOR], status_code=303)
        today = system.deps.clock.today()
        with db.reading() as conn:
            counts = {
                slug: _count_words(_queue_page(conn, actor, slug, today, 1, 1)) for slug in QUEUES
            }
        return render(
            system,
            "backoffice/home.html.j2",
            actor=actor,
            token=token,
            queues=QUEUES,
            counts=counts,
        )

    @get("/statistiche", sync_to_thread=True)
    def statistics(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
        dal: date | None = None,
        al: date | None = None,
    ) -> Response[Any]:
        """The governance table's anonymised statistics, exactly as `garanzia stats export`
        publishes them: no person, cells below k suppressed (with secondary suppression)."""
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        today = system.deps.clock.today()
        start, end = dal or date(today.year, 1, 1), al or today
        if end < start:
            start, end = end, start
        k = system.settings.stats_k
        with db.reading() as conn:
            tables = published_statistics(conn, start, end, k=k, calendar=system.deps.calendar)
        return render(
            system,
            "backoffice/statistics.html.j2",
            actor=actor,
            token=token,
            tables=[(t, columns_of(t.family)) for t in tables],
            start=start,
            end=end,
            k=k,
        )

    @get("/coda/{slug:str}", sync_to_thread=True)
    def queue(
        self,
        slug: str,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
        page_number: PageNumber = 1,
        page_size: PageSize = 20,
        after: str | None = None,
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        if slug not in QUEUES:
            return _not_found(system)
        today = system.deps.clock.today()
        with db.reading() as conn:
            found = _queue_page(conn, actor, slug, today, page_number, page_size, after)
        queue = QUEUES[slug]
        rows = [access.shaped(queue.kind, actor, row) for row in found.items]
        return render(
            system,
            "backoffice/queue.html.j2",
            actor=actor,
            token=token,
            queue=queue,
            rows=rows,
            found=found,
            pages=page_count(found),
        )

    # -- a guarantee or application ---------------------------------------------------------

    @get("/garanzie/{number:str}", sync_to_thread=True)
    def guarantee(
        self, number: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        return self._guarantee_page(system, db, actor, token, number, None, None)

    def _guarantee_page(
        self,
        system: System,
        db: RequestDb,
        actor: Actor,
        token: str,
        number: str,
        action: str | None,
        form: FormState | None,
        status_code: int = 200,
    ) -> Response[str]:
        try:
            with db.reading() as conn:
                context = _guarantee_context(conn, system, actor, number)
        except NotFound:
            return _not_found(system)
        return render(
            system,
            "backoffice/guarantee.html.j2",
            actor=actor,
            token=token,
            failed_action=action,
            form=form or FormState(),
            status_code=status_code,
            **context,
        )

    @post("/garanzie/{number:str}/approva", sync_to_thread=True)
    def approve(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._decide(number, "approva", request, data, system, db)

    @post("/garanzie/{number:str}/respingi", sync_to_thread=True)
    def refuse(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._decide(number, "respingi", request, data, system, db)

    @post("/garanzie/{number:str}/emetti", sync_to_thread=True)
    def issue(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._decide(number, "emetti", request, data, system, db)

    def _decide(
        self,
        number: str,
        action: str,
        request: Request[Any, Any, Any],
        data: dict[str, Any],
        system: System,
        db: RequestDb,
    ) -> Response[Any]:
        """Approve or refuse an application (a reason is required), or issue it."""
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        commands: dict[str, type[c.GuaranteeCommand]] = {
            "approva": c.ApproveApplication,
            "respingi": c.RefuseApplication,
            "emetti": c.IssueGuarantee,
        }
        lifecycle = {"approva": "approve", "respingi": "refuse", "emetti": "issue"}
        if action not in commands:
            return _not_found(system)
        try:
            with db.reading() as conn:
                row = guarantees_read.guarantee_detail(conn, number, actor=actor)
        except NotFound:
            return _not_found(system)
        form = FormState.of(data)
        allowed = access.actions_for(actor, "guarantee", row["allowed_actions"])
        if not sessions.form_csrf_ok(token, data):
            form.general = sessions.FORM_EXPIRED
        elif lifecycle[action] not in allowed:
            form.general = "Questa operazione non è più possibile su questa pratica."
        reason = form.values.get("reason", "").strip()
        if action != "emetti" and not reason:
            form.errors["reason"] = "indicare la motivazione"
        if form.ok:
            done = send(system.bus, commands[action](number=number, reason=reason), actor, form)
            if form.ok:
                target = done.number or done.application_number
                return Redirect(path=f"/backoffice/garanzie/{target}", status_code=303)
        if action == "emetti":
            return self._issue_page(system, db, actor, token, number, form, 400)
        return self._guarantee_page(system, db, actor, token, number, action, form, 400)

    @get("/garanzie/{number:str}/emissione", sync_to_thread=True)
    def issue_form(
        self, number: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        """Before issuing: the reserve it takes and what the fund can still take after it."""
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        return self._issue_page(system, db, actor, token, number, FormState(), 200)

    def _issue_page(
        self,
        system: System,
        db: RequestDb,
        actor: Actor,
        token: str,
        number: str,
        form: FormState,
        status_code: int,
    ) -> Response[str]:
        today = system.deps.clock.today()
        try:
            with db.reading() as conn:
                row = guarantees_read.guarantee_detail(conn, number, actor=actor)
                if "issue" not in access.actions_for(actor, "guarantee", row["allowed_actions"]):
                    raise NotFound("garanzia", number)
                fund_id = row["fund_id"] or queues.default_fund_id(conn)
                fund = None if fund_id is None else fund_figures(conn, fund_id)
        except NotFound:
            return _not_found(system)
        # The issue handler reserves under the version on sale today: show that one.
        try:
            product = system.deps.products.current(row["product_code"], today).product
            reserve: Decimal | None = product.reserve_for(row["monthly_rent"])
        except DomainError as error:
            reserve, form.general = None, form.general or error.message
        free_after = None if fund is None or reserve is None else fund["free_capacity"] - reserve
        return render(
            system,
            "backoffice/issue.html.j2",
            actor=actor,
            token=token,
            guarantee=access.shaped("guarantee", actor, row),
            number=row["number"] or row["application_number"],
            fund=fund,
            reserve=reserve,
            free_after=free_after,
            form=form,
            status_code=status_code,
        )


def _count_words(found: Page) -> str:
    """A queue's size on the home page: the count, or "oltre 1000" past the bound."""
    return f"oltre {found.total}" if found.total_capped else str(found.total)


def _queue_page(
    conn: Connection,
    actor: Actor,
    slug: str,
    today: date,
    page_number: int,
    page_size: int,
    after: str | None = None,
) -> Page:
    paging: dict[str, Any] = {"page": page_number, "page_size": page_size, "after": after}
    if slug == "domande":
        return queues.applications_to_check(conn, **paging)
    if slug == "da-emettere":
        return queues.approved_to_issue(conn, **paging)
    if slug == "richieste":
        return queues.claims_to_decide(conn, **paging)
    if slug == "pagamenti":
        return queues.payments_to_authorise(conn, actor, **paging)
    if slug == "da-pagare":
        return queues.claims_to_pay(conn, **paging)
    return queues.expiring_guarantees(conn, today=today, **paging)


def _guarantee_context(
    conn: Connection, system: System, actor: Actor, number: str
) -> dict[str, Any]:
    row = guarantees_read.guarantee_detail(conn, number, actor=actor)
    product = system.deps.products.get(row["product_code"], row["product_version"]).product
    cover = cover_lines(cover_state(conn, row["id"], product, row["monthly_rent"]))
    # ``renew`` only while renewals are left and the term has not ended, as the API offers it.
    renewal = renewal_state(row, product, system.deps.clock.today())
    guarantee = access.shaped("guarantee", actor, row | renewal | {"cover": cover})
    eligibility = guarantee.get("eligibility") or None
    return {
        "guarantee": guarantee,
        "number": row["number"] or row["application_number"],
        "eligibility": eligibility,
        "verdict_labels": VERDICT_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        # "ISEE del nucleo familiare (€)" rather than "isee": the catalogue's words
        "fact_labels": {
            name: f"{spec.label} ({spec.unit})" if spec.unit else spec.label
            for name, spec in system.deps.eligibility.facts().items()
        },
        "timeline": [
            {
                "occurred_at": event["occurred_at"],
                "who": event["actor_id"],
                "role": ROLE_LABELS.get(event["actor_role"], event["actor_role"]),
                "what": ACTION_LABELS.get(event["action"], event["action"]),
                "why": event["reason"],
            }
            for event in guarantee.get("history", [])
        ],
        "actions": access.actions_for(actor, "guarantee", renewal["allowed_actions"]),
    }
