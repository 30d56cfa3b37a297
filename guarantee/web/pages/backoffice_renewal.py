"""A fund manager renews a guarantee from the back office: the portal's renewal form, with a
reason for the fund's own decision when the rules ask for a review.

Offered only when ``read.access`` gives this person the ``renew`` action on the guarantee as
it is today (``read.renewals.renewal_state``: renewals left, term not over), exactly what
the API and the guarantee page offer; an auditor, offered no action, finds no form (404).
The renewal itself is the API's command through the bus, which decides everything else
(eligibility on today's facts, the fund's capacity) and writes nothing when it refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect
from sqlalchemy import Connection

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.domain.errors import DomainError, InvalidField, NotFound
from guarantee.read import access
from guarantee.read import guarantees as guarantees_read
from guarantee.read.funds import fund_figures
from guarantee.read.renewals import renewal_state
from guarantee.services import commands as c
from guarantee.services.permissions import ALLOWED
from guarantee.web.deps import DbDep, SystemDep
from guarantee.web.pages import sessions
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
from guarantee.web.pages.renewal_form import RENEWAL_FIELDS, relatives_declared, renewal_lease
from guarantee.web.request_db import RequestDb

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
NO_LONGER = "Questa garanzia non può più essere rinnovata."
# The handler's refusal that a fund manager answers with a reason: shown beside that field.
NEEDS_REVIEW = "renewal_needs_review"


@dataclass(frozen=True)
class Renewable:
    guarantee: dict[str, Any]
    fund: dict[str, Any] | None
    offered: bool  # "renew" among this person's actions on the guarantee today


def _renewable(conn: Connection, system: System, actor: Actor, number: str) -> Renewable:
    row = guarantees_read.guarantee_detail(conn, number, actor=actor)
    product = system.deps.products.get(row["product_code"], row["product_version"]).product
    renewal = renewal_state(row, product, system.deps.clock.today())
    actions = access.actions_for(actor, "guarantee", renewal["allowed_actions"])
    fund = fund_figures(conn, row["fund_id"]) if row["fund_id"] else None
    return Renewable(access.shaped("guarantee", actor, row | renewal), fund, "renew" in actions)


class BackofficeRenewalController(Controller):
    path = "/backoffice"
    include_in_schema = False

    @get("/garanzie/{number:str}/rinnovo", sync_to_thread=True)
    def renewal_form(
        self, number: str, request: Request[Any, Any, Any], system: SystemDep, db: DbDep
    ) -> Response[Any]:
        return self._renewal(number, request, system, db, None)

    @post("/garanzie/{number:str}/rinnovo", sync_to_thread=True)
    def renew(
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
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        may_renew = actor.role in ALLOWED[c.RenewGuarantee]
        try:
            with db.reading() as conn:
                found = _renewable(conn, system, actor, number)
        except NotFound:
            return _not_found(system)
        # No form for whoever is not offered it; a manager's form sent after the guarantee
        # was renewed (or ended) is answered beside it, not as a missing page.
        if not may_renew or (not found.offered and data is None):
            return _not_found(system)
        form = FormState() if data is None else FormState.of(data)
        if data is not None:
            if not sessions.form_csrf_ok(token, data):
                form.general = sessions.FORM_EXPIRED
            elif not found.offered:
                form.general = NO_LONGER
            else:
                done = self._send(system, actor, number, form)
                if done:
                    return Redirect(path=f"/backoffice/garanzie/{number}", status_code=303)
        return render(
            system,
            "backoffice/renewal.html.j2",
            actor=actor,
            token=token,
            guarantee=found.guarantee,
            number=number,
            fund=found.fund,
            form=form,
            status_code=200 if form.ok else 400,
        )

    @staticmethod
    def _send(system: System, actor: Actor, number: str, form: FormState) -> bool:
        """The renewal through the bus; its refusals go beside the field they concern."""
        lease = renewal_lease(form)
        if lease is None:
            return False
        reason = form.values.get("reason", "").strip() or None
        try:
            command = c.RenewGuarantee(
                number=number,
                lease=lease,
                reason=reason,
                declared_relatives=relatives_declared(form),
            )
            system.bus.handle(command, actor)
        except InvalidField as error:
            form.refuse(error, rename=RENEWAL_FIELDS)
        except DomainError as error:
            if error.code == NEEDS_REVIEW:
                form.errors["reason"] = error.message
            else:
                form.general = error.message
        return form.ok
