"""What a guarantee covers, per line and overall, as the API and the letters show it.

Caps come from the product version the guarantee was issued under; paid and committed
amounts are summed from its claims' items in one query.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from guarantee.adapters.db import raw
from guarantee.domain.claims import COMMITTED_STATES
from guarantee.domain.cover import LINE_NAMES, CoverState, ItemKind
from guarantee.domain.products import Product

COMMITTED_VALUES = frozenset(state.value for state in COMMITTED_STATES)

# Plain SQL on the driver: it runs on every guarantee lookup (a landlord's status page).
_COVER_SQL = """
SELECT cl.status, CASE WHEN cl.paid_at IS NULL THEN 0 ELSE 1 END AS was_paid, ci.kind,
       sum(ci.approved) AS approved
FROM claim_items ci JOIN claims cl ON cl.id = ci.claim_id
WHERE cl.guarantee_id = :guarantee_id AND ci.approved IS NOT NULL
GROUP BY cl.status, CASE WHEN cl.paid_at IS NULL THEN 0 ELSE 1 END, ci.kind
"""


def cover_state(
    conn: Connection, guarantee_id: str, product: Product, monthly_rent: Decimal
) -> CoverState:
    """As ``CoverState`` counts it in the service layer: a claim with a payment date has
    been paid, whatever came after; a decided, unpaid one has committed its amounts."""
    rows = raw.fetch(conn, _COVER_SQL, {"guarantee_id": guarantee_id}, {"approved": "cents"})
    paid: dict[ItemKind, Decimal] = {}
    committed: dict[ItemKind, Decimal] = {}
    for row in rows:
        status, amount = row["status"], row["approved"]
        target = paid if row["was_paid"] else committed if status in COMMITTED_VALUES else None
        if target is not None:
            kind = ItemKind(row["kind"])
            target[kind] = target.get(kind, Decimal(0)) + amount
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
