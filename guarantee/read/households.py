"""Read side: one household as staff (or the help desk that referred it) see it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.actors import Actor
from guarantee.domain.errors import NotFound
from guarantee.read.access import rows_of
from guarantee.read.history import history_of

h, hm, g = tables.households.c, tables.household_members.c, tables.guarantees.c


def household_detail(conn: Connection, household_id: str, *, actor: Actor) -> dict[str, Any]:
    """With its members and audit trail, for the fund, the help desk that referred it, and a
    mediator with a case on one of its guarantees (it must reach the tenant). A landlord
    never sees a household's means (SPEC §8): for it, as for any other, 'not found'."""
    scope = rows_of(actor)
    statement = select(tables.households).where(h.id == household_id)
    if scope.created_by is not None:
        mine = select(g.household_id).where(g.created_by == scope.created_by)
        statement = statement.where(h.id.in_(mine))
    elif scope.mediator_id is not None:
        if not household_in_cases_of(conn, household_id, scope.mediator_id):
            raise NotFound("nucleo familiare", household_id)
    elif not scope.everything:
        raise NotFound("nucleo familiare", household_id)
    row = conn.execute(statement).mappings().one_or_none()
    if row is None:
        raise NotFound("nucleo familiare", household_id)
    detail = dict(row)
    detail["members"] = [
        dict(member)
        for member in conn.execute(
            select(hm.full_name, hm.tax_code, hm.birth_date, hm.is_main_tenant)
            .where(hm.household_id == household_id)
            .order_by(hm.is_main_tenant.desc(), hm.full_name)
        ).mappings()
    ]
    detail["history"] = history_of(conn, "household", household_id)
    return detail


def household_in_cases_of(conn: Connection, household_id: str, mediator_id: str) -> bool:
    """Whether a mediation case assigned to this mediator is on one of the household's
    guarantees."""
    g, m = tables.guarantees.c, tables.mediation_cases.c
    found = conn.scalar(
        select(m.id)
        .join_from(tables.mediation_cases, tables.guarantees, g.id == m.guarantee_id)
        .where(g.household_id == household_id, m.mediator_id == mediator_id)
        .limit(1)
    )
    return found is not None
