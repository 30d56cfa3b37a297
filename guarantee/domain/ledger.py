"""The fund's books: double entry, append-only, in Decimal euros.

Accounts (natural side in brackets):
- cash [debit]: the money the fund holds; its balance is the fund's *balance*.
- contributions [credit]: what donors gave.
- claims_paid [debit]: what the fund paid landlords on claims (the loss, when paid).
- recoveries [credit]: what came back from tenants (rivalsa). Money back does not restore a
  guarantee's cover or reserve.
- reserves [credit] / capital [debit]: an earmark pair. Reserving for a guarantee moves capacity
  from free capital to reserves (Dr capital, Cr reserves); releasing moves it back. So
  *reserved* is the balance of reserves, and free capacity = balance − reserved.
- recoveries_receivable [debit] / recoverable_claims [credit], write_offs [debit]: memo accounts
  (conti d'ordine) that follow what tenants owe the fund without touching cash or capacity.
  Paying a claim gives the fund its right of recourse, so the same entry opens it
  (Dr recoveries_receivable, Cr recoverable_claims); an instalment closes its part
  (Dr recoverable_claims, Cr recoveries_receivable, next to Dr cash, Cr recoveries); a write-off
  closes what will not come back (Dr write_offs, Cr recoveries_receivable).

One entry per business event:

- contribution: Dr cash / Cr contributions
- reserve (issue): Dr capital / Cr reserves
- release (end of a live guarantee): Dr reserves / Cr capital
- claim payment P lowering the reserve by R: Dr claims_paid / Cr cash (P);
  Dr reserves / Cr capital (R, when R > 0); Dr recoveries_receivable / Cr recoverable_claims (P)
- recovery A: Dr cash / Cr recoveries (A); Dr recoverable_claims / Cr recoveries_receivable (A)
- write-off W: Dr write_offs / Cr recoveries_receivable (W)

Identities every set of entries keeps (tests check them):
cash = contributions − claims_paid + recoveries; capital = reserves;
recoverable_claims = claims_paid − recoveries (paid out and not come back), of which
recoveries_receivable is still owed and write_offs was given up.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from guarantee.domain.errors import DomainError


class Account(StrEnum):
    CASH = "cash"
    CONTRIBUTIONS = "contributions"
    CAPITAL = "capital"
    RESERVES = "reserves"
    CLAIMS_PAID = "claims_paid"
    RECOVERIES = "recoveries"
    WRITE_OFFS = "write_offs"
    RECOVERIES_RECEIVABLE = "recoveries_receivable"
    RECOVERABLE_CLAIMS = "recoverable_claims"


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class EntryKind(StrEnum):
    CONTRIBUTION = "contribution"
    RESERVE = "reserve"
    RELEASE = "release"
    CLAIM_PAYMENT = "claim_payment"
    RECOVERY = "recovery"
    WRITE_OFF = "write_off"


DEBIT_NORMAL = frozenset(
    {
        Account.CASH,
        Account.CAPITAL,
        Account.CLAIMS_PAID,
        Account.WRITE_OFFS,
        Account.RECOVERIES_RECEIVABLE,
    }
)


class UnbalancedEntry(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="unbalanced_entry")


@dataclass(frozen=True)
class Posting:
    account: Account
    side: Side
    amount: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or self.amount != self.amount.quantize(
            Decimal("0.01")
        ):
            raise UnbalancedEntry(f"importo non valido: {self.amount!r}")
        if self.amount <= 0:
            raise UnbalancedEntry("ogni movimento ha un importo positivo")

    @property
    def signed(self) -> Decimal:
        """The posting's effect on its account's natural balance."""
        natural = Side.DEBIT if self.account in DEBIT_NORMAL else Side.CREDIT
        return self.amount if self.side is natural else -self.amount


@dataclass(frozen=True)
class JournalEntry:
    """One business event. Immutable; a mistake is corrected by a new entry, never an edit."""

    fund_id: str
    kind: EntryKind
    occurred_on: date
    description: str
    postings: tuple[Posting, ...]
    recorded_at: datetime
    recorded_by: str
    reference: str | None = None
    guarantee_id: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise UnbalancedEntry("una scrittura ha almeno due movimenti")
        debits = sum((p.amount for p in self.postings if p.side is Side.DEBIT), Decimal(0))
        credits = sum((p.amount for p in self.postings if p.side is Side.CREDIT), Decimal(0))
        if debits != credits:
            raise UnbalancedEntry(f"scrittura non bilanciata: dare {debits} ≠ avere {credits}")

    @property
    def amount(self) -> Decimal:
        return sum((p.amount for p in self.postings if p.side is Side.DEBIT), Decimal(0))

    def effect_on(self, account: Account) -> Decimal:
        """The entry's effect on ``account``'s natural balance (zero if it is not touched)."""
        return sum((p.signed for p in self.postings if p.account is account), Decimal("0.00"))


def transfer(debit: Account, credit: Account, amount: Decimal) -> tuple[Posting, ...]:
    return (Posting(debit, Side.DEBIT, amount), Posting(credit, Side.CREDIT, amount))


def balances(entries: Sequence[JournalEntry]) -> dict[Account, Decimal]:
    """Natural balance of every account from its entries: the truth running totals must match."""
    totals = {account: Decimal("0.00") for account in Account}
    for entry in entries:
        for posting in entry.postings:
            totals[posting.account] += posting.signed
    return totals
