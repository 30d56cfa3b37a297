"""The back office's search: a guarantee by number, a landlord by tax code, a household by a
member's name (or tax code). Plain rows, a few at most; the page shapes them per role
through ``read.access`` and records a read when a person's record is opened from them.

Numbers and tax codes are equality lookups on unique or indexed columns; a name is a
case-insensitive substring of the members' names, the one search a person types in part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from guarantee.adapters.db import tables

g, lo, h, hm = (
    tables.guarantees.c,
    tables.landlords.c,
    tables.households.c,
    tables.household_members.c,
)
LIMIT = 25
MIN_NAME = 3  # fewer letters match half the register: ask for more


@dataclass
class Found:
    guarantees: list[dict[str, Any]] = field(default_factory=list)
    landlords: list[dict[str, Any]] = field(default_factory=list)
    households: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.guarantees or self.landlords or self.households)


def search(conn: Connection, text: str) -> Found:
    query = " ".join(text.split())
    found = Found()
    if not query:
        return found
    code = query.replace(" ", "").upper()
    found.guarantees = _guarantees(conn, code)
    found.landlords = [
        dict(row)
        for row in conn.execute(
            select(lo.id, lo.kind, lo.name, lo.tax_code, lo.email).where(lo.tax_code == code)
        ).mappings()
    ]
    household_ids = list(
        conn.scalars(select(hm.household_id).where(hm.tax_code == code).limit(LIMIT))
    )
    # A name has no digits: a number or a tax code is never looked for among the names.
    if len(query) >= MIN_NAME and not any(ch.isdigit() for ch in query):
        pattern = "%" + query.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        household_ids += conn.scalars(
            select(hm.household_id)
            .where(func.lower(hm.full_name).like(pattern))
            .distinct()
            .limit(LIMIT)
        )
    found.households = _households(conn, list(dict.fromkeys(household_ids))[:LIMIT])
    return found


def _guarantees(conn: Connection, number: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            g.id,
            g.number,
            g.application_number,
            g.status,
            g.landlord_id,
            g.household_id,
            lo.name.label("landlord_name"),
        )
        .select_from(tables.guarantees.join(tables.landlords, g.landlord_id == lo.id))
        .where((g.number == number) | (g.application_number == number))
    ).mappings()
    return [dict(row) for row in rows]


def _households(conn: Connection, ids: list[str]) -> list[dict[str, Any]]:
    """Each household with its members' names and its guarantees' numbers (three queries
    for the whole list, never one per row)."""
    if not ids:
        return []
    members: dict[str, list[str]] = {}
    for household_id, name in conn.execute(
        select(hm.household_id, hm.full_name)
        .where(hm.household_id.in_(ids))
        .order_by(hm.is_main_tenant.desc(), hm.full_name)
    ):
        members.setdefault(household_id, []).append(name)
    numbers: dict[str, list[str]] = {}
    for household_id, number, application in conn.execute(
        select(g.household_id, g.number, g.application_number)
        .where(g.household_id.in_(ids))
        .order_by(g.created_at)
    ):
        numbers.setdefault(household_id, []).append(number or application)
    rows = conn.execute(
        select(h.id, h.main_tenant_tax_code, h.postal_address).where(h.id.in_(ids))
    ).mappings()
    by_id = {row["id"]: dict(row) for row in rows}
    return [
        by_id[i] | {"members": members.get(i, []), "guarantees": numbers.get(i, [])}
        for i in ids
        if i in by_id
    ]


def landlord_guarantees(conn: Connection, landlord_id: str, limit: int = 50) -> list[Any]:
    """A landlord's guarantees and applications, the newest first (a landlord's page)."""
    return list(
        conn.execute(
            select(g.number, g.application_number, g.status, g.created_at)
            .where(g.landlord_id == landlord_id)
            .order_by(g.created_at.desc())
            .limit(limit)
        ).mappings()
    )


def household_guarantees(conn: Connection, household_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(g.number, g.application_number, g.status, g.created_at)
            .where(g.household_id == household_id)
            .order_by(g.created_at.desc())
        ).mappings()
    )
