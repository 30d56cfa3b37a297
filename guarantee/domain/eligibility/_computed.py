"""Facts computed from other facts: date arithmetic, shares, dated parameters.

Declared in the fact catalogue (``computed:``) or in a rule set's ``derived:``; a rule
then reads ``age`` or ``months_in_job`` as a plain number. A computed fact may read
facts computed before it (declaration order), never one after it.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from guarantee.domain.eligibility._derived import _fact_problem
from guarantee.domain.eligibility._facts import FactSpec, FactType
from guarantee.domain.errors import InvalidFacts

DateUnit = Literal["years", "months", "days"]
DATE_UNITS: tuple[DateUnit, ...] = ("years", "months", "days")
_EXACT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)


def whole_months_between(start: date, end: date) -> int:
    """Completed months from ``start`` to ``end`` (negative when ``end`` is earlier).

    A month is complete on the same day-number of a later month: 2026-01-31 → 2026-02-28
    is 0 months, → 2026-03-31 is 2. Years are completed months // 12, so a person born on
    29 February is 18 on 1 March of their eighteenth year (as the Italian registry counts).
    """
    if end < start:
        return -whole_months_between(end, start)
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months


@dataclass(frozen=True)
class DateDifference:
    """Whole years, months or days from one date fact to another (``age`` = years from
    the applicant's birth date to the application date)."""

    name: str
    start: str
    end: str
    unit: DateUnit
    description: str = ""

    @property
    def type(self) -> FactType:
        return "integer"

    @property
    def reads(self) -> tuple[str, ...]:
        return (self.start, self.end)

    def value(self, facts: Mapping[str, object]) -> object:
        start, end = facts[self.start], facts[self.end]
        assert isinstance(start, date) and isinstance(end, date)
        if self.unit == "days":
            return end.toordinal() - start.toordinal()
        months = whole_months_between(start, end)
        return months if self.unit == "months" else int(months / 12)

    def problems(self, facts: Mapping[str, FactSpec]) -> list[str]:
        found = _fact_problem(self.name, self.start, "date", facts)
        found += _fact_problem(self.name, self.end, "date", facts)
        if self.unit not in DATE_UNITS:
            found.append(f"dato calcolato '{self.name}': unità '{self.unit}' sconosciuta")
        return found


@dataclass(frozen=True)
class Percentage:
    """(sum of ``parts``) × 100 ÷ ``of``, exact (not rounded), so 680 on 1,700 is 40.

    A zero ``of`` gives an infinite share: it passes no "at most" limit.
    """

    name: str
    parts: tuple[str, ...]
    of: str
    description: str = ""

    @property
    def type(self) -> FactType:
        return "decimal"

    @property
    def reads(self) -> tuple[str, ...]:
        return (*self.parts, self.of)

    def value(self, facts: Mapping[str, object]) -> object:
        total = sum((_number(facts[part]) for part in self.parts), Decimal(0))
        base = _number(facts[self.of])
        if base == 0:
            return Decimal("Infinity") if total > 0 else Decimal(0)
        return _EXACT.divide(_EXACT.multiply(total, Decimal(100)), base)

    def problems(self, facts: Mapping[str, FactSpec]) -> list[str]:
        found: list[str] = []
        if not self.parts:
            found.append(f"dato calcolato '{self.name}': nessuna parte da sommare")
        for fact in (*self.parts, self.of):
            found += _fact_problem(self.name, fact, ("decimal", "integer"), facts)
        return found


@dataclass(frozen=True)
class DatedParameter:
    """A value with its history (OpenFisca style): the value in force on a date fact.

    ``history`` is ``(from_day, value)`` in date order; before the first day there is no
    value and the facts are refused (``InvalidFacts`` on the date fact).
    """

    name: str
    on: str
    history: tuple[tuple[date, Decimal], ...]
    description: str = ""

    @property
    def type(self) -> FactType:
        return "decimal"

    @property
    def reads(self) -> tuple[str, ...]:
        return (self.on,)

    def value_on(self, day: date) -> Decimal:
        found: Decimal | None = None
        for start, amount in self.history:
            if start > day:
                break
            found = amount
        if found is None:
            first = self.history[0][0].isoformat()
            raise InvalidFacts(
                {self.on: f"'{self.name}' ha valori solo dal {first}: nessuno al {day.isoformat()}"}
            )
        return found

    def value(self, facts: Mapping[str, object]) -> object:
        day = facts[self.on]
        assert isinstance(day, date)
        return self.value_on(day)

    def problems(self, facts: Mapping[str, FactSpec]) -> list[str]:
        found = _fact_problem(self.name, self.on, "date", facts)
        if not self.history:
            found.append(f"parametro '{self.name}': nessun valore")
        days = [start for start, _ in self.history]
        if days != sorted(set(days)):
            found.append(f"parametro '{self.name}': le date vanno in ordine, ognuna una volta sola")
        return found


def _number(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
