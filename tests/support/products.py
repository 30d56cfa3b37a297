"""The default product (SPEC §3) as a value, with any field changed for a test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from guarantee.domain.products import Product


def product(**changes: object) -> Product:
    """Garanzia Casa v1 as committed in policies/ (valid from 2023-01-01)."""
    values: dict[str, object] = {
        "code": "garanzia-casa",
        "version": 1,
        "name": "Garanzia Casa",
        "valid_from": date(2023, 1, 1),
        "valid_to": None,
        "max_term_months": 36,
        "renewals": 1,
        "arrears_cap_rents": 12,
        "arrears_include_charges": True,
        "damages_cap": Decimal("3000.00"),
        "legal_costs_cap": Decimal("2000.00"),
        "overall_cap_rents": 12,
        "overall_cap_extra": Decimal("5000.00"),
        "deductible": Decimal("0.00"),
        "waiting_period_days": 60,
        "arrears_report_days": 60,
        "arrears_claim_requires_mediation": True,
        "damages_claim_days": 60,
        "reserve_ratio": Decimal("0.30"),
        "recovery_max_instalments": 36,
        "recovery_instalment_income_share": Decimal("0.10"),
    }
    values.update(changes)
    return Product(**values)  # type: ignore[arg-type]
