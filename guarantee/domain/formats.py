"""Italian number formats for messages the domain writes (through Babel, not by hand)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal


def amount_it(amount: Decimal) -> str:
    """3840 → '3.840,00' (the € sign is added by the sentence that uses it)."""
    return str(format_decimal(amount, format="#,##0.00", locale="it_IT"))
