"""A rule set: rules compiled once by rule-engine, evaluated many times with explanations.

Conditions are rule-engine expressions over typed facts. Compiling with declared types
makes rule-engine refuse misspelled facts and type mismatches before any evaluation; we
add what it cannot know: each rule lists the facts it reads, the list must match its
conditions, and a condition must be true or false.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import rule_engine

from guarantee.domain.eligibility._derived import DerivedFact
from guarantee.domain.eligibility._evaluation import (
    RULE_KINDS,
    Evaluation,
    RuleKind,
    RuleVerdict,
    VerdictResult,
    outcome_of,
)
from guarantee.domain.eligibility._facts import ELIGIBILITY_FACTS, Checker, FactSpec, FactType
from guarantee.domain.errors import (
    DefinitionProblem,
    DomainError,
    InvalidDefinition,
    InvalidFacts,
    NotFound,
)

_CODE = re.compile(r"[a-z][a-z0-9_]*")
_ENGINE_TYPES: dict[FactType, Any] = {
    # rule-engine has one number type, FLOAT, backed by decimal.Decimal
    "decimal": rule_engine.DataType.FLOAT,
    "integer": rule_engine.DataType.FLOAT,
    "string": rule_engine.DataType.STRING,
    "boolean": rule_engine.DataType.BOOLEAN,
}
# A fixed decimal context: evaluations must not depend on whatever the calling thread set.
_DECIMALS = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)


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
    types: dict[str, Any] = {name: _ENGINE_TYPES[spec.type] for name, spec in facts.items()}
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
        types[fact.name] = _ENGINE_TYPES[fact.type]
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
            problem("reads", f"unknown fact '{name}'{_suggest(name, types)}")
    if len(set(spec.reads)) != len(spec.reads):
        problem("reads", "a fact is listed twice in reads")

    used: set[str] = set()
    pass_rule = _condition(spec.pass_when, types, used, lambda why: problem("pass_when", why))
    review_rule = None
    if spec.review_when is not None:
        review_rule = _condition(
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


def _condition(
    text: str, types: Mapping[str, Any], used: set[str], problem: Callable[[str], None]
) -> rule_engine.Rule | None:
    context = rule_engine.Context(
        type_resolver=rule_engine.type_resolver_from_dict(dict(types)),
        default_timezone="utc",
        decimal_context=_DECIMALS,
    )
    try:
        rule = rule_engine.Rule(text, context=context)
    except rule_engine.SymbolResolutionError as exc:
        if exc.symbol_scope is not None:
            problem(f"'${exc.symbol_name}' is not allowed: rules read only facts")
        else:
            problem(f"unknown fact '{exc.symbol_name}'{_suggest(exc.symbol_name, types)}")
        return None
    except rule_engine.errors.SyntaxError as exc:
        problem(f"malformed condition {text!r}: {_syntax(exc)}")
        return None
    except rule_engine.EngineError as exc:
        problem(f"condition {text!r}: {exc.message}")
        return None
    builtins = context.symbols - set(types)
    if builtins:
        names = ", ".join(f"'${name}'" for name in sorted(builtins))
        problem(f"{names} not allowed: rules read only facts")
        return None
    used.update(context.symbols)
    result_type = rule.statement.expression.result_type
    if result_type != rule_engine.DataType.BOOLEAN:
        problem(f"condition {text!r} must be true or false, it gives a {result_type.name}")
        return None
    mismatches = _mixed_types(rule.statement.expression)
    if mismatches:
        problem(f"condition {text!r}: data type mismatch ({'; '.join(mismatches)})")
        return None
    return rule


def _mixed_types(expression: object) -> list[str]:
    """Equality and membership tests between different types, which rule-engine allows.

    rule-engine refuses ``isee <= 'a'`` but accepts ``other_live_guarantees == '0'``,
    which is simply never true; a rule written that way would silently never pass.
    We walk rule-engine's own parse tree (no parsing of ours) to refuse it at load.
    """
    found: list[str] = []
    stack = [expression]
    while stack:
        node = stack.pop()
        if isinstance(node, rule_engine.ast.ComparisonExpression) and node.type in ("eq", "ne"):
            left, right = node.left.result_type, node.right.result_type
            if _known(left) and _known(right) and left != right:
                found.append(f"compares a {left.name} with a {right.name}, never equal")
        elif isinstance(node, rule_engine.ast.ContainsExpression):
            member = node.member.result_type
            values = getattr(node.container.result_type, "value_type", None)
            if _known(member) and values is not None and _known(values) and member != values:
                found.append(f"looks for a {member.name} among {values.name} values")
        stack.extend(_children(node))
    return found


def _known(data_type: Any) -> bool:
    undefined = (rule_engine.DataType.UNDEFINED, rule_engine.DataType.NULL)
    return data_type not in undefined and data_type.is_scalar


def _children(node: object) -> list[object]:
    fields = dict(getattr(node, "__dict__", {}))
    for cls in type(node).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if hasattr(node, name):
                fields[name] = getattr(node, name)
    children: list[object] = []
    for name, value in fields.items():
        if name == "context":
            continue
        if isinstance(value, rule_engine.ast.ExpressionBase):
            children.append(value)
        elif isinstance(value, tuple):
            children.extend(v for v in value if isinstance(v, rule_engine.ast.ExpressionBase))
    return children


def _syntax(exc: rule_engine.errors.SyntaxError) -> str:
    token = getattr(exc, "token", None)
    if isinstance(exc, rule_engine.RuleSyntaxError):
        if token is None:
            return "incomplete (it ends too early)"
        return f"unexpected {token.value!r} at character {token.lexpos + 1}"
    return str(exc.message)


def _suggest(name: str, types: Mapping[str, Any]) -> str:
    close = [known for known in types if _near(name, known)]
    return f" (did you mean '{close[0]}'?)" if close else ""


def _near(a: str, b: str) -> bool:
    # Cheap closeness: same length ±1 and at most two differing positions, or a swap.
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 2
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _seen(reads: tuple[str, ...], derived: Mapping[str, DerivedFact]) -> tuple[str, ...]:
    # A verdict shows what the rule read plus, for a derived fact, what it was derived from.
    names: dict[str, None] = {}
    for name in reads:
        names[name] = None
        if name in derived:
            names.update(dict.fromkeys(derived[name].reads))
    return tuple(names)


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
        raise NotFound("regole di ammissibilità in vigore", on.isoformat())

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(ruleset.version for ruleset in self.rule_sets)


def _overlap(a: RuleSet, b: RuleSet) -> bool:
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end
