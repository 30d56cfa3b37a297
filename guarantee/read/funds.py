"""Read side of the books: a fund's figures from its running balances, and its ledger."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.errors import NotFound
from guarantee.read.guarantees import Page, _paged

f, j, po = tables.funds.c, tables.journal_entries.c, tables.postings.c


def _ratio(numerator: Decimal, denominator: Decimal, places: str) -> Decimal | None:
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def fund_figures(conn: Connection, fund_id: str) -> dict[str, Any]:
    row = conn.execute(select(tables.funds).where(f.id == fund_id)).mappings().one_or_none()
    if row is None:
        raise NotFound("fondo", fund_id)
    balance: Decimal = row["balance"]
    reserved: Decimal = row["reserved"]
    return {
        "id": row["id"],
        "name": row["name"],
        "territory": row["territory"],
        "balance": balance,
        "reserved": reserved,
        "free_capacity": balance - reserved,
        "exposure": row["exposure"],
        "leverage": _ratio(row["exposure"], balance, "0.01"),
        "contributions": row["contributions"],
        "claims_paid": row["claims_paid"],
        "recoveries": row["recoveries"],
        "write_offs": row["write_offs"],
        "loss_ratio": _ratio(
            row["claims_paid"] - row["recoveries"], row["contributions"], "0.0001"
        ),
        "live_guarantees": row["live_guarantees"],
    }


def list_funds(conn: Connection) -> list[dict[str, Any]]:
    ids = conn.scalars(select(f.id).order_by(f.created_at, f.id))
    return [fund_figures(conn, fund_id) for fund_id in ids]


def ledger_page(
    conn: Connection,
    fund_id: str,
    *,
    date_from: date | None,
    date_to: date | None,
    account: str | None,
    page: int,
    page_size: int,
) -> Page:
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
    return _paged(conn, statement, page, page_size)
