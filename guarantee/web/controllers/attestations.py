"""Eligibility attestations: issued by a help desk for a household without a lease, turned
into an application when a landlord offers one, withdrawn. Landlords check them only at the
public /verify/{code}; for them, and for another help desk, an attestation does not exist."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from guarantee.domain.actors import Actor
from guarantee.domain.errors import NotFound
from guarantee.read import access
from guarantee.read import attestations as read
from guarantee.services import commands as c
from guarantee.web.controllers.guarantees import _detail as guarantee_detail
from guarantee.web.controllers.households import contacts_data
from guarantee.web.deps import ActorDep, ConnectionDep, DbDep, SystemDep
from guarantee.web.schemas import (
    AttestationApplyIn,
    AttestationIn,
    AttestationOut,
    AttestationWithdrawIn,
    GuaranteeDetailOut,
    Page,
    PageNumber,
    PageSize,
    page_of,
)


def _read(system: SystemDep, db: DbDep, actor: Actor, number: str) -> AttestationOut:
    if not access.can_read("attestation", actor):
        raise NotFound("attestazione", number)
    with db.reading() as conn:
        row = read.attestation_detail(conn, number, system.deps.clock.today(), actor=actor)
    return AttestationOut.model_validate(access.shaped("attestation", actor, row, number))


class AttestationController(Controller):
    path = "/api/v1/attestations"
    tags = ("attestations",)

    @get("/", sync_to_thread=True)
    def list_attestations(
        self,
        request: Request[Any, Any, Any],
        conn: ConnectionDep,
        actor: ActorDep,
        system: SystemDep,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        after: str | None = None,
    ) -> Page[AttestationOut]:
        """The latest attestations first (a help desk: those it issued). Paged: follow
        ``next`` (a keyset cursor) for the next page."""
        found = read.list_attestations(
            conn,
            system.deps.clock.today(),
            actor=actor,
            page=page,
            page_size=page_size,
            after=after,
        )
        shaped = found.shaped(lambda row: access.shaped("attestation", actor, row))
        return page_of(shaped, AttestationOut, request)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def issue_attestation(
        self, data: JSONBody[AttestationIn], system: SystemDep, actor: ActorDep, db: DbDep
    ) -> AttestationOut:
        """Judge the household's own rules; if eligible, issue its attestation (409 if not)."""
        command = c.IssueAttestation(
            members=tuple(c.MemberData(**m.model_dump()) for m in data.members),
            isee=data.isee,
            net_monthly_income=data.net_monthly_income,
            referral_source=data.referral_source,
            referrer=data.referrer,
            contacts=contacts_data(data.contacts),
            facts=dict(data.facts),
            product_code=data.product_code,
        )
        attestation = system.bus.handle(command, actor)
        return _read(system, db, actor, attestation.number)

    @get("/{number:str}", sync_to_thread=True)
    def attestation_detail(
        self, number: str, system: SystemDep, actor: ActorDep, db: DbDep
    ) -> AttestationOut:
        return _read(system, db, actor, number)

    @post(
        "/{number:str}/application",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
    )
    def apply(
        self,
        number: str,
        data: JSONBody[AttestationApplyIn],
        system: SystemDep,
        actor: ActorDep,
        db: DbDep,
    ) -> GuaranteeDetailOut:
        """The lease is known: the application, every rule judged; the attestation is used
        (409 if used, withdrawn or expired)."""
        command = c.ApplyWithAttestation(
            number=number,
            property_id=data.property_id,
            lease=c.LeaseData(**data.lease.model_dump()),
            declared_relatives=data.declared_relatives,
            facts=dict(data.facts),
        )
        application = system.bus.handle(command, actor)
        return guarantee_detail(system, db, actor, application.application_number)

    @post(
        "/{number:str}/withdraw",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def withdraw(
        self,
        number: str,
        data: JSONBody[AttestationWithdrawIn],
        system: SystemDep,
        actor: ActorDep,
        db: DbDep,
    ) -> AttestationOut:
        """Withdraw it, with a reason (audited; the household gets a letter)."""
        system.bus.handle(c.WithdrawAttestation(number=number, reason=data.reason), actor)
        return _read(system, db, actor, number)
