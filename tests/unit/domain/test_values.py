"""Money, leases, identifiers: the small values every story stands on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guarantee.domain import identifiers
from guarantee.domain.errors import InvalidField
from guarantee.domain.leases import Lease
from guarantee.domain.money import from_cents, money, percent_of, to_cents
from tests.support.builders import iban, tax_code, vat_number


def test_money_rounds_half_up_to_the_cent() -> None:
    assert money("116.385") == Decimal("116.39")
    assert money("116.384") == Decimal("116.38")
    assert percent_of(Decimal("8610.00"), Decimal("0.30")) == Decimal("2583.00")


def test_money_refuses_floats_and_nonsense() -> None:
    with pytest.raises(TypeError):
        money(0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        money("dieci euro")
    with pytest.raises(ValueError):
        money("NaN")


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_cents_round_trip_exactly(cents: int) -> None:
    assert to_cents(from_cents(cents)) == cents


def test_fractions_of_a_cent_are_not_silently_stored() -> None:
    with pytest.raises(ValueError):
        to_cents(Decimal("1.005"))


def lease(**kw: object) -> Lease:
    fields: dict[str, object] = {
        "lease_type": "canone_concordato_3_2",
        "start": date(2027, 1, 1),
        "end": date(2027, 12, 31),
        "monthly_rent": Decimal("650"),
        "monthly_charges": Decimal("80"),
        "registered": True,
        "registration_reference": "3T 1234",
    }
    fields.update(kw)
    return Lease(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("end", "months"),
    [(date(2027, 12, 31), 12), (date(2027, 11, 30), 11), (date(2028, 12, 31), 24)],
)
def test_lease_length_in_whole_months(end: date, months: int) -> None:
    assert lease(end=end).months == months


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"end": date(2026, 12, 31)}, "lease.end"),
        ({"end": date(2027, 1, 1)}, "lease.end"),
        ({"monthly_rent": Decimal("-1")}, "lease.monthly_rent"),
        ({"monthly_rent": Decimal("0")}, "lease.monthly_rent"),
        ({"monthly_charges": Decimal("-0.01")}, "lease.monthly_charges"),
        ({"registration_reference": None}, "lease.registration_reference"),
        ({"rent_due_day": 31}, "lease.rent_due_day"),
    ],
)
def test_a_wrong_lease_names_the_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        lease(**fields)
    assert refused.value.field == field


def test_identifiers_are_checked_by_their_check_digits() -> None:
    good = tax_code(7)
    assert identifiers.tax_code(good.lower()) == good
    with pytest.raises(InvalidField, match="codice fiscale"):
        identifiers.tax_code(good[:-1] + ("A" if good[-1] != "A" else "B"))
    assert identifiers.vat_number(vat_number(42)) == vat_number(42)
    with pytest.raises(InvalidField, match="partita IVA"):
        identifiers.vat_number("12345678901")
    assert identifiers.iban(iban(5).lower()) == iban(5)
    with pytest.raises(InvalidField, match="IBAN"):
        identifiers.iban("IT60X0542811101000000123457")
    with pytest.raises(InvalidField):
        identifiers.istat_code("1125")
