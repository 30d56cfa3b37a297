"""Working days: EXAMPLES §C, the office's closing days as data, and the loader's errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guarantee.adapters.data_files import (
    DataFileError,
    DataFiles,
    load_office_closures,
    office_closures_path,
)
from guarantee.domain.calendar import ClosingDay, WorkingCalendar
from tests.rules_support import RULES_DIR

PATRON_SAINT = ClosingDay(month=7, day=7, description="San Savino, patrono di Ivrea")


@pytest.fixture(scope="module")
def office() -> WorkingCalendar:
    """The calendar with the project's own closing-days file."""
    return WorkingCalendar(load_office_closures(office_closures_path(RULES_DIR)))


@pytest.mark.parametrize(
    ("reported", "due"),
    [
        (date(2026, 12, 23), date(2026, 12, 31)),  # 25 and 26 December are holidays
        (date(2027, 3, 26), date(2027, 4, 5)),  # Easter Monday 2027-03-29
        (date(2027, 6, 30), date(2027, 7, 8)),  # 7 July: the office is closed
        (date(2027, 12, 31), date(2028, 1, 10)),  # 6 January is a holiday
        (date(2027, 6, 21), date(2027, 6, 28)),  # EXAMPLES §D step 1
    ],
)
def test_examples_c_first_contact_in_five_working_days(
    office: WorkingCalendar, reported: date, due: date
) -> None:
    assert office.add_working_days(reported, 5) == due


def test_the_shipped_file_closes_the_office_on_the_patron_saint_only() -> None:
    closures = load_office_closures(office_closures_path(RULES_DIR))
    assert [(c.year, c.month, c.day) for c in closures] == [(None, 7, 7)]
    assert "Ivrea" in closures[0].description
    assert DataFiles().load_office_closures(office_closures_path(RULES_DIR)) == closures


def test_without_the_closing_day_7_july_counts() -> None:
    assert WorkingCalendar().add_working_days(date(2027, 6, 30), 5) == date(2027, 7, 7)


def test_counting_starts_the_next_day_even_from_a_holiday() -> None:
    calendar = WorkingCalendar()
    assert calendar.add_working_days(date(2027, 12, 25), 1) == date(2027, 12, 27)
    assert calendar.add_working_days(date(2027, 6, 4), 1) == date(2027, 6, 7)  # Fri → Mon


def test_a_one_off_closing_day_counts_only_in_its_year() -> None:
    bridge = ClosingDay(month=12, day=24, description="ponte", year=2027)
    calendar = WorkingCalendar([bridge])
    assert not calendar.is_working_day(date(2027, 12, 24))
    assert calendar.office_closure(date(2027, 12, 24)) == bridge
    assert calendar.is_working_day(date(2026, 12, 24))


def test_why_a_day_is_not_working(office: WorkingCalendar) -> None:
    assert office.public_holiday(date(2027, 3, 29)) is not None
    assert office.public_holiday(date(2027, 3, 30)) is None
    assert office.office_closure(date(2028, 7, 7)) is not None
    assert not office.is_working_day(date(2027, 7, 10))  # a Saturday


def test_counting_needs_at_least_one_day() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar().add_working_days(date(2027, 1, 4), 0)


def test_an_impossible_closing_day_is_refused() -> None:
    with pytest.raises(ValueError):
        ClosingDay(month=2, day=30, description="x")
    ClosingDay(month=2, day=29, description="ogni anno bisestile")


@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    n=st.integers(min_value=1, max_value=30),
)
def test_the_due_day_is_a_working_day_with_exactly_n_working_days_after_start(
    start: date, n: int
) -> None:
    calendar = WorkingCalendar([PATRON_SAINT])
    due = calendar.add_working_days(start, n)
    assert calendar.is_working_day(due)
    between = [start + timedelta(days=k) for k in range(1, (due - start).days + 1)]
    assert sum(calendar.is_working_day(day) for day in between) == n


# -- the closing-days file -------------------------------------------------------------------


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    # Error messages show paths relative to the working directory, as a CLI user sees them.
    before = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(before)


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataFileError) as caught:
        load_office_closures(path)
    return [str(problem) for problem in caught.value.problems]


def test_recurring_and_one_off_days_load(in_tmp: Path) -> None:
    path = in_tmp / "closures.csv"
    path.write_text(
        "date_or_month_day,description\n07-07,San Savino\n2027-12-24,ponte di Natale\n",
        encoding="utf-8",
    )
    assert load_office_closures(path) == (
        ClosingDay(month=7, day=7, description="San Savino"),
        ClosingDay(month=12, day=24, description="ponte di Natale", year=2027),
    )


def test_every_wrong_row_is_named_with_file_and_line(in_tmp: Path) -> None:
    path = in_tmp / "closures.csv"
    path.write_text(
        "date_or_month_day,description\n"
        "07-07,San Savino\n"
        "7 luglio,di nuovo\n"
        "2027-02-30,giorno che non esiste\n"
        "12-24,\n"
        "07-07,doppione\n",
        encoding="utf-8",
    )
    assert problems_of(path) == [
        "closures.csv:3: '7 luglio' non è né un giorno dell'anno (MM-GG, es. 07-07) "
        "né una data (AAAA-MM-GG, es. 2027-04-26)",
        "closures.csv:4: '2027-02-30' non è né un giorno dell'anno (MM-GG, es. 07-07) "
        "né una data (AAAA-MM-GG, es. 2027-04-26)",
        "closures.csv:5: 'description' è vuoto: scrivere perché l'ufficio è chiuso",
        "closures.csv:6: '07-07' compare due volte (anche alla riga 2)",
    ]


def test_a_missing_column_or_file_is_reported(in_tmp: Path) -> None:
    path = in_tmp / "closures.csv"
    path.write_text("date,description\n07-07,x\n", encoding="utf-8")
    assert problems_of(path) == [
        "closures.csv:1: mancano le colonne 'date_or_month_day' nella prima riga "
        "(intestazione trovata: date, description)"
    ]
    assert problems_of(in_tmp / "none.csv")[0].startswith("none.csv: file illeggibile")
