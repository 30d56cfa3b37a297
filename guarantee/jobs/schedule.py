"""Scheduled jobs run once per period however many schedulers fire: the first to insert the
(job, period) row runs it; the others find the row and do nothing.

Every worker runs a scheduler (so losing one worker loses no schedule); the row, not the
number of schedulers, decides who works. A job whose work commits in the same transaction
as its row (reminders) can never run twice nor be lost: a scheduler that dies before
committing leaves no row, and the next firing of any worker runs it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, delete, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guarantee.adapters.db import tables


def period_of(day: date) -> str:
    """Daily jobs are keyed by the day they run for, in Rome."""
    return day.isoformat()


def claim_run(conn: Connection, job: str, period: str, now: datetime) -> bool:
    """True if this caller owns (job, period). On PostgreSQL a concurrent claimer waits for the
    owner's transaction: if it commits the claimer gets False, if it rolls back, True."""
    upsert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT here.
    inserted = conn.execute(
        upsert(tables.scheduled_runs)
        .values(job=job, period=period, started_at=now)
        .on_conflict_do_nothing(index_elements=["job", "period"])
        .returning(tables.scheduled_runs.c.job)
    ).first()
    return inserted is not None


def finish_run(conn: Connection, job: str, period: str, now: datetime) -> None:
    s = tables.scheduled_runs.c
    conn.execute(
        update(tables.scheduled_runs).where(s.job == job, s.period == period).values(done_at=now)
    )


def release_run(conn: Connection, job: str, period: str) -> None:
    s = tables.scheduled_runs.c
    conn.execute(delete(tables.scheduled_runs).where(s.job == job, s.period == period))
