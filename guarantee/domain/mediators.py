"""Choosing a mediator "by workload": the one with the fewest open cases."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from guarantee.domain.errors import DomainError
from guarantee.domain.mediation import MediationCase


@dataclass(frozen=True)
class Mediator:
    user_id: str
    name: str


def open_cases_by_mediator(cases: Iterable[MediationCase]) -> dict[str, int]:
    """How many cases each mediator has that are not closed yet."""
    counts: dict[str, int] = {}
    for case in cases:
        if case.mediator_id is not None and case.is_open:
            counts[case.mediator_id] = counts.get(case.mediator_id, 0) + 1
    return counts


def pick_mediator_by_workload(
    mediators: Iterable[Mediator], open_cases: Mapping[str, int]
) -> Mediator:
    """The mediator with the fewest open cases; a tie goes to the first name alphabetically."""
    candidates = list(mediators)
    if not candidates:
        raise DomainError("nessun mediatore disponibile", code="no_mediator")
    return min(
        candidates,
        key=lambda m: (open_cases.get(m.user_id, 0), m.name.casefold(), m.name, m.user_id),
    )
