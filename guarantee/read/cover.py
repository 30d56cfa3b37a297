"""What a guarantee covers, per line and overall, as the API and the letters show it.

Caps come from the product version the guarantee was issued under; paid and committed
amounts are summed from its claims' items in one query.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from guarantee.adapters.db import tables
from guarantee.domain.claims import COMMITTED_STATES
from guarantee.domain.cover import LINE_NAMES, CoverState, ItemKind
from guarantee.domain.products import Product

COMMITTED_VALUES = frozenset(state.value for state in COMMITTED_STATES)

cl, ci = tables.claims.c, tables.claim_items.c


def cover_state(
    conn: Connection, guarantee_id: str, product: Product, monthly_rent: Decimal
) -> CoverState:
    """As ``CoverState`` counts it in the service layer: a claim with a payment date has
    been paid, whatever came after; a decided, unpaid one has committed its amounts."""
    was_paid = cl.paid_at.is_not(None).label("was_paid")
    rows = conn.execute(
        select(cl.status, was_paid, ci.kind, func.sum(ci.approved))
        .select_from(tables.claim_items.join(tables.claims, ci.claim_id == cl.id))
        .where(cl.guarantee_id == guarantee_id, ci.approved.is_not(None))
        .group_by(cl.status, was_paid, ci.kind)
    ).all()
    paid: dict[ItemKind, Decimal] = {}
    committed: dict[ItemKind, Decimal] = {}
    for status, paid_out, kind, amount in rows:
        target = paid if paid_out else committed if status in COMMITTED_VALUES else None
        if target is not None:
            target[ItemKind(kind)] = target.get(ItemKind(kind), Decimal(0)) + Decimal(amount)
    return CoverState.of(product, monthly_rent, paid, committed)


def cover_lines(cover: CoverState) -> list[dict[str, Any]]:
    """Rows for JSON and letters: the overall cap first, then each line, Italian labels."""
    return [
        {
            "line": figures.line.value if figures.line else "overall",
            "label": LINE_NAMES[figures.line] if figures.line else "massimale complessivo",
            "cap": figures.cap,
            "paid": figures.paid,
            "committed": figures.committed,
            "remaining": figures.remaining,
        }
        for figures in cover.figures()
    ]
