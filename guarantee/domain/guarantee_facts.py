"""What arrears reports and claims need to know about a guarantee, as one plain value.

Reports and claims are separate aggregates: they read a snapshot of the guarantee rather
than holding it, so a handler can load the guarantee, build the facts and pass them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from guarantee.domain.errors import DomainError
from guarantee.domain.formats import date_it
from guarantee.domain.guarantees import Guarantee, GuaranteeStatus
from guarantee.domain.products import Product

# Instants are stored in UTC; a cover ends on the business day in Italy.
_ROME = ZoneInfo("Europe/Rome")


@dataclass(frozen=True)
class GuaranteeFacts:
    guarantee_id: str
    number: str | None
    product_code: str
    product_version: str
    lease_start: date
    lease_end: date
    monthly_rent: Decimal
    monthly_charges: Decimal
    rent_due_day: int
    # None until issued: a guarantee never issued covers nothing.
    starts_on: date | None
    ends_on: date | None
    # The day it ended early (terminated, cancelled, exhausted); a natural expiry is ends_on.
    ended_on: date | None = None

    @classmethod
    def of(cls, guarantee: Guarantee) -> GuaranteeFacts:
        ended_on = None
        if guarantee.ended_at is not None and guarantee.status is not GuaranteeStatus.EXPIRED:
            ended_on = guarantee.ended_at.astimezone(_ROME).date()
        return cls(
            guarantee_id=guarantee.id,
            number=guarantee.number,
            product_code=guarantee.product_code,
            product_version=guarantee.product_version,
            lease_start=guarantee.lease.start,
            lease_end=guarantee.lease.end,
            monthly_rent=guarantee.lease.monthly_rent,
            monthly_charges=guarantee.lease.monthly_charges,
            rent_due_day=guarantee.lease.rent_due_day,
            starts_on=guarantee.starts_on,
            ends_on=guarantee.ends_on,
            ended_on=ended_on,
        )

    @property
    def label(self) -> str:
        return self.number or self.guarantee_id

    @property
    def covered_until(self) -> date | None:
        """The last day of cover: the planned end, or the day it ended early."""
        if self.ends_on is None:
            return None
        if self.ended_on is not None and self.ended_on < self.ends_on:
            return self.ended_on
        return self.ends_on

    def is_live_on(self, day: date) -> bool:
        until = self.covered_until
        return self.starts_on is not None and until is not None and self.starts_on <= day <= until

    def check_live_on(self, day: date, what: str) -> None:
        """Refuse ``what`` (e.g. "il canone scaduto il 5 luglio 2027") outside the cover."""
        if self.is_live_on(day):
            return
        if self.starts_on is None or self.covered_until is None:
            period = "non è mai entrata in vigore"
        else:
            period = f"è in vigore dal {date_it(self.starts_on)} al {date_it(self.covered_until)}"
        raise DomainError(
            f"{what} è fuori copertura: la garanzia {self.label} {period}",
            code="guarantee_not_live",
        )

    def check_product(self, product: Product) -> None:
        """The product given must be the version the guarantee was issued under."""
        if product.code != self.product_code or str(product.version) != self.product_version:
            raise DomainError(
                f"la garanzia {self.label} è regolata dal prodotto {self.product_code} "
                f"versione {self.product_version}, non {product.code} versione {product.version}",
                code="wrong_product_version",
            )
