"""Rule tests as data: worked examples that a rule set must reproduce.

The fund manager writes cases (facts → expected outcome, optionally per-rule verdicts)
beside a rule-set file; ``run_examples`` checks them and names each failing example by
its name and the line where it is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from guarantee.domain.eligibility._evaluation import Outcome, VerdictResult
from guarantee.domain.eligibility._ruleset import RuleSet
from guarantee.domain.errors import InvalidFacts


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
        return f"{prefix}example '{self.name}': {'; '.join(self.reasons)}"


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
        return [f"facts refused: {exc.message}"]
    reasons: list[str] = []
    if evaluation.outcome != example.outcome:
        reasons.append(f"expected outcome {example.outcome}, got {evaluation.outcome}")
    results = evaluation.results()
    for code, expected in example.verdicts.items():
        got = results.get(code)
        if got is None:
            reasons.append(f"rule '{code}' is not in rule set {ruleset.version}")
        elif got != expected:
            reasons.append(f"rule '{code}': expected {expected}, got {got}")
    return reasons
