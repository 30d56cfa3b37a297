"""Product definitions and eligibility rule sets from policies/ and rules/, for the services."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path

from guarantee.adapters.data_files import DataFiles
from guarantee.domain.eligibility import Evaluation, RuleSet, RuleSetCatalog
from guarantee.domain.products import Product
from guarantee.domain.products import ProductCatalog as VersionedProducts


def load_products(policies_dir: Path) -> ProductCatalog:
    return ProductCatalog(DataFiles().load_products(policies_dir))


def load_eligibility(rules_dir: Path) -> RuleSetChecker:
    return RuleSetChecker(DataFiles().load_rulesets(rules_dir))


class ProductTermsView:
    """A product version as the service port sees: its version as text, as guarantees store it."""

    def __init__(self, product: Product) -> None:
        self.product = product
        self.code = product.code
        self.version = str(product.version)
        self.max_term_months = product.max_term_months
        self.reserve_ratio = product.reserve_ratio

    def maximum_exposure(self, monthly_rent: Decimal) -> Decimal:
        return self.product.maximum_exposure(monthly_rent)

    def reserve_for(self, monthly_rent: Decimal, paid: Decimal = Decimal("0.00")) -> Decimal:
        return self.product.reserve_for(monthly_rent, paid)


class ProductCatalog:
    def __init__(self, catalog: VersionedProducts) -> None:
        self.catalog = catalog

    def current(self, code: str, on: date) -> ProductTermsView:
        return ProductTermsView(self.catalog.current(code, on))

    def get(self, code: str, version: str) -> ProductTermsView:
        return ProductTermsView(self.catalog.get(code, int(version)))


class RuleSetChecker:
    def __init__(self, catalog: RuleSetCatalog) -> None:
        self.catalog = catalog

    def evaluate(self, facts: Mapping[str, object], on: date) -> Evaluation:
        return self.catalog.effective(on).evaluate(facts)

    def ruleset(self, on: date) -> RuleSet:
        return self.catalog.effective(on)
