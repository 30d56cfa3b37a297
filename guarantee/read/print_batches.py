"""Print batches for staff: what is waiting to be posted, and the batch's PDF."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.errors import NotFound


def print_batches(conn: Connection) -> list[dict[str, Any]]:
    b = tables.print_batches.c
    rows = conn.execute(
        select(b.id, b.day, b.letters, b.status, b.sha256, b.posted_at, b.posted_by).order_by(
            b.day.desc()
        )
    ).mappings()
    return [dict(r) for r in rows]


def print_batch_file(conn: Connection, batch_id: str) -> dict[str, Any]:
    b = tables.print_batches.c
    row = (
        conn.execute(select(b.id, b.day, b.storage_key, b.sha256).where(b.id == batch_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound("lotto di stampa", batch_id)
    return dict(row)
