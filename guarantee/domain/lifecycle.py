"""Explicit state machines: a table of actions, the states they leave from and go to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from guarantee.domain.errors import IllegalTransition

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Move(Generic[S]):
    sources: frozenset[S]
    targets: frozenset[S]


class StateMachine(Generic[S]):
    """Allowed moves by action name; an action may have several targets (e.g. an outcome)."""

    def __init__(self, entity: str, moves: Mapping[str, tuple[Iterable[S], Iterable[S]]]) -> None:
        self.entity = entity
        self.moves: dict[str, Move[S]] = {
            action: Move(frozenset(sources), frozenset(targets))
            for action, (sources, targets) in moves.items()
        }

    def target(self, current: S, action: str, target: S | None = None) -> S:
        """The state after ``action`` from ``current``; raises IllegalTransition if not allowed."""
        move = self.moves[action]
        if current not in move.sources:
            raise IllegalTransition(self.entity, current.value, action)
        if target is None:
            if len(move.targets) != 1:
                raise ValueError(f"action {action!r} needs an explicit target state")
            (only,) = move.targets
            return only
        if target not in move.targets:
            raise IllegalTransition(self.entity, current.value, f"{action} → {target.value}")
        return target

    def check(self, current: S, action: str) -> None:
        """Raise IllegalTransition if ``action`` may not leave ``current`` (whatever its target)."""
        if current not in self.moves[action].sources:
            raise IllegalTransition(self.entity, current.value, action)

    def allowed_actions(self, current: S) -> list[str]:
        return sorted(a for a, m in self.moves.items() if current in m.sources)
