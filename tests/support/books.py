"""The fund's books as the database holds them, checked against every promise they make."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, case, func, select

from guarantee.adapters.db import tables
from guarantee.adapters.db.types import Cents
from guarantee.domain.fund_figures import Figures
from guarantee.domain.guarantees import LIVE_STATES
from guarantee.domain.ledger import DEBIT_NORMAL, Account
from guarantee.domain.money import ZERO
from guarantee.read.funds import day_totals_until, figures_of_row

_LAST_DAY = date(9999, 12, 31)
j, p, f, g = (
    tables.journal_entries.c,
    tables.postings.c,
    tables.funds.c,
    tables.guarantees.c,
)


def account_sums(conn: Connection, fund_id: str) -> dict[Account, Decimal]:
    """Each account's natural balance, summed from the postings themselves."""
    rows = conn.execute(
        select(p.account, p.side, func.sum(p.amount, type_=p.amount.type))
        .where(p.fund_id == fund_id)
        .group_by(p.account, p.side)
    )
    sums = {account: ZERO for account in Account}
    for account, side, amount in rows:
        natural = "debit" if account in DEBIT_NORMAL else "credit"
        sums[account] += amount if side.value == natural else -amount
    return sums


def unbalanced_entries(conn: Connection, fund_id: str) -> list[Any]:
    debit = func.sum(case((p.side == "debit", p.amount), else_=0))
    credit = func.sum(case((p.side == "credit", p.amount), else_=0))
    statement = (
        select(j.id, debit, credit, j.posted)
        .select_from(tables.journal_entries.outerjoin(tables.postings, p.entry_id == j.id))
        .where(j.fund_id == fund_id)
        .group_by(j.id, j.posted)
        .having((func.coalesce(debit, -1) != func.coalesce(credit, -2)) | ~j.posted)
    )
    return list(conn.execute(statement))


def live_guarantees(conn: Connection, fund_id: str) -> tuple[Decimal, Decimal, int]:
    """(sum of reserves, sum of what is still at risk, count) over the fund's live guarantees."""
    live = [s.value for s in LIVE_STATES]
    reserved, at_risk, count = conn.execute(
        select(
            func.coalesce(func.sum(g.reserve_amount), 0, type_=Cents()),
            func.coalesce(func.sum(g.maximum_exposure - g.paid_amount), 0, type_=Cents()),
            func.count(),
        ).where(g.fund_id == fund_id, g.status.in_(live))
    ).one()
    return reserved, at_risk, int(count)


def fund_row(conn: Connection, fund_id: str) -> Figures:
    row = conn.execute(select(tables.funds).where(f.id == fund_id)).mappings().one()
    return figures_of_row(row)


def check_books(conn: Connection, fund_id: str) -> Figures:
    """Assert every promise of the books; return the fund's figures for further checks.

    Entries balanced and sealed; running balances equal the sums of the postings; reserved,
    exposure and live count equal those of the live guarantees; the day totals add up to the
    same; the fund holds what it reserves; the memo pair mirrors paid − recovered.
    """
    assert unbalanced_entries(conn, fund_id) == []
    sums = account_sums(conn, fund_id)
    figures = fund_row(conn, fund_id)
    running_balances_match_postings(figures, sums)
    reserved, at_risk, count = live_guarantees(conn, fund_id)
    assert (figures.reserved, figures.exposure, figures.live_guarantees) == (
        reserved,
        at_risk,
        count,
    )
    assert figures.free_capacity >= 0
    entries = conn.scalar(select(func.count()).where(j.fund_id == fund_id))
    totals = day_totals_until(conn, fund_id, _LAST_DAY)
    assert totals.accounts == sums
    assert totals.entries == entries
    assert Figures.from_totals(totals) == figures
    return figures


def running_balances_match_postings(figures: Any, sums: dict[Account, Decimal]) -> None:
    """A fund's running balances (the fund row, or the fake's Fund) against the sums of its
    postings by account; the memo pair mirrors paid − recovered."""
    assert figures.balance == sums[Account.CASH]
    assert figures.reserved == sums[Account.RESERVES] == sums[Account.CAPITAL]
    assert figures.contributions == sums[Account.CONTRIBUTIONS]
    assert figures.claims_paid == sums[Account.CLAIMS_PAID]
    assert figures.recoveries == sums[Account.RECOVERIES]
    assert figures.write_offs == sums[Account.WRITE_OFFS]
    assert (
        sums[Account.RECOVERABLE_CLAIMS]
        == figures.claims_paid - figures.recoveries
        == sums[Account.RECOVERIES_RECEIVABLE] + figures.write_offs
    )
