"""Notice mails: stored rendered (text and HTML) with a status, sent once, with the documents
attached under Italian names.

Lifecycle (pretix's OutgoingMail is the model):

    queued ──▶ sending ──▶ sent
                  │ ▲
                  ▼ │ (retry_after passed)
            awaiting_retry ──▶ failed (after MAX_MAIL_ATTEMPTS; error text kept)
    sent ──▶ bounced (the receiving server said so later: ``record_bounce``)

The promise is exactly once up to the hand-off to the SMTP server. A worker killed after
the server had the message but before it answered leaves the mail ``sending``: whoever takes
the event over cannot know whether it was delivered, counts it in ``unknown_outcomes`` and
resends it with the same Message-ID, by which the receiving side recognises a repeat.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import structlog
from sqlalchemy import Connection, Engine, insert, select, update

from guarantee.adapters.db import tables
from guarantee.adapters.mail_templates import MailBody
from guarantee.adapters.mailer import Mailer
from guarantee.adapters.storage import FileStore
from guarantee.domain.documents import file_name
from guarantee.jobs.audit import record

log = structlog.get_logger(__name__)
MAX_MAIL_ATTEMPTS = 8


class MailNotSent(Exception):
    """The SMTP server refused or could not be reached; the mail waits until ``retry_after``."""

    def __init__(self, error: str, retry_after: datetime) -> None:
        super().__init__(error)
        self.retry_after = retry_after


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most an hour: a mail server down for a while is not hammered."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def attachment_name(title: str, year: int, sequence: int) -> str:
    """'Contratto di garanzia' 2026/000001 → 'contratto-di-garanzia-2026-000001.pdf'."""
    return file_name(title, year, sequence)


def queue_mail(
    conn: Connection,
    *,
    outbox_id: str,
    addressee: str,
    to_address: str,
    subject: str,
    body: MailBody,
    document_ids: Sequence[str],
    now: datetime,
) -> str:
    """The mail for this event and addressee (made once; a redelivered event finds it)."""
    m = tables.outgoing_mails.c
    existing = conn.scalar(select(m.id).where(m.outbox_id == outbox_id, m.addressee == addressee))
    if existing is not None:
        return str(existing)
    mail_id = str(uuid.uuid4())
    conn.execute(
        insert(tables.outgoing_mails).values(
            id=mail_id,
            outbox_id=outbox_id,
            addressee=addressee,
            to_address=to_address,
            subject=subject,
            body_text=body.text,
            body_html=body.html,
            document_ids=list(document_ids),
            status="queued",
            attempts=0,
            # A stable Message-ID lets any receiving system recognise a resend as the same mail.
            message_id=f"<{mail_id}@garanziacasa>",
            created_at=now,
        )
    )
    record(conn, "mail", mail_id, "queue", {"to": to_address, "subject": subject}, now)
    return mail_id


def attachment_names(conn: Connection, document_ids: Sequence[str]) -> list[str]:
    d = tables.documents.c
    rows = conn.execute(
        select(d.title, d.protocol_year, d.protocol_sequence)
        .where(d.id.in_(list(document_ids)))
        .order_by(d.protocol_year, d.protocol_sequence)
    ).all()
    return [attachment_name(r.title, r.protocol_year, r.protocol_sequence) for r in rows]


def send_mail(
    engine: Engine, store: FileStore, mailer: Mailer, mail_id: str, sender: str, now: datetime
) -> bool:
    """Send a mail that is not sent yet; False if it was sent already (nothing happens twice).
    Raises MailNotSent when the server fails: the mail then waits for ``retry_after``."""
    m, d = tables.outgoing_mails.c, tables.documents.c
    with engine.begin() as conn:
        mail = conn.execute(select(tables.outgoing_mails).where(m.id == mail_id)).mappings().one()
        if mail["status"] in ("sent", "bounced", "failed"):
            return False
        if mail["status"] == "awaiting_retry" and mail["retry_after"] > now:
            raise MailNotSent(str(mail["last_error"]), mail["retry_after"])
        unknown = mail["status"] == "sending"
        if unknown:
            log.warning("mail outcome unknown, resending", mail_id=mail_id)
            record(conn, "mail", mail_id, "outcome_unknown", {"attempts": mail["attempts"]}, now)
        conn.execute(
            update(tables.outgoing_mails)
            .where(m.id == mail_id)
            .values(
                status="sending",
                attempts=m.attempts + 1,
                unknown_outcomes=m.unknown_outcomes + (1 if unknown else 0),
            )
        )
        attachments = conn.execute(
            select(d.title, d.protocol_year, d.protocol_sequence, d.storage_key, d.media_type)
            .where(d.id.in_(mail["document_ids"]))
            .order_by(d.protocol_year, d.protocol_sequence)
        ).all()
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail["to_address"]
    message["Subject"] = mail["subject"]
    message["Message-ID"] = mail["message_id"]
    message["Date"] = format_datetime(now)
    message.set_content(mail["body_text"])
    if mail["body_html"]:
        message.add_alternative(mail["body_html"], subtype="html")
    for doc in attachments:
        maintype, subtype = doc.media_type.split("/")
        message.add_attachment(
            store.get(doc.storage_key),
            maintype=maintype,
            subtype=subtype,
            filename=attachment_name(doc.title, doc.protocol_year, doc.protocol_sequence),
        )
    try:
        mailer.send(message)
    except Exception as exc:
        attempts = mail["attempts"] + 1
        status = "failed" if attempts >= MAX_MAIL_ATTEMPTS else "awaiting_retry"
        error = f"{type(exc).__name__}: {exc}"[:2000]
        retry_after = now + retry_delay(attempts)
        with engine.begin() as conn:
            conn.execute(
                update(tables.outgoing_mails)
                .where(m.id == mail_id)
                .values(status=status, last_error=error, retry_after=retry_after)
            )
            record(conn, "mail", mail_id, status, {"error": error, "attempts": attempts}, now)
        if status == "failed":
            # Reported (status, error, audit); the event is done: the mail will not go.
            log.error("mail failed for good", mail_id=mail_id, error=error)
            return False
        raise MailNotSent(error, retry_after) from exc
    with engine.begin() as conn:
        conn.execute(
            update(tables.outgoing_mails)
            .where(m.id == mail_id)
            .values(status="sent", sent_at=now, last_error=None, retry_after=None)
        )
        record(conn, "mail", mail_id, "send", {"to": mail["to_address"]}, now)
    return True


def record_bounce(engine: Engine, message_id: str, reason: str, now: datetime) -> bool:
    """The hook for bounces (a DSN parsed by whatever reads the fund's mailbox): the mail is
    marked bounced with the reason, so staff send the letter by post instead."""
    m = tables.outgoing_mails.c
    with engine.begin() as conn:
        mail_id = conn.scalar(select(m.id).where(m.message_id == message_id))
        if mail_id is None:
            return False
        conn.execute(
            update(tables.outgoing_mails)
            .where(m.id == mail_id)
            .values(status="bounced", last_error=reason[:2000])
        )
        record(conn, "mail", str(mail_id), "bounce", {"reason": reason}, now)
    return True
