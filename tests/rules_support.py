"""Shared helpers for eligibility tests: the project's default rules and a typical household."""

from __future__ import annotations

import shutil
from decimal import Decimal
from functools import cache
from pathlib import Path

from guarantee.adapters.data_files import load_fact_catalogue, load_ruleset
from guarantee.domain.eligibility import FactCatalogue, FactSpec, RuleSet

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "rules"
DEFAULT_RULESET = RULES_DIR / "eligibility" / "2026-01.yaml"
POLICIES_DIR = ROOT / "policies"


@cache
def default_catalogue() -> FactCatalogue:
    """The project's fact catalogue (rules/facts.yaml)."""
    return load_fact_catalogue(RULES_DIR / "facts.yaml")


def default_facts() -> dict[str, FactSpec]:
    """The supplied facts of the project's catalogue, by name."""
    return dict(default_catalogue().supplied)


@cache
def default_ruleset() -> RuleSet:
    return load_ruleset(DEFAULT_RULESET)


def household(**changes: object) -> dict[str, object]:
    """An eligible household in Ivrea (75 m², cap 720 €), with some facts changed."""
    facts: dict[str, object] = {
        "isee": Decimal("18000.00"),
        "net_monthly_income": Decimal("2500.00"),
        "monthly_rent": Decimal("600.00"),
        "monthly_charges": Decimal("80.00"),
        "municipality_istat_code": "001125",
        "floor_area_m2": 75,
        "lease_type": "canone_concordato_3_2",
        "lease_registered": True,
        "lease_months": 36,
        "referral_source": "social_services",
        "other_live_guarantees": 0,
        "declared_relatives": False,
    }
    facts.update(changes)
    return facts


def copy_rules(target: Path) -> Path:
    """A private copy of the project's rules/ folder to edit in a test."""
    destination = target / "rules"
    shutil.copytree(RULES_DIR, destination)
    return destination
