"""A product whose overall cap is below the sum of its lines (4 rents, nothing fixed)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from pytest_bdd import scenarios

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.reference_data import ProductCatalog
from guarantee.bootstrap import System, bootstrap
from guarantee.domain.products import ProductCatalog as VersionedProducts
from guarantee.settings import Settings
from tests.features.claims_steps import *  # noqa: F403  (the steps are fixtures)
from tests.support.products import product

scenarios("claims_overall_cap.feature")


@pytest.fixture
def system(settings: Settings, clock: FixedClock) -> Iterator[System]:
    small_overall_cap = product(overall_cap_rents=4, overall_cap_extra=Decimal("0.00"))
    system = bootstrap(
        settings, clock=clock, products=ProductCatalog(VersionedProducts([small_overall_cap]))
    )
    try:
        yield system
    finally:
        system.close()
