"""Open applications as impact cases: the facts and the evaluation stored when they were decided."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.eligibility import ImpactCase
from guarantee.domain.guarantees import GuaranteeStatus as S

# Applications whose outcome a rule change could still alter.
OPEN_STATES = (S.SUBMITTED, S.ELIGIBLE, S.NEEDS_REVIEW, S.INELIGIBLE, S.APPROVED)


def open_applications(conn: Connection) -> Iterator[ImpactCase]:
    g = tables.guarantees.c
    rows = conn.execute(
        select(g.application_number, g.eligibility)
        .where(g.status.in_([s.value for s in OPEN_STATES]), g.eligibility.is_not(None))
        .order_by(g.application_number)
        .execution_options(yield_per=5_000)
    )
    for number, stored in rows:
        # The stored dict as it is (the impact reads its per-rule results directly), and the
        # facts rebuilt from what the rules saw, amounts back to Decimal.
        yield ImpactCase(key=number, facts=_facts_of(stored), stored=stored)


def _facts_of(stored: dict[str, Any]) -> dict[str, object]:
    kinds: dict[str, str] = stored.get("fact_types", {})
    facts: dict[str, object] = {}
    # Derived facts come back too; evaluating recomputes them from the supplied ones.
    for verdict in stored.get("verdicts", []):
        for name, value in verdict.get("facts_seen", {}).items():
            if name in facts:
                continue
            kind = kinds.get(name)
            if kind == "decimal":
                facts[name] = Decimal(value)
            elif kind == "date":
                facts[name] = date.fromisoformat(value)
            else:
                facts[name] = value
    return facts
