"""What an evaluation says: one verdict per rule, the outcome, and who decided.

An evaluation is stored by the application, so it converts to a plain JSON-able dict
(amounts as strings, with the type of each fact so they come back as ``Decimal``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeVar, cast

RuleKind = Literal["blocking", "review"]
VerdictResult = Literal["pass", "fail", "review", "skipped"]
Outcome = Literal["eligible", "needs_review", "ineligible"]

RULE_KINDS: tuple[RuleKind, ...] = ("blocking", "review")
VERDICT_RESULTS: tuple[VerdictResult, ...] = ("pass", "fail", "review", "skipped")
DEFAULT_SCHEME = "garanzia-casa"
"""The scheme of rule sets, products and funds that do not name one."""
OUTCOMES: tuple[Outcome, ...] = ("eligible", "needs_review", "ineligible")
_Choice = TypeVar("_Choice", bound=str)

_OUTCOME_RANK: dict[Outcome, int] = {"eligible": 0, "needs_review": 1, "ineligible": 2}


def outcome_of(results: Iterable[VerdictResult]) -> Outcome:
    """Any fail → ineligible; else any review → needs_review; else eligible.

    A rule skipped because its "applies only when" condition is false counts for nothing.

    Only blocking rules can fail (a review rule that is not met says ``review``), so
    "any blocking fail" and "any fail" are the same thing.
    """
    seen = set(results)
    if "fail" in seen:
        return "ineligible"
    if "review" in seen:
        return "needs_review"
    return "eligible"


def outcome_rank(outcome: Outcome) -> int:
    """0 eligible, 1 needs_review, 2 ineligible: higher is worse for the household."""
    return _OUTCOME_RANK[outcome]


@dataclass(frozen=True)
class RuleVerdict:
    """One rule's answer and the facts (given or derived) it looked at.

    ``detail`` says why, in Italian, when the result alone does not: which alternative
    let the rule pass, or that it does not apply to this application.
    """

    code: str
    message: str
    kind: RuleKind
    result: VerdictResult
    facts_seen: dict[str, object]
    detail: str = ""


@dataclass(frozen=True)
class Evaluation:
    """Every rule's verdict, the outcome, and the rule set (version and content digest)."""

    ruleset_version: str
    outcome: Outcome
    verdicts: tuple[RuleVerdict, ...]
    ruleset_digest: str = ""
    scheme: str = DEFAULT_SCHEME

    def verdict(self, code: str) -> RuleVerdict:
        for verdict in self.verdicts:
            if verdict.code == code:
                return verdict
        raise KeyError(code)

    def results(self) -> dict[str, VerdictResult]:
        return {verdict.code: verdict.result for verdict in self.verdicts}

    def to_dict(self) -> dict[str, object]:
        fact_types: dict[str, str] = {}
        verdicts: list[dict[str, object]] = []
        for verdict in self.verdicts:
            seen: dict[str, object] = {}
            for name, value in verdict.facts_seen.items():
                kind, plain = _plain(value)
                fact_types[name] = kind
                seen[name] = plain
            item: dict[str, object] = {
                "code": verdict.code,
                "message": verdict.message,
                "kind": verdict.kind,
                "result": verdict.result,
                "facts_seen": seen,
            }
            if verdict.detail:
                item["detail"] = verdict.detail
            verdicts.append(item)
        return {
            "scheme": self.scheme,
            "ruleset_version": self.ruleset_version,
            "ruleset_digest": self.ruleset_digest,
            "outcome": self.outcome,
            "fact_types": fact_types,
            "verdicts": verdicts,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Evaluation:
        """Rebuild what ``to_dict`` wrote; raises ``ValueError`` on anything else."""
        try:
            fact_types = _mapping(data.get("fact_types", {}), "fact_types")
            verdicts = tuple(
                _verdict_from(_mapping(item, "verdict"), fact_types)
                for item in _sequence(data["verdicts"], "verdicts")
            )
            outcome = _choice(data["outcome"], OUTCOMES, "outcome")
            version = data["ruleset_version"]
            digest = data.get("ruleset_digest", "")
            scheme = data.get("scheme", DEFAULT_SCHEME)
        except KeyError as exc:
            raise ValueError(f"evaluation: missing key {exc}") from exc
        if not all(isinstance(text, str) for text in (version, digest, scheme)):
            raise ValueError("evaluation: ruleset_version, ruleset_digest, scheme must be strings")
        if outcome != outcome_of(v.result for v in verdicts):
            raise ValueError("evaluation: the outcome does not follow from the verdicts")
        return cls(str(version), outcome, verdicts, str(digest), str(scheme))


def plain_fact(value: object) -> object:
    """A fact's value as an explanation's JSON keeps it (a date as AAAA-MM-GG, an amount as
    its digits); the catalogue's checkers read it back."""
    return _plain(value)[1]


def _plain(value: object) -> tuple[str, object]:
    if isinstance(value, bool):
        return "boolean", value
    if isinstance(value, Decimal):
        return "decimal", str(value)
    if isinstance(value, int):
        return "integer", value
    if isinstance(value, str):
        return "string", value
    if isinstance(value, date):
        return "date", value.isoformat()
    raise TypeError(f"cannot store a fact of type {type(value).__name__}")


def _verdict_from(item: Mapping[str, object], fact_types: Mapping[str, object]) -> RuleVerdict:
    seen: dict[str, object] = {}
    for name, plain in _mapping(item.get("facts_seen", {}), "facts_seen").items():
        kind = fact_types.get(name)
        if kind == "decimal":
            try:
                seen[name] = Decimal(str(plain))
            except InvalidOperation as exc:
                raise ValueError(f"evaluation: fact '{name}' is not an amount") from exc
        elif kind == "date":
            try:
                seen[name] = date.fromisoformat(str(plain))
            except ValueError as exc:
                raise ValueError(f"evaluation: fact '{name}' is not a date") from exc
        elif kind in ("integer", "string", "boolean"):
            seen[name] = plain
        else:
            raise ValueError(f"evaluation: fact '{name}' has no known type")
    code = item["code"]
    message = item["message"]
    detail = item.get("detail", "")
    if not all(isinstance(text, str) for text in (code, message, detail)):
        raise ValueError("evaluation: verdict code, message and detail must be strings")
    return RuleVerdict(
        code=str(code),
        message=str(message),
        kind=_choice(item["kind"], RULE_KINDS, "kind"),
        result=_choice(item["result"], VERDICT_RESULTS, "result"),
        facts_seen=seen,
        detail=str(detail),
    )


def _mapping(value: object, what: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ValueError(f"evaluation: {what} must be a mapping")
    return cast(Mapping[str, object], value)


def _sequence(value: object, what: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"evaluation: {what} must be a list")
    return list(value)


def _choice(value: object, allowed: tuple[_Choice, ...], what: str) -> _Choice:
    for option in allowed:
        if value == option:
            return option
    raise ValueError(f"evaluation: {what} {value!r} is not one of {', '.join(allowed)}")
