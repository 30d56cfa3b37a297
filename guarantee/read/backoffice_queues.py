"""Read side of the back office's work queues: what is waiting for the fund, oldest first.

Each queue is a paged list of plain rows (the same keyset ``Page`` as the other read models,
over the indexes of migration 0011); the home page shows their totals. The rows are the
fund's (every field): the pages shape them through ``read.access`` before showing them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Integer, Select, literal_column, select

from guarantee.adapters.db import tables
from guarantee.domain.actors import Actor
from guarantee.read.guarantees import guarantee_page
from guarantee.read.paging import Page, keyset_page

g, cl, fu = tables.guarantees.c, tables.claims.c, tables.funds.c

EXPIRY_WINDOW_DAYS = 60
_TO_CHECK = tables.QUEUE_TO_CHECK
_TO_DECIDE = tables.QUEUE_CLAIMS_TO_DECIDE
_DECIDED = tables.QUEUE_CLAIMS_DECIDED
_LIVE = tables.QUEUE_LIVE
# Written as the queue's partial index writes it (literals, not parameters): PostgreSQL
# walks that index in this order only when the expressions are the same.
_REVIEW_FIRST = literal_column(
    tables.REVIEW_FIRST_SQL.replace("status", "guarantees.status"), Integer
)

# Every queue says "oltre 1000" past the bound (estimate=False) and counts its first 1,001
# rows in any order (ordered_count=False).

_CLAIM_COLUMNS = (
    cl.number,
    cl.status,
    cl.guarantee_number,
    cl.filed_on,
    cl.decided_at,
    cl.payment_proposed_by,
    cl.payment_proposed_at,
)


def applications_to_check(
    conn: Connection, *, page: int, page_size: int, after: str | None = None
) -> Page:
    """Applications a person must look at: those the rules sent to review come first."""
    keys = (_REVIEW_FIRST, g.created_at, g.id)
    return guarantee_page(
        conn,
        [g.status.in_(_TO_CHECK)],
        keys,
        page=page,
        page_size=page_size,
        after=after,
        estimate=False,
        ordered_count=False,
    )


def approved_to_issue(
    conn: Connection, *, page: int, page_size: int, after: str | None = None
) -> Page:
    keys = (g.updated_at, g.id)
    return guarantee_page(
        conn,
        [g.status == "approved"],
        keys,
        page=page,
        page_size=page_size,
        after=after,
        estimate=False,
        ordered_count=False,
    )


def expiring_guarantees(
    conn: Connection, *, today: date, page: int, page_size: int, after: str | None = None
) -> Page:
    """Live guarantees ending within the window: the landlord and household need telling."""
    until = today + timedelta(days=EXPIRY_WINDOW_DAYS)
    conditions = [g.status.in_(_LIVE), g.ends_on >= today, g.ends_on <= until]
    keys = (g.ends_on, g.id)
    return guarantee_page(
        conn,
        conditions,
        keys,
        page=page,
        page_size=page_size,
        after=after,
        estimate=False,
        ordered_count=False,
    )


def _claims(
    conn: Connection, statement: Select[Any], page: int, page_size: int, after: str | None
) -> Page:
    keys = (cl.filed_on, cl.number)
    return keyset_page(
        conn,
        statement,
        keys,
        page=page,
        page_size=page_size,
        after=after,
        estimate=False,
        ordered_count=False,
    )


def claims_to_decide(
    conn: Connection, *, page: int, page_size: int, after: str | None = None
) -> Page:
    statement = select(*_CLAIM_COLUMNS).where(cl.status.in_(_TO_DECIDE))
    return _claims(conn, statement, page, page_size, after)


def payments_to_authorise(
    conn: Connection, actor: Actor, *, page: int, page_size: int, after: str | None = None
) -> Page:
    """Payment proposals waiting for a second manager: never the actor's own (four eyes).

    Older proposals carry only the username; newer ones also the account, which survives a
    rename — so either one matching the actor makes the proposal its own.
    """
    own = cl.payment_proposed_by == actor.user_id
    if actor.account_id is not None:
        own = own | (cl.payment_proposed_by_account == actor.account_id)
    statement = select(*_CLAIM_COLUMNS).where(
        cl.status.in_(_DECIDED), cl.payment_proposed_by.is_not(None), ~own
    )
    return _claims(conn, statement, page, page_size, after)


def claims_to_pay(conn: Connection, *, page: int, page_size: int, after: str | None = None) -> Page:
    """Decided claims nobody has yet proposed to pay."""
    statement = select(*_CLAIM_COLUMNS).where(
        cl.status.in_(_DECIDED), cl.payment_proposed_by.is_(None)
    )
    return _claims(conn, statement, page, page_size, after)


def default_fund_id(conn: Connection) -> str | None:
    """The oldest fund: where an application is issued when the manager names none."""
    found = conn.scalar(select(fu.id).order_by(fu.created_at, fu.id).limit(1))
    return None if found is None else str(found)
