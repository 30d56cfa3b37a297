"""The books reconcile themselves: the fund row and the day totals against the postings.

The postings are the truth (append-only, each entry sealed only when balanced). The fund
row's running balances and the per-day totals are copies kept for speed; each copy is
recomputed from the postings and every difference is named. Pure: the adapter gathers the
sums, this module compares them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from guarantee.domain.evidence_chain import Finding
from guarantee.domain.fund_figures import DayTotals, Figures
from guarantee.domain.ledger import Account
from guarantee.domain.money import ZERO

# The fund row's running balances and the account each one mirrors.
ROW_ACCOUNTS = {
    "balance": Account.CASH,
    "reserved": Account.RESERVES,
    "contributions": Account.CONTRIBUTIONS,
    "claims_paid": Account.CLAIMS_PAID,
    "recoveries": Account.RECOVERIES,
    "write_offs": Account.WRITE_OFFS,
}
LABELS = {
    "balance": "saldo",
    "reserved": "accantonato",
    "contributions": "contributi",
    "claims_paid": "sinistri pagati",
    "recoveries": "recuperi",
    "write_offs": "stralci",
    "exposure": "esposizione",
    "live_guarantees": "garanzie in essere",
}


@dataclass(frozen=True)
class UnbalancedEntry:
    entry_id: str
    debits: Decimal
    credits: Decimal
    posted: bool


@dataclass(frozen=True)
class FundBooks:
    """What the database holds for one fund, gathered for comparison."""

    fund_id: str
    name: str
    row: Figures
    from_postings: Mapping[Account, Decimal]
    days_from_postings: Mapping[date, Mapping[Account, Decimal]]
    days_stored: Mapping[date, DayTotals]
    unbalanced: list[UnbalancedEntry]
    # What the live guarantees say: sum of reserves, of what is still at risk, and count.
    live_reserved: Decimal
    live_at_risk: Decimal
    live_count: int


def reconcile(books: FundBooks) -> list[Finding]:
    subject = f"fondo {books.name} ({books.fund_id})"
    findings = [_unbalanced(entry) for entry in books.unbalanced]
    for field, account in ROW_ACCOUNTS.items():
        kept = getattr(books.row, field)
        truth = books.from_postings.get(account, ZERO)
        if kept != truth:
            findings.append(
                Finding(
                    "fund_row_differs",
                    subject,
                    f"{LABELS[field]} registrato {kept} ma le scritture danno {truth}",
                )
            )
    statistics: tuple[tuple[str, Decimal | int], ...] = (
        ("exposure", books.live_at_risk),
        ("live_guarantees", books.live_count),
    )
    for field, stat in statistics:
        kept = getattr(books.row, field)
        if kept != stat:
            findings.append(
                Finding(
                    "fund_row_differs",
                    subject,
                    f"{LABELS[field]} registrato {kept} ma le garanzie in essere danno {stat}",
                )
            )
    if books.from_postings.get(Account.RESERVES, ZERO) != books.live_reserved:
        findings.append(
            Finding(
                "reserves_differ",
                subject,
                f"accantonato nelle scritture {books.from_postings.get(Account.RESERVES, ZERO)}"
                f" ma le garanzie in essere ne richiedono {books.live_reserved}",
            )
        )
    for day in sorted(set(books.days_from_postings) | set(books.days_stored)):
        truth_day = books.days_from_postings.get(day, {})
        stored = books.days_stored.get(day)
        for account in Account:
            kept = stored.accounts.get(account, ZERO) if stored else ZERO
            truth = truth_day.get(account, ZERO)
            if kept != truth:
                findings.append(
                    Finding(
                        "day_totals_differ",
                        f"{subject}, giorno {day.isoformat()}",
                        f"totale giornaliero del conto {account.value} {kept} "
                        f"ma le scritture danno {truth}",
                    )
                )
    return findings


def row_matches_days(row: Figures, days: DayTotals) -> bool:
    """The cheap check before trusting a fund row: its balances equal its day totals' sums."""
    return Figures.from_totals(days) == row


def _unbalanced(entry: UnbalancedEntry) -> Finding:
    if entry.debits != entry.credits:
        message = f"non bilanciata: dare {entry.debits}, avere {entry.credits}"
    else:
        message = "non sigillata (mai verificata dal database)"
    return Finding("entry_unbalanced", f"scrittura {entry.entry_id}", message)
