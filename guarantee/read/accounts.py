"""Read side of accounts for the back office: a page of accounts, pending enrolments first."""

from __future__ import annotations

from sqlalchemy import Connection, case, select

from guarantee.adapters.db import tables
from guarantee.read.paging import Page, keyset_page

u, lo = tables.users.c, tables.landlords.c


def accounts_page(
    conn: Connection, *, status: str | None = None, page: int = 1, page_size: int = 50
) -> Page:
    """Accounts with their landlord's name, self-enrolments waiting for confirmation first,
    then by username."""
    pending_first = case((u.status == "pending", 0), else_=1)
    statement = select(
        u.id,
        u.username,
        u.full_name,
        u.role,
        u.email,
        u.status,
        u.landlord_id,
        lo.name.label("landlord_name"),
        lo.tax_code.label("landlord_tax_code"),
        u.created_at,
        u.last_login_at,
        u.disabled_at,
    ).select_from(tables.users.outerjoin(tables.landlords, u.landlord_id == lo.id))
    if status:
        statement = statement.where(u.status == status)
    keys = (pending_first, u.username, u.id)
    return keyset_page(conn, statement, keys, page=page, page_size=page_size)


def landlord_id_by_tax_code(conn: Connection, tax_code: str) -> str | None:
    found = conn.scalar(select(lo.id).where(lo.tax_code == tax_code.strip().upper()))
    return None if found is None else str(found)
