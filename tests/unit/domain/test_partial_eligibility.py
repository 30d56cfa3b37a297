"""Eligibility before a lease: which rules the household alone answers, and its maximum rent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from guarantee.domain.attestations import Attestation
from guarantee.domain.eligibility.partial import (
    PENDING_REASON,
    evaluate_household,
    household_rule_codes,
    income_rule_code,
    maximum_rent,
)
from guarantee.domain.errors import DomainError, IllegalTransition
from tests.rules_support import default_ruleset

HOUSEHOLD = {
    "isee": Decimal("12000.00"),
    "net_monthly_income": Decimal("1350.00"),
    "referral_source": "help_desk",
    "other_live_guarantees": 0,
}
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)


def test_the_rules_a_household_answers_alone_are_those_whose_facts_it_has() -> None:
    ruleset = default_ruleset()
    assert household_rule_codes(ruleset, HOUSEHOLD) == (
        "isee",
        "partner_referral",
        "no_other_live_guarantee",
    )
    assert income_rule_code(ruleset, HOUSEHOLD) == "rent_to_income"


@pytest.mark.parametrize(
    ("income", "rent"),
    [
        ("1350.00", "540.00"),  # the example: 40% of 1.350,00 €
        ("1700.00", "680.00"),  # EXAMPLES B: 680 € on 1.700 € is 40,00%
        ("1699.00", "679.60"),
        ("1000.01", "400.00"),  # 400,004 €: down to the cent, never above the rule
        ("33.33", "13.33"),
    ],
)
def test_the_maximum_rent_is_the_highest_cent_the_income_rule_passes(
    income: str, rent: str
) -> None:
    ruleset = default_ruleset()
    facts = {**HOUSEHOLD, "net_monthly_income": Decimal(income)}
    found = maximum_rent(ruleset, "rent_to_income", facts)
    assert found == Decimal(rent)
    over = {**facts, "monthly_rent": found + Decimal("0.01"), "monthly_charges": Decimal(0)}
    values = ruleset.prepare(over, ("rent_to_income",))
    assert ruleset.results(values, ("rent_to_income",))["rent_to_income"] != "pass"


def test_no_income_no_attestation() -> None:
    with pytest.raises(DomainError, match="nessun canone"):
        maximum_rent(default_ruleset(), "rent_to_income", {**HOUSEHOLD, "net_monthly_income": 0})


def test_the_others_wait_for_the_lease() -> None:
    partial = evaluate_household(default_ruleset(), HOUSEHOLD)
    assert partial.outcome == "eligible" and partial.maximum_rent == Decimal("540.00")
    assert {p["reason"] for p in partial.pending} == {PENDING_REASON}
    assert len(partial.pending) + len(partial.verdicts) == len(default_ruleset().codes)
    doubtful = evaluate_household(default_ruleset(), {**HOUSEHOLD, "isee": Decimal("30000")})
    assert doubtful.outcome == "needs_review"


def _attestation() -> Attestation:
    return Attestation(
        number="ATT-2026-000001",
        code="7KQ2-M9XD-4T8P-WR3C",
        household_id="h",
        maximum_rent=Decimal("540.00"),
        issued_on=date(2026, 11, 25),
        valid_until=date(2027, 5, 24),
        product_code="garanzia-casa",
        product_version="1",
        ruleset_version="2026-01",
        eligibility={},
        created_at=NOW,
        created_by="sportello",
    )


def test_an_attestation_is_used_once_and_not_after_its_last_day() -> None:
    attestation = _attestation()
    with pytest.raises(DomainError, match="scaduta il 24 maggio 2027"):
        attestation.use(guarantee_id="g", application_number="D", today=date(2027, 5, 25), now=NOW)
    attestation.use(guarantee_id="g", application_number="D", today=date(2027, 5, 24), now=NOW)
    with pytest.raises(IllegalTransition):
        attestation.use(guarantee_id="g", application_number="D", today=date(2027, 5, 24), now=NOW)
    with pytest.raises(IllegalTransition):
        attestation.withdraw(NOW, "ripensamento")


def test_a_withdrawal_needs_a_reason() -> None:
    with pytest.raises(DomainError, match="motivazione"):
        _attestation().withdraw(NOW, " ")
