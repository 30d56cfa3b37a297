"""Eligibility: declarative rule sets evaluated by rule-engine, every verdict explained.

Import from here; the private modules are an implementation detail.
"""

from guarantee.domain.eligibility._catalog import RuleSetCatalog
from guarantee.domain.eligibility._derived import (
    ANY_KEY,
    BandLookup,
    DerivedFact,
    MemberOf,
    SizeBand,
)
from guarantee.domain.eligibility._evaluation import (
    OUTCOMES,
    RULE_KINDS,
    VERDICT_RESULTS,
    Evaluation,
    Outcome,
    RuleKind,
    RuleVerdict,
    VerdictResult,
    outcome_of,
    outcome_rank,
)
from guarantee.domain.eligibility._examples import (
    ExampleFailure,
    MissingBoundary,
    RuleExample,
    missing_boundaries,
    run_examples,
)
from guarantee.domain.eligibility._facts import ELIGIBILITY_FACTS, FactSpec, FactType
from guarantee.domain.eligibility._impact import (
    ImpactCase,
    ImpactReport,
    OutcomeChange,
    changed_rules,
    impact,
)
from guarantee.domain.eligibility._ruleset import RuleSet, RuleSpec

__all__ = [
    "ANY_KEY",
    "ELIGIBILITY_FACTS",
    "OUTCOMES",
    "RULE_KINDS",
    "VERDICT_RESULTS",
    "BandLookup",
    "DerivedFact",
    "Evaluation",
    "ExampleFailure",
    "FactSpec",
    "FactType",
    "ImpactCase",
    "ImpactReport",
    "MemberOf",
    "MissingBoundary",
    "Outcome",
    "OutcomeChange",
    "RuleExample",
    "RuleKind",
    "RuleSet",
    "RuleSetCatalog",
    "RuleSpec",
    "RuleVerdict",
    "SizeBand",
    "VerdictResult",
    "changed_rules",
    "impact",
    "missing_boundaries",
    "outcome_of",
    "outcome_rank",
    "run_examples",
]
