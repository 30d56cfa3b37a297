"""Letters as data: what each addressee is sent after an event, snapshotted in the transaction
of the business change and kept in the event's payload (``letters``), so a letter says what
was true at the event however late its job runs.

Values a JSON column cannot hold (dates, times, Decimal amounts) are tagged on the way in and
restored on the way out, so a context read back is the context that was taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from guarantee.domain.calendar import WorkingCalendar
from guarantee.domain.documents import DocumentKind
from guarantee.services.ports import ProductCatalog


class MissingSetting(Exception):
    """A letter needs a setting that is not there (see the README's settings table)."""


class Addressee(StrEnum):
    LANDLORD = "landlord"
    HOUSEHOLD = "household"
    # Mails to an address given by the event itself (a landlord's previous e-mail).
    PREVIOUS_ADDRESS = "previous_address"
    NEW_ADDRESS = "new_address"
    # A user account's own address (invitations and password resets).
    ACCOUNT = "account"


@dataclass(frozen=True)
class Enclosure:
    """A document archived with a protocol number and sent with the letter."""

    kind: DocumentKind
    context: dict[str, Any]


@dataclass(frozen=True)
class Letter:
    """One letter to one or more addressees: a mail (or a page in the print batch) whose text
    introduces the enclosed documents."""

    to: tuple[Addressee, ...]
    subject: str
    paragraphs: tuple[str, ...]
    guarantee_id: str | None
    enclosures: tuple[Enclosure, ...] = ()
    addresses: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    topic: str
    entity_type: str
    entity_id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class FundContacts:
    """The fund's details printed on letters, from settings (see the README)."""

    iban: str
    email: str
    phone: str
    signatory_name: str
    signatory_role: str


@dataclass(frozen=True)
class LetterEnv:
    """What a letter needs beside the database: products, reference data, the fund, the day."""

    products: ProductCatalog
    rules_dir: Path
    fund: FundContacts
    calendar: WorkingCalendar
    today: date
    # Where the portal is, for the links a letter carries (GARANZIA_BASE_URL).
    base_url: str = "http://localhost:8000"

    def working_day_by(self, day: date) -> date:
        """A deadline the fund sets falls on a working day: the last one not after ``day``."""
        while not self.calendar.is_working_day(day):
            day -= timedelta(days=1)
        return day


# -- a JSON column keeps them --------------------------------------------------------------


def encode(value: Any) -> Any:
    if value is None or isinstance(value, str | int):  # most leaves: answered first
        return value
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


_TAGS: dict[str, Callable[[str], Any]] = {
    "$decimal": Decimal,
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
}


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((tag, raw),) = value.items()
            if tag in _TAGS:
                return _TAGS[tag](raw)
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def letters_to_json(letters: list[Letter]) -> list[dict[str, Any]]:
    return [
        {
            "to": [a.value for a in letter.to],
            "subject": letter.subject,
            "paragraphs": list(letter.paragraphs),
            "guarantee_id": letter.guarantee_id,
            "enclosures": [
                {"kind": e.kind.value, "context": encode(e.context)} for e in letter.enclosures
            ],
            "addresses": dict(letter.addresses),
        }
        for letter in letters
    ]


def letters_from_json(data: list[dict[str, Any]]) -> list[Letter]:
    return [
        Letter(
            to=tuple(Addressee(a) for a in item["to"]),
            subject=item["subject"],
            paragraphs=tuple(item["paragraphs"]),
            guarantee_id=item["guarantee_id"],
            enclosures=tuple(
                Enclosure(DocumentKind(e["kind"]), decode(e["context"])) for e in item["enclosures"]
            ),
            addresses=dict(item.get("addresses", {})),
        )
        for item in data
    ]
