"""Working days of the fund's office: deadlines such as the mediator's first contact.

Monday to Friday, minus Italian public holidays (from the ``holidays`` library, so new
national holidays arrive with an upgrade, not an edit) and minus the office's own closing
days, which are data (``rules/reference/office-closures.csv``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

_SATURDAY = 5


@dataclass(frozen=True)
class ClosingDay:
    """A day the office is closed: every year (``year`` None) or once."""

    month: int
    day: int
    description: str
    year: int | None = None

    def __post_init__(self) -> None:
        # 29 February is a valid recurring day: it simply applies in leap years only.
        date(self.year or 2000, self.month, self.day)

    def falls_on(self, day: date) -> bool:
        return (
            day.month == self.month
            and day.day == self.day
            and (self.year is None or day.year == self.year)
        )


class WorkingCalendar:
    """Answers "is this a working day?" and counts working days forward."""

    def __init__(self, closures: Iterable[ClosingDay] = (), *, country: str = "IT") -> None:
        self.closures = tuple(closures)
        self.country = country
        self._public: dict[int, dict[date, str]] = {}

    def public_holiday(self, day: date) -> str | None:
        """The name of the public holiday on ``day``, if any."""
        return self._holidays_of(day.year).get(day)

    def office_closure(self, day: date) -> ClosingDay | None:
        return next((c for c in self.closures if c.falls_on(day)), None)

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() < _SATURDAY
            and self.public_holiday(day) is None
            and self.office_closure(day) is None
        )

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``; ``start`` itself never counts.

        A deadline of N working days "counts from the next day" (SPEC §3): reported on a
        Wednesday, 5 working days end on the following Wednesday if nothing is closed.
        """
        if n < 1:
            raise ValueError(f"n must be 1 or more, got {n}")
        day = start
        left = n
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end ≤ start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def _holidays_of(self, year: int) -> dict[date, str]:
        # One lookup per year; a plain dict so repeated checks stay cheap.
        known = self._public.get(year)
        if known is None:
            found = holidays.country_holidays(self.country, years=year)
            known = {day: str(name) for day, name in found.items()}
            self._public[year] = known
        return known
