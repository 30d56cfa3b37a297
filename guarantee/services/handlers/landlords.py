"""Enrolling landlords and their dwellings, and keeping a landlord's records current."""

from __future__ import annotations

from guarantee.domain.actors import Role
from guarantee.domain.errors import Conflict, NotFound
from guarantee.domain.landlords import Landlord, LegalRepresentative, Property
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.unit_of_work import UnitOfWork


def enrol_landlord(cmd: c.EnrolLandlord, uow: UnitOfWork, deps: Dependencies) -> Landlord:
    with uow:
        landlord = Landlord(
            kind=cmd.kind,
            name=cmd.name,
            tax_code=cmd.tax_code,
            iban=cmd.iban,
            email=cmd.email,
            phone=cmd.phone,
            address=cmd.address,
            created_at=deps.clock.now(),
        )
        if uow.landlords.by_tax_code(landlord.tax_code) is not None:
            raise Conflict(f"locatore già iscritto con codice {landlord.tax_code}")
        uow.landlords.add(landlord)
        uow.commit()
        return landlord


def add_property(cmd: c.AddProperty, uow: UnitOfWork, deps: Dependencies) -> Property:
    with uow:
        uow.landlords.get(cmd.landlord_id)
        dwelling = Property(
            landlord_id=cmd.landlord_id,
            address=cmd.address,
            municipality_istat_code=cmd.municipality_istat_code,
            cadastral_reference=cmd.cadastral_reference,
            floor_area_m2=cmd.floor_area_m2,
            created_at=deps.clock.now(),
        )
        uow.properties.add(dwelling)
        uow.commit()
        return dwelling


def change_landlord_iban(
    cmd: c.ChangeLandlordIban, uow: UnitOfWork, deps: Dependencies
) -> Landlord:
    """The landlord's event ``landlord_iban_changed`` asks for a confirmation by email to
    its address and its previous one; payments then wait for a second fund manager."""
    with uow:
        landlord = _own(uow, cmd.landlord_id)
        landlord.change_iban(
            cmd.iban, reason=cmd.reason, today=deps.clock.today(), now=deps.clock.now()
        )
        uow.commit()
        return landlord


def change_landlord_contacts(
    cmd: c.ChangeLandlordContacts, uow: UnitOfWork, deps: Dependencies
) -> Landlord:
    with uow:
        landlord = _own(uow, cmd.landlord_id)
        landlord.change_contacts(
            email=cmd.email,
            phone=cmd.phone,
            address=cmd.address,
            reason=cmd.reason,
            now=deps.clock.now(),
        )
        uow.commit()
        return landlord


def change_legal_representative(
    cmd: c.ChangeLegalRepresentative, uow: UnitOfWork, deps: Dependencies
) -> Landlord:
    with uow:
        landlord = uow.landlords.get(cmd.landlord_id, for_update=True)
        landlord.change_legal_representative(
            LegalRepresentative(cmd.full_name, cmd.tax_code),
            reason=cmd.reason,
            now=deps.clock.now(),
        )
        uow.commit()
        return landlord


def _own(uow: UnitOfWork, landlord_id: str) -> Landlord:
    """The landlord record, locked; a landlord reaches only its own (another does not exist)."""
    if uow.actor.role is Role.LANDLORD and uow.actor.landlord_id != landlord_id:
        raise NotFound("locatore", landlord_id)
    return uow.landlords.get(landlord_id, for_update=True)
