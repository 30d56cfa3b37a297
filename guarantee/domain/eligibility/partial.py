"""Eligibility before a lease exists: the rules a household alone can answer, and the
highest rent the income rule lets it take on.

Which rules can be judged is read from the fact catalogue (``rules/facts.yaml``): each
rule needs the supplied facts ``RuleSet.facts_needed`` names (through computed facts too);
a rule whose facts are all known before the lease is judged now, every other one waits for
the lease and the dwelling ("da verificare quando il contratto è noto"). Nothing here
names a fact of the household: a new household fact in the catalogue is judged at once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from guarantee.domain.eligibility._evaluation import Outcome, VerdictResult, outcome_of
from guarantee.domain.eligibility._ruleset import RuleSet
from guarantee.domain.errors import DomainError
from guarantee.domain.money import CENT, ZERO

PENDING_REASON = "da verificare quando il contratto è noto"
# Facts of the lease the income rule compares with the household's income.
RENT_FACTS = ("monthly_rent", "monthly_charges")
# Above this a rent is not a rent: the search for the highest one stops here.
_RENT_CEILING = Decimal("1000000.00")


def supplied_facts(ruleset: RuleSet, code: str) -> frozenset[str]:
    """The supplied facts a rule reads, directly or through the computed facts it reads."""
    return frozenset(ruleset.facts_needed(code))


def household_rule_codes(ruleset: RuleSet, known: Collection[str]) -> tuple[str, ...]:
    """The rules whose facts are all ``known`` (judged before a lease exists)."""
    return tuple(code for code in ruleset.codes if supplied_facts(ruleset, code) <= set(known))


def income_rule_code(ruleset: RuleSet, known: Collection[str]) -> str | None:
    """The rule comparing rent (and charges) with the household's income, if the set has one:
    the rule that misses only the rent (and charges) among its facts and knows the rest."""
    for code in ruleset.codes:
        facts = supplied_facts(ruleset, code)
        missing = facts - set(known)
        if "monthly_rent" in missing and missing <= set(RENT_FACTS) and facts - missing:
            return code
    return None


@dataclass(frozen=True)
class PartialEvaluation:
    """The household's rules judged, the others pending, and the rent it can afford."""

    ruleset_version: str
    outcome: Outcome
    verdicts: tuple[dict[str, Any], ...]
    pending: tuple[dict[str, str], ...]
    maximum_rent: Decimal | None
    income_rule: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "ruleset_version": self.ruleset_version,
            "outcome": self.outcome,
            "verdicts": [dict(v) for v in self.verdicts],
            "pending": [dict(p) for p in self.pending],
            "maximum_rent": None if self.maximum_rent is None else str(self.maximum_rent),
            "income_rule": self.income_rule,
        }


def evaluate_household(ruleset: RuleSet, facts: Mapping[str, object]) -> PartialEvaluation:
    """Judge the household's rules on ``facts``; list the others as pending; find the rent."""
    codes = household_rule_codes(ruleset, facts.keys())
    values = ruleset.prepare(facts, codes)
    results = ruleset.results(values, codes)
    verdicts = tuple(
        {
            "code": code,
            "message": ruleset.spec(code).message,
            "kind": ruleset.spec(code).kind,
            "result": results[code],
            "facts_seen": {name: str(values[name]) for name in supplied_facts(ruleset, code)},
        }
        for code in codes
    )
    pending = tuple(
        {"code": code, "message": ruleset.spec(code).message, "reason": PENDING_REASON}
        for code in ruleset.codes
        if code not in codes
    )
    income_rule = income_rule_code(ruleset, facts.keys())
    maximum = maximum_rent(ruleset, income_rule, facts) if income_rule else None
    return PartialEvaluation(
        ruleset_version=ruleset.version,
        outcome=outcome_of(results[code] for code in codes),
        verdicts=verdicts,
        pending=pending,
        maximum_rent=maximum,
        income_rule=income_rule,
    )


def maximum_rent(ruleset: RuleSet, code: str, facts: Mapping[str, object]) -> Decimal:
    """The highest monthly rent plus charges, in whole cents, with which ``code`` passes.

    The rule is asked, not re-written: binary search over cents on the rule as the fund
    manager wrote it (40% of 1.350,00 € → 540,00 €). Rounding is downwards to the cent by
    construction — the answer is an amount that passes, and one cent more does not. Assumes
    what any income rule means: a higher rent never passes where a lower one fails.
    """

    def passes(total: Decimal) -> bool:
        values = ruleset.prepare({**facts, "monthly_rent": total, "monthly_charges": ZERO}, (code,))
        result: VerdictResult = ruleset.results(values, (code,))[code]
        return result == "pass"

    if not passes(CENT):
        raise DomainError(
            "con il reddito dichiarato nessun canone rispetta la regola "
            f"'{code}': l'attestazione non può indicare un canone massimo",
            code="no_affordable_rent",
        )
    low, high = 1, int(_RENT_CEILING / CENT)  # in cents: low passes, high is the ceiling
    if passes(_RENT_CEILING):
        return _RENT_CEILING
    while high - low > 1:
        middle = (low + high) // 2
        if passes(Decimal(middle) * CENT):
            low = middle
        else:
            high = middle
    return (Decimal(low) * CENT).quantize(CENT)
