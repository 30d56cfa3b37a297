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
from functools import partial
from typing import Any

import rule_engine

from guarantee.domain.eligibility._conditions import ENGINE_TYPES, compile_condition, unknown_fact
from guarantee.domain.eligibility._derived import DerivedFact
from guarantee.domain.eligibility._evaluation import (
    DEFAULT_SCHEME,
    RULE_KINDS,
    Evaluation,
    RuleKind,
    RuleVerdict,
    VerdictResult,
    outcome_of,
)
from guarantee.domain.eligibility._facts import Checker, FactSpec
from guarantee.domain.errors import (
    DefinitionProblem,
    DomainError,
    InvalidDefinition,
    InvalidFacts,
)

_CODE = re.compile(r"[a-z][a-z0-9_]*")
_SCHEME = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class RuleSpec:
    """A rule as written by the fund manager.

    ``applies_when`` false → the rule is skipped (shown as "non si applica").
    ``pass_when`` true, or any of ``pass_when_any`` true → pass. Otherwise,
    ``review_when`` (blocking rules only) true → review. Otherwise a blocking rule fails
    and a review rule asks for review.
    """

    code: str
    message: str
    kind: RuleKind
    reads: tuple[str, ...]
    pass_when: str = ""
    review_when: str | None = None
    pass_when_any: tuple[str, ...] = ()
    applies_when: str | None = None

    @property
    def conditions(self) -> tuple[str, ...]:
        """The alternatives that make the rule pass (one for ``pass_when``)."""
        return self.pass_when_any or (self.pass_when,)


# The fact checks and derivations needed by some rules (see RuleSet.prepare).
_Plan = tuple[tuple[tuple[str, Checker], ...], tuple[DerivedFact, ...]]


class _CompiledRule:
    """A rule with its conditions parsed and type-checked, ready to judge facts."""

    __slots__ = ("_alternatives", "_applies", "_review", "seen", "spec")

    def __init__(
        self,
        spec: RuleSpec,
        alternatives: tuple[rule_engine.Rule, ...],
        review_rule: rule_engine.Rule | None,
        applies_rule: rule_engine.Rule | None,
        seen: tuple[str, ...],
    ) -> None:
        self.spec = spec
        self._alternatives = alternatives
        self._review = review_rule
        self._applies = applies_rule
        self.seen = seen

    def outcome(self, values: Mapping[str, object]) -> tuple[VerdictResult, str]:
        """The result and, when the result alone does not say why, an Italian detail."""
        spec = self.spec
        try:
            if self._applies is not None and not self._applies.matches(values):
                return "skipped", f"non si applica: non vale «{spec.applies_when}»"
            for index, alternative in enumerate(self._alternatives):
                if alternative.matches(values):
                    if len(self._alternatives) == 1:
                        return "pass", ""
                    return "pass", f"soddisfatta l'alternativa {index + 1}: «{alternative.text}»"
            if self._review is not None and self._review.matches(values):
                return "review", ""
        except rule_engine.EngineError as exc:
            raise DomainError(
                f"regola '{spec.code}': valutazione non riuscita ({exc.message})",
                code="rule_evaluation_error",
            ) from exc
        several = len(self._alternatives) > 1
        detail = "nessuna delle alternative è soddisfatta" if several else ""
        return ("fail" if spec.kind == "blocking" else "review"), detail

    def result(self, values: Mapping[str, object]) -> VerdictResult:
        return self.outcome(values)[0]

    def judge(self, values: Mapping[str, object]) -> RuleVerdict:
        spec = self.spec
        result, detail = self.outcome(values)
        return RuleVerdict(
            code=spec.code,
            message=spec.message,
            kind=spec.kind,
            result=result,
            facts_seen={name: values[name] for name in self.seen},
            detail=detail,
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
        facts: Mapping[str, FactSpec],
        description: str = "",
        digest: str = "",
        scheme: str = DEFAULT_SCHEME,
    ) -> None:
        self.version = version
        self.scheme = scheme
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
        inputs, needed = _inputs(self.specs, self.derived, facts)
        self._checkers: tuple[tuple[str, Checker], ...] = tuple(
            (name, facts[name].checker()) for name in inputs
        )
        self._needed_derived = tuple(fact for fact in self.derived if fact.name in needed)
        self._plans: dict[tuple[str, ...], _Plan] = {}

    def __repr__(self) -> str:
        return (
            f"<RuleSet {self.scheme}/{self.version} from {self.effective_from} "
            f"({len(self.specs)} rules)>"
        )

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
            "scheme": self.scheme,
        }

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(spec.code for spec in self.specs)

    @property
    def inputs(self) -> tuple[str, ...]:
        """The supplied facts this rule set reads (directly or through derived facts)."""
        return tuple(name for name, _ in self._checkers)

    def facts_needed(self, code: str) -> tuple[str, ...]:
        """The supplied facts one rule needs, directly or through derived facts."""
        return _inputs([self._by_code[code].spec], self.derived, self.facts)[0]

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
            scheme=self.scheme,
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
            return self._checkers, self._needed_derived
        key = tuple(codes)
        plan = self._plans.get(key)
        if plan is None:
            specs = [self._by_code[code].spec for code in key]
            found, needed = _inputs(specs, self.derived, self.facts)
            inputs = set(found)
            plan = (
                tuple(item for item in self._checkers if item[0] in inputs),
                tuple(fact for fact in self.derived if fact.name in needed),
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
        _, needed = _inputs([spec], self.derived, self.facts)
        used = [fact for fact in self.derived if fact.name in needed]
        return (
            spec.kind,
            spec.conditions,
            spec.review_when,
            spec.applies_when,
            spec.reads,
            tuple(used),
        )


def _rebuild(arguments: dict[str, Any]) -> RuleSet:
    return RuleSet(**arguments)


def _inputs(
    specs: Sequence[RuleSpec], derived: Sequence[DerivedFact], facts: Mapping[str, FactSpec]
) -> tuple[tuple[str, ...], set[str]]:
    """(supplied facts, derived facts) the rules need, following derived facts down."""
    by_name = {fact.name: fact for fact in derived}
    inputs: dict[str, None] = {}
    needed: set[str] = set()
    pending = [name for spec in specs for name in spec.reads]
    while pending:
        name = pending.pop(0)
        if name in by_name:
            if name not in needed:
                needed.add(name)
                pending.extend(by_name[name].reads)
        elif name in facts:
            inputs[name] = None
    return tuple(inputs), needed


def facts_needed(ruleset: RuleSet) -> dict[str, tuple[str, ...]]:
    """Rule code → the supplied facts it needs (through derived facts too)."""
    return {code: ruleset.facts_needed(code) for code in ruleset.codes}


def _compile(ruleset: RuleSet) -> tuple[tuple[_CompiledRule, ...], list[DefinitionProblem]]:
    problems: list[DefinitionProblem] = []
    facts = ruleset.facts
    if not ruleset.version.strip():
        problems.append(
            DefinitionProblem(
                ("version",), "manca la versione: scrivere ad esempio version: '2026-01'"
            )
        )
    if not _SCHEME.fullmatch(ruleset.scheme):
        problems.append(
            DefinitionProblem(
                ("scheme",), "lo schema va scritto in minuscolo, con lettere, cifre e '-'"
            )
        )
    if ruleset.effective_to is not None and ruleset.effective_to < ruleset.effective_from:
        problems.append(
            DefinitionProblem(
                ("effective_to",),
                "effective_to viene prima di effective_from: la fine della vigenza va scritta "
                "uguale o dopo l'inizio",
            )
        )
    types: dict[str, Any] = {name: ENGINE_TYPES[spec.type] for name, spec in facts.items()}
    derived_by_name: dict[str, DerivedFact] = {}
    # A derived fact may read supplied facts and derived facts declared before it.
    known: dict[str, FactSpec] = dict(facts)
    for fact in ruleset.derived:
        where: tuple[str | int, ...] = ("derived", fact.name)
        if fact.name in facts:
            problems.append(
                DefinitionProblem(
                    where,
                    f"dato calcolato '{fact.name}': c'è già un dato con questo nome nel "
                    "catalogo; scegliere un altro nome",
                )
            )
        elif fact.name in derived_by_name:
            problems.append(
                DefinitionProblem(
                    where, f"dato calcolato '{fact.name}': definito due volte, tenerne uno"
                )
            )
        problems += [DefinitionProblem(where, reason) for reason in fact.problems(known)]
        row_problems = getattr(fact, "row_problems", None)
        if row_problems is not None:
            problems += [
                DefinitionProblem((*where, "table", "rows", index), reason)
                for index, reason in row_problems(known)
            ]
        derived_by_name[fact.name] = fact
        known[fact.name] = FactSpec(fact.name, fact.type, getattr(fact, "description", ""))
        types[fact.name] = ENGINE_TYPES[fact.type]
    if not ruleset.specs:
        problems.append(
            DefinitionProblem(("rules",), "nessuna regola: scrivere almeno una regola sotto rules")
        )
    compiled: list[_CompiledRule] = []
    seen_codes: set[str] = set()
    for index, spec in enumerate(ruleset.specs):
        rule_problems: list[DefinitionProblem] = []
        rule = _compile_rule(index, spec, types, derived_by_name, rule_problems)
        if spec.code in seen_codes:
            rule_problems.append(
                DefinitionProblem(
                    ("rules", index, "code"),
                    f"regola '{spec.code}': codice già usato da un'altra regola, sceglierne "
                    "un altro",
                )
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
    label = f"regola '{spec.code}'"

    def problem(field: str | tuple[str | int, ...], reason: str) -> None:
        path = field if isinstance(field, tuple) else (field,)
        problems.append(DefinitionProblem(("rules", index, *path), f"{label}: {reason}"))

    if not _CODE.fullmatch(spec.code):
        problem(
            "code",
            "il codice va scritto con lettere minuscole, cifre e '_', iniziando con una "
            "lettera (es. isee_massimo)",
        )
    if not spec.message.strip():
        problem("message", "manca il messaggio: scrivere in message la frase che vede l'operatore")
    if spec.kind not in RULE_KINDS:
        problem("kind", f"kind '{spec.kind}' non previsto: scrivere {' oppure '.join(RULE_KINDS)}")
    if bool(spec.pass_when.strip()) == bool(spec.pass_when_any):
        problem("pass_when", "scrivere pass_when oppure pass_when_any (un elenco di alternative)")
    if spec.review_when is not None and spec.kind == "review":
        problem(
            "review_when",
            "review_when vale solo per le regole blocking: una regola review non "
            "soddisfatta chiede già la verifica, togliere review_when",
        )
    for name in spec.reads:
        if name not in types:
            problem("reads", unknown_fact(name, types))
    if len(set(spec.reads)) != len(spec.reads):
        problem("reads", "un dato compare due volte in reads: scriverlo una volta sola")

    used: set[str] = set()
    failed = False
    alternatives: list[rule_engine.Rule] = []
    written = spec.pass_when_any or ((spec.pass_when,) if spec.pass_when.strip() else ())
    for position, text in enumerate(written):
        where: tuple[str | int, ...] = (
            ("pass_when_any", position) if spec.pass_when_any else ("pass_when",)
        )
        compiled = compile_condition(text, types, used, partial(problem, where))
        if compiled is None:
            failed = True
        else:
            alternatives.append(compiled)
    review_rule = None
    if spec.review_when is not None:
        review_rule = compile_condition(
            spec.review_when, types, used, lambda why: problem("review_when", why)
        )
        failed = failed or review_rule is None
    applies_rule = None
    if spec.applies_when is not None:
        applies_rule = compile_condition(
            spec.applies_when, types, used, lambda why: problem("applies_when", why)
        )
        failed = failed or applies_rule is None
    for name in sorted(used - set(spec.reads)):
        if name in types:
            problem("reads", f"una condizione legge '{name}', che manca in reads: aggiungerlo")
    if failed or not alternatives:
        # "listed but unused" would only echo the condition's own error
        return None
    for name in spec.reads:
        if name in types and name not in used:
            problem(
                "reads",
                f"'{name}' è in reads ma nessuna condizione lo usa: toglierlo o usarlo",
            )
    return _CompiledRule(
        spec, tuple(alternatives), review_rule, applies_rule, _seen(spec.reads, derived)
    )


def _seen(reads: tuple[str, ...], derived: Mapping[str, DerivedFact]) -> tuple[str, ...]:
    # A verdict shows what the rule read plus, for a derived fact, what it was derived
    # from, down to the supplied facts (age → birth date and application date).
    names: dict[str, None] = {}
    pending = list(reads)
    while pending:
        name = pending.pop(0)
        if name in names:
            continue
        names[name] = None
        if name in derived:
            pending.extend(derived[name].reads)
    return tuple(names)
