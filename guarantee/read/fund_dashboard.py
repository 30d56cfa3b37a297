"""The fund dashboard's figures: now, month by month, and the live portfolio's make-up.

Month by month comes from the fund's day totals (one row per day at most, never a scan of
the ledger): the sums up to the window's start, then the window's days summed per month in
SQL. The portfolio's counts are one grouped pass over the live guarantees, kept until the
audit trail moves (see ``portfolio``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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


def _month_key(conn: Connection) -> Any:
    """The day's month as a value to group by: ``date_trunc`` on PostgreSQL, ``YYYY-MM`` text
    on SQLite."""
    if conn.dialect.name == "postgresql":
        return func.date_trunc("month", daily.day)
    return func.strftime("%Y-%m", daily.day)


def _month_of(key: Any) -> date:
    if isinstance(key, str):
        year, month = key.split("-")[:2]
        return date(int(year), int(month), 1)
    return date(key.year, key.month, 1)


def monthly_figures(
    conn: Connection, fund_id: str, *, today: date, months: int = 12
) -> list[MonthFigures]:
    """The last ``months`` months up to today's, oldest first: the sums of the day totals
    before the window, then one grouped row per month of the window (never per entry)."""
    months = max(1, min(months, MAX_MONTHS))
    start = add_months(first_of_month(today), -(months - 1))
    running = day_totals_until(conn, fund_id, start - timedelta(days=1))
    key = _month_key(conn).label("month")
    summed = [c for c in tables.fund_daily_totals.columns if c.name not in {"fund_id", "day"}]
    rows = conn.execute(
        select(key, *(func.sum(c).label(c.name) for c in summed))
        .where(daily.fund_id == fund_id, daily.day >= start, daily.day <= today)
        .group_by(key)
    ).mappings()
    by_month = {_month_of(row["month"]): row for row in rows}
    result = []
    for n in range(months):
        month = add_months(start, n)
        row = by_month.get(month)
        paid = recovered = ZERO
        if row is not None:
            day = _day_of(row, month)
            running.add(day)
            paid, recovered = day.accounts[Account.CLAIMS_PAID], day.accounts[Account.RECOVERIES]
        result.append(MonthFigures(month, Figures.from_totals(running), paid, recovered))
    return result


def _day_of(row: Any, month: date) -> DayTotals:
    """A month's summed row as one DayTotals (a sum keeps its column's type: euros)."""
    return DayTotals(
        day=month,
        accounts={account: row[account.value] or ZERO for account in Account},
        exposure=row["exposure"] or ZERO,
        live_guarantees=int(row["live_guarantees"] or 0),
        entries=int(row["entries"] or 0),
    )


def _live_counts(conn: Connection, fund_id: str) -> list[tuple[str, str, int]]:
    """(state, municipality, count) of the fund's live guarantees: one grouped pass."""
    rows = conn.execute(
        select(g.status, p.municipality_istat_code, func.count())
        .select_from(tables.guarantees.join(tables.properties, g.property_id == p.id))
        .where(g.fund_id == fund_id, g.status.in_(_LIVE))
        .group_by(g.status, p.municipality_istat_code)
    )
    return [(str(status), str(code), int(n)) for status, code, n in rows]


def live_by_state(counts: list[tuple[str, str, int]]) -> list[tuple[str, int]]:
    """Live guarantees per state (issued, in force, suspended), every state listed."""
    totals: dict[str, int] = {}
    for state, _, n in counts:
        totals[state] = totals.get(state, 0) + n
    return [(state, totals.get(state, 0)) for state in ("issued", "active", "suspended")]


def live_by_municipality(counts: list[tuple[str, str, int]]) -> list[tuple[str, int]]:
    """Live guarantees per municipality (ISTAT code), the largest first; past the top few,
    one row «altri comuni» (code ``""``)."""
    totals: dict[str, int] = {}
    for _, code, n in counts:
        totals[code] = totals.get(code, 0) + n
    counted = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    top, rest = counted[:TOP_MUNICIPALITIES], counted[TOP_MUNICIPALITIES:]
    if rest:
        top.append(("", sum(n for _, n in rest)))
    return top


@dataclass(frozen=True)
class Portfolio:
    by_state: list[tuple[str, int]]
    by_municipality: list[tuple[str, int]]


# The live portfolio's make-up is counted over every live guarantee: kept per fund and per
# head of the audit trail (every change of a guarantee's state writes an audit event in its
# transaction), so it is counted again only after something changed; the time limit bounds
# what a commit landing out of sequence order could leave stale.
_PORTFOLIO_TTL = timedelta(seconds=60)
_PORTFOLIO_SIZE = 16
_portfolios: dict[tuple[str, str, int], tuple[datetime, Portfolio]] = {}
_portfolios_lock = threading.Lock()


def count_portfolio(conn: Connection, fund_id: str) -> Portfolio:
    """Live guarantees by state and by municipality, counted now."""
    counts = _live_counts(conn, fund_id)
    return Portfolio(live_by_state(counts), live_by_municipality(counts))


def portfolio(conn: Connection, fund_id: str) -> Portfolio:
    """Live guarantees by state and by municipality, counted at most once per change."""
    a = tables.audit_events.c
    head = conn.scalar(select(a.seq).order_by(a.seq.desc()).limit(1)) or 0
    key = (conn.engine.url.render_as_string(hide_password=True), fund_id, int(head))
    now = datetime.now(UTC)
    with _portfolios_lock:
        kept = _portfolios.get(key)
    if kept is not None and now - kept[0] < _PORTFOLIO_TTL:
        return kept[1]
    counted = count_portfolio(conn, fund_id)
    with _portfolios_lock:
        if len(_portfolios) >= _PORTFOLIO_SIZE:
            _portfolios.pop(min(_portfolios, key=lambda k: _portfolios[k][0]))
        _portfolios[key] = (now, counted)
    return counted


def dashboard(conn: Connection, fund_id: str, *, today: date, months: int = 12) -> dict[str, Any]:
    """Everything the dashboard shows of one fund, as plain values."""
    live = portfolio(conn, fund_id)
    return {
        "fund": fund_figures(conn, fund_id),
        "months": monthly_figures(conn, fund_id, today=today, months=months),
        "by_state": live.by_state,
        "by_municipality": live.by_municipality,
    }


def fund_choices(conn: Connection) -> list[tuple[str, str]]:
    """Every fund (id, name), the oldest first: the dashboard's picker."""
    f = tables.funds.c
    rows = conn.execute(select(f.id, f.name).order_by(f.created_at, f.id))
    return [(str(fund_id), str(name)) for fund_id, name in rows]
