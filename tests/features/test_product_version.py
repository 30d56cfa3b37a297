"""A guarantee takes the product version on sale on the day it is issued (SPEC §3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from pytest_bdd import scenarios

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.reference_data import ProductCatalog
from guarantee.bootstrap import System, bootstrap
from guarantee.domain.products import ProductCatalog as VersionedProducts
from guarantee.settings import Settings
from tests.features.records_steps import *  # noqa: F403  (the steps are fixtures)
from tests.support.products import product

scenarios("product_version.feature")


@pytest.fixture
def system(settings: Settings, clock: FixedClock) -> Iterator[System]:
    """Version 1 on sale until the end of 2026; version 2, with a larger damages cap, after."""
    versions = VersionedProducts(
        [
            product(version=1, valid_to=date(2026, 12, 31)),
            product(version=2, valid_from=date(2027, 1, 1), damages_cap=Decimal("4000.00")),
        ]
    )
    system = bootstrap(settings, clock=clock, products=ProductCatalog(versions))
    try:
        yield system
    finally:
        system.close()
