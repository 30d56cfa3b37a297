"""What happens after an event: the documents it produces and the notices it sends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Engine, select, update

from guarantee.adapters.db import tables
from guarantee.adapters.mailer import Mailer
from guarantee.adapters.storage import FileStore
from guarantee.bootstrap import System
from guarantee.domain.documents import DocumentKind
from guarantee.jobs import contexts
from guarantee.jobs.archive import DocumentArchive
from guarantee.jobs.notices import queue_mail, send_mail

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 10


class Reactions:
    def __init__(
        self, system: System, archive: DocumentArchive, store: FileStore, mailer: Mailer
    ) -> None:
        self.system = system
        self.engine: Engine = system.engine
        self.archive = archive
        self.store = store
        self.mailer = mailer
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "guarantee_issued": self._guarantee_issued,
            "eligibility_recorded": self._eligibility_recorded,
            "expiry_reminder_due": self._expiry_reminder_due,
        }

    def handle(self, outbox_id: str) -> None:
        """Handle one outbox event; idempotent, so a redelivered message changes nothing."""
        o = tables.outbox.c
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(tables.outbox).where(o.id == outbox_id))
                .mappings()
                .one_or_none()
            )
        if row is None or row["status"] == "done":
            return
        handler = self.handlers.get(row["topic"])
        try:
            if handler is not None:
                handler(dict(row))
        except Exception as exc:
            self._failed(outbox_id, row["attempts"], exc)
            raise
        with self.engine.begin() as conn:
            conn.execute(
                update(tables.outbox)
                .where(o.id == outbox_id)
                .values(status="done", done_at=self._now(), last_error=None)
            )

    # -- reactions ---------------------------------------------------------------------------

    def _guarantee_issued(self, event: dict[str, Any]) -> None:
        guarantee_id = event["entity_id"]
        product = self._product_of(guarantee_id)
        today, rules_dir = self.system.deps.clock.today(), self.system.settings.rules_dir
        with self.engine.connect() as conn:
            contract = contexts.contract_context(conn, guarantee_id, product, rules_dir, today)
            certificate = contexts.certificate_context(
                conn, guarantee_id, product, rules_dir, today
            )
        documents = [
            self.archive.create(
                DocumentKind.GUARANTEE_CONTRACT,
                contract,
                by=event["actor_id"],
                guarantee_id=guarantee_id,
                source_event_id=event["id"],
            ),
            self.archive.create(
                DocumentKind.CERTIFICATE,
                certificate,
                by=event["actor_id"],
                guarantee_id=guarantee_id,
                source_event_id=event["id"],
            ),
        ]
        self._notify_landlord(
            event,
            guarantee_id,
            subject="Garanzia {number} emessa",
            body=(
                "Gentile {name},\n\nla garanzia {number} è stata emessa. In allegato il "
                "contratto di garanzia e il certificato, verificabile online con il codice "
                "riportato.\n\nFondo Garanzia Casa"
            ),
            documents=documents,
        )

    def _eligibility_recorded(self, event: dict[str, Any]) -> None:
        guarantee_id = event["entity_id"]
        with self.engine.connect() as conn:
            context = contexts.eligibility_context(
                conn, guarantee_id, self.system.deps.clock.today()
            )
        self.archive.create(
            DocumentKind.ELIGIBILITY_OUTCOME,
            context,
            by=event["actor_id"],
            guarantee_id=guarantee_id,
            source_event_id=event["id"],
        )

    def _expiry_reminder_due(self, event: dict[str, Any]) -> None:
        guarantee_id = event["entity_id"]
        product = self._product_of(guarantee_id)
        today, rules_dir = self.system.deps.clock.today(), self.system.settings.rules_dir
        with self.engine.connect() as conn:
            context = contexts.expiry_reminder_context(
                conn, guarantee_id, product, rules_dir, today
            )
        document = self.archive.create(
            DocumentKind.EXPIRY_REMINDER,
            context,
            by=event["actor_id"],
            guarantee_id=guarantee_id,
            source_event_id=event["id"],
        )
        self._notify_landlord(
            event,
            guarantee_id,
            subject="La garanzia {number} scade tra 60 giorni",
            body=(
                "Gentile {name},\n\nle ricordiamo che la garanzia {number} è in scadenza. "
                "In allegato il promemoria con le date utili.\n\nFondo Garanzia Casa"
            ),
            documents=[document],
        )

    # -- helpers -----------------------------------------------------------------------------

    def _notify_landlord(
        self,
        event: dict[str, Any],
        guarantee_id: str,
        *,
        subject: str,
        body: str,
        documents: list[str],
    ) -> None:
        now = self._now()
        with self.engine.begin() as conn:
            email, name, number = contexts.landlord_email(conn, guarantee_id)
            mail_id = queue_mail(
                conn,
                outbox_id=event["id"],
                to_address=email,
                subject=subject.format(number=number, name=name),
                body_text=body.format(number=number, name=name),
                document_ids=documents,
                now=now,
            )
        send_mail(
            self.engine, self.store, self.mailer, mail_id, self.system.settings.mail_from, now
        )

    def _product_of(self, guarantee_id: str) -> Any:
        g = tables.guarantees.c
        with self.engine.connect() as conn:
            code, version = conn.execute(
                select(g.product_code, g.product_version).where(g.id == guarantee_id)
            ).one()
        return self.system.deps.products.get(code, version).product

    def _failed(self, outbox_id: str, attempts: int, exc: Exception) -> None:
        o = tables.outbox.c
        status = "failed" if attempts + 1 >= MAX_ATTEMPTS else "dispatched"
        with self.engine.begin() as conn:
            conn.execute(
                update(tables.outbox)
                .where(o.id == outbox_id)
                .values(status=status, last_error=f"{type(exc).__name__}: {exc}"[:2000])
            )
        log.warning("outbox event failed", outbox_id=outbox_id, error=str(exc), status=status)

    def _now(self) -> datetime:
        return self.system.deps.clock.now()
