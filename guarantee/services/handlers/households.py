"""Keeping a household current after its application: income, members, contacts.

The help desk that referred the household (the account that filed its application) and
fund managers may; to anyone else the household does not exist. Each change is audited by
the unit of work with before, after and reason.
"""

from __future__ import annotations

from guarantee.domain.actors import Role
from guarantee.domain.errors import NotFound
from guarantee.domain.households import Household, HouseholdContacts, Member
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.unit_of_work import UnitOfWork


def contacts_of(data: c.ContactsData) -> HouseholdContacts:
    return HouseholdContacts(
        postal_address=data.postal_address,
        email=data.email,
        phone=data.phone,
        preferred_channel=data.preferred_channel,
    )


def _household(uow: UnitOfWork, household_id: str) -> Household:
    """The household, locked; an operator reaches only the households it referred."""
    household = uow.households.get(household_id, for_update=True)
    if uow.actor.role is Role.OPERATOR and uow.actor.user_id not in uow.households.referred_by(
        household_id
    ):
        raise NotFound("nucleo familiare", household_id)
    return household


def change_household_income(
    cmd: c.ChangeHouseholdIncome, uow: UnitOfWork, deps: Dependencies
) -> Household:
    with uow:
        household = _household(uow, cmd.household_id)
        household.change_income(
            net_monthly_income=cmd.net_monthly_income,
            valid_from=cmd.valid_from,
            document=cmd.document,
            reason=cmd.reason,
            today=deps.clock.today(),
            now=deps.clock.now(),
        )
        uow.commit()
        return household


def change_household_members(
    cmd: c.ChangeHouseholdMembers, uow: UnitOfWork, deps: Dependencies
) -> Household:
    with uow:
        household = _household(uow, cmd.household_id)
        members = [
            Member(m.full_name, m.tax_code, m.birth_date, m.is_main_tenant) for m in cmd.members
        ]
        household.change_members(members, reason=cmd.reason, now=deps.clock.now())
        uow.commit()
        return household


def change_household_contacts(
    cmd: c.ChangeHouseholdContacts, uow: UnitOfWork, deps: Dependencies
) -> Household:
    with uow:
        household = _household(uow, cmd.household_id)
        household.change_contacts(
            contacts_of(cmd.contacts), reason=cmd.reason, now=deps.clock.now()
        )
        uow.commit()
        return household
