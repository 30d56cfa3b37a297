"""Italian formats through Babel, with the fund's half-up rounding."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from guarantee.adapters.formatting import date_it, euro, iban_masked, percent_it, time_it

NBSP = "\u00a0"  # between amount and sign, so "€" never starts a line


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234.5"), "1.234,50"),
        (Decimal("4190"), "4.190,00"),
        (Decimal("0"), "0,00"),
        (Decimal("116.39"), "116,39"),
        (Decimal("2.345"), "2,35"),  # half-up, where Babel alone rounds half-even to 2,34
        (Decimal("1234567.891"), "1.234.567,89"),
        (Decimal("-400"), "-400,00"),
        (650, "650,00"),
    ],
)
def test_euro(amount: Decimal | int, text: str) -> None:
    assert euro(amount) == f"{text}{NBSP}€"


@pytest.mark.parametrize("bad", [1234.5, "1234.50", True, None])
def test_euro_refuses_what_is_not_an_exact_amount(bad: object) -> None:
    with pytest.raises(TypeError):
        euro(bad)


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (Decimal("0.40"), "40,0%"),
        (Decimal("0.4002"), "40,0%"),
        (Decimal("0.4005"), "40,1%"),  # half-up
        (Decimal("0.10"), "10,0%"),
        (Decimal("0.0419"), "4,2%"),
        (Decimal("1"), "100,0%"),
    ],
)
def test_percent_it(fraction: Decimal, text: str) -> None:
    assert percent_it(fraction) == text


def test_percent_refuses_floats() -> None:
    with pytest.raises(TypeError):
        percent_it(0.4)


def test_date_it() -> None:
    assert date_it(date(2026, 11, 24)) == "24 novembre 2026"
    assert date_it(date(2030, 3, 1)) == "1 marzo 2030"
    assert date_it(date(2027, 7, 15), weekday=True) == "giovedì 15 luglio 2027"


def test_date_it_refuses_datetimes_and_text() -> None:
    with pytest.raises(TypeError):
        date_it(datetime(2026, 11, 24, 10, 0))  # noqa: DTZ001 - the type is what is tested
    with pytest.raises(TypeError):
        date_it("2026-11-24")


def test_time_it() -> None:
    assert time_it(time(9, 5)) == "09:05"


@pytest.mark.parametrize(
    "iban", ["IT60X0542811101000000123456", "it60 x054 2811 1010 0000 0123 456"]
)
def test_iban_masked_keeps_only_the_last_four(iban: str) -> None:
    assert iban_masked(iban) == "*** **** **** **** **** **** 3456"


def test_iban_masked_groups_from_the_right() -> None:
    assert iban_masked("DE89370400440532013000") == "** **** **** **** **** 3000"


@pytest.mark.parametrize("bad", ["", "1234", "IT60-X054"])
def test_iban_masked_refuses_non_ibans(bad: str) -> None:
    with pytest.raises(ValueError):
        iban_masked(bad)
