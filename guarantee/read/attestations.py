"""Attestations as the help desk that issued them and the fund read them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, select

from guarantee.adapters.db import tables
from guarantee.domain.actors import Actor
from guarantee.domain.errors import NotFound
from guarantee.read.access import rows_of
from guarantee.read.paging import Page, keyset_page

a, g = tables.attestations.c, tables.guarantees.c


def _reached(actor: Actor) -> Select[Any] | None:
    """The attestations ``actor`` reaches (a help desk: those it issued; the fund: all;
    anyone else: none, so None)."""
    scope = rows_of(actor)
    if not scope.everything and scope.created_by is None:
        return None
    statement = select(tables.attestations, g.application_number).select_from(
        tables.attestations.outerjoin(tables.guarantees, g.id == a.guarantee_id)
    )
    if scope.created_by is not None:
        statement = statement.where(a.created_by == scope.created_by)
    return statement


def _with_validity(row: Any, today: date) -> dict[str, Any]:
    found = dict(row)
    found["valid"] = found["status"] == "issued" and today <= found["valid_until"]
    return found


def attestation_detail(
    conn: Connection, number: str, today: date, *, actor: Actor
) -> dict[str, Any]:
    """One attestation by number; another help desk's is 'not found'."""
    statement = _reached(actor)
    row = (
        None
        if statement is None
        else conn.execute(statement.where(a.number == number)).mappings().one_or_none()
    )
    if row is None:
        raise NotFound("attestazione", number)
    return _with_validity(row, today)


def list_attestations(
    conn: Connection,
    today: date,
    *,
    actor: Actor,
    page: int = 1,
    page_size: int = 50,
    after: str | None = None,
) -> Page:
    """The latest attestations first (a help desk: its own), keyset paged; anyone else may
    not list them (403)."""
    rows_of(actor).require_staff_or_help_desk("le attestazioni")
    statement = _reached(actor)
    assert statement is not None
    found = keyset_page(
        conn,
        statement,
        (a.created_at, a.number),
        page=page,
        page_size=page_size,
        after=after,
        descending=True,
    )
    return found.shaped(lambda row: _with_validity(row, today))
