"""Landlords (locatori) and the dwellings they rent through the scheme."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from guarantee.domain import identifiers
from guarantee.domain.aggregate import Aggregate
from guarantee.domain.errors import InvalidField


class LandlordKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class Landlord(Aggregate):
    entity_type = "landlord"

    def __init__(
        self,
        *,
        kind: LandlordKind,
        name: str,
        tax_code: str,
        iban: str,
        email: str,
        created_at: datetime,
        phone: str | None = None,
        address: str | None = None,
        id: str | None = None,
    ) -> None:
        self.id = id or str(uuid.uuid4())
        self.kind = LandlordKind(kind)
        self.name = _required(name, "name")
        self.tax_code = _landlord_tax_code(self.kind, tax_code)
        self.iban = identifiers.iban(iban)
        self.email = _email(email)
        self.phone = phone
        self.address = address
        self.created_at = created_at
        self._record("enrolled", {}, {"name": self.name, "kind": self.kind.value})

    def change_iban(self, new_iban: str, reason: str) -> None:
        before = self.iban
        self.iban = identifiers.iban(new_iban)
        self._record("iban_changed", {"iban": before}, {"iban": self.iban}, reason)


class Property(Aggregate):
    """A dwelling; the municipality by ISTAT code, the cadastral reference as on the deed."""

    entity_type = "property"

    def __init__(
        self,
        *,
        landlord_id: str,
        address: str,
        municipality_istat_code: str,
        cadastral_reference: str,
        floor_area_m2: int,
        created_at: datetime,
        id: str | None = None,
    ) -> None:
        self.id = id or str(uuid.uuid4())
        self.landlord_id = landlord_id
        self.address = _required(address, "address")
        self.municipality_istat_code = identifiers.istat_code(municipality_istat_code)
        self.cadastral_reference = _required(cadastral_reference, "cadastral_reference")
        if floor_area_m2 <= 0 or floor_area_m2 > 2000:
            raise InvalidField("floor_area_m2", "la superficie deve essere tra 1 e 2000 m²")
        self.floor_area_m2 = floor_area_m2
        self.created_at = created_at
        self._record("added", {}, {"address": self.address, "landlord_id": landlord_id})


def _landlord_tax_code(kind: LandlordKind, value: str) -> str:
    # A company is identified by its partita IVA; a person by the codice fiscale.
    if kind is LandlordKind.COMPANY:
        return identifiers.vat_number(value, "tax_code")
    return identifiers.tax_code(value, "tax_code")


def _required(value: str, field: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise InvalidField(field, "campo obbligatorio")
    return stripped


def _email(value: str) -> str:
    stripped = value.strip()
    local, _, domain = stripped.partition("@")
    if not local or "." not in domain or " " in stripped:
        raise InvalidField("email", "indirizzo email non valido")
    return stripped.lower()
