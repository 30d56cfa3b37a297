"""Households (nuclei familiari): the people renting, with one main tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from guarantee.domain import identifiers
from guarantee.domain.aggregate import Aggregate
from guarantee.domain.errors import InvalidField
from guarantee.domain.money import money


class ReferralSource(StrEnum):
    HELP_DESK = "help_desk"
    SOCIAL_SERVICES = "social_services"
    SELF = "self"
    OTHER = "other"


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
        self.tax_code = identifiers.tax_code(self.tax_code, "members.tax_code")


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
        id: str | None = None,
    ) -> None:
        self.id = id or str(uuid.uuid4())
        mains = [m for m in members if m.is_main_tenant]
        if len(mains) != 1:
            raise InvalidField("members", "il nucleo ha esattamente un conduttore principale")
        codes = [m.tax_code for m in members]
        if len(set(codes)) != len(codes):
            raise InvalidField("members", "lo stesso codice fiscale compare due volte")
        self.members = members
        self.main_tenant_tax_code = mains[0].tax_code
        self.isee = _non_negative(isee, "isee")
        self.net_monthly_income = _non_negative(net_monthly_income, "net_monthly_income")
        self.referral_source = ReferralSource(referral_source)
        self.referrer = referrer
        self.created_at = created_at

    @property
    def main_tenant(self) -> Member:
        return next(m for m in self.members if m.is_main_tenant)


def _non_negative(value: Decimal, field: str) -> Decimal:
    amount = money(value)
    if amount < 0:
        raise InvalidField(field, "l'importo non può essere negativo")
    return amount
