"""Scheduled reminders become outbox events, once per guarantee, so they survive restarts."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, and_, exists, insert, select

from guarantee.adapters.db import tables

REMINDER_DAYS = 60


def queue_expiry_reminders(engine: Engine, today: date, now: datetime) -> int:
    """An expiry reminder for every live guarantee ending within 60 days that has none yet."""
    g, o = tables.guarantees.c, tables.outbox.c
    already = exists().where(and_(o.topic == "expiry_reminder_due", o.entity_id == g.id))
    due = select(g.id, g.number, g.ends_on).where(
        g.status.in_(["active", "issued", "suspended"]),
        g.ends_on >= today,
        g.ends_on <= today + timedelta(days=REMINDER_DAYS),
        ~already,
    )
    with engine.begin() as conn:
        rows = conn.execute(due).all()
        for guarantee_id, number, ends_on in rows:
            conn.execute(
                insert(tables.outbox).values(
                    id=str(uuid.uuid4()),
                    topic="expiry_reminder_due",
                    entity_type="guarantee",
                    entity_id=guarantee_id,
                    payload={"number": number, "ends_on": ends_on.isoformat()},
                    actor_id="scheduler",
                    created_at=now,
                    status="pending",
                    attempts=0,
                    available_at=now,
                )
            )
    return len(rows)
