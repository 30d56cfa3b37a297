"""Italian formats for money, dates and percentages, through Babel (used as Jinja2 filters).

Babel rounds half-even; the fund rounds half-up, so values are quantised here
first and Babel only lays out digits, separators and the currency sign.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_percent

from guarantee.domain.formats import month_it, with_article
from guarantee.domain.money import money

# A Locale object, not the string: Babel would parse "it_IT" again on every
# call (format_currency takes ~23 µs instead of ~40 µs; a plan has 110 amounts).
LOCALE = Locale.parse("it_IT")
_PERMILLE = Decimal("0.001")  # one decimal place of a percentage


def _exact(value: object, what: str) -> Decimal:
    # bool is an int; float is inexact: neither is an amount.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal or an int, not {type(value).__name__}")
    return Decimal(value)


def euro(value: object) -> str:
    """``Decimal("1234.5")`` → ``"1.234,50 €"`` (a no-break space before the sign)."""
    return format_currency(money(_exact(value, "amount")), "EUR", locale=LOCALE)


def percent_it(value: object) -> str:
    """A fraction as a percentage with one decimal: ``Decimal("0.40")`` → ``"40,0%"``."""
    fraction = _exact(value, "fraction").quantize(_PERMILLE, rounding=ROUND_HALF_UP)
    return format_percent(fraction, format="#,##0.0%", locale=LOCALE)


def date_it(value: object, weekday: bool = False) -> str:
    """``date(2026, 11, 24)`` → ``"24 novembre 2026"``; with ``weekday``, ``"martedì 24 …"``."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"date_it needs a date, not {type(value).__name__}")
    return format_date(value, format="EEEE d MMMM y" if weekday else "d MMMM y", locale=LOCALE)


def time_it(value: object) -> str:
    """``time(9, 30)`` → ``"09:30"``."""
    if not isinstance(value, time):
        raise TypeError(f"time_it needs a time, not {type(value).__name__}")
    return format_time(value, format="HH:mm", locale=LOCALE)


_IBAN_VISIBLE = 4


def iban_masked(value: object) -> str:
    """Only the last four characters stay readable, in their own group:
    ``IT60X0542811101000000123456`` → ``*** **** **** **** **** **** 3456``."""
    if not isinstance(value, str):
        raise TypeError(f"iban_masked needs a str, not {type(value).__name__}")
    compact = "".join(value.split()).upper()
    if len(compact) <= _IBAN_VISIBLE or not compact.isalnum():
        raise ValueError("not an IBAN")
    masked = "*" * (len(compact) - _IBAN_VISIBLE) + compact[-_IBAN_VISIBLE:]
    # Groups of four counted from the right, so the visible tail is one group.
    head = len(masked) % 4
    groups = ([masked[:head]] if head else []) + [
        masked[start : start + 4] for start in range(head, len(masked), 4)
    ]
    return " ".join(groups)


def dated(value: object, preposition: str = "il") -> str:
    """``{{ d|dated("entro il") }}`` → "entro l'8 dicembre 2026": the article and its elision
    come with the date, so no template writes "il 8"."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"dated needs a date, not {type(value).__name__}")
    return with_article(value, preposition)


def month_year(value: object) -> str:
    """``date(2026, 11, 5)`` → "novembre 2026": every rent is named by its month."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"month_year needs a date, not {type(value).__name__}")
    return month_it(value)


FILTERS = {
    "dated": dated,
    "month_year": month_year,
    "euro": euro,
    "percent_it": percent_it,
    "date_it": date_it,
    "time_it": time_it,
    "iban_masked": iban_masked,
}
