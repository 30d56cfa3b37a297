"""The relay: hands pending outbox rows to the broker. A broker that is down delays, never loses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Engine, or_, select, update

from guarantee.adapters.db import tables

log = structlog.get_logger(__name__)


def relay_once(
    engine: Engine,
    send: Callable[[str], object],
    now: datetime,
    *,
    redispatch_after: timedelta = timedelta(seconds=45),
    limit: int = 100,
) -> int:
    """Send up to ``limit`` due events; returns how many were handed to the broker."""
    o = tables.outbox.c
    due = (
        select(o.id)
        .where(
            or_(
                o.status == "pending",
                # Its message was lost (a broker restart, an in-memory broker's process died).
                (o.status == "dispatched") & (o.dispatched_at < now - redispatch_after),
                # Its worker stopped renewing the lease: it died; another one takes over.
                (o.status == "processing") & (o.lease_until < now),
            ),
            o.available_at <= now,
        )
        .order_by(o.created_at, o.id)
        .limit(limit)
    )
    sent = 0
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several relays (one per worker) share the table without sending a row twice.
            due = due.with_for_update(skip_locked=True)
        ids = list(conn.scalars(due))
        for outbox_id in ids:
            try:
                send(outbox_id)
            except Exception as exc:  # broker down: keep the rest pending for the next round
                log.warning(
                    "broker unavailable, outbox kept", error=str(exc), pending=len(ids) - sent
                )
                break
            conn.execute(
                update(tables.outbox)
                .where(o.id == outbox_id)
                .values(status="dispatched", dispatched_at=now, attempts=o.attempts + 1)
            )
            sent += 1
    return sent
