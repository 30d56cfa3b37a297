from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guarantee.adapters.data_files import load_products
from guarantee.domain.errors import InvalidDefinition, NotFound
from guarantee.domain.products import Product, ProductCatalog
from tests.rules_support import POLICIES_DIR
from tests.support.products import product as shipped_product


def product(**changes: object) -> Product:
    """The default product, valid from 2026 so the catalog tests can place versions around it."""
    return shipped_product(**{"valid_from": date(2026, 1, 1), **changes})


def test_the_committed_product_file_holds_the_spec_defaults() -> None:
    shipped = load_products(POLICIES_DIR).get("garanzia-casa", 1)
    assert shipped == shipped_product()


def test_example_a_exposure_and_reserve_for_rent_650() -> None:
    plan = product()
    assert plan.maximum_exposure(Decimal("650.00")) == Decimal("12800.00")
    assert plan.reserve_for(Decimal("650.00")) == Decimal("3840.00")


def test_reserve_follows_what_is_still_at_risk_after_a_payment() -> None:
    # EXAMPLES §D: 4,190.00 paid on a 12,800.00 exposure leaves 8,610.00 → reserve 2,583.00
    assert product().reserve_for(Decimal("650.00"), paid=Decimal("4190.00")) == Decimal("2583.00")


def test_reserve_rounds_half_up_to_the_cent() -> None:
    # 30% × 12,799.95 = 3,839.985 → 3,839.99 (banker's rounding would give .98)
    assert product().reserve_for(Decimal("650.00"), paid=Decimal("0.05")) == Decimal("3839.99")


def test_reserve_is_never_negative_when_everything_was_paid() -> None:
    assert product().reserve_for(Decimal("650.00"), paid=Decimal("20000.00")) == Decimal("0.00")


def test_charges_do_not_raise_the_caps() -> None:
    plan = product()
    assert plan.arrears_cap(Decimal("650.00")) == Decimal("7800.00")
    assert plan.overall_cap(Decimal("650.00")) == Decimal("12800.00")


def test_recovery_instalment_cap_is_a_share_of_net_income() -> None:
    assert product().recovery_instalment_cap(Decimal("1400.00")) == Decimal("140.00")


def test_numbers_come_from_the_product_not_the_code() -> None:
    richer = product(damages_cap=Decimal("4000.00"), reserve_ratio=Decimal("0.50"))
    assert richer.maximum_exposure(Decimal("650.00")) == Decimal("13800.00")
    assert richer.reserve_for(Decimal("650.00")) == Decimal("6900.00")


def test_float_rent_is_refused() -> None:
    with pytest.raises(TypeError):
        product().maximum_exposure(650.0)  # type: ignore[arg-type]


def test_negative_rent_is_refused() -> None:
    with pytest.raises(ValueError):
        product().reserve_for(Decimal("-1"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reserve_ratio": Decimal("1.5")}, "reserve_ratio"),
        ({"reserve_ratio": Decimal("0")}, "reserve_ratio"),
        ({"damages_cap": Decimal("-1")}, "damages_cap"),
        ({"valid_to": date(2025, 12, 31)}, "valid_to"),
        ({"arrears_cap_rents": 0}, "arrears_cap_rents"),
    ],
)
def test_inconsistent_products_are_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidDefinition) as caught:
        product(**changes)
    assert [problem.where for problem in caught.value.problems] == [(field,)]


@given(
    rent=st.decimals(min_value=0, max_value=5000, places=2),
    paid=st.decimals(min_value=0, max_value=30000, places=2),
)
def test_reserve_is_the_ratio_of_what_remains_at_risk(rent: Decimal, paid: Decimal) -> None:
    plan = product()
    reserve = plan.reserve_for(rent, paid)
    at_risk = max(plan.maximum_exposure(rent) - paid, Decimal(0))
    assert reserve == (at_risk * Decimal("0.30")).quantize(Decimal("0.01"), "ROUND_HALF_UP")
    assert Decimal(0) <= reserve <= plan.reserve_for(rent)


def two_versions() -> ProductCatalog:
    first = product(valid_to=date(2026, 12, 31))
    second = product(version=2, valid_from=date(2027, 1, 1), damages_cap=Decimal("3500.00"))
    return ProductCatalog([second, first])


def test_catalog_gets_a_version_even_after_it_expired() -> None:
    assert two_versions().get("garanzia-casa", 1).valid_to == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("day", "version"),
    [(date(2026, 1, 1), 1), (date(2026, 12, 31), 1), (date(2027, 1, 1), 2), (date(2040, 1, 1), 2)],
)
def test_catalog_current_picks_the_version_valid_on_the_day(day: date, version: int) -> None:
    assert two_versions().current("garanzia-casa", day).version == version


def test_catalog_current_fails_before_any_version() -> None:
    with pytest.raises(NotFound):
        two_versions().current("garanzia-casa", date(2025, 12, 31))


def test_catalog_unknown_version_or_code_is_not_found() -> None:
    with pytest.raises(NotFound):
        two_versions().get("garanzia-casa", 3)
    with pytest.raises(NotFound):
        two_versions().current("altro", date(2026, 6, 1))


def test_catalog_refuses_overlapping_versions() -> None:
    with pytest.raises(InvalidDefinition) as caught:
        ProductCatalog([product(), product(version=2, valid_from=date(2026, 6, 1))])
    assert caught.value.problems[0].where == (1, "valid_from")


def test_catalog_refuses_the_same_version_twice() -> None:
    again = dataclasses.replace(product(), name="copia")
    with pytest.raises(InvalidDefinition):
        ProductCatalog([product(), again])
