"""The back office's claim page: evidence, coverage checks, decision and payment, in Italian.

A fund manager reads each coverage check of the claim's product version with its result
and the cover left per line, then decides (in full, in part with an amount and a reason per
item, or rejects), proposes or pays, and a second fund manager authorises or refuses a
proposal. Every button follows ``access.actions_for`` (what the claim's state allows and
the role may do) and every form sends the same command on the bus as the API, so the bus
refuses what the page would never offer — one's own proposal above all (four eyes).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect
from sqlalchemy import Connection

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.domain.claim_items import ItemDecision
from guarantee.domain.errors import DomainError, InvalidField, NotFound
from guarantee.read import access
from guarantee.read import claims as claims_read
from guarantee.read import guarantees as guarantees_read
from guarantee.read.claim_checks import coverage_checks
from guarantee.read.history import history_of
from guarantee.services import commands as c
from guarantee.web.deps import DbDep, SystemDep
from guarantee.web.pages import forms, sessions
from guarantee.web.pages.backoffice import (
    FUND_ROLES,
    Form,
    NotLoggedIn,
    NotStaff,
    _not_found,
    _refused,
    _staff,
)
from guarantee.web.pages.backoffice_cases import CASE_LABELS
from guarantee.web.pages.forms import FormState
from guarantee.web.pages.portal import KIND_LABELS
from guarantee.web.pages.rendering import render
from guarantee.web.pages.timeline import CLAIM_STEPS, timeline
from guarantee.web.request_db import RequestDb

NO_LONGER = "Questa operazione non è più possibile su questa richiesta."


def _own_proposal(actor: Actor, row: dict[str, Any]) -> bool:
    proposal = row.get("payment_proposal")
    return proposal is not None and proposal["proposed_by"] == actor.user_id


def offered(actor: Actor, row: dict[str, Any]) -> set[str]:
    """The forms this person is shown: the claim's legal moves for its role, narrowed by
    four eyes (a proposal is authorised or refused by someone else, never its author)."""
    legal = set(access.actions_for(actor, "claim", row["allowed_actions"]))
    shown = legal & {"start_review", "decide", "revoke_decision"}
    proposal = row.get("payment_proposal")
    if "mark_paid" in legal:
        if not row["needs_two_managers"]:
            shown.add("pay")
        elif proposal is None and "propose_payment" in legal:
            shown.add("propose_payment")
        elif proposal is not None and not _own_proposal(actor, row):
            shown.add("authorise")
            if "refuse_payment" in legal:
                shown.add("refuse_payment")
    return shown


class BackofficeClaimsController(Controller):
    path = "/backoffice"
    include_in_schema = False

    @get("/sinistri/{number:str}", sync_to_thread=True)
    def claim_alias(self, number: str) -> Redirect:
        """The claim's other Italian name (sinistro) leads to the same page."""
        return Redirect(path=f"/backoffice/richieste/{number}", status_code=301)

    @get("/richieste/{number:str}", sync_to_thread=True)
    def claim(
        self, number: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        return _claim_page(system, db, actor, token, number, None, FormState())

    @get("/richieste/{number:str}/prove/{evidence_id:str}", sync_to_thread=True)
    def evidence(
        self,
        number: str,
        evidence_id: str,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
    ) -> Response[Any]:
        """One evidence file, as the landlord sent it (bytes kept by their SHA-256)."""
        try:
            _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        try:
            with db.reading() as conn:
                found = claims_read.evidence_file(conn, number, evidence_id)
        except NotFound:
            return _not_found(system)
        if system.deps.files is None:
            return _not_found(system)
        name = "".join(ch for ch in found["file_name"] if ch.isalnum() or ch in "._-") or "prova"
        return Response(
            system.deps.files.get(system.deps.files.key_of(found["sha256"])),
            media_type=found["media_type"],
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @post("/richieste/{number:str}/istruttoria", sync_to_thread=True)
    def start_review(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return _act(
            number, "start_review", request, data, system, db, lambda f: c.StartClaimReview(number)
        )

    @post("/richieste/{number:str}/decidi", sync_to_thread=True)
    def decide(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        """Item by item: the amount accepted and, for what is not, the reason."""
        return _act(number, "decide", request, data, system, db, None)

    @post("/richieste/{number:str}/respingi", sync_to_thread=True)
    def reject(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return _act(number, "reject", request, data, system, db, None)

    @post("/richieste/{number:str}/revoca", sync_to_thread=True)
    def revoke(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return _act(
            number,
            "revoke_decision",
            request,
            data,
            system,
            db,
            lambda f: c.RevokeClaimDecision(number, _required(f, "reason")),
        )

    @post("/richieste/{number:str}/proponi-pagamento", sync_to_thread=True)
    def propose(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return _act(
            number,
            "propose_payment",
            request,
            data,
            system,
            db,
            lambda f: c.ProposeClaimPayment(
                number, f.values.get("reference", "").strip() or None, _optional(f, "note")
            ),
        )

    @post("/richieste/{number:str}/rifiuta-pagamento", sync_to_thread=True)
    def refuse_payment(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return _act(
            number,
            "refuse_payment",
            request,
            data,
            system,
            db,
            lambda f: c.RefuseClaimPayment(number, _required(f, "reason")),
        )

    @post("/richieste/{number:str}/paga", sync_to_thread=True)
    def pay(
        self, number: str, request: Request[Any, Any, Any], data: Form, system: SystemDep, db: DbDep
    ) -> Response[Any]:
        """Pay (or, above the threshold, authorise another's proposal and pay): once. The
        form carries its own idempotency key, so a second click pays nothing more."""
        return _act(
            number,
            "pay",
            request,
            data,
            system,
            db,
            lambda f: c.PayClaim(
                number,
                f.values.get("idempotency_key", "") or secrets.token_urlsafe(16),
                f.values.get("reference", "").strip() or None,
            ),
        )


def _offers(shown: set[str], action: str) -> bool:
    """Whether the form an action is posted from is offered (rejecting is part of deciding;
    paying is offered as such or as authorising another's proposal)."""
    if action == "pay":
        return bool(shown & {"pay", "authorise"})
    return ("decide" if action == "reject" else action) in shown


def _required(form: FormState, name: str) -> str:
    text = form.values.get(name, "").strip()
    if not text:
        raise InvalidField(name, "indicare la motivazione")
    return text


def _optional(form: FormState, name: str) -> str | None:
    return form.values.get(name, "").strip() or None


def _decisions(form: FormState, items: list[dict[str, Any]]) -> tuple[c.ItemDecisionData, ...]:
    """The decision form: per item an amount (0 refuses it) and a reason; every field's
    error is collected before anything is sent."""
    decisions = []
    for item in items:
        key = str(item["id"])
        text = form.values.get(f"approved-{key}", "").strip()
        if not text:
            form.errors[f"approved-{key}"] = "indicare l'importo accolto (0 per respingere)"
            continue
        try:
            approved = forms.amount(text, f"approved-{key}", allow_zero=True)
        except InvalidField as error:
            form.refuse(error)
            continue
        reason = form.values.get(f"reason-{key}", "").strip() or None
        if approved < item["claimed"] and reason is None:
            form.errors[f"reason-{key}"] = "motivare la parte non accolta"
        decisions.append(c.ItemDecisionData(key, approved, reason))
    return tuple(decisions)


def _rejection(form: FormState, items: list[dict[str, Any]]) -> tuple[c.ItemDecisionData, ...]:
    reason = form.values.get("reason", "").strip()
    if not reason:
        form.errors["reason"] = "indicare la motivazione"
    return tuple(c.ItemDecisionData(str(i["id"]), Decimal("0"), reason) for i in items)


def _field_of(error: InvalidField, items: list[dict[str, Any]]) -> InvalidField:
    """``decisions[1].approved`` (the command's name) is the form's ``approved-<item>``."""
    if error.field.startswith("decisions[") and "]." in error.field:
        index, name = error.field[len("decisions[") :].split("].", 1)
        if index.isdigit() and int(index) < len(items):
            return InvalidField(f"{name}-{items[int(index)]['id']}", error.reason)
    return error


def _act(
    number: str,
    action: str,
    request: Request[Any, Any, Any],
    data: dict[str, Any],
    system: System,
    db: RequestDb,
    build: Callable[[FormState], c.Command] | None,
) -> Response[Any]:
    try:
        actor, token = _staff(request, system, db, FUND_ROLES)
    except (NotLoggedIn, NotStaff) as error:
        return _refused(request, system, error)
    try:
        with db.reading() as conn:
            row = _detail(conn, system, actor, number)
    except NotFound:
        return _not_found(system)
    form = FormState.of(data)
    shown = offered(actor, row)
    if not sessions.form_csrf_ok(token, data):
        form.general = sessions.FORM_EXPIRED
    elif not _offers(shown, action):
        form.general = NO_LONGER
    command: c.Command | None = None
    if form.ok:
        try:
            if action == "decide":
                decisions = _decisions(form, row["items"])
                command = c.DecideClaim(number, decisions, _optional(form, "note"))
            elif action == "reject":
                decisions = _rejection(form, row["items"])
                command = c.DecideClaim(number, decisions, form.values.get("reason", "").strip())
            elif build is not None:
                command = build(form)
        except InvalidField as error:
            form.refuse(error)
    if form.ok and command is not None:
        try:
            system.bus.handle(command, actor)
        except InvalidField as error:
            form.refuse(_field_of(error, row["items"]))
        except DomainError as error:
            form.general = error.message
        else:
            return Redirect(path=f"/backoffice/richieste/{number}", status_code=303)
    return _claim_page(system, db, actor, token, number, action, form, 400)


def _detail(conn: Connection, system: System, actor: Actor, number: str) -> dict[str, Any]:
    return claims_read.claim_detail(
        conn, number, actor=actor, products=system.deps.products, today=system.deps.clock.today()
    )


def _claim_page(
    system: System,
    db: RequestDb,
    actor: Actor,
    token: str,
    number: str,
    failed_action: str | None,
    form: FormState,
    status_code: int = 200,
) -> Response[str]:
    try:
        with db.reading() as conn:
            row = _detail(conn, system, actor, number)
            product = system.deps.products.get(row["product_code"], row["product_version"]).product
            checks = coverage_checks(
                row, product, mediation_ended=claims_read.mediation_ended(conn, row["guarantee_id"])
            )
            cases = claims_read.cases_on_guarantee(conn, row["guarantee_id"])
            history = history_of(conn, "claim", str(row["id"]))
            guarantee = guarantees_read.guarantee_detail(conn, row["guarantee_number"], actor=actor)
            landlord = access.shaped(
                "landlord",
                actor,
                guarantees_read.landlord_detail(conn, guarantee["landlord_id"], actor=actor),
            )
    except NotFound:
        return _not_found(system)
    shown = offered(actor, row)
    suggestion: dict[str, ItemDecision] = {}
    if "decide" in shown and failed_action != "decide":
        try:
            found = system.bus.handle(c.SuggestClaimDecision(number), actor)
            suggestion = {d.item_id: d for d in found}
        except DomainError:
            suggestion = {}  # a suggestion helps; its absence must not hide the page
    return render(
        system,
        "backoffice/claim.html.j2",
        actor=actor,
        token=token,
        claim=access.claim_view(actor, row),
        cover=row["cover"],
        checks=checks,
        cases=cases,
        case_labels=CASE_LABELS,
        timeline=timeline(history, CLAIM_STEPS),
        landlord=landlord,
        shown=shown,
        own_proposal=_own_proposal(actor, row),
        needs_two=row["needs_two_managers"],
        threshold=row["four_eyes_threshold"],
        suggestion=suggestion,
        kinds=KIND_LABELS,
        failed_action=failed_action,
        # A refusal whose form is no longer offered is shown at the top of the page.
        orphan_error=failed_action is not None and not _offers(shown, failed_action),
        form=form,
        idempotency_key=secrets.token_urlsafe(16),
        status_code=status_code,
    )
