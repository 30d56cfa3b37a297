"""Landlords and their properties."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import Connection

from guarantee.domain.actors import Actor
from guarantee.read import access
from guarantee.read import guarantees as read
from guarantee.services import commands as c
from guarantee.web.deps import ActorDep, ConnectionDep, DbDep, SystemDep
from guarantee.web.personal_reads import record_personal_read
from guarantee.web.schemas import (
    LandlordContactsIn,
    LandlordDetailOut,
    LandlordIbanIn,
    LandlordIn,
    LandlordOut,
    LegalRepresentativeIn,
    Page,
    PageNumber,
    PageSize,
    PropertyIn,
    PropertyOut,
    page_of,
)


def _landlord_out(conn: Connection, actor: Actor, landlord_id: str) -> LandlordDetailOut:
    """The record as this actor reads it (a landlord its own, without who changed it)."""
    row = read.landlord_detail(conn, landlord_id, actor=actor)
    return LandlordDetailOut.model_validate(access.shaped("landlord", actor, row, landlord_id))


class LandlordController(Controller):
    path = "/api/v1/landlords"
    tags = ("landlords",)

    @get("/", sync_to_thread=True)
    def list_landlords(
        self,
        conn: ConnectionDep,
        actor: ActorDep,
        request: Request[Any, Any, Any],
        q: str | None = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        after: str | None = None,
    ) -> Page[LandlordOut]:
        access.rows_of(actor).require_staff("i locatori")
        found = read.list_landlords(conn, q=q, page=page, page_size=page_size, after=after)
        return page_of(found, LandlordOut, request)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def enrol_landlord(
        self, data: JSONBody[LandlordIn], system: SystemDep, actor: ActorDep, db: DbDep
    ) -> LandlordOut:
        landlord = system.bus.handle(c.EnrolLandlord(**data.model_dump()), actor)
        with db.reading() as conn:
            found = read.landlord_detail(conn, landlord.id, actor=actor)
        return LandlordOut.model_validate(found)

    @get("/{landlord_id:str}", sync_to_thread=True)
    def landlord_detail(
        self, landlord_id: str, system: SystemDep, db: DbDep, actor: ActorDep
    ) -> LandlordDetailOut:
        """The landlord's record; staff reading it leave a trace in the audit trail (a
        landlord reading its own does not)."""
        with db.reading() as conn:
            found = _landlord_out(conn, actor, landlord_id)
        record_personal_read(system, db, actor, "landlord", landlord_id, "api")
        return found

    # -- records a fund manager keeps current (each change audited with before and after) --

    @post("/{landlord_id:str}/iban", status_code=HTTP_200_OK, sync_to_thread=True)
    def change_iban(
        self,
        landlord_id: str,
        data: JSONBody[LandlordIbanIn],
        system: SystemDep,
        actor: ActorDep,
        conn: ConnectionDep,
    ) -> LandlordDetailOut:
        """Re-validated; confirmed by email to the landlord's address and its previous one;
        payments to the new IBAN need a second fund manager for the product's hold days."""
        system.bus.handle(c.ChangeLandlordIban(landlord_id, data.iban, data.reason), actor)
        return _landlord_out(conn, actor, landlord_id)

    @post("/{landlord_id:str}/contacts", status_code=HTTP_200_OK, sync_to_thread=True)
    def change_contacts(
        self,
        landlord_id: str,
        data: JSONBody[LandlordContactsIn],
        system: SystemDep,
        actor: ActorDep,
        conn: ConnectionDep,
    ) -> LandlordDetailOut:
        command = c.ChangeLandlordContacts(
            landlord_id, data.email, data.reason, data.phone, data.address
        )
        system.bus.handle(command, actor)
        return _landlord_out(conn, actor, landlord_id)

    @post("/{landlord_id:str}/legal-representative", status_code=HTTP_200_OK, sync_to_thread=True)
    def change_legal_representative(
        self,
        landlord_id: str,
        data: JSONBody[LegalRepresentativeIn],
        system: SystemDep,
        actor: ActorDep,
        conn: ConnectionDep,
    ) -> LandlordDetailOut:
        command = c.ChangeLegalRepresentative(
            landlord_id, data.full_name, data.tax_code, data.reason
        )
        system.bus.handle(command, actor)
        return _landlord_out(conn, actor, landlord_id)


class PropertyController(Controller):
    path = "/api/v1/properties"
    tags = ("properties",)

    @get("/", sync_to_thread=True)
    def list_properties(
        self,
        conn: ConnectionDep,
        actor: ActorDep,
        request: Request[Any, Any, Any],
        landlord_id: str | None = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        after: str | None = None,
    ) -> Page[PropertyOut]:
        found = read.list_properties(
            conn,
            actor=actor,
            landlord_id=landlord_id,
            page=page,
            page_size=page_size,
            after=after,
        )
        return page_of(found, PropertyOut, request)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def add_property(
        self, data: JSONBody[PropertyIn], system: SystemDep, actor: ActorDep, db: DbDep
    ) -> PropertyOut:
        dwelling = system.bus.handle(c.AddProperty(**data.model_dump()), actor)
        with db.reading() as conn:
            found = read.property_detail(conn, dwelling.id, actor=actor)
        return PropertyOut.model_validate(found)

    @get("/{property_id:str}", sync_to_thread=True)
    def property_detail(
        self, property_id: str, conn: ConnectionDep, actor: ActorDep
    ) -> PropertyOut:
        found = read.property_detail(conn, property_id, actor=actor)
        return PropertyOut.model_validate(found)
