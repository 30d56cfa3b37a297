"""Money as Decimal euros with explicit rounding (never float)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as euros quantised to the cent, rounding half-up.

    Floats are refused: a float cannot carry an exact amount of money.
    """
    if isinstance(value, float):
        raise TypeError("money amounts must not be floats")
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount of money: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount of money: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    """Exact integer cents of an amount already quantised to the cent."""
    quantised = money(amount)
    if quantised != amount:
        raise ValueError(f"{amount} has fractions of a cent")
    return int(quantised * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def percent_of(amount: Decimal, ratio: Decimal) -> Decimal:
    """``ratio`` × ``amount`` rounded half-up to the cent (ratio as a fraction, 0.30 = 30%)."""
    return money(amount * ratio)
