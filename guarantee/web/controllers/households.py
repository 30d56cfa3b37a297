"""Households after their application: read and kept current by the help desk that referred
them and by fund managers. Landlords never see them; another help desk's are 'not found'."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from guarantee.domain.actors import Actor
from guarantee.read import households as read
from guarantee.services import commands as c
from guarantee.web.deps import ActorDep, ConnectionDep, DbDep, SystemDep
from guarantee.web.personal_reads import record_personal_read
from guarantee.web.schemas import (
    ContactsIn,
    HouseholdContactsIn,
    HouseholdOut,
    IncomeIn,
    MembersIn,
)


def contacts_data(data: ContactsIn) -> c.ContactsData:
    return c.ContactsData(
        postal_address=data.postal_address,
        email=data.email,
        phone=data.phone,
        preferred_channel=data.preferred_channel,
    )


def _detail(conn: ConnectionDep, actor: Actor, household_id: str) -> HouseholdOut:
    return HouseholdOut.model_validate(read.household_detail(conn, household_id, actor=actor))


class HouseholdController(Controller):
    path = "/api/v1/households"
    tags = ("households",)

    @get("/{household_id:str}", sync_to_thread=True)
    def household_detail(
        self, household_id: str, system: SystemDep, db: DbDep, actor: ActorDep
    ) -> HouseholdOut:
        """The household with its members; staff reading it leave a trace in the audit trail."""
        with db.reading() as conn:
            found = _detail(conn, actor, household_id)
        record_personal_read(system, db, actor, "household", household_id, "api")
        return found

    @post("/{household_id:str}/income", status_code=HTTP_200_OK, sync_to_thread=True)
    def change_income(
        self,
        household_id: str,
        data: JSONBody[IncomeIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> HouseholdOut:
        """The net monthly income from ``valid_from`` (not in the future), on a document;
        a recovery plan made from now on asks at most its share of it."""
        command = c.ChangeHouseholdIncome(
            household_id, data.net_monthly_income, data.valid_from, data.document, data.reason
        )
        system.bus.handle(command, actor)
        return _detail(conn, actor, household_id)

    @post("/{household_id:str}/members", status_code=HTTP_200_OK, sync_to_thread=True)
    def change_members(
        self,
        household_id: str,
        data: JSONBody[MembersIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> HouseholdOut:
        """The whole list of members as it is now, with exactly one main tenant."""
        members = tuple(c.MemberData(**m.model_dump()) for m in data.members)
        system.bus.handle(c.ChangeHouseholdMembers(household_id, members, data.reason), actor)
        return _detail(conn, actor, household_id)

    @post("/{household_id:str}/contacts", status_code=HTTP_200_OK, sync_to_thread=True)
    def change_contacts(
        self,
        household_id: str,
        data: JSONBody[HouseholdContactsIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> HouseholdOut:
        """Postal address, email, phone and the channel letters go by (email or post)."""
        command = c.ChangeHouseholdContacts(household_id, contacts_data(data), data.reason)
        system.bus.handle(command, actor)
        return _detail(conn, actor, household_id)
