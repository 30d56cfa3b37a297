"""Landlords and their properties."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED

from guarantee.domain.errors import NotFound
from guarantee.read import guarantees as read
from guarantee.services import commands as c
from guarantee.services.permissions import ReadScope
from guarantee.web.deps import ActorDep, ConnectionDep, DbDep, SystemDep
from guarantee.web.schemas import LandlordIn, LandlordOut, Page, PropertyIn, PropertyOut, page_of

PageNumber = Annotated[int, Parameter(ge=1, le=100_000)]
PageSize = Annotated[int, Parameter(ge=1, le=500)]


class LandlordController(Controller):
    path = "/api/v1/landlords"
    tags = ("landlords",)

    @get("/", sync_to_thread=True)
    def list_landlords(
        self,
        conn: ConnectionDep,
        actor: ActorDep,
        q: str | None = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
    ) -> Page[LandlordOut]:
        ReadScope(actor).require_staff("i locatori")
        found = read.list_landlords(conn, q=q, page=page, page_size=page_size)
        return page_of(found, LandlordOut)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def enrol_landlord(
        self, data: JSONBody[LandlordIn], system: SystemDep, actor: ActorDep, db: DbDep
    ) -> LandlordOut:
        landlord = system.bus.handle(c.EnrolLandlord(**data.model_dump()), actor)
        with db.reading() as conn:
            found = read.landlord_detail(conn, landlord.id)
        return LandlordOut.model_validate(found)

    @get("/{landlord_id:str}", sync_to_thread=True)
    def landlord_detail(
        self, landlord_id: str, conn: ConnectionDep, actor: ActorDep
    ) -> LandlordOut:
        scope = ReadScope(actor)
        if not scope.everything and scope.landlord_id != landlord_id:
            raise NotFound("locatore", landlord_id)
        return LandlordOut.model_validate(read.landlord_detail(conn, landlord_id))


class PropertyController(Controller):
    path = "/api/v1/properties"
    tags = ("properties",)

    @get("/", sync_to_thread=True)
    def list_properties(
        self,
        conn: ConnectionDep,
        actor: ActorDep,
        landlord_id: str | None = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
    ) -> Page[PropertyOut]:
        scope = ReadScope(actor)
        if not scope.everything and scope.landlord_id is None:
            scope.require_staff("gli immobili")
        found = read.list_properties(
            conn, landlord_id=scope.landlord_id or landlord_id, page=page, page_size=page_size
        )
        return page_of(found, PropertyOut)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def add_property(
        self, data: JSONBody[PropertyIn], system: SystemDep, actor: ActorDep, db: DbDep
    ) -> PropertyOut:
        dwelling = system.bus.handle(c.AddProperty(**data.model_dump()), actor)
        with db.reading() as conn:
            found = read.property_detail(conn, dwelling.id)
        return PropertyOut.model_validate(found)

    @get("/{property_id:str}", sync_to_thread=True)
    def property_detail(
        self, property_id: str, conn: ConnectionDep, actor: ActorDep
    ) -> PropertyOut:
        scope = ReadScope(actor)
        found = read.property_detail(conn, property_id)
        if not scope.everything and found["landlord_id"] != scope.landlord_id:
            raise NotFound("immobile", property_id)
        return PropertyOut.model_validate(found)
