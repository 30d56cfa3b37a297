"""The fact catalogue: every fact rules may read, where it comes from, how it is computed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from guarantee.domain.eligibility._derived import DerivedFact
from guarantee.domain.eligibility._facts import FactSpec
from guarantee.domain.eligibility._ruleset import RuleSet

ORIGINS = ("application", "household", "applicant", "lease", "dwelling")
"""Where a supplied fact is read: ``<origin>.<field>``; or ``declared`` / ``computed``."""


@dataclass(frozen=True)
class FactCatalogue:
    """Declared facts (supplied ones by name) and the facts computed from them, in order."""

    supplied: Mapping[str, FactSpec]
    computed: tuple[DerivedFact, ...] = ()
    computed_specs: Mapping[str, FactSpec] = field(default_factory=dict)
    # SHA-256 of the catalogue and the lists it reads: part of every rule set's digest,
    # since a fact's checks and computations decide evaluations too.
    digest: str = ""

    @property
    def all(self) -> dict[str, FactSpec]:
        return {**self.supplied, **self.computed_specs}

    def declared(self) -> dict[str, FactSpec]:
        """Facts the applicant states on the application (not read from a record)."""
        return {n: s for n, s in self.supplied.items() if s.source == "declared"}

    def read_from(self, origin: str) -> dict[str, str]:
        """Fact name → field, for the facts read from one record (``lease``, ...)."""
        found: dict[str, str] = {}
        for name, spec in self.supplied.items():
            head, _, attribute = spec.source.partition(".")
            if head == origin and attribute:
                found[name] = attribute
        return found


def rule_needs(ruleset: RuleSet, code: str) -> tuple[FactSpec, ...]:
    """The supplied facts one rule needs, each with its source (``lease.months``, ...)."""
    return tuple(ruleset.facts[name] for name in ruleset.facts_needed(code))


def depends_on(ruleset: RuleSet, code: str, origins: Iterable[str] = ("lease", "dwelling")) -> bool:
    """Does the rule read a fact that comes from one of ``origins``? (A rule that reads
    nothing from the lease or the dwelling can be judged before they exist.)"""
    wanted = set(origins)
    return any(spec.source.partition(".")[0] in wanted for spec in rule_needs(ruleset, code))
