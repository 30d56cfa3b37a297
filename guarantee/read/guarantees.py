"""Read side: guarantees, applications, landlords and properties as plain rows, no aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, Subquery, func, select

from guarantee.adapters.db import raw, tables
from guarantee.domain.actors import Actor
from guarantee.domain.errors import NotFound
from guarantee.domain.guarantees import APPLICATION_STATES, LIFECYCLE, GuaranteeStatus
from guarantee.read.access import RowScope, rows_of
from guarantee.read.history import history_of
from guarantee.read.paging import Page, keyset_page

g, h, p, lo = (
    tables.guarantees.c,
    tables.households.c,
    tables.properties.c,
    tables.landlords.c,
)


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
    g.term,
    g.term_starts_on,
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
    """The list's columns over the full join, in Core (what ``_DETAIL_SQL`` mirrors)."""
    return select(*_GUARANTEE_COLUMNS, *extra).select_from(
        tables.guarantees.join(tables.landlords, g.landlord_id == lo.id)
        .join(tables.properties, g.property_id == p.id)
        .join(tables.households, g.household_id == h.id)
    )


def _listed(chosen: Subquery) -> Select[Any]:
    """The list's columns for a page of guarantee rows chosen first (see ``guarantee_page``).

    The landlord's name is a lookup per row of the page (a scalar subquery on its key): as a
    join the planner would hash the whole, small but growing, landlords table for 50 rows."""
    c = chosen.c
    landlord_name = select(lo.name).where(lo.id == c.landlord_id).scalar_subquery()
    columns = [
        landlord_name.label("landlord_name")
        if column.name == "landlord_name"
        else (
            chosen.c[column.name] if getattr(column, "table", None) is tables.guarantees else column
        )
        for column in _GUARANTEE_COLUMNS
    ]
    return select(*columns).select_from(
        chosen.join(tables.properties, c.property_id == p.id).join(
            tables.households, c.household_id == h.id
        )
    )


def guarantee_page(
    conn: Connection,
    conditions: Sequence[Any],
    keys: Sequence[Any],
    *,
    page: int,
    page_size: int,
    after: str | None = None,
    descending: bool = False,
    estimate: bool = True,
    ordered_count: bool = True,
) -> Page:
    """A page of guarantees as the lists show them: filtered and sorted on ``guarantees``
    alone (its indexes), then the page's rows joined to their landlord, dwelling, household."""
    return keyset_page(
        conn,
        select(tables.guarantees).where(*conditions),
        keys,
        page=page,
        page_size=page_size,
        after=after,
        descending=descending,
        expand=_listed,
        estimate=estimate,
        ordered_count=ordered_count,
    )


def _scoped(scope: RowScope) -> list[Any]:
    """Conditions on ``guarantees`` for the rows this reader reaches (see ``access.rows_of``)."""
    conditions: list[Any] = []
    if scope.landlord_id is not None:
        conditions.append(g.landlord_id == scope.landlord_id)
    if scope.created_by is not None:
        conditions.append(g.created_by == scope.created_by)
    if scope.mediator_id is not None:
        m = tables.mediation_cases.c
        conditions.append(
            g.id.in_(select(m.guarantee_id).where(m.mediator_id == scope.mediator_id))
        )
    return conditions


def _within(statement: Select[Any], scope: RowScope) -> Select[Any]:
    """The guarantees this reader reaches (see ``access.rows_of``)."""
    return statement.where(*_scoped(scope))


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
    after: str | None = None,
) -> Page:
    """Newest first: applications by when they were made, guarantees by when issued (keyset
    pages over the lists' indexes); the guarantees (or applications) ``actor`` reaches, which
    ``landlord_id`` and the other filters narrow further."""
    scope = rows_of(actor)
    scope.require_someone("le garanzie")
    conditions: list[Any] = _scoped(scope)
    if applications_only:
        conditions.append(g.status.in_([s.value for s in APPLICATION_STATES]))
    else:
        conditions.append(g.number.is_not(None))
    if statuses:
        conditions.append(g.status.in_([s.value for s in statuses]))
    if landlord_id:
        conditions.append(g.landlord_id == landlord_id)
    if fund_id:
        conditions.append(g.fund_id == fund_id)
    if municipality:
        conditions.append(
            g.property_id.in_(select(p.id).where(p.municipality_istat_code == municipality))
        )
    newest = g.created_at if applications_only else g.issued_at
    return guarantee_page(
        conn,
        conditions,
        (newest, g.id),
        page=page,
        page_size=page_size,
        after=after,
        descending=True,
    )


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
    **{
        c.name: "date"
        for c in (g.lease_start, g.lease_end, g.starts_on, g.ends_on, g.term_starts_on)
    },
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
    # Past terms exist only once renewed: no query for the first term's hot read.
    detail["terms"] = terms_of(conn, detail["id"]) if (detail["term"] or 1) > 1 else []
    return detail


def terms_of(conn: Connection, guarantee_id: str) -> list[dict[str, Any]]:
    """The terms a guarantee had before its renewals, oldest first (the cover history)."""
    t = tables.guarantee_terms.c
    rows = conn.execute(
        select(
            t.term,
            t.starts_on,
            t.ends_on,
            t.monthly_rent,
            t.monthly_charges,
            t.lease_end,
            t.maximum_exposure,
            t.reserve_amount,
            t.certificate_code,
            t.product_version,
            t.renewed_at,
        )
        .where(t.guarantee_id == guarantee_id)
        .order_by(t.term)
    ).mappings()
    return [dict(row) for row in rows]


def list_landlords(
    conn: Connection, *, q: str | None, page: int, page_size: int, after: str | None = None
) -> Page:
    statement = select(tables.landlords)
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(func.lower(lo.name).like(pattern) | (lo.tax_code == q.upper()))
    return keyset_page(
        conn, statement, (lo.name, lo.id), page=page, page_size=page_size, after=after
    )


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
    conn: Connection,
    *,
    actor: Actor,
    landlord_id: str | None,
    page: int,
    page_size: int,
    after: str | None = None,
) -> Page:
    """The dwellings the fund has on record (all for staff, its own for a landlord)."""
    scope = rows_of(actor)
    scope.require_staff_or_landlord("gli immobili")
    statement = select(tables.properties)
    if scope.landlord_id or landlord_id:
        statement = statement.where(p.landlord_id == (scope.landlord_id or landlord_id))
    keys = (p.created_at, p.id)
    return keyset_page(conn, statement, keys, page=page, page_size=page_size, after=after)


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
