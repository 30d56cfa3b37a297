"""What the stress test starts from: the fund's figures, its live guarantees, and — where
the fund has enough history — parameters estimated from it instead of the stated priors."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, case, func, select

from guarantee.adapters.data_files import HistoryModel
from guarantee.adapters.db import tables
from guarantee.domain.guarantees import LIVE_STATES
from guarantee.domain.stress import Portfolio, StressParameters
from guarantee.read.funds import fund_figures

g, ar, mc, cl = (
    tables.guarantees.c,
    tables.arrears_reports.c,
    tables.mediation_cases.c,
    tables.claims.c,
)


@dataclass(frozen=True)
class StressInputs:
    name: str
    balance: Decimal
    reserved: Decimal
    portfolio: Portfolio
    params: StressParameters
    # parameter → where its value came from ("priore" or "storia del fondo: …")
    sources: dict[str, str]


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``, a started month counting as one."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(months + (1 if end.day > start.day else 0), 0)


def stress_inputs(
    conn: Connection,
    fund_id: str,
    today: date,
    priors: StressParameters,
    history: HistoryModel,
) -> StressInputs:
    figures = fund_figures(conn, fund_id)
    rows = conn.execute(
        select(g.maximum_exposure, g.paid_amount, g.reserve_amount, g.ends_on).where(
            g.fund_id == fund_id, g.status.in_([s.value for s in LIVE_STATES])
        )
    )
    portfolio = Portfolio.of(
        [(maximum - paid, reserve, _left(today, ends)) for maximum, paid, reserve, ends in rows]
    )
    params, sources = _estimated(conn, fund_id, today, priors, history)
    return StressInputs(
        figures["name"], figures["balance"], figures["reserved"], portfolio, params, sources
    )


def _left(today: date, ends_on: date | None) -> int:
    return 1 if ends_on is None else max(months_between(today, ends_on), 1)


def _estimated(
    conn: Connection,
    fund_id: str,
    today: date,
    priors: StressParameters,
    history: HistoryModel,
) -> tuple[StressParameters, dict[str, str]]:
    sources = {
        "probabilità mensile di morosità": "priore (stress.yaml)",
        "successo della mediazione": "priore (stress.yaml)",
        "tasso di recupero": "priore (stress.yaml)",
    }
    changes: dict[str, Any] = {}
    issued = conn.execute(
        select(g.issued_at, g.ended_at).where(g.fund_id == fund_id, g.issued_at.is_not(None))
    )
    exposure_months = sum(
        months_between(start.date(), (end.date() if end else today)) for start, end in issued
    )
    reports = (
        conn.scalar(
            select(func.count(func.distinct(ar.guarantee_id)))
            .select_from(tables.arrears_reports.join(tables.guarantees, g.id == ar.guarantee_id))
            .where(g.fund_id == fund_id)
        )
        or 0
    )
    if exposure_months >= history.min_guarantee_months:
        changes["arrears_monthly_probability"] = _fraction(Decimal(reports) / exposure_months)
        sources["probabilità mensile di morosità"] = (
            f"storia del fondo: {reports} morosità su {exposure_months} mesi-garanzia"
        )
    closed, agreed = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((mc.outcome == "agreement", 1), else_=0)), 0),
        )
        .select_from(tables.mediation_cases.join(tables.guarantees, g.id == mc.guarantee_id))
        .where(g.fund_id == fund_id, mc.outcome.is_not(None))
    ).one()
    if closed >= history.min_closed_mediations:
        changes["mediation_success_rate"] = _fraction(Decimal(int(agreed)) / closed)
        sources["successo della mediazione"] = (
            f"storia del fondo: {agreed} accordi su {closed} mediazioni concluse"
        )
    paid_claims, paid, recovered = conn.execute(
        select(func.count(), func.sum(cl.paid_amount), func.sum(cl.recovered_amount))
        .select_from(tables.claims.join(tables.guarantees, g.id == cl.guarantee_id))
        .where(g.fund_id == fund_id, cl.paid_amount > 0)
    ).one()
    if paid_claims >= history.min_paid_claims and paid:
        changes["recovery_rate"] = _fraction((recovered or Decimal(0)) / paid)
        sources["tasso di recupero"] = f"storia del fondo: {paid_claims} sinistri pagati"
    return dataclasses.replace(priors, **changes), sources


def _fraction(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
