"""Open applications as impact cases: the facts and the evaluation stored when they were decided."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.eligibility import ELIGIBILITY_FACTS, Evaluation, ImpactCase
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
        evaluation = Evaluation.from_dict(stored)
        facts = {
            name: value
            for verdict in evaluation.verdicts
            for name, value in verdict.facts_seen.items()
            if name in ELIGIBILITY_FACTS
        }
        yield ImpactCase(key=number, facts=facts, stored=evaluation)
