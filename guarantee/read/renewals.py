"""Whether a guarantee may still be renewed, as the pages and the API offer it."""

from __future__ import annotations

from datetime import date
from typing import Any

from guarantee.domain.products import Product


def renewal_state(row: dict[str, Any], product: Product, today: date) -> dict[str, Any]:
    """``renewals_left`` (the product's renewals less those used) and the lifecycle actions
    without ``renew`` when none is left or the term is over (the handler refuses them too)."""
    left = max(0, product.renewals - ((row.get("term") or 1) - 1))
    ends_on = row.get("ends_on")
    actions = list(row.get("allowed_actions", []))
    if "renew" in actions and (left == 0 or ends_on is None or today > ends_on):
        actions.remove("renew")
    return {"renewals_left": left, "allowed_actions": actions}
