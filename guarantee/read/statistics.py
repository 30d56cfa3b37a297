"""The governance statistics read model: households' events of a period as anonymised records.

Only the columns below are read, each either not personal or turned into a band here
(``GENERALISED``); ``guarantee.domain.personal_data`` is the judge, and a check at import
refuses a personal column read raw. Nothing personal reaches the records, so nothing
personal can reach a published file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from guarantee.adapters.db import tables
from guarantee.domain.calendar import WorkingCalendar
from guarantee.domain.personal_data import is_personal_column
from guarantee.domain.statistics import (
    Family,
    Record,
    household_band,
    isee_band,
    quarter,
)

g, p, h = tables.guarantees.c, tables.properties.c, tables.households.c
m, cl, it, mc = (
    tables.household_members.c,
    tables.claims.c,
    tables.claim_items.c,
    tables.mediation_cases.c,
)

# Personal columns read only to be banded, never published as they are.
GENERALISED = {("households", "isee"): "fascia ISEE", ("guarantees", "eligibility"): "regola"}

APPLICATION_OUTCOMES = ("accolta", "respinta", "in istruttoria", "annullata prima dell'emissione")
GUARANTEE_STATES = (
    "emesse nel periodo",
    "in essere a fine periodo",
    "concluse: scadenza",
    "concluse: risoluzione",
    "concluse: annullamento",
    "concluse: massimale esaurito",
)
CLAIM_KINDS = {
    "arrears": "canoni non pagati",
    "charges": "oneri accessori",
    "damages": "danni",
    "legal_costs": "spese legali",
}
MEDIATION_OUTCOMES = {
    "agreement": "accordo",
    "no_agreement": "nessun accordo",
    "withdrawn": "ritirata",
    None: "in corso",
}
_ENDED = {
    "expired": "concluse: scadenza",
    "terminated": "concluse: risoluzione",
    "cancelled": "concluse: annullamento",
    "exhausted": "concluse: massimale esaurito",
}

FAMILIES = {
    "domande": Family("domande", "Domande per esito", "domande", APPLICATION_OUTCOMES),
    "garanzie": Family(
        "garanzie",
        "Garanzie emesse, in essere e concluse per motivo",
        "garanzie",
        GUARANTEE_STATES,
        additive=False,
    ),
    "sinistri": Family(
        "sinistri",
        "Richieste di escussione per tipo prevalente",
        "richieste",
        tuple(CLAIM_KINDS.values()),
        amounts=("importo_richiesto", "importo_approvato", "importo_pagato", "importo_recuperato"),
    ),
    "mediazioni": Family(
        "mediazioni",
        "Pratiche di mediazione per esito",
        "pratiche",
        tuple(MEDIATION_OUTCOMES.values()),
        durations=("giorni_al_primo_contatto", "giorni_all_esito"),
    ),
}

_READ = {
    "guarantees": [
        "id",
        "status",
        "created_at",
        "issued_at",
        "ended_at",
        "lease_type",
        "eligibility",
    ],
    "properties": ["municipality_istat_code"],
    "households": ["isee", "referral_source"],
    "claims": ["filed_on", "paid_amount", "recovered_amount"],
    "claim_items": ["kind", "claimed", "approved"],
    "mediation_cases": ["opened_on", "first_contact_on", "outcome", "outcome_on"],
}
for _table, _columns in _READ.items():
    for _column in _columns:
        if is_personal_column(_table, _column) and (_table, _column) not in GENERALISED:
            raise RuntimeError(f"statistiche: {_table}.{_column} è un dato personale")


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _household_sizes() -> Any:
    return (
        select(m.household_id, func.count().label("size"))
        .group_by(m.household_id)
        .subquery("sizes")
    )


def _guarantee_rows(
    conn: Connection, condition: Any, *extra: Any, via: tuple[Any, Any] | None = None
) -> Any:
    sizes = _household_sizes()
    joined = (
        tables.guarantees.join(tables.properties, p.id == g.property_id)
        .join(tables.households, h.id == g.household_id)
        .outerjoin(sizes, sizes.c.household_id == g.household_id)
    )
    if via is not None:
        joined = joined.join(*via)
    statement = (
        select(
            g.id,
            g.status,
            g.created_at,
            g.issued_at,
            g.ended_at,
            g.lease_type,
            g.eligibility,
            p.municipality_istat_code,
            h.isee,
            h.referral_source,
            sizes.c.size,
            *extra,
        )
        .select_from(joined)
        .where(condition)
    )
    return conn.execute(statement)


def _dims(row: Any, day: date) -> dict[str, str]:
    return {
        "trimestre": quarter(day),
        "comune": row.municipality_istat_code,
        "tipo_contratto": str(row.lease_type),
        "nucleo": household_band(row.size),
        "isee": isee_band(row.isee),
        "invio": str(row.referral_source),
    }


def application_facts(
    conn: Connection, start: date, end: date
) -> Iterator[tuple[dict[str, str], str, str]]:
    """Each application of the period: its breakdown values, its outcome, its deciding rule."""
    condition = (g.created_at >= _start(start)) & (g.created_at < _start(end + timedelta(1)))
    for row in _guarantee_rows(conn, condition):
        dims = _dims(row, row.created_at.date())
        yield dims, _application_outcome(row), deciding_rule(row.eligibility)


def deciding_rule(eligibility: dict[str, Any] | None) -> str:
    if not eligibility:
        return "non valutata"
    verdicts = eligibility.get("verdicts") or []
    for wanted in ("fail", "review"):
        for verdict in verdicts:
            if verdict.get("result") == wanted:
                return str(verdict.get("code"))
    return "tutte le regole soddisfatte"


def _application_outcome(row: Any) -> str:
    status = str(row.status)
    if row.issued_at is not None or status == "approved":
        return "accolta"
    if status == "ineligible":
        return "respinta"
    if status == "cancelled":
        return "annullata prima dell'emissione"
    return "in istruttoria"


def guarantee_records(conn: Connection, start: date, end: date) -> Iterator[Record]:
    after_end = _start(end + timedelta(1))
    condition = (
        g.issued_at.is_not(None)
        & (g.issued_at < after_end)
        & (g.ended_at.is_(None) | (g.ended_at >= _start(start)))
    )
    for row in _guarantee_rows(conn, condition):
        issued = row.issued_at
        if issued >= _start(start):
            yield Record(_dims(row, issued.date()), GUARANTEE_STATES[0])
        ended = row.ended_at
        if ended is None or ended >= after_end:
            yield Record(_dims(row, end), GUARANTEE_STATES[1])
        elif str(row.status) in _ENDED:
            yield Record(_dims(row, ended.date()), _ENDED[str(row.status)])


def claim_records(conn: Connection, start: date, end: date) -> Iterator[Record]:
    items: dict[str, list[tuple[str, Decimal, Decimal | None]]] = {}
    item_rows = conn.execute(
        select(it.claim_id, it.kind, it.claimed, it.approved)
        .select_from(tables.claim_items.join(tables.claims, cl.id == it.claim_id))
        .where(cl.filed_on >= start, cl.filed_on <= end)
    )
    for claim_id, kind, claimed, approved in item_rows:
        items.setdefault(str(claim_id), []).append((str(kind), claimed, approved))
    claims = _guarantee_rows(
        conn,
        (cl.filed_on >= start) & (cl.filed_on <= end),
        cl.id.label("claim_id"),
        cl.filed_on,
        cl.paid_amount,
        cl.recovered_amount,
        via=(tables.claims, cl.guarantee_id == g.id),
    )
    for row in claims:
        its = items.get(str(row.claim_id), [])
        main = max(its, key=lambda i: i[1])[0] if its else "arrears"
        yield Record(
            _dims(row, row.filed_on),
            CLAIM_KINDS.get(main, main),
            amounts={
                "importo_richiesto": sum((i[1] for i in its), Decimal("0.00")),
                "importo_approvato": sum((i[2] or Decimal("0.00") for i in its), Decimal("0.00")),
                "importo_pagato": row.paid_amount,
                "importo_recuperato": row.recovered_amount,
            },
        )


def mediation_records(
    conn: Connection, start: date, end: date, calendar: WorkingCalendar
) -> Iterator[Record]:
    cases = _guarantee_rows(
        conn,
        (mc.opened_on >= start) & (mc.opened_on <= end),
        mc.opened_on,
        mc.first_contact_on,
        mc.outcome,
        mc.outcome_on,
        via=(tables.mediation_cases, mc.guarantee_id == g.id),
    )
    for row in cases:
        outcome = None if row.outcome is None else str(row.outcome)
        yield Record(
            _dims(row, row.opened_on),
            MEDIATION_OUTCOMES.get(outcome, "in corso"),
            durations={
                "giorni_al_primo_contatto": None
                if row.first_contact_on is None
                else calendar.working_days_between(row.opened_on, row.first_contact_on),
                "giorni_all_esito": None
                if row.outcome_on is None
                else calendar.working_days_between(row.opened_on, row.outcome_on),
            },
        )
