"""Eligibility: declarative rule sets evaluated by rule-engine, every verdict explained.

Import from here; the private modules are an implementation detail.
"""

# Before anything imports rule-engine: its parser tables ready-made (see the module).
from guarantee.domain.eligibility import _parser_tables  # noqa: F401  # isort: skip

from guarantee.domain.eligibility._catalog import RuleSetCatalog
from guarantee.domain.eligibility._computed import DateDifference, DatedParameter, Percentage
from guarantee.domain.eligibility._conditions import unknown_fact
from guarantee.domain.eligibility._derived import (
    ANY_KEY,
    BandLookup,
    DerivedFact,
    MemberOf,
    SizeBand,
)
from guarantee.domain.eligibility._evaluation import (
    DEFAULT_SCHEME,
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
    plain_fact,
)
from guarantee.domain.eligibility._examples import (
    ExampleFailure,
    MissingBoundary,
    RuleExample,
    missing_boundaries,
    run_examples,
)
from guarantee.domain.eligibility._fact_catalogue import (
    ORIGINS,
    FactCatalogue,
    depends_on,
    rule_needs,
)
from guarantee.domain.eligibility._facts import (
    FACT_KINDS,
    KIND_LABELS,
    FactKind,
    FactSpec,
    FactType,
    check_any,
    check_declared,
)
from guarantee.domain.eligibility._impact import (
    ImpactCase,
    ImpactReport,
    OutcomeChange,
    changed_rules,
    impact,
)
from guarantee.domain.eligibility._ruleset import RuleSet, RuleSpec, facts_needed
from guarantee.domain.eligibility._tables import (
    AGGREGATES,
    HIT_POLICIES,
    Cell,
    DecisionTable,
    TableRow,
)

__all__ = [
    "AGGREGATES",
    "ANY_KEY",
    "DEFAULT_SCHEME",
    "FACT_KINDS",
    "HIT_POLICIES",
    "KIND_LABELS",
    "ORIGINS",
    "OUTCOMES",
    "RULE_KINDS",
    "VERDICT_RESULTS",
    "BandLookup",
    "Cell",
    "DateDifference",
    "DatedParameter",
    "DecisionTable",
    "DerivedFact",
    "Evaluation",
    "ExampleFailure",
    "FactCatalogue",
    "FactKind",
    "FactSpec",
    "FactType",
    "ImpactCase",
    "ImpactReport",
    "MemberOf",
    "MissingBoundary",
    "Outcome",
    "OutcomeChange",
    "Percentage",
    "RuleExample",
    "RuleKind",
    "RuleSet",
    "RuleSetCatalog",
    "RuleSpec",
    "RuleVerdict",
    "SizeBand",
    "TableRow",
    "VerdictResult",
    "changed_rules",
    "check_any",
    "check_declared",
    "depends_on",
    "facts_needed",
    "impact",
    "missing_boundaries",
    "outcome_of",
    "outcome_rank",
    "plain_fact",
    "rule_needs",
    "run_examples",
    "unknown_fact",
]
