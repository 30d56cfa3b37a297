"""The fund dashboard's figures: now, month by month, and the live portfolio's make-up.

Month by month comes from the fund's day totals (one row per day at most, never a scan of
the ledger): the sums up to the window's start, then the window's day rows folded month by
month. The portfolio's counts are two grouped queries on the indexed guarantee columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from guarantee.adapters.db import tables
from guarantee.domain.fund_figures import DayTotals, Figures
from guarantee.domain.guarantees import LIVE_STATES
from guarantee.domain.ledger import Account
from guarantee.domain.money import ZERO
from guarantee.read.funds import day_totals_until, fund_figures

g, p = tables.guarantees.c, tables.properties.c
daily = tables.fund_daily_totals.c

MAX_MONTHS = 36
TOP_MUNICIPALITIES = 12  # the rest are summed as one row: a chart of 300 bars says nothing
_LIVE = sorted(s.value for s in LIVE_STATES)


@dataclass(frozen=True)
class MonthFigures:
    """A month: the figures at its last day (or today, for the running month) and what the
    fund paid on claims and recovered during it."""

    month: date  # the first day of the month
    figures: Figures
    claims_paid: Decimal
    recovered: Decimal


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def monthly_figures(
    conn: Connection, fund_id: str, *, today: date, months: int = 12
) -> list[MonthFigures]:
    """The last ``months`` months up to today's, oldest first."""
    months = max(1, min(months, MAX_MONTHS))
    start = add_months(first_of_month(today), -(months - 1))
    running = day_totals_until(conn, fund_id, start - timedelta(days=1))
    rows = conn.execute(
        select(tables.fund_daily_totals)
        .where(daily.fund_id == fund_id, daily.day >= start, daily.day <= today)
        .order_by(daily.day)
    ).mappings()
    by_month: dict[date, list[DayTotals]] = {}
    for row in rows:
        by_month.setdefault(first_of_month(row["day"]), []).append(_day_of(row))
    result = []
    for n in range(months):
        month = add_months(start, n)
        paid = recovered = ZERO
        for day in by_month.get(month, []):
            running.add(day)
            paid += day.accounts[Account.CLAIMS_PAID]
            recovered += day.accounts[Account.RECOVERIES]
        result.append(MonthFigures(month, Figures.from_totals(running), paid, recovered))
    return result


def _day_of(row: Any) -> DayTotals:
    return DayTotals(
        day=row["day"],
        accounts={account: row[account.value] for account in Account},
        exposure=row["exposure"],
        live_guarantees=int(row["live_guarantees"]),
        entries=int(row["entries"]),
    )


def live_by_state(conn: Connection, fund_id: str) -> list[tuple[str, int]]:
    """Live guarantees per state (issued, in force, suspended), every state listed."""
    counts = {
        str(status): int(n)
        for status, n in conn.execute(
            select(g.status, func.count())
            .where(g.fund_id == fund_id, g.status.in_(_LIVE))
            .group_by(g.status)
        )
    }
    return [(state, int(counts.get(state, 0))) for state in ("issued", "active", "suspended")]


def live_by_municipality(conn: Connection, fund_id: str) -> list[tuple[str, int]]:
    """Live guarantees per municipality (ISTAT code), the largest first; past the top few,
    one row «altri comuni» (code ``""``)."""
    rows = conn.execute(
        select(p.municipality_istat_code, func.count().label("n"))
        .select_from(tables.guarantees.join(tables.properties, g.property_id == p.id))
        .where(g.fund_id == fund_id, g.status.in_(_LIVE))
        .group_by(p.municipality_istat_code)
        .order_by(func.count().desc(), p.municipality_istat_code)
    )
    counted = [(str(code), int(n)) for code, n in rows]
    top, rest = counted[:TOP_MUNICIPALITIES], counted[TOP_MUNICIPALITIES:]
    if rest:
        top.append(("", sum(n for _, n in rest)))
    return top


def dashboard(conn: Connection, fund_id: str, *, today: date, months: int = 12) -> dict[str, Any]:
    """Everything the dashboard shows of one fund, as plain values."""
    return {
        "fund": fund_figures(conn, fund_id),
        "months": monthly_figures(conn, fund_id, today=today, months=months),
        "by_state": live_by_state(conn, fund_id),
        "by_municipality": live_by_municipality(conn, fund_id),
    }


def fund_choices(conn: Connection) -> list[tuple[str, str]]:
    """Every fund (id, name), the oldest first: the dashboard's picker."""
    f = tables.funds.c
    rows = conn.execute(select(f.id, f.name).order_by(f.created_at, f.id))
    return [(str(fund_id), str(name)) for fund_id, name in rows]
