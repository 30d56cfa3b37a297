"""Households (nuclei familiari): the people renting, with one main tenant.

Staff keep a household current after the application: its net monthly income (from the
day it holds, resting on a document), its members and its contacts. Every change is
audited with what it was before and why; a recovery plan made later uses the income in
force when it is made.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from guarantee.domain import identifiers
from guarantee.domain.aggregate import Aggregate
from guarantee.domain.contacts import email_address, optional_text, required_reason
from guarantee.domain.errors import InvalidField
from guarantee.domain.formats import date_it
from guarantee.domain.money import money


class ReferralSource(StrEnum):
    HELP_DESK = "help_desk"
    SOCIAL_SERVICES = "social_services"
    SELF = "self"
    OTHER = "other"


class ContactChannel(StrEnum):
    """How the household wants its letters: by email, or on paper in the daily print batch."""

    EMAIL = "email"
    POST = "post"


@dataclass(frozen=True)
class HouseholdContacts:
    """Where the tenant household's letters go; the preferred channel must be reachable."""

    postal_address: str | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: ContactChannel = ContactChannel.POST

    def __post_init__(self) -> None:
        channel = ContactChannel(self.preferred_channel)
        object.__setattr__(self, "preferred_channel", channel)
        object.__setattr__(
            self, "postal_address", optional_text(self.postal_address, "postal_address", 300)
        )
        object.__setattr__(self, "phone", optional_text(self.phone, "phone", 40))
        if self.email is not None and self.email.strip():
            object.__setattr__(self, "email", email_address(self.email, "email"))
        else:
            object.__setattr__(self, "email", None)
        if channel is ContactChannel.EMAIL and self.email is None:
            raise InvalidField("email", "per ricevere le lettere via email indicare l'indirizzo")
        if channel is ContactChannel.POST and self.postal_address is None:
            raise InvalidField(
                "postal_address", "per ricevere le lettere per posta indicare l'indirizzo"
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "postal_address": self.postal_address,
            "email": self.email,
            "phone": self.phone,
            "preferred_channel": self.preferred_channel.value,
        }


@dataclass(eq=False)
class Member:
    full_name: str
    tax_code: str
    birth_date: date | None = None
    is_main_tenant: bool = False
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or str(uuid.uuid4())
        if not self.full_name.strip():
            raise InvalidField("members.full_name", "campo obbligatorio")
        self.full_name = self.full_name.strip()
        self.tax_code = identifiers.tax_code(self.tax_code, "members.tax_code")

    def as_dict(self) -> dict[str, Any]:
        return {
            "full_name": self.full_name,
            "tax_code": self.tax_code,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "is_main_tenant": self.is_main_tenant,
        }


class Household(Aggregate):
    entity_type = "household"

    def __init__(
        self,
        *,
        members: list[Member],
        isee: Decimal,
        net_monthly_income: Decimal,
        referral_source: ReferralSource,
        created_at: datetime,
        referrer: str | None = None,
        contacts: HouseholdContacts | None = None,
        id: str | None = None,
    ) -> None:
        self.id = id or str(uuid.uuid4())
        self.members = _checked_members(members)
        self.main_tenant_tax_code = self.main_tenant.tax_code
        self.isee = _non_negative(isee, "isee")
        self.net_monthly_income = _non_negative(net_monthly_income, "net_monthly_income")
        # The income declared with the application holds from the application.
        self.income_valid_from: date | None = None
        self.income_document: str | None = None
        self.referral_source = ReferralSource(referral_source)
        self.referrer = referrer
        self.created_at = created_at
        self.updated_at: datetime | None = None
        self._set_contacts(contacts)

    @property
    def main_tenant(self) -> Member:
        return next(m for m in self.members if m.is_main_tenant)

    @property
    def contacts(self) -> HouseholdContacts | None:
        """None for a household recorded before contacts were kept (no channel yet)."""
        if self.preferred_channel is None:
            return None
        return HouseholdContacts(
            postal_address=self.postal_address,
            email=self.email,
            phone=self.phone,
            preferred_channel=self.preferred_channel,
        )

    # -- changes staff make ------------------------------------------------------------------

    def change_income(
        self,
        *,
        net_monthly_income: Decimal,
        valid_from: date,
        document: str,
        reason: str,
        today: date,
        now: datetime,
    ) -> None:
        """The household's net monthly income from ``valid_from``, on the strength of a
        document (a payslip, an unemployment notice). Not in the future (it is recorded on
        the day it holds) and not before the income already recorded."""
        why = required_reason(reason)
        amount = _non_negative(net_monthly_income, "net_monthly_income")
        paper = (document or "").strip()
        if not paper:
            raise InvalidField("document", "indicare il documento su cui si basa il reddito")
        if valid_from > today:
            raise InvalidField(
                "valid_from",
                f"la decorrenza ({date_it(valid_from)}) non può essere nel futuro: registrare "
                "la variazione dal giorno in cui vale",
            )
        since = self.income_valid_from or self.created_at.date()
        if valid_from < since:
            raise InvalidField(
                "valid_from",
                f"la decorrenza ({date_it(valid_from)}) precede quella del reddito già "
                f"registrato ({date_it(since)})",
            )
        before = self._income_dict()
        self.net_monthly_income = amount
        self.income_valid_from = valid_from
        self.income_document = paper[:300]
        self.updated_at = now
        self._record("income_changed", before, self._income_dict(), why)
        self._emit(
            "household_income_changed",
            net_monthly_income=str(amount),
            valid_from=valid_from.isoformat(),
        )

    def change_members(self, members: Sequence[Member], *, reason: str, now: datetime) -> None:
        why = required_reason(reason)
        checked = _checked_members(list(members))
        before = {"members": [m.as_dict() for m in self.members]}
        self.members = checked
        self.main_tenant_tax_code = self.main_tenant.tax_code
        self.updated_at = now
        self._record("members_changed", before, {"members": [m.as_dict() for m in checked]}, why)

    def change_contacts(self, contacts: HouseholdContacts, *, reason: str, now: datetime) -> None:
        why = required_reason(reason)
        before = self.contacts.as_dict() if self.contacts else {}
        self._set_contacts(contacts)
        self.updated_at = now
        self._record("contacts_changed", before, contacts.as_dict(), why)
        # The letters' addressee changed: whoever prints or mails them learns it.
        self._emit("household_contacts_changed", **contacts.as_dict())

    # -- internals ---------------------------------------------------------------------------

    def _set_contacts(self, contacts: HouseholdContacts | None) -> None:
        self.postal_address = contacts.postal_address if contacts else None
        self.email = contacts.email if contacts else None
        self.phone = contacts.phone if contacts else None
        self.preferred_channel = contacts.preferred_channel if contacts else None

    def _income_dict(self) -> dict[str, Any]:
        return {
            "net_monthly_income": str(self.net_monthly_income),
            "valid_from": self.income_valid_from.isoformat() if self.income_valid_from else None,
            "document": self.income_document,
        }


def _checked_members(members: list[Member]) -> list[Member]:
    if not members:
        raise InvalidField("members", "indicare almeno il conduttore principale")
    mains = [m for m in members if m.is_main_tenant]
    if len(mains) != 1:
        raise InvalidField("members", "il nucleo ha esattamente un conduttore principale")
    codes = [m.tax_code for m in members]
    if len(set(codes)) != len(codes):
        raise InvalidField("members", "lo stesso codice fiscale compare due volte")
    return members


def _non_negative(value: Decimal, field: str) -> Decimal:
    amount = money(value)
    if amount < 0:
        raise InvalidField(field, "l'importo non può essere negativo")
    return amount
