"""Italian number and date formats for messages the domain writes (through Babel, not by hand)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

# Parsed once: Babel would parse the locale string again on every call.
_LOCALE = Locale.parse("it_IT")


def amount_it(amount: Decimal) -> str:
    """3840 → '3.840,00' (the € sign is added by the sentence that uses it)."""
    return str(format_decimal(amount, format="#,##0.00", locale=_LOCALE))


def date_it(day: date) -> str:
    """date(2027, 6, 4) → '4 giugno 2027'."""
    return str(format_date(day, format="d MMMM y", locale=_LOCALE))


def euro_it(amount: Decimal) -> str:
    """3840 → '3.840,00 €'."""
    return f"{amount_it(amount)} €"


# A preposition with the article before a day of the month, elided before a vowel sound
# (8 "otto", 11 "undici"): "l'8", "dall'11", "all'8", "dell'11" — never "il 8".
_ELIDED = {"il": "l'", "dal": "dall'", "al": "all'", "del": "dell'", "entro il": "entro l'"}


def with_article(day: date, preposition: str = "il") -> str:
    """with_article(date(2026, 12, 8), "entro il") → "entro l'8 dicembre 2026";
    with_article(date(2027, 6, 4), "dal") → "dal 4 giugno 2027"."""
    if preposition not in _ELIDED:
        raise ValueError(f"preposizione non prevista: {preposition!r}")
    if day.day in (8, 11):
        return f"{_ELIDED[preposition]}{date_it(day)}"
    return f"{preposition} {date_it(day)}"


def article_day(day: date) -> str:
    """'l'8 dicembre 2026', 'il 4 giugno 2027'."""
    return with_article(day, "il")


def entro_il(day: date) -> str:
    """'entro l'8 dicembre 2026', 'entro il 4 giugno 2027'."""
    return with_article(day, "entro il")


def month_it(day: date) -> str:
    """date(2026, 11, 5) → 'novembre 2026' (the month a rent is for)."""
    return str(format_date(day, format="MMMM y", locale=_LOCALE))
