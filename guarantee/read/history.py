"""What the audit trail says about one record: every change, with before, after and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables


def history_of(conn: Connection, entity_type: str, entity_id: str) -> list[dict[str, Any]]:
    a = tables.audit_events.c
    statement = (
        select(a.occurred_at, a.actor_id, a.actor_role, a.action, a.before, a.after, a.reason)
        .where(a.entity_type == entity_type, a.entity_id == entity_id)
        .order_by(a.seq)
    )
    return [dict(row) for row in conn.execute(statement).mappings()]
