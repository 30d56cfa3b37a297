"""Documents, mails and print batches in the audit trail, like every business change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from guarantee.adapters.db import tables
from guarantee.adapters.db.evidence_chain import chain_events
from guarantee.domain.actors import Role

WORKER = "worker"


def record(
    conn: Connection,
    entity_type: str,
    entity_id: str,
    action: str,
    after: dict[str, Any],
    now: datetime,
    *,
    actor: str = WORKER,
    role: Role = Role.SYSTEM,
) -> None:
    event_id = str(uuid.uuid4())
    conn.execute(
        insert(tables.audit_events).values(
            id=event_id,
            occurred_at=now,
            actor_id=actor,
            actor_role=role.value,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            before={},
            after=after,
        )
    )
    # Into the tamper-evident chain in this same transaction, like every audit event.
    chain_events(conn, [event_id])
