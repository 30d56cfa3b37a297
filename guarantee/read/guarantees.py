"""Read side: guarantees, applications, landlords and properties as plain rows, no aggregates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, select

from guarantee.adapters.db import raw, tables
from guarantee.domain.actors import Actor
from guarantee.domain.errors import NotFound
from guarantee.domain.guarantees import APPLICATION_STATES, LIFECYCLE, GuaranteeStatus
from guarantee.read.access import RowScope, rows_of
from guarantee.read.history import history_of

g, h, p, lo = (
    tables.guarantees.c,
    tables.households.c,
    tables.properties.c,
    tables.landlords.c,
)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    def shaped(self, view: Callable[[dict[str, Any]], dict[str, Any]]) -> Page:
        """The same page, each row as its reader may see it (see ``read.access``)."""
        return Page([view(row) for row in self.items], self.total, self.page, self.page_size)


def _paged(conn: Connection, statement: Select[Any], page: int, page_size: int) -> Page:
    total = conn.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = conn.execute(statement.limit(page_size).offset((page - 1) * page_size)).mappings()
    return Page([dict(r) for r in rows], int(total or 0), page, page_size)


_GUARANTEE_COLUMNS = (
    g.id,
    g.number,
    g.application_number,
    g.status,
    g.landlord_id,
    lo.name.label("landlord_name"),
    g.property_id,
    p.address.label("property_address"),
    p.municipality_istat_code,
    g.household_id,
    h.main_tenant_tax_code,
    g.lease_type,
    g.lease_start,
    g.lease_end,
    g.monthly_rent,
    g.monthly_charges,
    g.lease_registered,
    g.registration_reference,
    g.product_code,
    g.product_version,
    g.ruleset_version,
    g.fund_id,
    g.maximum_exposure,
    g.reserve_amount,
    g.paid_amount,
    g.starts_on,
    g.ends_on,
    g.issued_at,
    g.ended_at,
    g.end_reason,
    g.created_at,
    g.updated_at,
)


def _column_sql(column: Any) -> str:
    """``g.number``, or ``lo.name AS landlord_name`` for a labelled column."""
    inner = getattr(column, "element", column)
    alias = {"guarantees": "g", "landlords": "lo", "properties": "p", "households": "h"}
    sql = f"{alias[inner.table.name]}.{inner.name}"
    return sql if inner.name == column.name else f"{sql} AS {column.name}"


def _guarantee_select(*extra: Any) -> Select[Any]:
    return select(*_GUARANTEE_COLUMNS, *extra).select_from(
        tables.guarantees.join(tables.landlords, g.landlord_id == lo.id)
        .join(tables.properties, g.property_id == p.id)
        .join(tables.households, g.household_id == h.id)
    )


def _within(statement: Select[Any], scope: RowScope) -> Select[Any]:
    """The guarantees this reader reaches (see ``access.rows_of``)."""
    if scope.landlord_id is not None:
        statement = statement.where(g.landlord_id == scope.landlord_id)
    if scope.created_by is not None:
        statement = statement.where(g.created_by == scope.created_by)
    if scope.mediator_id is not None:
        m = tables.mediation_cases.c
        statement = statement.where(
            g.id.in_(select(m.guarantee_id).where(m.mediator_id == scope.mediator_id))
        )
    return statement


def list_guarantees(
    conn: Connection,
    *,
    actor: Actor,
    statuses: Sequence[GuaranteeStatus] | None = None,
    landlord_id: str | None = None,
    fund_id: str | None = None,
    municipality: str | None = None,
    applications_only: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> Page:
    """The guarantees (or applications) ``actor`` reaches; ``landlord_id`` and the other
    filters narrow them further."""
    scope = rows_of(actor)
    scope.require_someone("le garanzie")
    statement = _within(_guarantee_select(), scope)
    if applications_only:
        statement = statement.where(g.status.in_([s.value for s in APPLICATION_STATES]))
    else:
        statement = statement.where(g.number.is_not(None))
    if statuses:
        statement = statement.where(g.status.in_([s.value for s in statuses]))
    if landlord_id:
        statement = statement.where(g.landlord_id == landlord_id)
    if fund_id:
        statement = statement.where(g.fund_id == fund_id)
    if municipality:
        statement = statement.where(p.municipality_istat_code == municipality)
    order = g.created_at.desc() if applications_only else g.issued_at.desc()
    return _paged(conn, statement.order_by(order, g.id), page, page_size)


# The landlord's and the office's hot lookup, in plain SQL on the driver: the columns of
# _GUARANTEE_COLUMNS the detail page shows (not the tenant's tax code, which needs one more
# join) and the eligibility record, decoded as the Core table would.
_DETAIL_COLUMNS = [c for c in _GUARANTEE_COLUMNS if c.name != "main_tenant_tax_code"]
_DETAIL_SQL = f"""
SELECT {", ".join(_column_sql(c) for c in _DETAIL_COLUMNS)}, g.eligibility
FROM guarantees g
JOIN landlords lo ON lo.id = g.landlord_id
JOIN properties p ON p.id = g.property_id
WHERE (g.number = :number OR g.application_number = :number)
"""
_HISTORY_SQL = """
SELECT occurred_at, actor_id, actor_role, action, "before", "after", reason
FROM audit_events
WHERE entity_type = 'guarantee' AND entity_id = :entity_id
ORDER BY seq
"""
_DETAIL_KINDS = {
    **{c.name: "cents" for c in (g.monthly_rent, g.monthly_charges)},
    **{c.name: "cents" for c in (g.maximum_exposure, g.reserve_amount, g.paid_amount)},
    **{c.name: "utc" for c in (g.issued_at, g.ended_at, g.created_at, g.updated_at)},
    **{c.name: "date" for c in (g.lease_start, g.lease_end, g.starts_on, g.ends_on)},
    "lease_registered": "bool",
    "eligibility": "json",
}
_HISTORY_KINDS = {"occurred_at": "utc", "before": "json", "after": "json"}


def guarantee_detail(conn: Connection, number: str, *, actor: Actor) -> dict[str, Any]:
    """One guarantee by number, if ``actor`` reaches it: another landlord's or help desk's
    is 'not found', never leaked."""
    scope = rows_of(actor)
    if not scope.everything and not (scope.landlord_id or scope.created_by or scope.mediator_id):
        raise NotFound("garanzia", number)
    sql, params = _DETAIL_SQL, {"number": number}
    if scope.landlord_id is not None:
        sql, params["landlord_id"] = sql + " AND g.landlord_id = :landlord_id", scope.landlord_id
    if scope.created_by is not None:
        sql, params["created_by"] = sql + " AND g.created_by = :created_by", scope.created_by
    if scope.mediator_id is not None:
        sql += (
            " AND EXISTS (SELECT 1 FROM mediation_cases m"
            " WHERE m.guarantee_id = g.id AND m.mediator_id = :mediator_id)"
        )
        params["mediator_id"] = scope.mediator_id
    rows = raw.fetch(conn, sql, params, _DETAIL_KINDS)
    if len(rows) != 1:
        raise NotFound("garanzia", number)
    detail = rows[0]
    detail["allowed_actions"] = LIFECYCLE.allowed_actions(GuaranteeStatus(detail["status"]))
    detail["history"] = raw.fetch(conn, _HISTORY_SQL, {"entity_id": detail["id"]}, _HISTORY_KINDS)
    return detail


def list_landlords(conn: Connection, *, q: str | None, page: int, page_size: int) -> Page:
    statement = select(tables.landlords).order_by(lo.name, lo.id)
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(func.lower(lo.name).like(pattern) | (lo.tax_code == q.upper()))
    return _paged(conn, statement, page, page_size)


def landlord_detail(conn: Connection, landlord_id: str, *, actor: Actor) -> dict[str, Any]:
    """A landlord's record: the fund reads every one, a landlord its own (see
    ``access.shaped`` for its fields); for anyone else it does not exist."""
    scope = rows_of(actor)
    if not scope.everything and scope.landlord_id != landlord_id:
        raise NotFound("locatore", landlord_id)
    row = (
        conn.execute(select(tables.landlords).where(lo.id == landlord_id)).mappings().one_or_none()
    )
    if row is None:
        raise NotFound("locatore", landlord_id)
    return dict(row) | {"history": history_of(conn, "landlord", landlord_id)}


def list_properties(
    conn: Connection, *, actor: Actor, landlord_id: str | None, page: int, page_size: int
) -> Page:
    """The dwellings the fund has on record (all for staff, its own for a landlord)."""
    scope = rows_of(actor)
    scope.require_staff_or_landlord("gli immobili")
    statement = select(tables.properties).order_by(p.created_at, p.id)
    if scope.landlord_id or landlord_id:
        statement = statement.where(p.landlord_id == (scope.landlord_id or landlord_id))
    return _paged(conn, statement, page, page_size)


def property_detail(conn: Connection, property_id: str, *, actor: Actor) -> dict[str, Any]:
    scope = rows_of(actor)
    row = (
        conn.execute(select(tables.properties).where(p.id == property_id)).mappings().one_or_none()
    )
    if row is None or not (scope.everything or row["landlord_id"] == scope.landlord_id):
        raise NotFound("immobile", property_id)
    return dict(row)


def guarantee_visible(conn: Connection, guarantee_id: str | None, *, actor: Actor) -> bool:
    """Whether ``actor`` reaches this guarantee: the fund any, a landlord its own, a help
    desk its referrals, a mediator one with a case assigned to it."""
    scope = rows_of(actor)
    if scope.everything:
        return True
    if guarantee_id is None or not (scope.landlord_id or scope.created_by or scope.mediator_id):
        return False
    statement = _within(select(g.id).where(g.id == guarantee_id), scope)
    return conn.scalar(statement) is not None
