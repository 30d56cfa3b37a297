"""Monthly instalments: how a total is split, when they fall due, and what became of each.

Serves both the mediation agreement (the tenant repays the landlord) and the fund's
recovery plan (the tenant repays the fund); each maps its own subclass of ``Instalment``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from guarantee.domain.errors import DomainError, InvalidField, NotFound
from guarantee.domain.formats import amount_it, date_it
from guarantee.domain.leases import add_months
from guarantee.domain.lifecycle import StateMachine
from guarantee.domain.money import from_cents, money, to_cents


def split_instalments(total: Decimal, count: int, cap: Decimal | None = None) -> list[Decimal]:
    """At most ``count`` instalments, each at most ``cap``, summing to min(total, count × cap).

    The total is spread over all ``count`` instalments: each is total / count rounded
    half-up to the cent and the last one takes the remainder (1,460.00 in 6 → 5 × 243.33 +
    243.35). If ``count`` × ``cap`` does not reach the total, every instalment is the cap and
    the caller proposes the rest for write-off. Rounding never pushes the last instalment
    above the cap or to zero: the regular amount moves by a cent instead. A total of fewer
    cents than ``count`` gets one instalment per cent; with a cap of fewer cents than
    ``count`` (a degenerate plan) the last instalments may be one cent higher.
    """
    if count < 1:
        raise ValueError(f"count must be 1 or more, got {count}")
    whole = to_cents(money(total))
    if whole < 0:
        raise ValueError(f"total must not be negative, got {total}")
    limit = whole if cap is None else to_cents(money(cap))
    if limit < 0:
        raise ValueError(f"cap must not be negative, got {cap}")
    if whole > count * limit:
        return [from_cents(limit)] * count if limit else []
    n = min(count, whole)
    if n == 0:
        return []
    if n == 1:
        return [from_cents(whole)]
    regular = (2 * whole + n) // (2 * n)  # whole / n, half-up
    # The last one, whole − (n − 1) × regular, must stay between one cent and the cap.
    lowest = max(1, -((limit - whole) // (n - 1)))
    highest = min(limit, (whole - 1) // (n - 1))
    if lowest > highest or limit < n:
        # A cap of fewer cents than instalments (a degenerate plan): an equal amount may not
        # fit, and where one does the last would take up to the cap, so the cents left over
        # go one each to the last instalments instead (never above the cap).
        base, extra = divmod(whole, n)
        return [from_cents(base)] * (n - extra) + [from_cents(base + 1)] * extra
    regular = min(max(regular, lowest), highest)
    last = whole - (n - 1) * regular
    return [from_cents(regular)] * (n - 1) + [from_cents(last)]


def monthly_due_dates(first_due_on: date, count: int) -> list[date]:
    """``count`` dates a month apart; a 31st falls on the last day of shorter months."""
    return [add_months(first_due_on, months) for months in range(count)]


class InstalmentStatus(StrEnum):
    DUE = "due"
    PAID = "paid"
    MISSED = "missed"
    CANCELLED = "cancelled"


_I = InstalmentStatus
INSTALMENT_LIFECYCLE: StateMachine[InstalmentStatus] = StateMachine(
    "rata",
    {
        # A missed instalment may still be paid late; it stays recorded as paid late.
        "record_paid": ([_I.DUE, _I.MISSED], [_I.PAID]),
        "record_missed": ([_I.DUE], [_I.MISSED]),
        # Ending a plan early (write-off) cancels what was still expected.
        "cancel": ([_I.DUE, _I.MISSED], [_I.CANCELLED]),
    },
)


@dataclass(eq=False)
class Instalment:
    """One instalment of a plan; ``number`` counts from 1."""

    number: int
    due_on: date
    amount: Decimal
    status: InstalmentStatus = InstalmentStatus.DUE
    paid_on: date | None = None
    missed_on: date | None = None
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or str(uuid.uuid4())
        self.amount = money(self.amount)
        if self.amount <= 0:
            raise InvalidField("amount", "la rata deve essere positiva")

    @property
    def label(self) -> str:
        return f"rata {self.number} del {date_it(self.due_on)}"

    def record_paid(self, paid_on: date, amount: Decimal | None = None) -> None:
        """Paid in full on ``paid_on``; ``amount``, if given, must be the instalment's."""
        target = INSTALMENT_LIFECYCLE.target(self.status, "record_paid")
        if amount is not None and money(amount) != self.amount:
            raise InvalidField(
                "amount",
                f"l'importo versato ({amount_it(money(amount))} €) non corrisponde alla "
                f"{self.label} ({amount_it(self.amount)} €)",
            )
        self.status = target
        self.paid_on = paid_on

    def record_missed(self, today: date) -> None:
        """Not paid: only once its due date has passed."""
        target = INSTALMENT_LIFECYCLE.target(self.status, "record_missed")
        if today <= self.due_on:
            raise DomainError(
                f"la {self.label} non è ancora scaduta: non può risultare non pagata",
                code="instalment_not_yet_due",
            )
        self.status = target
        self.missed_on = today

    def cancel(self) -> None:
        self.status = INSTALMENT_LIFECYCLE.target(self.status, "cancel")


T = TypeVar("T", bound=Instalment)


def find_instalment(instalments: list[T], instalment_id: str) -> T:
    for instalment in instalments:
        if instalment.id == instalment_id:
            return instalment
    raise NotFound("rata", instalment_id)
