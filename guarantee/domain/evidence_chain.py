"""The hash chain over the audit trail and the document archive: canonical form and links.

Each chained record (an audit event or an archived document's row) gets a *record hash*: the
SHA-256 of its canonical form. Each link of the chain holds the hash of the link before it,
so editing, deleting or inserting a record anywhere breaks every later link.

The canonical form survives both databases: keys sorted, no insignificant whitespace, UTF-8;
absent (NULL) values left out, so a nullable column added later does not change the hash of
rows written before it; money as plain decimal strings, times as UTC ISO 8601 with
microseconds, dates as ISO dates, enums as their values. JSON documents (before/after) are
canonicalised the same way, recursively, so key order and the database's JSON flavour do not
matter.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

GENESIS = "0" * 64
AUDIT_EVENT = "audit_event"
DOCUMENT = "document"


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # JSON numbers read back as floats on one database and ints on another: 1.0 is 1.
        return int(value) if value.is_integer() else repr(value)
    raise TypeError(f"valore non canonicalizzabile: {type(value).__name__}")


def canonical(record: Mapping[str, Any]) -> bytes:
    return json.dumps(
        _plain(record), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def record_hash(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def link_hash(previous: str, record_type: str, record_id: str, digest: str) -> str:
    """The hash of one link: the previous link's hash, what the record is, and its hash."""
    return hashlib.sha256(f"{previous}\n{record_type}\n{record_id}\n{digest}".encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    position: int
    record_type: str
    record_id: str
    record_hash: str
    previous_hash: str
    chain_hash: str


def next_links(head: Link | None, records: list[tuple[str, str, str]]) -> list[Link]:
    """Links for (record type, record id, record hash) triples appended after ``head``."""
    position = head.position if head else 0
    previous = head.chain_hash if head else GENESIS
    links = []
    for record_type, record_id, digest in records:
        position += 1
        chained = link_hash(previous, record_type, record_id, digest)
        links.append(Link(position, record_type, record_id, digest, previous, chained))
        previous = chained
    return links


@dataclass(frozen=True)
class Finding:
    """One thing verification found wrong, in the words an auditor reads."""

    kind: str
    subject: str
    message: str


LABELS = {AUDIT_EVENT: "evento di audit", DOCUMENT: "documento"}


def check_link(
    expected_previous: str, link: Link, stored: Mapping[str, Any] | None
) -> list[Finding]:
    """What is wrong with one link, given the record as the database holds it now (or None)."""
    label = f"{LABELS.get(link.record_type, link.record_type)} {link.record_id}"
    where = f"posizione {link.position}"
    if link.previous_hash != expected_previous:
        return [
            Finding(
                "chain_broken",
                label,
                f"{where}: la catena si interrompe (anello precedente mancante o alterato)",
            )
        ]
    if link.chain_hash != link_hash(
        link.previous_hash, link.record_type, link.record_id, link.record_hash
    ):
        return [Finding("link_altered", label, f"{where}: anello della catena alterato")]
    if stored is None:
        return [Finding("record_deleted", label, f"{where}: cancellato dal database")]
    if record_hash(stored) != link.record_hash:
        return [Finding("record_altered", label, f"{where}: modificato dopo la registrazione")]
    return []
