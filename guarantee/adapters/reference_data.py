"""Product definitions and eligibility rule sets, loaded from policies/ and rules/."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from guarantee.services.ports import EligibilityChecker, EligibilityResult, ProductCatalog


def load_products(policies_dir: Path) -> ProductCatalog:
    from guarantee.adapters.data_files import load_product_catalog

    return _VersionedCatalog(load_product_catalog(policies_dir))


def load_eligibility(rules_dir: Path) -> EligibilityChecker:
    from guarantee.adapters.data_files import load_ruleset_catalog

    return _RuleSetChecker(load_ruleset_catalog(rules_dir))


class _VersionedCatalog:
    """Guarantees store the product version as text; the catalog keys it as a number."""

    def __init__(self, catalog: Any) -> None:
        self.catalog = catalog

    def current(self, code: str, on: date) -> Any:
        return _ProductView(self.catalog.current(code, on))

    def get(self, code: str, version: str) -> Any:
        return _ProductView(self.catalog.get(code, int(version)))


class _ProductView:
    def __init__(self, product: Any) -> None:
        self.product = product
        self.code: str = product.code
        self.version: str = str(product.version)
        self.max_term_months: int = product.max_term_months

    def __getattr__(self, name: str) -> Any:
        return getattr(self.product, name)


class _RuleSetChecker:
    def __init__(self, catalog: Any) -> None:
        self.catalog = catalog

    def evaluate(self, facts: Mapping[str, object], on: date) -> EligibilityResult:
        result: EligibilityResult = self.catalog.effective(on).evaluate(facts)
        return result
