"""Where a letter goes: by e-mail to an addressee with an address on record, otherwise into the
day's print batch for post. The channel is read when the letter is sent (an address given
later is used), the letter's words were fixed at the event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select

from guarantee.adapters.db import tables
from guarantee.read.letter_contexts import guarantee_row, household_contact
from guarantee.read.letters import Addressee, Letter


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None
    postal_address: str


def contact_of(
    conn: Connection, letter: Letter, addressee: Addressee, rules_dir: Path | None = None
) -> Contact:
    if addressee in (Addressee.PREVIOUS_ADDRESS, Addressee.NEW_ADDRESS):
        return Contact("titolare del conto", letter.addresses[addressee.value], "")
    if addressee is Addressee.ACCOUNT:
        return Contact(letter.addresses.get("name", "utente"), letter.addresses["account"], "")
    if addressee is Addressee.HOUSEHOLD and letter.guarantee_id is None:
        # A household with no guarantee yet (an attestation) is named by the letter itself.
        household = household_contact(conn, letter.addresses["household_id"], rules_dir)
        return Contact(household.name, household.email, household.postal_address)
    if letter.guarantee_id is None:
        raise ValueError(f"a letter to the {addressee} needs a guarantee")
    row = guarantee_row(conn, letter.guarantee_id)
    if addressee is Addressee.LANDLORD:
        return Contact(row["landlord_name"], row["landlord_email"], row["landlord_address"] or "")
    household = household_contact(conn, row["household_id"], rules_dir)
    return Contact(household.name, household.email, household.postal_address)


def queue_postal(
    conn: Connection,
    *,
    outbox_id: str,
    addressee: Addressee,
    contact: Contact,
    subject: str,
    document_ids: list[str],
    now: datetime,
) -> str:
    """A letter for the next print batch (once per event and addressee)."""
    p = tables.postal_letters.c
    existing = conn.scalar(
        select(p.id).where(p.outbox_id == outbox_id, p.addressee == addressee.value)
    )
    if existing is not None:
        return str(existing)
    letter_id = str(uuid.uuid4())
    conn.execute(
        insert(tables.postal_letters).values(
            id=letter_id,
            outbox_id=outbox_id,
            addressee=addressee.value,
            recipient_name=contact.name,
            recipient_address=contact.postal_address,
            subject=subject,
            document_ids=document_ids,
            created_at=now,
        )
    )
    return letter_id
