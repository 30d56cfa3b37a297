"""Read side of the books: a fund's figures (now, or as of a past day) and its ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, func, select

from guarantee.adapters.db import tables
from guarantee.domain.errors import NotFound
from guarantee.domain.fund_figures import DayTotals, Figures
from guarantee.domain.ledger import Account
from guarantee.domain.reconciliation import row_matches_days
from guarantee.read.paging import Page, keyset_page

f, j, po = tables.funds.c, tables.journal_entries.c, tables.postings.c
daily = tables.fund_daily_totals.c


def fund_figures(conn: Connection, fund_id: str, as_of: date | None = None) -> dict[str, Any]:
    """The figures now (the fund's running balances) or at the end of day ``as_of``.

    As of a day, the figures are the sums of the fund's day totals up to that day: one row
    per day at most, never a scan of the entries.
    """
    row = conn.execute(select(tables.funds).where(f.id == fund_id)).mappings().one_or_none()
    if row is None:
        raise NotFound("fondo", fund_id)
    figures = figures_of_row(row) if as_of is None else _as_of(conn, fund_id, as_of)
    return {
        "id": row["id"],
        "name": row["name"],
        "territory": row["territory"],
        "scheme": row["scheme"],
        "as_of": as_of,
        "balance": figures.balance,
        "reserved": figures.reserved,
        "free_capacity": figures.free_capacity,
        "exposure": figures.exposure,
        "leverage": figures.leverage,
        "contributions": figures.contributions,
        "claims_paid": figures.claims_paid,
        "recoveries": figures.recoveries,
        "write_offs": figures.write_offs,
        "loss_ratio": figures.loss_ratio,
        "live_guarantees": figures.live_guarantees,
    }


def books_agree(conn: Connection, fund_id: str) -> bool:
    """The fund row's running balances equal the sums of its day totals (one row per day)."""
    row = conn.execute(select(tables.funds).where(f.id == fund_id)).mappings().one()
    return row_matches_days(figures_of_row(row), day_totals_until(conn, fund_id, date.max))


def figures_of_row(row: Any) -> Figures:
    """The figures kept on the fund row (its running balances)."""
    return Figures(
        balance=row["balance"],
        reserved=row["reserved"],
        exposure=row["exposure"],
        contributions=row["contributions"],
        claims_paid=row["claims_paid"],
        recoveries=row["recoveries"],
        write_offs=row["write_offs"],
        live_guarantees=row["live_guarantees"],
    )


def day_totals_until(conn: Connection, fund_id: str, as_of: date) -> DayTotals:
    """The sums of a fund's day totals up to and including ``as_of``."""
    columns = [c for c in tables.fund_daily_totals.columns if c.name not in {"fund_id", "day"}]
    statement = select(
        *(func.coalesce(func.sum(c), 0, type_=c.type).label(c.name) for c in columns)
    ).where(daily.fund_id == fund_id, daily.day <= as_of)
    sums = conn.execute(statement).mappings().one()
    return DayTotals(
        day=as_of,
        accounts={account: sums[account.value] for account in Account},
        exposure=sums["exposure"],
        live_guarantees=int(sums["live_guarantees"]),
        entries=int(sums["entries"]),
    )


def _as_of(conn: Connection, fund_id: str, as_of: date) -> Figures:
    return Figures.from_totals(day_totals_until(conn, fund_id, as_of))


def list_funds(conn: Connection, as_of: date | None = None) -> list[dict[str, Any]]:
    ids = conn.scalars(select(f.id).order_by(f.created_at, f.id))
    return [fund_figures(conn, fund_id, as_of) for fund_id in ids]


def ledger_page(
    conn: Connection,
    fund_id: str,
    *,
    date_from: date | None,
    date_to: date | None,
    account: str | None,
    page: int,
    page_size: int,
    after: str | None = None,
) -> Page:
    statement = _ledger_select(fund_id, date_from, date_to, account)
    keys = (j.occurred_on, j.recorded_at, j.id, po.id)
    return keyset_page(conn, statement, keys, page=page, page_size=page_size, after=after)


def ledger_lines(
    conn: Connection,
    fund_id: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    account: str | None = None,
    batch: int = 2000,
) -> Iterator[dict[str, Any]]:
    """Every posting in the period, in ledger order, streamed (an export of a million lines
    never sits in memory)."""
    statement = _ledger_select(fund_id, date_from, date_to, account)
    streaming = conn.execution_options(stream_results=True, yield_per=batch)
    for row in streaming.execute(statement).mappings():
        yield dict(row)


def _ledger_select(
    fund_id: str, date_from: date | None, date_to: date | None, account: str | None
) -> Select[Any]:
    statement = (
        select(
            j.id.label("entry_id"),
            j.occurred_on,
            j.kind,
            j.description,
            j.reference,
            j.recorded_at,
            j.recorded_by,
            po.account,
            po.side,
            po.amount,
        )
        .select_from(tables.journal_entries.join(tables.postings, po.entry_id == j.id))
        .where(j.fund_id == fund_id)
        .order_by(j.occurred_on, j.recorded_at, j.id, po.id)
    )
    if date_from:
        statement = statement.where(j.occurred_on >= date_from)
    if date_to:
        statement = statement.where(j.occurred_on <= date_to)
    if account:
        statement = statement.where(po.account == account)
    return statement
