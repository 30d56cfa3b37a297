"""The real clock: UTC instants; business dates in Italy's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(ROME).date()


class FixedClock:
    """A clock that stays where it is put (tests, demo data, replaying a day)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.astimezone(ROME).date()

    def set(self, at: datetime) -> None:
        self.at = at
