"""All rule-set versions, and which one is in force on a day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from guarantee.domain.eligibility._ruleset import RuleSet
from guarantee.domain.errors import DefinitionProblem, InvalidDefinition, NotFound
from guarantee.domain.formats import date_it


class RuleSetCatalog:
    """Every rule-set version; effective periods never overlap.

    Problems at construction are located as ``(index, field)`` by position in the input.
    """

    def __init__(self, rule_sets: Iterable[RuleSet]) -> None:
        given = tuple(rule_sets)
        problems: list[DefinitionProblem] = []
        for index, ruleset in enumerate(given):
            for earlier in given[:index]:
                if earlier.version == ruleset.version:
                    problems.append(
                        DefinitionProblem(
                            (index, "version"), f"rule-set version '{ruleset.version}' twice"
                        )
                    )
                elif _overlap(earlier, ruleset):
                    problems.append(
                        DefinitionProblem(
                            (index, "effective_from"),
                            f"rule set '{ruleset.version}' is in force on days when "
                            f"'{earlier.version}' is in force too",
                        )
                    )
        if problems:
            raise InvalidDefinition(problems)
        self.rule_sets: tuple[RuleSet, ...] = tuple(sorted(given, key=lambda r: r.effective_from))

    def get(self, version: str) -> RuleSet:
        for ruleset in self.rule_sets:
            if ruleset.version == version:
                return ruleset
        raise NotFound("regole di ammissibilità", f"versione {version}")

    def effective(self, on: date) -> RuleSet:
        for ruleset in self.rule_sets:
            if ruleset.is_effective_on(on):
                return ruleset
        raise NotFound("regole di ammissibilità in vigore", f"al {date_it(on)}")

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(ruleset.version for ruleset in self.rule_sets)


def _overlap(a: RuleSet, b: RuleSet) -> bool:
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end
