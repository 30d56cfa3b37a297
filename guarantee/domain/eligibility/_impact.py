"""What a draft rule set would change: applications whose outcome moves, and why.

Pure: nothing is stored or sent. Two shortcuts keep 100,000 applications in seconds,
both exact rather than approximate:

- a rule whose signature (kind, conditions, reads, derived data) is identical in both
  sets gives the same result on the same facts, so the outcome can only move where a
  changed rule answers differently; only changed rules run for every application;
- an application may bring the evaluation stored under the current set; its per-rule
  results are reused when version and digest match, otherwise rules are re-run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from guarantee.domain.eligibility._evaluation import (
    VERDICT_RESULTS,
    Evaluation,
    Outcome,
    VerdictResult,
    outcome_of,
)
from guarantee.domain.eligibility._ruleset import RuleSet
from guarantee.domain.errors import InvalidFacts


@dataclass(frozen=True)
class ImpactCase:
    """One application: its key, its facts and, if at hand, its stored evaluation.

    ``stored`` may be the ``Evaluation`` or the dict its ``to_dict`` wrote (as read back
    from the database): only version, digest and per-rule results are used, so the dict
    is read directly, which is much cheaper than ``Evaluation.from_dict``.
    """

    key: str
    facts: Mapping[str, object]
    stored: Evaluation | Mapping[str, object] | None = None
    reserve: Decimal | Callable[[], Decimal | None] | None = None
    """What issuing it would reserve from the fund, or how to work it out: priced only for
    the few applications that change outcome, not for every one examined."""


@dataclass(frozen=True)
class OutcomeChange:
    """An application whose outcome differs under the draft, and the rules that moved."""

    key: str
    before: Outcome
    after: Outcome
    rules: tuple[str, ...]
    reserve: Decimal | None = None

    @property
    def reserve_effect(self) -> Decimal:
        """Reserve the change would take (> 0) or free (< 0) from the fund's free capacity.

        An application that may be issued (eligible, or needs review and may still be
        approved) would take its reserve; one that is not eligible takes nothing. So only
        a move across "not eligible" moves money; eligible ↔ needs review does not.
        """
        if self.reserve is None:
            return Decimal("0.00")
        could_before = self.before != "ineligible"
        could_after = self.after != "ineligible"
        if could_after and not could_before:
            return self.reserve
        if could_before and not could_after:
            return -self.reserve
        return Decimal("0.00")


@dataclass(frozen=True)
class ImpactReport:
    current_version: str
    draft_version: str
    examined: int
    changed_rules: tuple[str, ...]
    changes: tuple[OutcomeChange, ...]
    refused: tuple[tuple[str, str], ...] = field(default=())
    """Applications whose facts could not be evaluated: (key, reason)."""

    @property
    def reserve_taken(self) -> Decimal:
        """Reserve that applications becoming issuable would take."""
        return sum(
            (c.reserve_effect for c in self.changes if c.reserve_effect > 0), Decimal("0.00")
        )

    @property
    def reserve_freed(self) -> Decimal:
        """Reserve that applications no longer issuable would leave free."""
        return -sum(
            (c.reserve_effect for c in self.changes if c.reserve_effect < 0), Decimal("0.00")
        )

    def counts(self) -> dict[tuple[Outcome, Outcome], int]:
        """How many applications move from each outcome to each other."""
        return dict(Counter((change.before, change.after) for change in self.changes))

    @staticmethod
    def merge(reports: Iterable[ImpactReport]) -> ImpactReport:
        """Join reports of chunks of the same comparison (e.g. from worker processes)."""
        parts = list(reports)
        if not parts:
            raise ValueError("nothing to merge")
        first = parts[0]
        return ImpactReport(
            current_version=first.current_version,
            draft_version=first.draft_version,
            examined=sum(part.examined for part in parts),
            changed_rules=first.changed_rules,
            changes=tuple(change for part in parts for change in part.changes),
            refused=tuple(item for part in parts for item in part.refused),
        )


def changed_rules(current: RuleSet, draft: RuleSet) -> tuple[str, ...]:
    """Rule codes added, removed or altered in a way that can change a result."""
    codes = dict.fromkeys((*current.codes, *draft.codes))
    return tuple(
        code
        for code in codes
        if code not in current.codes
        or code not in draft.codes
        or current.signature(code) != draft.signature(code)
    )


def impact(
    current: RuleSet,
    draft: RuleSet,
    applications: Iterable[ImpactCase | tuple[str, Mapping[str, object]]],
) -> ImpactReport:
    """List every application whose outcome would change under ``draft``.

    Exact, yet cheap: unchanged rules give the same results under both sets, so the
    outcome can only move when a changed rule's result moves. Only the changed rules
    run for every application; the others run (or come from the stored evaluation)
    just for the applications where a changed rule answers differently.
    """
    changed = changed_rules(current, draft)
    before_codes = tuple(code for code in changed if code in current.codes)
    after_codes = tuple(code for code in changed if code in draft.codes)
    same_codes = tuple(code for code in current.codes if code not in changed)
    changes: list[OutcomeChange] = []
    refused: list[tuple[str, str]] = []
    examined = 0
    for item in applications:
        case = item if isinstance(item, ImpactCase) else ImpactCase(item[0], item[1])
        examined += 1
        if not changed:
            continue
        try:
            stored = _stored_results(current, case.stored)
            if stored is not None:
                before = {code: stored[code] for code in before_codes}
            else:
                before = current.results(current.prepare(case.facts, before_codes), before_codes)
            after = draft.results(draft.prepare(case.facts, after_codes), after_codes)
            # A rule absent from one set counts as passing there: only results other than
            # "pass" shape an outcome, so an added or removed rule that passes moves nothing.
            before = {code: before.get(code, "pass") for code in changed}
            after = {code: after.get(code, "pass") for code in changed}
            if before == after:
                continue
            if stored is not None:
                same = [stored[code] for code in same_codes]
            else:
                values = current.prepare(case.facts, same_codes)
                same = list(current.results(values, same_codes).values())
        except InvalidFacts as exc:
            refused.append((case.key, exc.message))
            continue
        outcome_before = outcome_of([*same, *before.values()])
        outcome_after = outcome_of([*same, *after.values()])
        if outcome_before != outcome_after:
            moved = tuple(code for code in changed if before[code] != after[code])
            reserve = case.reserve() if callable(case.reserve) else case.reserve
            changes.append(OutcomeChange(case.key, outcome_before, outcome_after, moved, reserve))
    return ImpactReport(
        current_version=current.version,
        draft_version=draft.version,
        examined=examined,
        changed_rules=changed,
        changes=tuple(changes),
        refused=tuple(refused),
    )


def _stored_results(
    current: RuleSet, stored: Evaluation | Mapping[str, object] | None
) -> dict[str, VerdictResult] | None:
    """Per-rule results of a stored evaluation, if it was made by exactly this rule set.

    Anything else (another version or digest, a malformed dict) gives None and the
    rules are simply run again.
    """
    if stored is None:
        return None
    version: object
    digest: object
    results: dict[str, VerdictResult] | None
    if isinstance(stored, Evaluation):
        version, digest = stored.ruleset_version, stored.ruleset_digest
        results = stored.results()
    else:
        version, digest = stored.get("ruleset_version"), stored.get("ruleset_digest")
        results = _results_of(stored.get("verdicts"))
    if version != current.version or digest != current.digest or results is None:
        return None
    return results if set(results) == set(current.codes) else None


def _results_of(verdicts: object) -> dict[str, VerdictResult] | None:
    if not isinstance(verdicts, list):
        return None
    results: dict[str, VerdictResult] = {}
    for verdict in verdicts:
        if not isinstance(verdict, Mapping):
            return None
        code, result = verdict.get("code"), verdict.get("result")
        if not isinstance(code, str) or result not in VERDICT_RESULTS:
            return None
        results[code] = cast(VerdictResult, result)
    return results
