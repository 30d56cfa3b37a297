"""Steps shared by the features: money in Italian notation, the request's outcome."""

from __future__ import annotations

from decimal import Decimal


def euro(text: str) -> Decimal:
    """'100.000,00 €' → Decimal('100000.00')."""
    return Decimal(text.replace("€", "").strip().replace(".", "").replace(",", "."))
