"""All rule-set versions of every scheme, and which one is in force on a day.

A scheme (``garanzia-casa``, a second fund's own criteria, ...) is a line of rule-set
versions; several schemes live side by side and each fund says which one it applies.
Within a scheme the periods of its versions never overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from guarantee.domain.eligibility._evaluation import DEFAULT_SCHEME
from guarantee.domain.eligibility._facts import FactSpec
from guarantee.domain.eligibility._ruleset import RuleSet
from guarantee.domain.errors import DefinitionProblem, InvalidDefinition, NotFound
from guarantee.domain.formats import date_it


class RuleSetCatalog:
    """Every rule-set version; effective periods never overlap within one scheme.

    Problems at construction are located as ``(index, field)`` by position in the input.
    """

    def __init__(self, rule_sets: Iterable[RuleSet]) -> None:
        given = tuple(rule_sets)
        problems: list[DefinitionProblem] = []
        for index, ruleset in enumerate(given):
            for earlier in given[:index]:
                if earlier.scheme != ruleset.scheme:
                    continue
                if earlier.version == ruleset.version:
                    problems.append(
                        DefinitionProblem(
                            (index, "version"),
                            f"la versione '{ruleset.version}' delle regole"
                            f"{_of(ruleset.scheme)} compare due volte: dare a ogni file una "
                            "versione diversa",
                        )
                    )
                elif _overlap(earlier, ruleset):
                    problems.append(
                        DefinitionProblem(
                            (index, "effective_from"),
                            f"le regole '{ruleset.version}' sono in vigore in giorni in cui "
                            f"vale anche '{earlier.version}'{_of(ruleset.scheme)}: correggere "
                            "effective_from o effective_to perché i periodi non si "
                            "sovrappongano",
                        )
                    )
        if problems:
            raise InvalidDefinition(problems)
        self.rule_sets: tuple[RuleSet, ...] = tuple(
            sorted(given, key=lambda r: (r.scheme, r.effective_from))
        )

    def get(self, version: str, scheme: str | None = None) -> RuleSet:
        """A version of ``scheme`` (without a scheme: the default scheme's, else any)."""
        found = [r for r in self.rule_sets if r.version == version]
        if scheme is not None:
            found = [r for r in found if r.scheme == scheme]
        else:
            found.sort(key=lambda r: r.scheme != DEFAULT_SCHEME)
        if not found:
            where = f"versione {version}" + (f" dello schema {scheme}" if scheme else "")
            raise NotFound("regole di ammissibilità", where)
        return found[0]

    def effective(self, on: date, scheme: str = DEFAULT_SCHEME) -> RuleSet:
        for ruleset in self.rule_sets:
            if ruleset.scheme == scheme and ruleset.is_effective_on(on):
                return ruleset
        suffix = "" if scheme == DEFAULT_SCHEME else f" (schema {scheme})"
        raise NotFound("regole di ammissibilità in vigore", f"al {date_it(on)}{suffix}")

    def of_scheme(self, scheme: str) -> RuleSetCatalog:
        return RuleSetCatalog(r for r in self.rule_sets if r.scheme == scheme)

    @property
    def facts(self) -> Mapping[str, FactSpec]:
        """The supplied facts the rule sets were built with (one catalogue for all)."""
        return self.rule_sets[0].facts if self.rule_sets else {}

    @property
    def schemes(self) -> tuple[str, ...]:
        return tuple(sorted({ruleset.scheme for ruleset in self.rule_sets}))

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(ruleset.version for ruleset in self.rule_sets)


def _of(scheme: str) -> str:
    return "" if scheme == DEFAULT_SCHEME else f" (schema '{scheme}')"


def _overlap(a: RuleSet, b: RuleSet) -> bool:
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end
