"""The named dependencies handlers receive (the composition root fills them)."""

from __future__ import annotations

from dataclasses import dataclass

from guarantee.services.ports import Clock, EligibilityChecker, ProductCatalog


@dataclass(frozen=True)
class Dependencies:
    clock: Clock
    products: ProductCatalog
    eligibility: EligibilityChecker
