"""A rule set: rules compiled once by rule-engine, evaluated many times with explanations.

Conditions are rule-engine expressions over typed facts. Compiling with declared types
makes rule-engine refuse misspelled facts and type mismatches before any evaluation; we
add what it cannot know: each rule lists the facts it reads, the list must match its
conditions, and a condition must be true or false.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import rule_engine

from guarantee.domain.eligibility._conditions import ENGINE_TYPES, compile_condition, suggestion
from guarantee.domain.eligibility._derived import DerivedFact
from guarantee.domain.eligibility._evaluation import (
    RULE_KINDS,
    Evaluation,
    RuleKind,
    RuleVerdict,
    VerdictResult,
    outcome_of,
)
from guarantee.domain.eligibility._facts import ELIGIBILITY_FACTS, Checker, FactSpec
from guarantee.domain.errors import (
    DefinitionProblem,
    DomainError,
    InvalidDefinition,
    InvalidFacts,
)

_CODE = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class RuleSpec:
    """A rule as written by the fund manager.

    ``pass_when`` true → pass. Otherwise, ``review_when`` (blocking rules only) true →
    review. Otherwise a blocking rule fails and a review rule asks for review.
    """

    code: str
    message: str
    kind: RuleKind
    reads: tuple[str, ...]
    pass_when: str
    review_when: str | None = None


# The fact checks and derivations needed by some rules (see RuleSet.prepare).
_Plan = tuple[tuple[tuple[str, Checker], ...], tuple[DerivedFact, ...]]


class _CompiledRule:
    """A rule with its conditions parsed and type-checked, ready to judge facts."""

    __slots__ = ("_pass", "_review", "seen", "spec")

    def __init__(
        self,
        spec: RuleSpec,
        pass_rule: rule_engine.Rule,
        review_rule: rule_engine.Rule | None,
        seen: tuple[str, ...],
    ) -> None:
        self.spec = spec
        self._pass = pass_rule
        self._review = review_rule
        self.seen = seen

    def result(self, values: Mapping[str, object]) -> VerdictResult:
        try:
            if self._pass.matches(values):
                return "pass"
            if self._review is not None and self._review.matches(values):
                return "review"
        except rule_engine.EngineError as exc:
            raise DomainError(
                f"regola '{self.spec.code}': valutazione non riuscita ({exc.message})",
                code="rule_evaluation_error",
            ) from exc
        return "fail" if self.spec.kind == "blocking" else "review"

    def judge(self, values: Mapping[str, object]) -> RuleVerdict:
        spec = self.spec
        return RuleVerdict(
            code=spec.code,
            message=spec.message,
            kind=spec.kind,
            result=self.result(values),
            facts_seen={name: values[name] for name in self.seen},
        )


class RuleSet:
    """One version of the eligibility rules, compiled; effective dates are inclusive.

    Construction compiles every condition and raises ``InvalidDefinition`` listing every
    problem, each located as ``("rules", index, field)``, ``("derived", name)`` or a
    top-level field name.
    """

    def __init__(
        self,
        *,
        version: str,
        effective_from: date,
        effective_to: date | None,
        rules: Sequence[RuleSpec],
        derived: Sequence[DerivedFact] = (),
        description: str = "",
        digest: str = "",
        facts: Mapping[str, FactSpec] = ELIGIBILITY_FACTS,
    ) -> None:
        self.version = version
        self.effective_from = effective_from
        self.effective_to = effective_to
        self.description = description
        self.digest = digest
        self.specs: tuple[RuleSpec, ...] = tuple(rules)
        self.derived: tuple[DerivedFact, ...] = tuple(derived)
        self.facts: Mapping[str, FactSpec] = facts
        compiled, problems = _compile(self)
        if problems:
            raise InvalidDefinition(problems)
        self._rules: tuple[_CompiledRule, ...] = compiled
        self._by_code = {rule.spec.code: rule for rule in compiled}
        inputs = _inputs(self.specs, self.derived, facts)
        self._checkers: tuple[tuple[str, Checker], ...] = tuple(
            (name, facts[name].checker()) for name in inputs
        )
        self._plans: dict[tuple[str, ...], _Plan] = {}

    def __repr__(self) -> str:
        return f"<RuleSet {self.version} from {self.effective_from} ({len(self.specs)} rules)>"

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # Compiled rules hold closures; a copy (e.g. for a worker process) recompiles.
        return _rebuild, (self._arguments(),)

    def _arguments(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
            "rules": self.specs,
            "derived": self.derived,
            "description": self.description,
            "digest": self.digest,
            "facts": dict(self.facts),
        }

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(spec.code for spec in self.specs)

    @property
    def inputs(self) -> tuple[str, ...]:
        """The supplied facts this rule set reads (directly or through derived facts)."""
        return tuple(name for name, _ in self._checkers)

    def is_effective_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def spec(self, code: str) -> RuleSpec:
        return self._by_code[code].spec

    def evaluate(self, facts: Mapping[str, object]) -> Evaluation:
        """Judge every rule; raises ``InvalidFacts`` naming each missing or mistyped fact."""
        values = self.prepare(facts)
        verdicts = tuple(rule.judge(values) for rule in self._rules)
        return Evaluation(
            ruleset_version=self.version,
            outcome=outcome_of(verdict.result for verdict in verdicts),
            verdicts=verdicts,
            ruleset_digest=self.digest,
        )

    def prepare(
        self, facts: Mapping[str, object], codes: Iterable[str] | None = None
    ) -> dict[str, object]:
        """Check and convert the supplied facts, then add the derived ones.

        With ``codes``, only what those rules read is checked and derived (impact
        analysis runs a few rules over many applications).
        """
        if not isinstance(facts, Mapping):
            raise TypeError(f"facts must be a mapping, not {type(facts).__name__}")
        checkers, derived = self._plan(codes)
        values: dict[str, object] = {}
        problems: dict[str, str] = {}
        for name, check in checkers:
            if name not in facts:
                problems[name] = "dato mancante"
                continue
            value, reason = check(facts[name])
            if reason is None:
                values[name] = value
            else:
                problems[name] = reason
        if problems:
            raise InvalidFacts(problems)
        for fact in derived:
            values[fact.name] = fact.value(values)
        return values

    def _plan(self, codes: Iterable[str] | None) -> _Plan:
        if codes is None:
            return self._checkers, self.derived
        key = tuple(codes)
        plan = self._plans.get(key)
        if plan is None:
            specs = [self._by_code[code].spec for code in key]
            inputs = set(_inputs(specs, self.derived, self.facts))
            reads = {name for spec in specs for name in spec.reads}
            plan = (
                tuple(item for item in self._checkers if item[0] in inputs),
                tuple(fact for fact in self.derived if fact.name in reads),
            )
            self._plans[key] = plan
        return plan

    def results(
        self, values: Mapping[str, object], codes: Iterable[str]
    ) -> dict[str, VerdictResult]:
        """Results of some rules only, on values from ``prepare`` (used by impact analysis)."""
        return {code: self._by_code[code].result(values) for code in codes}

    def signature(self, code: str) -> tuple[object, ...]:
        """What decides a rule's result: equal signatures give equal results on equal facts."""
        spec = self._by_code[code].spec
        used = [fact for fact in self.derived if fact.name in spec.reads]
        return (spec.kind, spec.pass_when, spec.review_when, spec.reads, tuple(used))


def _rebuild(arguments: dict[str, Any]) -> RuleSet:
    return RuleSet(**arguments)


def _inputs(
    specs: Sequence[RuleSpec], derived: Sequence[DerivedFact], facts: Mapping[str, FactSpec]
) -> tuple[str, ...]:
    by_name = {fact.name: fact for fact in derived}
    needed: dict[str, None] = {}
    for spec in specs:
        for name in spec.reads:
            if name in by_name:
                needed.update(dict.fromkeys(by_name[name].reads))
            elif name in facts:
                needed[name] = None
    return tuple(needed)


def _compile(ruleset: RuleSet) -> tuple[tuple[_CompiledRule, ...], list[DefinitionProblem]]:
    problems: list[DefinitionProblem] = []
    facts = ruleset.facts
    if not ruleset.version.strip():
        problems.append(DefinitionProblem(("version",), "must not be empty"))
    if ruleset.effective_to is not None and ruleset.effective_to < ruleset.effective_from:
        problems.append(DefinitionProblem(("effective_to",), "must not be before effective_from"))
    types: dict[str, Any] = {name: ENGINE_TYPES[spec.type] for name, spec in facts.items()}
    derived_by_name: dict[str, DerivedFact] = {}
    for fact in ruleset.derived:
        where: tuple[str | int, ...] = ("derived", fact.name)
        if fact.name in facts:
            problems.append(
                DefinitionProblem(where, f"derived fact '{fact.name}' clashes with a supplied fact")
            )
        elif fact.name in derived_by_name:
            problems.append(
                DefinitionProblem(where, f"derived fact '{fact.name}' is defined twice")
            )
        problems += [DefinitionProblem(where, reason) for reason in fact.problems(facts)]
        derived_by_name[fact.name] = fact
        types[fact.name] = ENGINE_TYPES[fact.type]
    if not ruleset.specs:
        problems.append(DefinitionProblem(("rules",), "a rule set needs at least one rule"))
    compiled: list[_CompiledRule] = []
    seen_codes: set[str] = set()
    for index, spec in enumerate(ruleset.specs):
        rule_problems: list[DefinitionProblem] = []
        rule = _compile_rule(index, spec, types, derived_by_name, rule_problems)
        if spec.code in seen_codes:
            rule_problems.append(
                DefinitionProblem(("rules", index, "code"), f"duplicate rule code '{spec.code}'")
            )
        seen_codes.add(spec.code)
        problems += rule_problems
        if rule is not None and not rule_problems:
            compiled.append(rule)
    return tuple(compiled), problems


def _compile_rule(
    index: int,
    spec: RuleSpec,
    types: Mapping[str, Any],
    derived: Mapping[str, DerivedFact],
    problems: list[DefinitionProblem],
) -> _CompiledRule | None:
    label = f"rule '{spec.code}'"

    def problem(field: str, reason: str) -> None:
        problems.append(DefinitionProblem(("rules", index, field), f"{label}: {reason}"))

    if not _CODE.fullmatch(spec.code):
        problem("code", "code must be lower-case letters, digits and '_', starting with a letter")
    if not spec.message.strip():
        problem("message", "message must not be empty")
    if spec.kind not in RULE_KINDS:
        problem("kind", f"unknown kind '{spec.kind}' (use {' or '.join(RULE_KINDS)})")
    if spec.review_when is not None and spec.kind == "review":
        problem(
            "review_when",
            "review_when is only for blocking rules: a review rule not passing already "
            "asks for review",
        )
    for name in spec.reads:
        if name not in types:
            problem("reads", f"unknown fact '{name}'{suggestion(name, types)}")
    if len(set(spec.reads)) != len(spec.reads):
        problem("reads", "a fact is listed twice in reads")

    used: set[str] = set()
    pass_rule = compile_condition(
        spec.pass_when, types, used, lambda why: problem("pass_when", why)
    )
    review_rule = None
    if spec.review_when is not None:
        review_rule = compile_condition(
            spec.review_when, types, used, lambda why: problem("review_when", why)
        )
    for name in sorted(used - set(spec.reads)):
        if name in types:
            problem("reads", f"a condition reads '{name}', which is missing from reads")
    if pass_rule is None or (spec.review_when is not None and review_rule is None):
        # "listed but unused" would only echo the condition's own error
        return None
    for name in spec.reads:
        if name in types and name not in used:
            problem("reads", f"'{name}' is listed in reads but no condition uses it")
    return _CompiledRule(spec, pass_rule, review_rule, _seen(spec.reads, derived))


def _seen(reads: tuple[str, ...], derived: Mapping[str, DerivedFact]) -> tuple[str, ...]:
    # A verdict shows what the rule read plus, for a derived fact, what it was derived from.
    names: dict[str, None] = {}
    for name in reads:
        names[name] = None
        if name in derived:
            names.update(dict.fromkeys(derived[name].reads))
    return tuple(names)
