"""What every aggregate shares: the changes it made, drained into the audit trail on commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Change:
    """One transition or change of money, as the audit trail records it."""

    entity_type: str
    entity_id: str
    action: str
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str | None = None


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened that other parts (notices, documents) react to."""

    name: str
    entity_type: str
    entity_id: str
    data: dict[str, Any] = field(default_factory=dict)


class Aggregate:
    """Mixin: collects changes and events. ORM loading bypasses ``__init__``, hence lazy lists."""

    entity_type: str = "entity"
    id: str

    @property
    def changes(self) -> list[Change]:
        try:
            return self._changes
        except AttributeError:
            self._changes: list[Change] = []
            return self._changes

    @property
    def events(self) -> list[DomainEvent]:
        try:
            return self._events
        except AttributeError:
            self._events: list[DomainEvent] = []
            return self._events

    def _record(
        self,
        action: str,
        before: dict[str, Any],
        after: dict[str, Any],
        reason: str | None = None,
    ) -> None:
        self.changes.append(Change(self.entity_type, self.id, action, before, after, reason))

    def _emit(self, name: str, **data: Any) -> None:
        self.events.append(DomainEvent(name, self.entity_type, self.id, data))
