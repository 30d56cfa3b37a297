"""The lease (contratto di locazione) a guarantee follows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from guarantee.domain.errors import InvalidField
from guarantee.domain.money import money


class LeaseType(StrEnum):
    """The lease types of Italian law 431/1998, for code that needs to name one.

    Not the list of accepted types: that is data (``rules/reference/lease-types.csv``,
    read through the fact catalogue), so a new type needs no code change.
    """

    FREE_MARKET_4_4 = "canone_libero_4_4"
    AGREED_3_2 = "canone_concordato_3_2"
    TRANSITIONAL = "transitorio"
    STUDENTS = "studenti"


_TYPE_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True)
class Lease:
    lease_type: str
    start: date
    end: date
    monthly_rent: Decimal
    monthly_charges: Decimal
    registered: bool
    registration_reference: str | None = None
    rent_due_day: int = 5

    def __post_init__(self) -> None:
        lease_type = str(self.lease_type)
        if not _TYPE_CODE.fullmatch(lease_type):
            raise InvalidField("lease.lease_type", f"tipo di contratto non valido: «{lease_type}»")
        object.__setattr__(self, "lease_type", lease_type)
        if self.end <= self.start:
            raise InvalidField("lease.end", "la fine della locazione deve seguire l'inizio")
        rent = money(self.monthly_rent)
        if rent <= 0:
            raise InvalidField("lease.monthly_rent", "il canone mensile deve essere positivo")
        charges = money(self.monthly_charges)
        if charges < 0:
            raise InvalidField("lease.monthly_charges", "le spese non possono essere negative")
        if not 1 <= self.rent_due_day <= 28:
            raise InvalidField("lease.rent_due_day", "il giorno di scadenza va da 1 a 28")
        if self.registered and not (self.registration_reference or "").strip():
            raise InvalidField(
                "lease.registration_reference", "indicare gli estremi di registrazione"
            )
        object.__setattr__(self, "monthly_rent", rent)
        object.__setattr__(self, "monthly_charges", charges)

    @property
    def months(self) -> int:
        """Whole months covered: a lease from 2027-01-01 to 2027-12-31 lasts 12."""
        day_after_end = date.fromordinal(self.end.toordinal() + 1)
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        while add_months(self.start, months) > day_after_end:
            months -= 1
        return months


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, _last_day(date(year, month, 1))))


def _last_day(day: date) -> int:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following.toordinal() - date(day.year, day.month, 1).toordinal()
