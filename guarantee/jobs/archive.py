"""The document archive: render, number, hash and store a document, once, immutably."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Protocol

from sqlalchemy import Engine, func, insert, select

from guarantee.adapters.db import tables
from guarantee.adapters.db.repositories import next_in_sequence
from guarantee.adapters.storage import FileStore
from guarantee.adapters.templating import DocumentRenderer
from guarantee.domain.documents import DocumentKind, MediaType, ProtocolNumber, sha256_hex
from guarantee.services.ports import Clock


class PdfMaker(Protocol):
    def to_pdf(self, html: str, base_url: str | None = None) -> bytes: ...


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

    def create(
        self,
        kind: DocumentKind,
        context: Mapping[str, object],
        *,
        by: str,
        guarantee_id: str | None = None,
        source_event_id: str | None = None,
    ) -> str:
        """The id of the archived document; for an event already handled, the existing one.

        The protocol number is taken inside the transaction that stores the document, and the
        document is rendered while that transaction holds it: a failure anywhere rolls the
        number back, so numbers stay gapless within the year.
        """
        d = tables.documents.c
        with self.engine.begin() as conn:
            if source_event_id is not None:
                existing = conn.scalar(
                    select(d.id).where(d.source_event_id == source_event_id, d.kind == kind.value)
                )
                if existing is not None:
                    return str(existing)
            now = self.clock.now()
            year = self.clock.today().year
            protocol = ProtocolNumber(year, next_in_sequence(conn, "protocol", year))
            rendered = self.renderer.render_html(
                kind, {**context, "protocol_number": str(protocol)}
            )
            content = self.pdf.to_pdf(rendered.html)
            key = self.store.put(content)
            revision = 1 + int(
                conn.scalar(
                    select(func.count()).where(d.guarantee_id == guarantee_id, d.kind == kind.value)
                )
                or 0
            )
            document_id = str(uuid.uuid4())
            conn.execute(
                insert(tables.documents).values(
                    id=document_id,
                    kind=kind.value,
                    title=rendered.title,
                    guarantee_id=guarantee_id,
                    revision=revision,
                    protocol_year=protocol.year,
                    protocol_sequence=protocol.sequence,
                    template_version=rendered.template_version,
                    sha256=sha256_hex(content),
                    size=len(content),
                    media_type=MediaType.PDF.value,
                    storage_key=key,
                    source_event_id=source_event_id,
                    created_at=now,
                    created_by=by,
                )
            )
            return document_id
