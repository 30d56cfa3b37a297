"""A fund's figures, now or as of a past day, and the per-day deltas that make the past cheap.

Every change to a fund's books or statistics is also added to its *day totals*: one row per
fund and day holding the day's change of each account's natural balance, of the exposure and
of the number of live guarantees. The figures as of a day D are the sums of the rows up to D:
at most one row per day, however many entries a day has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from guarantee.domain.ledger import Account
from guarantee.domain.money import ZERO


def _zero_accounts() -> dict[Account, Decimal]:
    return {account: ZERO for account in Account}


@dataclass
class DayTotals:
    """What one day changed in one fund: natural-balance deltas per account and statistics."""

    day: date
    accounts: dict[Account, Decimal] = field(default_factory=_zero_accounts)
    exposure: Decimal = ZERO
    live_guarantees: int = 0
    entries: int = 0

    def add(self, other: DayTotals) -> None:
        for account, delta in other.accounts.items():
            self.accounts[account] += delta
        self.exposure += other.exposure
        self.live_guarantees += other.live_guarantees
        self.entries += other.entries


@dataclass(frozen=True)
class Figures:
    """What a fund manager watches: money, commitments and the ratios between them."""

    balance: Decimal
    reserved: Decimal
    exposure: Decimal
    contributions: Decimal
    claims_paid: Decimal
    recoveries: Decimal
    write_offs: Decimal
    live_guarantees: int

    @property
    def free_capacity(self) -> Decimal:
        return self.balance - self.reserved

    @property
    def leverage(self) -> Decimal | None:
        """Exposure per euro held (EXAMPLES §A: 332.800 / 100.000 → 3,33)."""
        return ratio(self.exposure, self.balance, "0.01")

    @property
    def loss_ratio(self) -> Decimal | None:
        """(paid − recovered) / contributions, as a fraction with four places (0.0419 = 4,19%)."""
        return ratio(self.claims_paid - self.recoveries, self.contributions, "0.0001")

    @classmethod
    def from_totals(cls, totals: DayTotals) -> Figures:
        accounts = totals.accounts
        return cls(
            balance=accounts[Account.CASH],
            reserved=accounts[Account.RESERVES],
            exposure=totals.exposure,
            contributions=accounts[Account.CONTRIBUTIONS],
            claims_paid=accounts[Account.CLAIMS_PAID],
            recoveries=accounts[Account.RECOVERIES],
            write_offs=accounts[Account.WRITE_OFFS],
            live_guarantees=totals.live_guarantees,
        )


def ratio(numerator: Decimal, denominator: Decimal, places: str) -> Decimal | None:
    """``numerator / denominator`` rounded half-up to ``places``; None when undefined."""
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(Decimal(places), rounding=ROUND_HALF_UP)
