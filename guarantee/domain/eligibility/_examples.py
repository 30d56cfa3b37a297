"""Rule tests as data: worked examples that a rule set must reproduce.

The fund manager writes cases (facts → expected outcome, optionally per-rule verdicts)
beside a rule-set file; ``run_examples`` checks them and names each failing example by
its name and the line where it is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import rule_engine

from guarantee.domain.eligibility._evaluation import Outcome, VerdictResult
from guarantee.domain.eligibility._ruleset import RuleSet
from guarantee.domain.errors import DomainError, InvalidFacts


@dataclass(frozen=True)
class RuleExample:
    name: str
    facts: Mapping[str, object]
    outcome: Outcome
    verdicts: Mapping[str, VerdictResult] = field(default_factory=dict)
    source: str = ""
    line: int | None = None


@dataclass(frozen=True)
class ExampleFailure:
    name: str
    reasons: tuple[str, ...]
    source: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        prefix = f"{where}: " if where else ""
        return f"{prefix}esempio '{self.name}': {'; '.join(self.reasons)}"


# The words of rules/README.md, so that a failure reads as the person wrote the example.
_OUTCOMES = {
    "eligible": "ammissibile (eligible)",
    "needs_review": "da verificare (needs_review)",
    "ineligible": "non ammissibile (ineligible)",
}
_RESULTS = {"pass": "passa (pass)", "review": "da verificare (review)", "fail": "non passa (fail)"}


def run_examples(ruleset: RuleSet, examples: Iterable[RuleExample]) -> list[ExampleFailure]:
    """Evaluate each example; return one failure per example that does not hold."""
    failures: list[ExampleFailure] = []
    for example in examples:
        reasons = _check(ruleset, example)
        if reasons:
            failures.append(
                ExampleFailure(example.name, tuple(reasons), example.source, example.line)
            )
    return failures


def _check(ruleset: RuleSet, example: RuleExample) -> list[str]:
    try:
        evaluation = ruleset.evaluate(example.facts)
    except InvalidFacts as exc:
        return [f"dati rifiutati: {exc.message}"]
    reasons: list[str] = []
    if evaluation.outcome != example.outcome:
        reasons.append(
            f"esito atteso {_OUTCOMES[example.outcome]}, risulta {_OUTCOMES[evaluation.outcome]}"
        )
    results = evaluation.results()
    for code, expected in example.verdicts.items():
        got = results.get(code)
        if got is None:
            reasons.append(f"la regola '{code}' non è nelle regole {ruleset.version}")
        elif got != expected:
            reasons.append(
                f"regola '{code}': attesa «{_RESULTS[expected]}», risulta «{_RESULTS[got]}»"
            )
    return reasons


# --- boundaries the examples must cover ---------------------------------------------------

_FLIP = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}
_SYMBOL = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
_CENT = Decimal("0.01")
# Between two computed sides (rent + charges against 40% of income) there is no single
# smallest step: an example "just past" is one on the failing side within 1% of the limit.
_RELATIVE = Decimal("0.01")


@dataclass(frozen=True)
class MissingBoundary:
    """A rule's numeric limit that no example sits on, or just past."""

    rule: str
    condition: str
    comparison: str
    at_limit: bool
    just_past: bool
    hint: str

    def __str__(self) -> str:
        missing = " e ".join(
            part
            for part, missing in (
                ("al limite", not self.at_limit),
                ("appena oltre il limite", not self.just_past),
            )
            if missing
        )
        return (
            f"regola '{self.rule}': nessun esempio {missing} di '{self.comparison}' "
            f"(condizione {self.condition!r}); aggiungere {self.hint}"
        )


@dataclass(frozen=True)
class _Comparison:
    text: str
    operator: str
    side: Any  # rule-engine node of the side holding facts
    other: Any  # the other side: a node, or None when it is the literal ``limit``
    limit: Decimal | None


def missing_boundaries(ruleset: RuleSet, examples: Iterable[RuleExample]) -> list[MissingBoundary]:
    """Every numeric comparison in the rule set's conditions that the examples do not
    cover both exactly at the limit and just past it (where the condition turns).

    ``isee <= 26000`` needs an example with ISEE 26000 and one with 26000.01 (or 26001
    when the examples write whole numbers); ``lease_months >= 12`` needs 12 and 11; a
    comparison between two computed sides needs both sides equal in one example and the
    other answer, within 1%, in another.
    """
    cases = list(examples)
    missing: list[MissingBoundary] = []
    for code in ruleset.codes:
        spec = ruleset.spec(code)
        prepared: list[Mapping[str, object]] = []
        for example in cases:
            try:
                prepared.append(ruleset.prepare(example.facts, (code,)))
            except (InvalidFacts, DomainError):
                continue
        for condition in (spec.pass_when, spec.review_when):
            if not condition:
                continue
            for comparison in _comparisons(condition):
                found = _coverage(comparison, prepared)
                if found is not None and not all(found[:2]):
                    missing.append(
                        MissingBoundary(
                            code, condition, comparison.text, found[0], found[1], found[2]
                        )
                    )
    return missing


def _comparisons(condition: str) -> list[_Comparison]:
    try:
        rule = rule_engine.Rule(condition)
    except rule_engine.EngineError:
        return []  # the rule-set loader reports a malformed condition
    found: list[_Comparison] = []
    stack: list[Any] = [rule.statement.expression]
    while stack:
        node = stack.pop()
        kind = getattr(node, "type", None)
        if isinstance(node, rule_engine.ast.ComparisonExpression) and kind in _FLIP:
            left, right = node.left, node.right
            text = f"{_text(left)} {_SYMBOL[kind]} {_text(right)}"
            if _is_number(right):
                found.append(_Comparison(text, kind, left, None, Decimal(str(right.value))))
            elif _is_number(left):
                found.append(_Comparison(text, _FLIP[kind], right, None, Decimal(str(left.value))))
            elif not (_is_literal(left) or _is_literal(right)):
                found.append(_Comparison(text, kind, left, right, None))
            continue
        for name in ("left", "right", "expression"):
            child = getattr(node, name, None)
            if isinstance(child, rule_engine.ast.ExpressionBase):
                stack.append(child)
    found.reverse()
    return found


def _coverage(
    comparison: _Comparison, prepared: list[Mapping[str, object]]
) -> tuple[bool, bool, str] | None:
    """(an example at the limit, one just past it, what to add) — None if not numeric."""
    differences: list[tuple[Decimal, bool]] = []  # (side − limit, the comparison holds)
    whole = True
    limits: list[Decimal] = []
    for values in prepared:
        try:
            side = comparison.side.evaluate(values)
            other = (
                comparison.limit if comparison.other is None else comparison.other.evaluate(values)
            )
        except (rule_engine.EngineError, KeyError, TypeError, ArithmeticError):
            continue
        if not _numeric(side) or not _numeric(other):
            return None
        side, other = Decimal(str(side)), Decimal(str(other))
        whole = whole and side == side.to_integral_value()
        limits.append(other)
        differences.append((side - other, _holds(comparison.operator, side - other)))
    if not differences:
        return None
    at_limit = any(difference == 0 for difference, _ in differences)
    # The condition turns between the limit and the next value: on the far side of it for
    # <= and >= (26000 passes, 26000.01 not), on the near side for < and > (26000 fails,
    # 25999.99 passes). "Just past" is the example whose answer differs from the limit's.
    at_limit_holds = _holds(comparison.operator, Decimal(0))
    if comparison.other is None:
        assert comparison.limit is not None
        step = (
            Decimal(1)
            if whole and comparison.limit == comparison.limit.to_integral_value()
            else _CENT
        )
        past = _past(comparison.operator, comparison.limit, step)
        just_past = any(
            0 < abs(difference) <= step and holds != at_limit_holds
            for difference, holds in differences
        )
        hint = f"un esempio con {_text(comparison.side)} = {_plain(comparison.limit)}" * (
            not at_limit
        )
        hint += " e " * (not at_limit and not just_past)
        hint += f"uno con {_text(comparison.side)} = {_plain(past)}" * (not just_past)
        return at_limit, just_past, hint
    tolerance = [abs(limit) * _RELATIVE for limit in limits]
    just_past = any(
        0 < abs(difference) <= bound and holds != at_limit_holds
        for (difference, holds), bound in zip(differences, tolerance, strict=True)
    )
    hint = "un esempio in cui i due lati sono uguali" * (not at_limit)
    hint += " e " * (not at_limit and not just_past)
    hint += "uno in cui la condizione cambia risposta di poco (entro l'1%)" * (not just_past)
    return at_limit, just_past, hint


def _holds(operator: str, difference: Decimal) -> bool:
    return {
        "lt": difference < 0,
        "le": difference <= 0,
        "gt": difference > 0,
        "ge": difference >= 0,
        "eq": difference == 0,
        "ne": difference != 0,
    }[operator]


def _past(operator: str, limit: Decimal, step: Decimal) -> Decimal:
    """The value beside the limit where the answer changes (``<= 26000`` → 26000.01,
    ``>= 12`` → 11, ``< 26000`` → 25999.99)."""
    return limit - step if operator in ("ge", "lt") else limit + step


def _plain(value: Decimal) -> str:
    return f"{value:f}"


def _numeric(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_number(node: Any) -> bool:
    return isinstance(node, rule_engine.ast.FloatExpression)


def _is_literal(node: Any) -> bool:
    return isinstance(node, rule_engine.ast.LiteralExpressionBase)


def _text(node: Any) -> str:
    """A readable rendering of a side: a fact name, a number, or an arithmetic of them."""
    if isinstance(node, rule_engine.ast.SymbolExpression):
        return str(node.name)
    if _is_number(node):
        return _plain(Decimal(str(node.value)))
    if isinstance(node, rule_engine.ast.ArithmeticExpression | rule_engine.ast.AddExpression):
        symbol = {"add": "+", "sub": "-", "mul": "*", "tdiv": "/", "fdiv": "//", "mod": "%"}
        return f"({_text(node.left)} {symbol.get(node.type, node.type)} {_text(node.right)})"
    return "…"
