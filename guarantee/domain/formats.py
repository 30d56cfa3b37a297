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


def article_day(day: date) -> str:
    """The article before a date, elided before a vowel sound: 'l'8 dicembre 2026',
    'l'11 gennaio 2027', 'il 4 giugno 2027' (never 'il 8')."""
    article = "l'" if day.day in (8, 11) else "il "
    return f"{article}{date_it(day)}"


def entro_il(day: date) -> str:
    """'entro l'8 dicembre 2026', 'entro il 4 giugno 2027'."""
    return f"entro {article_day(day)}"
