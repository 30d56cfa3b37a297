"""What happens after an event: the letters the catalogue gives it are archived and delivered.

Handling an event is leased: the worker that claims it holds it until ``lease_until`` and
renews that every few seconds while it works. A worker that dies stops renewing, and within
the lease (seconds, not minutes) the relay hands the event to another worker. Everything an
event does is idempotent (documents by event and kind, mails and postal letters by event and
addressee), so the worker taking over finishes what the dead one began.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Engine, or_, select, update

from guarantee.adapters.db import tables
from guarantee.adapters.mail_templates import MailTemplates
from guarantee.adapters.mailer import Mailer
from guarantee.adapters.storage import FileStore
from guarantee.bootstrap import System
from guarantee.domain.documents import DocumentKind
from guarantee.jobs.archive import DocumentArchive
from guarantee.jobs.delivery import contact_of, queue_postal
from guarantee.jobs.notices import MailNotSent, attachment_names, queue_mail, send_mail
from guarantee.read.letter_catalogue import COMPOSERS, DECISION_OF_CLAIM, SILENT, compose
from guarantee.read.letter_notices import SECRET_TOPICS
from guarantee.read.letters import Enclosure, Event, Letter, letters_from_json

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 10


class UnknownEvent(Exception):
    """An event the catalogue neither reacts to nor declares silent: a programming error that
    must be seen, never an event silently marked done."""


class NotReady(Exception):
    """A letter refers to a document not archived yet (a payment notice to its decision)."""


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s … at most 30 minutes."""
    return timedelta(seconds=min(1800, 10 * 2 ** max(0, attempts - 1)))


class Reactions:
    def __init__(
        self,
        system: System,
        archive: DocumentArchive,
        store: FileStore,
        mailer: Mailer,
        *,
        lease: timedelta | None = None,
    ) -> None:
        self.system = system
        self.engine: Engine = system.engine
        self.archive = archive
        self.store = store
        self.mailer = mailer
        self.mail_templates = MailTemplates(system.settings.templates_dir)
        self.lease = lease or timedelta(seconds=system.settings.outbox_lease_seconds)

    def handle(self, outbox_id: str) -> None:
        """Handle one outbox event; idempotent, so a redelivered message changes nothing."""
        row = self._claim(outbox_id)
        if row is None:  # done, or held by a live worker
            return
        try:
            with self._heartbeat(outbox_id):
                self._react(row)
        except Exception as exc:
            self._failed(outbox_id, row["attempts"], exc)
            return
        o = tables.outbox.c
        with self.engine.begin() as conn:
            conn.execute(
                update(tables.outbox)
                .where(o.id == outbox_id)
                .values(status="done", done_at=self._now(), last_error=None, lease_until=None)
            )

    # -- the lease -----------------------------------------------------------------------------

    def _claim(self, outbox_id: str) -> dict[str, Any] | None:
        o = tables.outbox.c
        now = self._now()
        with self.engine.begin() as conn:
            claimed = conn.execute(
                update(tables.outbox)
                .where(
                    o.id == outbox_id,
                    or_(
                        (o.status == "pending") & (o.available_at <= now),
                        o.status == "dispatched",
                        (o.status == "processing") & (o.lease_until < now),
                    ),
                )
                .values(status="processing", lease_until=now + self.lease)
                .returning(o.id)
            ).first()
            if claimed is None:
                return None
            return dict(
                conn.execute(select(tables.outbox).where(o.id == outbox_id)).mappings().one()
            )

    @contextmanager
    def _heartbeat(self, outbox_id: str) -> Iterator[None]:
        """Renews the lease every third of it while the event is handled."""
        stop = threading.Event()
        o = tables.outbox.c

        def beat() -> None:
            while not stop.wait(self.lease.total_seconds() / 3):
                try:
                    with self.engine.begin() as conn:
                        conn.execute(
                            update(tables.outbox)
                            .where(o.id == outbox_id, o.status == "processing")
                            .values(lease_until=self._now() + self.lease)
                        )
                except Exception:  # a missed beat only shortens the lease
                    log.warning("lease renewal failed", outbox_id=outbox_id)

        thread = threading.Thread(target=beat, name=f"lease-{outbox_id[:8]}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    # -- the reaction --------------------------------------------------------------------------

    def _react(self, row: dict[str, Any]) -> None:
        event = Event(row["topic"], row["entity_type"], row["entity_id"], dict(row["payload"]))
        if event.topic in SILENT:
            return
        if event.topic not in COMPOSERS:
            raise UnknownEvent(
                f"evento {event.topic!r} sconosciuto: nessuna reazione nel catalogo e non "
                "dichiarato silenzioso"
            )
        stored = event.payload.get("letters")
        if stored:
            letters = letters_from_json(stored)
        else:
            # Events written before snapshots (and ones whose snapshot failed) are composed
            # now, from live data; the log says so.
            log.info("letters composed at the job, not at the event", topic=event.topic)
            with self.engine.connect() as conn:
                letters = compose(conn, event, self.system.letters.env()) or []
        for letter in letters:
            documents = [self._archive(row, letter, e) for e in letter.enclosures]
            for addressee in letter.to:
                self._deliver(row, letter, addressee, documents)
        if event.topic in SECRET_TOPICS:
            self._forget_secret(row["id"], str(event.payload.get("token", "")))

    def _forget_secret(self, outbox_id: str, token: str) -> None:
        """A single-use link has reached the mail server: neither the event nor the stored
        copy of the mail keeps a usable one. A mail not yet sent keeps it, to be retried."""
        if not token:
            return
        o, m = tables.outbox.c, tables.outgoing_mails.c
        with self.engine.begin() as conn:
            mails = conn.execute(
                select(m.id, m.status, m.body_text, m.body_html).where(m.outbox_id == outbox_id)
            ).all()
            if any(mail.status != "sent" for mail in mails):
                return
            for mail in mails:
                conn.execute(
                    update(tables.outgoing_mails)
                    .where(m.id == mail.id)
                    .values(
                        body_text=mail.body_text.replace(token, "…"),
                        body_html=(mail.body_html or "").replace(token, "…") or None,
                    )
                )
            conn.execute(
                update(tables.outbox)
                .where(o.id == outbox_id)
                .values(payload={"token": "consegnato", "letters": []})
            )

    def _archive(self, row: dict[str, Any], letter: Letter, enclosure: Enclosure) -> str:
        context = dict(enclosure.context)
        if enclosure.kind is DocumentKind.PAYMENT_NOTICE:
            context["decision"] = self._decision_reference(context["decision"])
        return self.archive.create(
            enclosure.kind,
            context,
            by=row["actor_id"],
            guarantee_id=letter.guarantee_id,
            source_event_id=row["id"],
        )

    def _decision_reference(self, decision: dict[str, Any]) -> dict[str, Any]:
        """The protocol number of the claim's latest decision letter, which the payment
        notice cites; if that letter is not archived yet, the event waits and is retried."""
        marker = str(decision["protocol_number"])
        if not marker.startswith(DECISION_OF_CLAIM):
            return decision
        claim_id = marker.removeprefix(DECISION_OF_CLAIM)
        d, o = tables.documents.c, tables.outbox.c
        with self.engine.connect() as conn:
            found = conn.execute(
                select(d.protocol_year, d.protocol_sequence)
                .select_from(tables.documents.join(tables.outbox, d.source_event_id == o.id))
                .where(
                    o.topic == "claim_decided",
                    o.entity_id == claim_id,
                    d.kind == DocumentKind.CLAIM_DECISION.value,
                )
                .order_by(d.created_at.desc(), d.protocol_sequence.desc())
                .limit(1)
            ).first()
        if found is None:
            raise NotReady("la decisione citata dall'avviso non è ancora protocollata")
        return {
            **decision,
            "protocol_number": f"{found.protocol_year}/{found.protocol_sequence:06d}",
        }

    def _deliver(
        self, row: dict[str, Any], letter: Letter, addressee: Any, documents: list[str]
    ) -> None:
        now = self._now()
        settings = self.system.settings
        with self.engine.begin() as conn:
            contact = contact_of(conn, letter, addressee, settings.rules_dir)
            if not contact.email:
                queue_postal(
                    conn,
                    outbox_id=row["id"],
                    addressee=addressee,
                    contact=contact,
                    subject=letter.subject,
                    document_ids=documents,
                    now=now,
                )
                return
            body = self.mail_templates.letter(
                name=contact.name,
                subject=letter.subject,
                paragraphs=letter.paragraphs,
                attachments=attachment_names(conn, documents),
                fund_name=settings.fund_name,
                fund_footer=", ".join(
                    p
                    for p in (settings.fund_name, settings.fund_address, settings.fund_contact)
                    if p
                ),
            )
            mail_id = queue_mail(
                conn,
                outbox_id=row["id"],
                addressee=addressee.value,
                to_address=contact.email,
                subject=letter.subject,
                body=body,
                document_ids=documents,
                now=now,
            )
        send_mail(self.engine, self.store, self.mailer, mail_id, settings.mail_from, now)

    # -- failures ------------------------------------------------------------------------------

    def _failed(self, outbox_id: str, attempts: int, exc: Exception) -> None:
        """Back to pending after a back-off; after MAX_ATTEMPTS, failed and reported."""
        o = tables.outbox.c
        tries = max(attempts, 1)  # the relay counts each hand-over as an attempt
        final = tries >= MAX_ATTEMPTS
        with self.engine.begin() as conn:
            conn.execute(
                update(tables.outbox)
                .where(o.id == outbox_id)
                .values(
                    status="failed" if final else "pending",
                    # A mail waits for its own retry time; anything else backs off.
                    available_at=exc.retry_after
                    if isinstance(exc, MailNotSent)
                    else self._now() + backoff(tries),
                    lease_until=None,
                    last_error=f"{type(exc).__name__}: {exc}"[:2000],
                )
            )
        report = log.error if final or isinstance(exc, UnknownEvent) else log.warning
        report(
            "outbox event failed",
            outbox_id=outbox_id,
            error=f"{type(exc).__name__}: {exc}",
            attempts=tries,
            final=final,
        )

    def _now(self) -> datetime:
        return self.system.deps.clock.now()
