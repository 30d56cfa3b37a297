"""The daily print batch: every letter for an addressee without e-mail, in one PDF with a cover
sheet per envelope, made once a day however many schedulers fire. Staff post it and mark it
posted (command MarkPrintBatchPosted, POST /api/v1/print-batches/{id}/posted)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import Engine, insert, select, update

from guarantee.adapters.db import tables
from guarantee.adapters.formatting import FILTERS
from guarantee.adapters.storage import FileStore
from guarantee.domain.documents import sha256_hex
from guarantee.domain.print_batches import PrintBatchStatus
from guarantee.jobs.audit import record
from guarantee.jobs.schedule import claim_run, finish_run, period_of, release_run
from guarantee.settings import Settings

JOB = "make_print_batch"


class PdfCombiner(Protocol):
    def combine(self, pages: list[str]) -> bytes: ...


def make_print_batch(
    engine: Engine,
    settings: Settings,
    pdf: PdfCombiner,
    day: date,
    now: datetime,
) -> str | None:
    """The id of the day's batch, or None if there was nothing to post or another scheduler
    made it. Letters queued while it renders wait for tomorrow's."""
    period = period_of(day)
    with engine.begin() as conn:
        if not claim_run(conn, JOB, period, now):
            return None
    try:
        batch_id = _make(engine, settings, pdf, day, now)
    except Exception:
        with engine.begin() as conn:
            release_run(conn, JOB, period)
        raise
    return batch_id


def _make(
    engine: Engine, settings: Settings, pdf: PdfCombiner, day: date, now: datetime
) -> str | None:
    p, n = tables.postal_letters.c, tables.document_numbers.c
    with engine.connect() as conn:
        letters = (
            conn.execute(
                select(tables.postal_letters)
                .where(p.batch_id.is_(None))
                .order_by(p.created_at, p.id)
            )
            .mappings()
            .all()
        )
        pages: list[str] = []
        covers = _covers(settings)
        for number, letter in enumerate(letters, start=1):
            enclosed = conn.execute(
                select(n.title, n.protocol_year, n.protocol_sequence, n.html)
                .where(n.document_id.in_(list(letter["document_ids"])))
                .order_by(n.protocol_year, n.protocol_sequence)
            ).all()
            pages.append(
                covers.get_template("copertina.html.j2").render(
                    fund_name=settings.fund_name,
                    day=day,
                    number=number,
                    total=len(letters),
                    name=letter["recipient_name"],
                    address=letter["recipient_address"],
                    subject=letter["subject"],
                    documents=[
                        {
                            "title": e.title,
                            "protocol": f"{e.protocol_year}/{e.protocol_sequence:06d}",
                        }
                        for e in enclosed
                    ],
                )
            )
            pages.extend(e.html for e in enclosed)
    if not letters:
        with engine.begin() as conn:
            finish_run(conn, JOB, period_of(day), now)
        return None
    # Rendered outside any transaction: writes go on while the batch is laid out.
    content = pdf.combine(pages)
    key = FileStore(settings.storage_dir).put(content)
    batch_id = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(
            insert(tables.print_batches).values(
                id=batch_id,
                day=day,
                letters=len(letters),
                storage_key=key,
                sha256=sha256_hex(content),
                status=PrintBatchStatus.READY.value,
                created_at=now,
            )
        )
        conn.execute(
            update(tables.postal_letters)
            .where(p.id.in_([letter["id"] for letter in letters]), p.batch_id.is_(None))
            .values(batch_id=batch_id)
        )
        record(conn, "print_batch", batch_id, "make", {"letters": len(letters)}, now)
        finish_run(conn, JOB, period_of(day), now)
    return batch_id


def _covers(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(settings.templates_dir / "print"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
    )
    env.filters.update(FILTERS)
    return env
