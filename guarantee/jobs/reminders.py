"""Scheduled reminders become outbox events, once per guarantee and term, so they survive
restarts and two schedulers firing together."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guarantee.adapters.db import tables
from guarantee.jobs.schedule import claim_run, finish_run, period_of
from guarantee.read.letters import Event
from guarantee.read.snapshots import LetterSnapshots

REMINDER_DAYS = 60
JOB = "send_expiry_reminders"
TOPIC = "expiry_reminder_due"


def reminder_key(guarantee_id: str, ends_on: date) -> str:
    """A reminder per guarantee per term: a renewed guarantee (new end date) is reminded again."""
    return f"expiry_reminder:{guarantee_id}:{ends_on.isoformat()}"


def queue_expiry_reminders(
    engine: Engine, today: date, now: datetime, letters: LetterSnapshots | None = None
) -> int:
    """Today's run, once however many schedulers fire: the run's row and its reminders commit
    together. Returns how many reminders this call queued (0 if another scheduler ran it)."""
    with engine.begin() as conn:
        if not claim_run(conn, JOB, period_of(today), now):
            return 0
        queued = insert_due_reminders(conn, today, now, letters)
        finish_run(conn, JOB, period_of(today), now)
    return queued


def insert_due_reminders(
    conn: Connection, today: date, now: datetime, letters: LetterSnapshots | None = None
) -> int:
    """An expiry reminder for every live guarantee ending within 60 days, keyed by its term:
    a second insert of the same key (another run, another scheduler) adds nothing."""
    g = tables.guarantees.c
    due = select(g.id, g.number, g.ends_on).where(
        g.status.in_(["active", "issued", "suspended"]),
        g.ends_on >= today,
        g.ends_on <= today + timedelta(days=REMINDER_DAYS),
    )
    upsert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    queued = 0
    for guarantee_id, number, ends_on in conn.execute(due).all():
        payload: dict[str, Any] = {
            "number": number,
            "ends_on": ends_on.isoformat(),
            "days_left": (ends_on - today).days,
        }
        snapshot = (
            letters.take(conn, Event(TOPIC, "guarantee", guarantee_id, payload))
            if letters is not None
            else None
        )
        if snapshot:
            payload["letters"] = snapshot
        inserted = conn.execute(
            upsert(tables.outbox)
            .values(
                id=str(uuid.uuid4()),
                topic=TOPIC,
                entity_type="guarantee",
                entity_id=guarantee_id,
                payload=payload,
                actor_id="scheduler",
                created_at=now,
                status="pending",
                attempts=0,
                available_at=now,
                dedup_key=reminder_key(guarantee_id, ends_on),
            )
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(tables.outbox.c.id)
        ).first()
        queued += inserted is not None
    return queued
