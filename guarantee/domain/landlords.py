"""Landlords (locatori) and the dwellings they rent through the scheme."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from guarantee.domain import identifiers
from guarantee.domain.aggregate import Aggregate
from guarantee.domain.contacts import email_address, optional_text, required_reason
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.domain.formats import date_it


class LandlordKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


@dataclass(frozen=True)
class IbanHold:
    """A recent IBAN change: until ``until`` (inclusive) every payment to the landlord needs
    a second fund manager's confirmation, whatever the amount (a common fraud path)."""

    changed_on: date
    until: date

    def message(self) -> str:
        return (
            f"l'IBAN del locatore è stato cambiato il {date_it(self.changed_on)}: fino al "
            f"{date_it(self.until)} ogni pagamento va proposto da un gestore e confermato da "
            "un altro"
        )


@dataclass(frozen=True)
class LegalRepresentative:
    """Who signs for a company landlord (legale rappresentante)."""

    full_name: str
    tax_code: str

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "full_name", _required(self.full_name, "legal_representative.full_name")
        )
        object.__setattr__(
            self,
            "tax_code",
            identifiers.tax_code(self.tax_code, "legal_representative.tax_code"),
        )


class Landlord(Aggregate):
    """A landlord; staff keep its IBAN, contacts and legal representative current.

    An IBAN change is confirmed to the landlord's email address and to the previous one
    too (event ``landlord_iban_changed``), and holds payments for the product's days.
    """

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
        self.email = email_address(email)
        self.phone = optional_text(phone, "phone", 40)
        self.address = optional_text(address, "address", 300)
        self.created_at = created_at
        self.updated_at: datetime | None = None
        # The address the landlord had before its email was last changed: an IBAN change is
        # confirmed there too, so whoever took over the email cannot hide it.
        self.previous_email: str | None = None
        self.iban_changed_on: date | None = None
        self.legal_representative_name: str | None = None
        self.legal_representative_tax_code: str | None = None
        self._record("enrolled", {}, {"name": self.name, "kind": self.kind.value})

    def change_iban(self, new_iban: str, *, reason: str, today: date, now: datetime) -> None:
        why = required_reason(reason)
        account = identifiers.iban(new_iban)
        if account == self.iban:
            raise DomainError(
                "il nuovo IBAN è uguale a quello registrato: nessuna modifica",
                code="iban_unchanged",
            )
        before = {"iban": self.iban, "iban_changed_on": _iso(self.iban_changed_on)}
        self.iban = account
        self.iban_changed_on = today
        self.updated_at = now
        self._record(
            "iban_changed", before, {"iban": account, "iban_changed_on": today.isoformat()}, why
        )
        confirm_to = [self.email]
        if self.previous_email and self.previous_email != self.email:
            confirm_to.append(self.previous_email)
        self._emit(
            "landlord_iban_changed",
            changed_on=today.isoformat(),
            old_iban_last4=str(before["iban"])[-4:],
            new_iban_last4=account[-4:],
            email=self.email,
            previous_email=self.previous_email,
            confirm_to=confirm_to,
        )

    def iban_hold(self, hold_days: int, today: date) -> IbanHold | None:
        """The hold on payments after an IBAN change, if ``today`` falls within it."""
        until = iban_hold_until(self.iban_changed_on, hold_days, today)
        if until is None or self.iban_changed_on is None:
            return None
        return IbanHold(self.iban_changed_on, until)

    def change_contacts(
        self,
        *,
        email: str,
        phone: str | None,
        address: str | None,
        reason: str,
        now: datetime,
    ) -> None:
        why = required_reason(reason)
        new_email = email_address(email)
        new_phone = optional_text(phone, "phone", 40)
        new_address = optional_text(address, "address", 300)
        before = self._contacts()
        if new_email != self.email:
            self.previous_email = self.email
        self.email, self.phone, self.address = new_email, new_phone, new_address
        self.updated_at = now
        self._record("contacts_changed", before, self._contacts(), why)
        if new_email != before["email"]:
            # Told to both addresses: the old one learns of the change it may not have made.
            self._emit("landlord_email_changed", email=new_email, previous_email=before["email"])

    def change_legal_representative(
        self, representative: LegalRepresentative, *, reason: str, now: datetime
    ) -> None:
        why = required_reason(reason)
        if self.kind is not LandlordKind.COMPANY:
            raise InvalidField(
                "legal_representative", "solo un locatore società ha un legale rappresentante"
            )
        before = self._representative()
        self.legal_representative_name = representative.full_name
        self.legal_representative_tax_code = representative.tax_code
        self.updated_at = now
        self._record("legal_representative_changed", before, self._representative(), why)

    def _contacts(self) -> dict[str, Any]:
        return {"email": self.email, "phone": self.phone, "address": self.address}

    def _representative(self) -> dict[str, Any]:
        return {
            "full_name": self.legal_representative_name,
            "tax_code": self.legal_representative_tax_code,
        }


def iban_hold_until(changed_on: date | None, hold_days: int, today: date) -> date | None:
    """Last day of the hold after an IBAN change on ``changed_on`` (the day of the change
    is the first of ``hold_days``), or None if ``today`` is past it or there is none."""
    if changed_on is None or hold_days <= 0:
        return None
    until = changed_on + timedelta(days=hold_days - 1)
    return until if today <= until else None


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


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
