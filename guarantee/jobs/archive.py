"""The document archive: render, number, hash and store a document, once, immutably.

Three short steps, none of which holds a database lock while a PDF renders:

1. the letter's HTML is rendered (Jinja, milliseconds) with a placeholder for its number;
2. one short transaction takes the next protocol number and keeps the final HTML beside it
   (`document_numbers`): from here the number belongs to this event and kind for good;
3. the PDF is rendered outside any transaction, stored, and one short transaction writes the
   `documents` row with that number.

A worker that dies between 2 and 3 leaves the reservation; the retried event finds it and
renders the same HTML with the same number: no gap, no number used twice. A failure before
2 commits rolls the counter back with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from guarantee.adapters.db import tables
from guarantee.adapters.db.repositories import next_in_sequence
from guarantee.adapters.storage import FileStore
from guarantee.adapters.templating import DocumentRenderer
from guarantee.domain.documents import DocumentKind, MediaType, ProtocolNumber, sha256_hex
from guarantee.jobs.audit import record
from guarantee.services.ports import Clock

# Plain ASCII so that HTML escaping leaves it as it is; replaced in the numbering transaction.
NUMBER_PLACEHOLDER = "PROT-NUMERO-IN-ASSEGNAZIONE"


class PdfMaker(Protocol):
    def to_pdf(self, html: str, base_url: str | None = None) -> bytes: ...


@dataclass(frozen=True)
class Reservation:
    protocol: ProtocolNumber
    title: str
    template_version: str
    html: str
    document_id: str | None


class DocumentArchive:
    def __init__(
        self,
        engine: Engine,
        renderer: DocumentRenderer,
        pdf: PdfMaker,
        store: FileStore,
        clock: Clock,
    ) -> None:
        self.engine = engine
        self.renderer = renderer
        self.pdf = pdf
        self.store = store
        self.clock = clock
        # Test seam: called after the number is committed and before the PDF is stored.
        self.after_numbering: Callable[[ProtocolNumber], None] = lambda _: None

    def create(
        self,
        kind: DocumentKind,
        context: Mapping[str, object],
        *,
        by: str,
        guarantee_id: str | None = None,
        source_event_id: str | None = None,
    ) -> str:
        """The id of the archived document; for an event already handled, the existing one."""
        event_id = source_event_id or str(uuid.uuid4())
        d = tables.documents.c
        with self.engine.connect() as conn:
            stored = conn.scalar(
                select(d.id).where(d.source_event_id == event_id, d.kind == kind.value)
            )
            if stored is not None:  # also documents archived before numbers were reserved
                return str(stored)
            reservation = _reservation(conn, event_id, kind)
        if reservation is not None and reservation.document_id is not None:
            return reservation.document_id
        if reservation is None:
            rendered = self.renderer.render_html(
                kind, {**context, "protocol_number": NUMBER_PLACEHOLDER}
            )
            reservation = self._reserve(
                kind,
                rendered.title,
                rendered.template_version,
                rendered.html,
                guarantee_id=guarantee_id,
                event_id=event_id,
            )
        self.after_numbering(reservation.protocol)
        content = self.pdf.to_pdf(reservation.html)
        key = self.store.put(content)
        return self._store(
            kind, reservation, content, key, by=by, guarantee_id=guarantee_id, event_id=event_id
        )

    def _reserve(
        self,
        kind: DocumentKind,
        title: str,
        template_version: str,
        html: str,
        *,
        guarantee_id: str | None,
        event_id: str,
    ) -> Reservation:
        try:
            with self.engine.begin() as conn:
                year = self.clock.today().year
                protocol = ProtocolNumber(year, next_in_sequence(conn, "protocol", year))
                final = html.replace(NUMBER_PLACEHOLDER, str(protocol))
                conn.execute(
                    insert(tables.document_numbers).values(
                        protocol_year=protocol.year,
                        protocol_sequence=protocol.sequence,
                        kind=kind.value,
                        source_event_id=event_id,
                        guarantee_id=guarantee_id,
                        title=title,
                        template_version=template_version,
                        html=final,
                        reserved_at=self.clock.now(),
                    )
                )
                return Reservation(protocol, title, template_version, final, None)
        except IntegrityError:
            # Another worker numbered this event's document first; its number is the one.
            # Our increment rolled back with the failed insert, so nothing is skipped.
            with self.engine.connect() as conn:
                found = _reservation(conn, event_id, kind)
            if found is None:
                raise
            return found

    def _store(
        self,
        kind: DocumentKind,
        reservation: Reservation,
        content: bytes,
        key: str,
        *,
        by: str,
        guarantee_id: str | None,
        event_id: str,
    ) -> str:
        d, n = tables.documents.c, tables.document_numbers.c
        document_id = str(uuid.uuid4())
        try:
            with self.engine.begin() as conn:
                revision = 1 + int(
                    conn.scalar(
                        select(func.count()).where(
                            d.guarantee_id == guarantee_id, d.kind == kind.value
                        )
                    )
                    or 0
                )
                conn.execute(
                    insert(tables.documents).values(
                        id=document_id,
                        kind=kind.value,
                        title=reservation.title,
                        guarantee_id=guarantee_id,
                        revision=revision,
                        protocol_year=reservation.protocol.year,
                        protocol_sequence=reservation.protocol.sequence,
                        template_version=reservation.template_version,
                        sha256=sha256_hex(content),
                        size=len(content),
                        media_type=MediaType.PDF.value,
                        storage_key=key,
                        source_event_id=event_id,
                        created_at=self.clock.now(),
                        created_by=by,
                    )
                )
                record(
                    conn,
                    "document",
                    document_id,
                    "archive",
                    {
                        "kind": kind.value,
                        "protocol_number": str(reservation.protocol),
                        "sha256": sha256_hex(content),
                        "guarantee_id": guarantee_id,
                        "template_version": reservation.template_version,
                    },
                    self.clock.now(),
                    actor=by,
                )
                conn.execute(
                    update(tables.document_numbers)
                    .where(
                        n.protocol_year == reservation.protocol.year,
                        n.protocol_sequence == reservation.protocol.sequence,
                    )
                    .values(document_id=document_id)
                )
        except IntegrityError:
            # Stored by a concurrent worker with the same number: that row is the document.
            with self.engine.connect() as conn:
                existing = conn.scalar(
                    select(d.id).where(d.source_event_id == event_id, d.kind == kind.value)
                )
            if existing is None:
                raise
            return str(existing)
        return document_id


def _reservation(conn: Connection, event_id: str, kind: DocumentKind) -> Reservation | None:
    n = tables.document_numbers.c
    row = (
        conn.execute(
            select(tables.document_numbers).where(
                n.source_event_id == event_id, n.kind == kind.value
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        return None
    return Reservation(
        ProtocolNumber(row["protocol_year"], row["protocol_sequence"]),
        row["title"],
        row["template_version"],
        row["html"],
        row["document_id"],
    )
