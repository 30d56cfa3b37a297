"""Notices by mail: stored rendered with a status, sent once, with the documents attached."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import Connection, Engine, insert, select, update

from guarantee.adapters.db import tables
from guarantee.adapters.mailer import Mailer
from guarantee.adapters.storage import FileStore


def queue_mail(
    conn: Connection,
    *,
    outbox_id: str,
    to_address: str,
    subject: str,
    body_text: str,
    document_ids: Sequence[str],
    now: datetime,
) -> str:
    """The mail for this outbox event (made once; a redelivered event finds the same mail)."""
    m = tables.outgoing_mails.c
    existing = conn.scalar(select(m.id).where(m.outbox_id == outbox_id))
    if existing is not None:
        return str(existing)
    mail_id = str(uuid.uuid4())
    conn.execute(
        insert(tables.outgoing_mails).values(
            id=mail_id,
            outbox_id=outbox_id,
            to_address=to_address,
            subject=subject,
            body_text=body_text,
            document_ids=list(document_ids),
            status="queued",
            attempts=0,
            # A stable Message-ID lets any receiving system recognise a resend as the same mail.
            message_id=f"<{mail_id}@garanziacasa>",
            created_at=now,
        )
    )
    return mail_id


def send_mail(
    engine: Engine, store: FileStore, mailer: Mailer, mail_id: str, sender: str, now: datetime
) -> bool:
    """Send a queued mail; False if it was already sent (nothing happens twice)."""
    m, d = tables.outgoing_mails.c, tables.documents.c
    with engine.connect() as conn:
        mail = conn.execute(select(tables.outgoing_mails).where(m.id == mail_id)).mappings().one()
        if mail["status"] == "sent":
            return False
        attachments = conn.execute(
            select(d.id, d.kind, d.protocol_year, d.protocol_sequence, d.storage_key, d.media_type)
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
    for doc in attachments:
        maintype, subtype = doc.media_type.split("/")
        message.add_attachment(
            store.get(doc.storage_key),
            maintype=maintype,
            subtype=subtype,
            filename=f"{doc.kind}-{doc.protocol_year}-{doc.protocol_sequence:06d}.pdf",
        )
    with engine.begin() as conn:
        conn.execute(
            update(tables.outgoing_mails).where(m.id == mail_id).values(attempts=m.attempts + 1)
        )
    # If the process dies during this call, the SMTP transaction is incomplete, nothing was
    # delivered, and the mail is still 'queued': the redelivered job sends it once.
    mailer.send(message)
    with engine.begin() as conn:
        conn.execute(
            update(tables.outgoing_mails)
            .where(m.id == mail_id)
            .values(status="sent", sent_at=now, last_error=None)
        )
    return True
