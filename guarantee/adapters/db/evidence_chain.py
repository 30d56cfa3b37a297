"""Writing and walking the hash chain over audit events and archived documents.

Order that commits respect: links are appended inside the business transaction, as its last
step before COMMIT, under one lock held until the commit (PostgreSQL: a transaction-level
advisory lock; SQLite: the database write lock every unit of work takes with BEGIN
IMMEDIATE). Whoever appends next waits for the lock, and at READ COMMITTED its reads start
after the previous holder committed, so it reads the true head: positions are gapless, one
chain without forks, in commit order. A transaction that rolls back takes its links with it.

Audit events are chained by the transaction that writes them (``AuditLog.append`` notes them
on the session). Documents are written by jobs on their own connections; their protocol
numbers are taken under a row lock held to commit, so within a year they commit in number
order, and each chaining transaction also chains the documents numbered after the last one
chained. ``chain_everything_pending`` sweeps whatever is left (the migration, ``garanzia audit
seal`` and ``garanzia audit verify`` call it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, event, func, insert, select, text, tuple_
from sqlalchemy.orm import Session

from guarantee.adapters.db import tables
from guarantee.domain.evidence_chain import (
    AUDIT_EVENT,
    DOCUMENT,
    GENESIS,
    Finding,
    Link,
    check_link,
    next_links,
    record_hash,
)

PENDING_KEY = "evidence_chain_pending"
# Any constant shared by every process: the one lock that orders the chain.
_LOCK_KEY = 7_301_170_017
_SOURCES: dict[str, Table] = {AUDIT_EVENT: tables.audit_events, DOCUMENT: tables.documents}
_BATCH = 2000
ch = tables.evidence_chain.c


def note_pending(session: Session, event_ids: Iterable[str]) -> None:
    session.info.setdefault(PENDING_KEY, []).extend(event_ids)


@event.listens_for(Session, "before_commit")
def _chain_on_commit(session: Session) -> None:
    """Every session that wrote audit events chains them as its commit's last step."""
    pending: list[str] = session.info.pop(PENDING_KEY, [])
    if not pending:
        return
    session.flush()
    conn = session.connection()
    _lock(conn)
    head = _head(conn)
    records = [(AUDIT_EVENT, event_id) for event_id in pending]
    records += [(DOCUMENT, d) for d in _documents_after_last_chained(conn)]
    _append(conn, head, records)


def chain_events(conn: Connection, event_ids: Iterable[str]) -> None:
    """Chain audit events written on a plain connection (the jobs' documents, mails and print
    batches), in the caller's transaction, as the session hook does at commit."""
    ids = list(event_ids)
    if not ids:
        return
    _lock(conn)
    head = _head(conn)
    records = [(AUDIT_EVENT, event_id) for event_id in ids]
    records += [(DOCUMENT, d) for d in _documents_after_last_chained(conn)]
    _append(conn, head, records)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def chain_everything_pending(conn: Connection, *, audit_events: bool = False) -> int:
    """Chain every document (and with ``audit_events``, every audit event: only the
    migration that creates the chain does) not chained yet; how many were chained.

    Audit events are chained by the transaction that writes them; one that is not was
    written around ``AuditLog``, and verification reports it instead of adopting it.
    """
    _lock(conn)
    head = _head(conn)
    a, d = tables.audit_events.c, tables.documents.c
    events: list[str] = []
    if audit_events:
        events = list(
            conn.scalars(
                select(a.id).where(~_chained(AUDIT_EVENT, a.id)).order_by(a.occurred_at, a.seq)
            )
        )
    documents = conn.scalars(
        select(d.id).where(~_chained(DOCUMENT, d.id)).order_by(d.protocol_year, d.protocol_sequence)
    )
    records = [(AUDIT_EVENT, str(i)) for i in events] + [(DOCUMENT, str(i)) for i in documents]
    _append(conn, head, records)
    return len(records)


def head(conn: Connection) -> Link | None:
    return _head(conn)


def verify_chain(conn: Connection, expected_head: tuple[int, str] | None = None) -> list[Finding]:
    """Walk the chain from its start; name every link whose record or hash does not match,
    every record left out of the chain, and a head the chain no longer reaches."""
    findings: list[Finding] = []
    previous = GENESIS
    count = 0
    for batch in _links(conn):
        stored = _records(conn, batch)
        for link in batch:
            count += 1
            found = check_link(previous, link, stored.get((link.record_type, link.record_id)))
            findings.extend(found)
            # After a broken link, carry on from the stored hash: one break, one finding.
            previous = link.chain_hash
    findings.extend(_unchained(conn))
    if expected_head is not None:
        position, digest = expected_head
        at = conn.execute(select(ch.chain_hash).where(ch.position == position)).scalar()
        if at != digest:
            findings.append(
                Finding(
                    "chain_truncated",
                    f"posizione {position}",
                    "la testa della catena annotata non c'è più: "
                    f"catena accorciata o riscritta ({count} anelli)",
                )
            )
    return findings


# -- internals ---------------------------------------------------------------------------------


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def _head(conn: Connection) -> Link | None:
    row = (
        conn.execute(select(tables.evidence_chain).order_by(ch.position.desc()).limit(1))
        .mappings()
        .one_or_none()
    )
    return None if row is None else _link(row)


def _documents_after_last_chained(conn: Connection) -> list[str]:
    """Documents numbered after the last one chained (one indexed range, no scan), not
    chained yet (a deleted document must not make the next commit chain one twice)."""
    chained_document = tables.documents.alias("last_chained")
    d, last = tables.documents.c, chained_document.c

    def of_last(column: Any) -> Any:
        return func.coalesce(
            select(column)
            .select_from(tables.evidence_chain.join(chained_document, last.id == ch.record_id))
            .where(ch.record_type == DOCUMENT)
            .order_by(ch.position.desc())
            .limit(1)
            .scalar_subquery(),
            0,
        )

    statement = (
        select(d.id)
        .where(
            tuple_(d.protocol_year, d.protocol_sequence)
            > tuple_(of_last(last.protocol_year), of_last(last.protocol_sequence))
        )
        .where(~_chained(DOCUMENT, d.id))
        .order_by(d.protocol_year, d.protocol_sequence)
    )
    return [str(i) for i in conn.scalars(statement)]


def _chained(record_type: str, column: Any) -> Any:
    return select(ch.position).where(ch.record_type == record_type, ch.record_id == column).exists()


def _append(conn: Connection, head: Link | None, records: list[tuple[str, str]]) -> None:
    if not records:
        return
    now = datetime.now(UTC)
    for start in range(0, len(records), _BATCH):
        part = records[start : start + _BATCH]
        stored = _records_by_id(conn, part)
        triples = [(t, i, record_hash(stored[(t, i)])) for t, i in part if (t, i) in stored]
        links = next_links(head, triples)
        if links:
            conn.execute(
                insert(tables.evidence_chain),
                [
                    {
                        "position": link.position,
                        "record_type": link.record_type,
                        "record_id": link.record_id,
                        "record_hash": link.record_hash,
                        "previous_hash": link.previous_hash,
                        "chain_hash": link.chain_hash,
                        "chained_at": now,
                    }
                    for link in links
                ],
            )
            head = links[-1]


def _records_by_id(
    conn: Connection, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for record_type, table in _SOURCES.items():
        ids = [i for t, i in keys if t == record_type]
        for start in range(0, len(ids), 500):
            rows = conn.execute(select(table).where(table.c.id.in_(ids[start : start + 500])))
            for row in rows.mappings():
                found[(record_type, str(row["id"]))] = dict(row)
    return found


def _records(conn: Connection, links: list[Link]) -> dict[tuple[str, str], dict[str, Any]]:
    return _records_by_id(conn, [(link.record_type, link.record_id) for link in links])


def _links(conn: Connection) -> Iterator[list[Link]]:
    after = 0
    while True:
        rows = conn.execute(
            select(tables.evidence_chain)
            .where(ch.position > after)
            .order_by(ch.position)
            .limit(_BATCH)
        ).mappings()
        batch = [_link(row) for row in rows]
        if not batch:
            return
        yield batch
        after = batch[-1].position


def _unchained(conn: Connection) -> list[Finding]:
    a = tables.audit_events.c
    rows = conn.scalars(select(a.id).where(~_chained(AUDIT_EVENT, a.id)).order_by(a.seq).limit(100))
    return [
        Finding(
            "record_unchained",
            f"evento di audit {event_id}",
            "non è nella catena: scritto fuori dalla registrazione ordinaria",
        )
        for event_id in rows
    ]


def _link(row: Any) -> Link:
    return Link(
        position=int(row["position"]),
        record_type=row["record_type"],
        record_id=row["record_id"],
        record_hash=row["record_hash"],
        previous_hash=row["previous_hash"],
        chain_hash=row["chain_hash"],
    )
