"""Attestations as the help desk that issued them and the fund read them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.errors import NotFound

a, g = tables.attestations.c, tables.guarantees.c


def attestation_detail(
    conn: Connection, number: str, today: date, *, created_by: str | None = None
) -> dict[str, Any]:
    """One attestation by number; another help desk's is 'not found'."""
    statement = (
        select(tables.attestations, g.application_number)
        .select_from(tables.attestations.outerjoin(tables.guarantees, g.id == a.guarantee_id))
        .where(a.number == number)
    )
    if created_by is not None:
        statement = statement.where(a.created_by == created_by)
    row = conn.execute(statement).mappings().one_or_none()
    if row is None:
        raise NotFound("attestazione", number)
    found = dict(row)
    found["valid"] = found["status"] == "issued" and today <= found["valid_until"]
    return found


def list_attestations(
    conn: Connection, today: date, *, created_by: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """The latest attestations first (a help desk: its own)."""
    statement = select(a.number).order_by(a.created_at.desc(), a.number.desc()).limit(limit)
    if created_by is not None:
        statement = statement.where(a.created_by == created_by)
    return [
        attestation_detail(conn, number, today, created_by=created_by)
        for number in conn.scalars(statement)
    ]
