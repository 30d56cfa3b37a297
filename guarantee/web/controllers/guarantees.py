"""Applications and guarantees: list, detail by number, lifecycle actions."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import Connection

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.domain.guarantees import GuaranteeStatus
from guarantee.read import access
from guarantee.read import guarantees as read
from guarantee.read.cover import cover_lines, cover_state
from guarantee.read.paging import Page as Found
from guarantee.read.renewals import renewal_state
from guarantee.services import commands as c
from guarantee.web.controllers.households import contacts_data
from guarantee.web.deps import ActorDep, DbDep, SystemDep, read_as_actor
from guarantee.web.schemas import (
    ApplicationIn,
    GuaranteeDetailOut,
    GuaranteeOut,
    IssueIn,
    Page,
    PageNumber,
    PageSize,
    ReasonIn,
    RenewalIn,
    page_of,
)

# The lifecycle actions a URL may name, and the command each one sends (one map, in access).
_ACTIONS = access.GUARANTEE_ACTIONS


def _page(found: Found, request: Request[Any, Any, Any]) -> Page[GuaranteeOut]:
    return page_of(found, GuaranteeOut, request)


def _detail_row(system: System, conn: Connection, actor: Actor, number: str) -> dict[str, Any]:
    row = read.guarantee_detail(conn, number, actor=actor)
    product = system.deps.products.get(row["product_code"], row["product_version"]).product
    cover = cover_state(conn, row["id"], product, row["monthly_rent"])
    renewal = renewal_state(row, product, system.deps.clock.today())
    return access.guarantee_view(actor, row | renewal | {"cover": cover_lines(cover)})


async def _detail_of(request: Request[Any, Any, Any], number: str) -> GuaranteeDetailOut:
    # The hottest read (a landlord's status page): one worker-thread trip, see read_as_actor.
    system: System = request.app.state.system
    row = await read_as_actor(request, lambda conn, actor: _detail_row(system, conn, actor, number))
    return GuaranteeDetailOut.model_validate(row)


def _detail(system: SystemDep, db: DbDep, actor: ActorDep, number: str) -> GuaranteeDetailOut:
    # The connection goes back to the pool before the answer is validated and serialised.
    with db.reading() as conn:
        row = _detail_row(system, conn, actor, number)
    return GuaranteeDetailOut.model_validate(row)


def _act(system: SystemDep, actor: ActorDep, db: DbDep, command: c.Command) -> GuaranteeDetailOut:
    guarantee = system.bus.handle(command, actor)
    return _detail(system, db, actor, guarantee.number or guarantee.application_number)


class ApplicationController(Controller):
    path = "/api/v1/applications"
    tags = ("applications",)

    @get("/")
    async def list_applications(
        self,
        request: Request[Any, Any, Any],
        status: list[GuaranteeStatus] | None = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        after: str | None = None,
    ) -> Page[GuaranteeOut]:
        def find(conn: Connection, actor: Actor) -> Found:
            return read.list_guarantees(
                conn,
                actor=actor,
                statuses=status,
                applications_only=True,
                page=page,
                page_size=page_size,
                after=after,
            ).shaped(lambda row: access.guarantee_view(actor, row))

        return _page(await read_as_actor(request, find), request)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def submit_application(
        self, data: JSONBody[ApplicationIn], system: SystemDep, actor: ActorDep, db: DbDep
    ) -> GuaranteeDetailOut:
        command = c.SubmitApplication(
            property_id=data.property_id,
            members=tuple(c.MemberData(**m.model_dump()) for m in data.members),
            isee=data.isee,
            net_monthly_income=data.net_monthly_income,
            referral_source=data.referral_source,
            referrer=data.referrer,
            declared_relatives=data.declared_relatives,
            lease=c.LeaseData(**data.lease.model_dump()),
            submit=data.submit,
            contacts=contacts_data(data.contacts) if data.contacts is not None else None,
            facts=dict(data.facts),
            product_code=data.product_code,
        )
        return _act(system, actor, db, command)

    @get("/{number:str}")
    async def application_detail(
        self, number: str, request: Request[Any, Any, Any]
    ) -> GuaranteeDetailOut:
        return await _detail_of(request, number)

    @post("/{number:str}/{action:str}", status_code=HTTP_200_OK, sync_to_thread=True)
    def application_action(
        self,
        number: str,
        action: Annotated[str, Parameter(pattern="^(approve|refuse|cancel)$")],
        system: SystemDep,
        actor: ActorDep,
        db: DbDep,
        data: JSONBody[ReasonIn | None] = None,
    ) -> GuaranteeDetailOut:
        reason = data.reason if data else None
        return _act(system, actor, db, _ACTIONS[action](number=number, reason=reason))


class GuaranteeController(Controller):
    path = "/api/v1/guarantees"
    tags = ("guarantees",)

    @get("/")
    async def list_guarantees(
        self,
        request: Request[Any, Any, Any],
        status: list[GuaranteeStatus] | None = None,
        landlord_id: str | None = None,
        fund_id: str | None = None,
        municipality: str | None = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        after: str | None = None,
    ) -> Page[GuaranteeOut]:
        def find(conn: Connection, actor: Actor) -> Found:
            return read.list_guarantees(
                conn,
                actor=actor,
                statuses=status,
                landlord_id=landlord_id,
                fund_id=fund_id,
                municipality=municipality,
                page=page,
                page_size=page_size,
                after=after,
            ).shaped(lambda row: access.guarantee_view(actor, row))

        return _page(await read_as_actor(request, find), request)

    @get("/{number:str}")
    async def guarantee_detail(
        self, number: str, request: Request[Any, Any, Any]
    ) -> GuaranteeDetailOut:
        return await _detail_of(request, number)

    @post(
        "/{number:str}/renew",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def renew(
        self,
        number: str,
        data: JSONBody[RenewalIn],
        system: SystemDep,
        actor: ActorDep,
        db: DbDep,
    ) -> GuaranteeDetailOut:
        """The next term on the renewed lease's terms, before the end date: by the
        guarantee's landlord or the fund. 409 when renewed already, past its end, not
        eligible (or to review, unless a fund manager gives a reason) or when the fund's free
        capacity cannot take the higher reserve — nothing is written then."""
        lease = data.lease
        command = c.RenewGuarantee(
            number=number,
            reason=data.reason,
            declared_relatives=data.declared_relatives,
            facts=dict(data.facts),
            lease=c.RenewalLeaseData(
                end=lease.end,
                monthly_rent=lease.monthly_rent,
                monthly_charges=lease.monthly_charges,
                registered=lease.registered,
                registration_reference=lease.registration_reference,
                lease_type=lease.lease_type,
                rent_due_day=lease.rent_due_day,
            ),
        )
        return _act(system, actor, db, command)

    @post("/{number:str}/{action:str}", status_code=HTTP_200_OK, sync_to_thread=True)
    def guarantee_action(
        self,
        number: str,
        action: Annotated[
            str,
            Parameter(
                pattern="^(approve|refuse|issue|activate|cancel|terminate|expire|resume|exhaust)$"
            ),
        ],
        system: SystemDep,
        actor: ActorDep,
        db: DbDep,
        data: JSONBody[IssueIn | None] = None,
    ) -> GuaranteeDetailOut:
        reason = data.reason if data else None
        command: c.Command
        if action == "issue":
            fund_id = data.fund_id if data else None
            command = c.IssueGuarantee(number=number, reason=reason, fund_id=fund_id)
        else:
            command = _ACTIONS[action](number=number, reason=reason)
        return _act(system, actor, db, command)
