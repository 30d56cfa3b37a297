"""The audit trail: who did what, when, to what, from which state to which, and why."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from guarantee.domain.actors import Actor
from guarantee.domain.aggregate import Change


@dataclass(frozen=True)
class AuditEvent:
    occurred_at: datetime
    actor_id: str
    actor_role: str
    entity_type: str
    entity_id: str
    action: str
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str | None = None
    # The account behind actor_id (None for the system and scripts): names can be reused,
    # accounts cannot.
    actor_account_id: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @classmethod
    def of(cls, change: Change, actor: Actor, now: datetime) -> AuditEvent:
        return cls(
            occurred_at=now,
            actor_id=actor.user_id,
            actor_role=actor.role.value,
            entity_type=change.entity_type,
            entity_id=change.entity_id,
            action=change.action,
            before=change.before,
            after=change.after,
            reason=change.reason,
            actor_account_id=actor.account_id,
        )
