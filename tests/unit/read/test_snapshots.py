"""A letter that cannot be composed never blocks the business change; a refusal of the
database does not pass for one: it fails the change with the database's own error."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.reference_data import load_products
from guarantee.domain.aggregate import DomainEvent
from guarantee.domain.calendar import WorkingCalendar
from guarantee.read import snapshots
from guarantee.read.snapshots import LetterSnapshots
from guarantee.settings import Settings

TOPIC = "guarantee_issued"


@pytest.fixture
def letters() -> LetterSnapshots:
    settings = Settings(database_url="sqlite://")
    clock = FixedClock(datetime(2026, 11, 25, 9, tzinfo=UTC))
    return LetterSnapshots(
        load_products(settings.policies_dir), settings, WorkingCalendar(frozenset()), clock
    )


def event() -> DomainEvent:
    return DomainEvent(TOPIC, "guarantee", "g-1", {"number": "GC-2026-000001"})


def test_a_letter_that_cannot_be_composed_is_left_to_the_job(
    letters: LetterSnapshots, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> Any:
        raise KeyError("a fact the template needs")

    monkeypatch.setattr(snapshots, "compose", broken)
    assert TOPIC in snapshots.COMPOSERS
    assert letters(None, event()) is None  # type: ignore[arg-type]


def test_a_refusal_of_the_database_fails_the_change_with_its_own_error(
    letters: LetterSnapshots, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = OperationalError("SELECT …", {}, Exception("la scrittura non bilanciata"))

    def refusing(*_: Any) -> Any:
        raise refused

    monkeypatch.setattr(snapshots, "compose", refusing)
    with pytest.raises(OperationalError) as raised:
        letters(None, event())  # type: ignore[arg-type]
    assert raised.value is refused
