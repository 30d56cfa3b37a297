"""Read side of the back office's work queues: what is waiting for the fund, oldest first.

Each queue is a paged list of plain rows (the same ``Page`` as the other read models); the
home page shows their totals. The rows are the fund's (every field): the pages shape them
through ``read.access`` before showing them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, union_all

from guarantee.adapters.db import tables
from guarantee.domain.actors import Actor
from guarantee.read.guarantees import Page, _guarantee_select

g, cl, fu = tables.guarantees.c, tables.claims.c, tables.funds.c

EXPIRY_WINDOW_DAYS = 60
_TO_CHECK = ("needs_review", "submitted", "eligible")
_TO_DECIDE = ("submitted", "under_review", "awaiting_mediation")
_DECIDED = ("approved", "partially_approved")
_LIVE = ("issued", "active", "suspended")

_CLAIM_COLUMNS = (
    cl.number,
    cl.status,
    cl.guarantee_number,
    cl.filed_on,
    cl.decided_at,
    cl.payment_proposed_by,
    cl.payment_proposed_at,
)


def _count(conn: Connection, where: list[Any]) -> int:
    return int(conn.scalar(select(func.count()).select_from(tables.guarantees).where(*where)) or 0)


def _ids(
    conn: Connection, where: list[Any], order: list[Any], limit: int, offset: int
) -> list[str]:
    statement = select(g.id).where(*where).order_by(*order).limit(limit).offset(offset)
    return list(conn.scalars(statement))


def _rows(conn: Connection, ids: list[str], total: int, page: int, page_size: int) -> Page:
    """The page's guarantees joined with their landlord, dwelling and household: the joins
    cost per row shown, not per row waiting."""
    by_id: dict[str, dict[str, Any]] = {}
    if ids:
        rows = conn.execute(_guarantee_select().where(g.id.in_(ids))).mappings()
        by_id = {row["id"]: dict(row) for row in rows}
    return Page([by_id[i] for i in ids if i in by_id], total, page, page_size)


def _guarantee_page(
    conn: Connection, where: list[Any], order: list[Any], page: int, page_size: int
) -> Page:
    """A queue of guarantees, counted and paged on the guarantees table alone."""
    ids = _ids(conn, where, order, page_size, (page - 1) * page_size)
    return _rows(conn, ids, _count(conn, where), page, page_size)


def applications_to_check(conn: Connection, *, page: int, page_size: int) -> Page:
    """Applications a person must look at: those the rules sent to review come first.

    Two ordered walks (review, then the rest, each oldest first) instead of sorting every
    waiting application by a computed key: the page costs what it shows.
    """
    review = [g.status == "needs_review"]
    rest = [g.status.in_([s for s in _TO_CHECK if s != "needs_review"])]
    order = [g.created_at, g.id]
    in_review = _count(conn, review)
    offset = (page - 1) * page_size
    ids = _ids(conn, review, order, page_size, offset) if offset < in_review else []
    if len(ids) < page_size:
        ids += _ids(conn, rest, order, page_size - len(ids), max(0, offset - in_review))
    return _rows(conn, ids, in_review + _count(conn, rest), page, page_size)


def approved_to_issue(conn: Connection, *, page: int, page_size: int) -> Page:
    return _guarantee_page(conn, [g.status == "approved"], [g.updated_at, g.id], page, page_size)


def expiring_guarantees(conn: Connection, *, today: date, page: int, page_size: int) -> Page:
    """Live guarantees ending within the window: the landlord and household need telling."""
    until = today + timedelta(days=EXPIRY_WINDOW_DAYS)
    where = [g.status.in_(_LIVE), g.ends_on >= today, g.ends_on <= until]
    return _guarantee_page(conn, where, [g.ends_on, g.id], page, page_size)


def _claims_page(
    conn: Connection, statuses: tuple[str, ...], where: list[Any], page: int, page_size: int
) -> Page:
    """Claims in any of ``statuses``, oldest first: one ordered walk of the (status,
    filed_on) index per state, merged (UNION ALL, each part cut at the page's end), so the
    page costs what it shows rather than every claim waiting."""
    end = page * page_size
    parts = [
        select(*_CLAIM_COLUMNS)
        .where(cl.status == status, *where)
        .order_by(cl.filed_on, cl.number)
        .limit(end)
        .subquery()
        for status in statuses
    ]
    merged = union_all(*(select(*part.c) for part in parts)).subquery()
    rows = conn.execute(
        select(*merged.c)
        .order_by(merged.c.filed_on, merged.c.number)
        .limit(page_size)
        .offset(end - page_size)
    ).mappings()
    total = conn.scalar(
        select(func.count()).select_from(tables.claims).where(cl.status.in_(statuses), *where)
    )
    return Page([dict(row) for row in rows], int(total or 0), page, page_size)


def claims_to_decide(conn: Connection, *, page: int, page_size: int) -> Page:
    return _claims_page(conn, _TO_DECIDE, [], page, page_size)


def payments_to_authorise(conn: Connection, actor: Actor, *, page: int, page_size: int) -> Page:
    """Payment proposals waiting for a second manager: never the actor's own (four eyes).

    Older proposals carry only the username; newer ones also the account, which survives a
    rename — so either one matching the actor makes the proposal its own.
    """
    own = cl.payment_proposed_by == actor.user_id
    if actor.account_id is not None:
        own = own | (cl.payment_proposed_by_account == actor.account_id)
    where = [cl.payment_proposed_by.is_not(None), ~own]
    return _claims_page(conn, _DECIDED, where, page, page_size)


def claims_to_pay(conn: Connection, *, page: int, page_size: int) -> Page:
    """Decided claims nobody has yet proposed to pay."""
    return _claims_page(conn, _DECIDED, [cl.payment_proposed_by.is_(None)], page, page_size)


def default_fund_id(conn: Connection) -> str | None:
    """The oldest fund: where an application is issued when the manager names none."""
    found = conn.scalar(select(fu.id).order_by(fu.created_at, fu.id).limit(1))
    return None if found is None else str(found)
