"""Arrears (morosità): which unpaid rents the product covers, and the landlord's report.

Two product rules give dates their meaning (SPEC §3):
- waiting period: rents falling due in the first ``waiting_period_days`` of the lease are
  not covered (lease from 2027-01-01: the rents of 5 January and 5 February are not, the
  rent of 5 March is the first covered one);
- reporting deadline: ``arrears_report_days`` calendar days from the due date of the
  second unpaid covered rent (5 March and 5 April unpaid → report by 4 June).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from guarantee.domain.aggregate import Aggregate
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.domain.formats import amount_it, date_it
from guarantee.domain.guarantee_facts import GuaranteeFacts
from guarantee.domain.leases import add_months
from guarantee.domain.money import ZERO, money
from guarantee.domain.products import Product
from guarantee.domain.receipts import Receipt, ReceiptChannel

# -- the product's date rules ----------------------------------------------------------------


def first_covered_day(lease_start: date, product: Product) -> date:
    """The first day on which a rent falling due is covered (the day after the waiting period)."""
    return lease_start + timedelta(days=product.waiting_period_days)


def is_in_waiting_period(due_on: date, lease_start: date, product: Product) -> bool:
    return due_on < first_covered_day(lease_start, product)


def first_covered_rent(guarantee: GuaranteeFacts, product: Product) -> date:
    """Due date of the first rent the guarantee covers, from the lease's rent due day."""
    first = date(guarantee.lease_start.year, guarantee.lease_start.month, guarantee.rent_due_day)
    if first < guarantee.lease_start:
        first = add_months(first, 1)
    due = first
    months = 0
    while is_in_waiting_period(due, guarantee.lease_start, product):
        months += 1
        due = add_months(first, months)
    return due


def reporting_deadline(covered_due_dates: Iterable[date], product: Product) -> date | None:
    """Last day to report: from the second unpaid covered rent; None while only one is unpaid."""
    ordered = sorted(set(covered_due_dates))
    if len(ordered) < 2:
        return None
    return ordered[1] + timedelta(days=product.arrears_report_days)


def check_reported_in_time(
    covered_due_dates: Iterable[date], reported_on: date, product: Product
) -> None:
    """Refuse a report (or a claim resting on one) made after the reporting deadline."""
    dates = sorted(set(covered_due_dates))
    deadline = reporting_deadline(dates, product)
    if deadline is not None and reported_on > deadline:
        raise DomainError(
            f"segnalazione tardiva: la morosità andava segnalata entro il {date_it(deadline)}, "
            f"{product.arrears_report_days} giorni dalla scadenza del secondo canone non "
            f"pagato ({date_it(dates[1])}); è stata segnalata il {date_it(reported_on)}",
            code="arrears_reported_late",
        )


# -- the report ------------------------------------------------------------------------------


@dataclass(eq=False)
class UnpaidRent:
    """One month the tenant did not pay: rent and charges due on ``due_on``.

    ``covered`` is set by the report: False for a rent due in the waiting period.
    """

    due_on: date
    rent: Decimal
    charges: Decimal = ZERO
    covered: bool = True
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or str(uuid.uuid4())
        self.rent = money(self.rent)
        self.charges = money(self.charges)

    @property
    def amount(self) -> Decimal:
        return self.rent + self.charges


class ArrearsReport(Aggregate):
    """The landlord's report of unpaid rents on one guarantee; it opens a mediation case.

    Refused as a whole (nothing is recorded) if a rent fell due while the guarantee was not
    in force, if no rent is covered, or if it comes after the reporting deadline. Rents in
    the waiting period are kept, marked as not covered, so the mediator sees the whole debt.
    """

    entity_type = "arrears_report"

    def __init__(
        self,
        *,
        guarantee: GuaranteeFacts,
        product: Product,
        rents: Sequence[UnpaidRent],
        reported_on: date,
        reported_at: datetime,
        reported_by: str,
        notes: str = "",
        receipt: Receipt | None = None,
        id: str | None = None,
    ) -> None:
        """``reported_on`` is the day the report reached the fund (deadlines are judged on
        it); ``reported_at`` when it was entered. ``receipt`` says how it came (online on
        ``reported_on`` when not given)."""
        how = receipt or Receipt.online(reported_on)
        if how.received_on != reported_on:
            raise ValueError("reported_on must be the receipt's day")
        guarantee.check_product(product)
        ordered = sorted(rents, key=lambda r: r.due_on)
        _check_rents(ordered, guarantee, reported_on)
        for rent in ordered:
            rent.covered = not is_in_waiting_period(rent.due_on, guarantee.lease_start, product)
        covered = [r.due_on for r in ordered if r.covered]
        if not covered:
            raise DomainError(
                "nessun canone segnalato è coperto: i canoni che scadono prima del "
                f"{date_it(first_covered_day(guarantee.lease_start, product))} cadono nel "
                f"periodo di carenza di {product.waiting_period_days} giorni dall'inizio "
                "del contratto",
                code="arrears_in_waiting_period",
            )
        check_reported_in_time(covered, reported_on, product)

        self.id = id or str(uuid.uuid4())
        self.guarantee_id = guarantee.guarantee_id
        self.guarantee_number = guarantee.number
        self.product_code = product.code
        self.product_version = str(product.version)
        self.rents: list[UnpaidRent] = ordered
        self.reported_on = reported_on
        self.reported_at = reported_at
        self.reported_by = reported_by
        self.received_via: ReceiptChannel = how.channel
        self.received_reference = how.reference
        self.notes = notes.strip()
        self.deadline = reporting_deadline(covered, product)
        self._record(
            "reported",
            {},
            {
                "guarantee_id": self.guarantee_id,
                "rents": [r.due_on.isoformat() for r in ordered],
                "covered_amount": str(self.covered_amount),
                "deadline": self.deadline.isoformat() if self.deadline else None,
                **how.as_dict(),
            },
        )
        self._emit(
            "arrears_reported",
            guarantee_id=self.guarantee_id,
            reported_on=reported_on.isoformat(),
            covered_amount=str(self.covered_amount),
        )

    @property
    def total_amount(self) -> Decimal:
        return sum((r.amount for r in self.rents), ZERO)

    @property
    def covered_amount(self) -> Decimal:
        return sum((r.amount for r in self.rents if r.covered), ZERO)

    @property
    def covered_due_dates(self) -> list[date]:
        return [r.due_on for r in self.rents if r.covered]


def _check_rents(rents: list[UnpaidRent], guarantee: GuaranteeFacts, reported_on: date) -> None:
    if not rents:
        raise InvalidField("rents", "indicare almeno un canone non pagato")
    seen: set[date] = set()
    for index, rent in enumerate(rents):
        field = f"rents[{index}]"
        if rent.due_on in seen:
            raise InvalidField(
                f"{field}.due_on", f"il canone del {date_it(rent.due_on)} è ripetuto"
            )
        seen.add(rent.due_on)
        if rent.rent < 0 or rent.charges < 0:
            raise InvalidField(field, "gli importi non possono essere negativi")
        if rent.amount <= 0:
            raise InvalidField(field, "indicare l'importo non pagato")
        if rent.rent > guarantee.monthly_rent:
            raise InvalidField(
                f"{field}.rent",
                f"il canone non pagato ({amount_it(rent.rent)} €) supera il canone mensile "
                f"del contratto ({amount_it(guarantee.monthly_rent)} €)",
            )
        if rent.due_on > reported_on:
            raise InvalidField(
                f"{field}.due_on",
                f"il canone del {date_it(rent.due_on)} non è ancora scaduto",
            )
        if rent.due_on < guarantee.lease_start:
            raise InvalidField(
                f"{field}.due_on",
                f"il {date_it(rent.due_on)} precede l'inizio del contratto",
            )
        guarantee.check_live_on(rent.due_on, f"il canone scaduto il {date_it(rent.due_on)}")
