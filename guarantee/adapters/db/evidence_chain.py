"""Writing and walking the hash chain over audit events and archived documents.

Two steps, so that no business transaction waits on another for the chain:

1. **Staging, in the business transaction, without a lock.** The transaction that writes audit
   events (``AuditLog.append``) gets each row back from its INSERT (RETURNING), hashes it, and
   as its commit's last statement writes one ``evidence_pending`` row per event: the record and
   its hash. A rollback takes them with it. Concurrent commits never wait for each other here.
2. **Sealing, after commit, under one lock.** ``seal`` (run by every job worker's relay loop
   about once a second, by ``garanzia audit seal`` and first by ``garanzia audit verify``)
   takes the chain's lock (PostgreSQL: a transaction-level advisory lock; SQLite: its single
   writer), reads the committed staged rows in staging order, appends them as links after the
   head — with the hash staged at commit, not one recomputed now — together with the documents
   archived since, and deletes what it chained. Positions stay gapless, one chain, no forks.

What that keeps. Tampering: a link holds the hash of the row as its own transaction wrote it,
so an audit row edited or deleted after its commit — before or after the seal — no longer
matches (``verify_chain``); a row written around ``AuditLog`` has no staged hash and is reported
as unchained, never adopted. Order: a seal sees only committed rows, so everything committed
before a seal is chained before anything committed after it; within one seal, by staging order
(the sequence value each transaction took as its last statement before COMMIT), which is
commit order except between commits that overlapped in that last instant. The window: until
the next seal a staged row could be rewritten together with its event by someone able to
switch the guards off; ``verify`` seals first, and a head noted outside the database
(``--head``) catches a rewritten chain as before.

Documents are written by jobs on their own connections; their protocol numbers are taken
under a row lock held to commit, so within a year they commit in number order, and each seal
chains the documents numbered after the last one chained. The migration that created the
chain adopted the events written before it (``chain_everything_pending(audit_events=True)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, event, func, insert, select, text, tuple_
from sqlalchemy.orm import Session

from guarantee.adapters.db import raw, tables
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
# Any constant shared by every process: the one lock that orders the chain (sealers only).
_LOCK_KEY = 7_301_170_017
_SOURCES: dict[str, Table] = {AUDIT_EVENT: tables.audit_events, DOCUMENT: tables.documents}
_BATCH = 2000
ch, pe = tables.evidence_chain.c, tables.evidence_pending.c


def staged(rows: Iterable[Any]) -> list[tuple[str, str]]:
    """(event id, record hash) of audit rows as their INSERT … RETURNING gave them back."""
    return [(str(row["id"]), record_hash(dict(row))) for row in rows]


def note_pending(session: Session, events: Iterable[tuple[str, str]]) -> None:
    """Audit events (id, record hash) this session's commit stages for the chain."""
    session.info.setdefault(PENDING_KEY, []).extend(events)


@event.listens_for(Session, "before_commit")
def stage_pending(session: Session) -> None:
    """Every session that wrote audit events stages them as its commit's last statement (the
    unit of work calls it itself, as its last write, to send it with the others)."""
    pending: list[tuple[str, str]] = session.info.pop(PENDING_KEY, [])
    if not pending:
        return
    session.flush()
    _stage(session.connection(), pending)


def chain_events(conn: Connection, event_ids: Iterable[str]) -> None:
    """Stage audit events written on a plain connection (the jobs' documents, mails and print
    batches), in the caller's transaction, as the session hook does at commit."""
    ids = list(event_ids)
    if not ids:
        return
    stored = _records_by_id(conn, [(AUDIT_EVENT, i) for i in ids])
    _stage(conn, [(i, record_hash(stored[(AUDIT_EVENT, i)])) for i in ids])


# Nothing reads its answer (raw.execute): in a pipelined commit it travels with the COMMIT.
_INSERT_PENDING = insert(tables.evidence_pending)


def _stage(conn: Connection, events: Sequence[tuple[str, str]]) -> None:
    now = datetime.now(UTC)
    raw.execute(
        conn,
        _INSERT_PENDING,
        [
            {"record_type": AUDIT_EVENT, "record_id": i, "record_hash": h, "staged_at": now}
            for i, h in events
        ],
    )


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def seal(conn: Connection) -> int:
    """Chain what was staged and committed, then the documents archived since; how many."""
    _lock(conn)
    head = _head(conn)
    count = 0
    while True:
        rows = conn.execute(
            select(pe.seq, pe.record_type, pe.record_id, pe.record_hash)
            .order_by(pe.seq)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        links = next_links(head, [(r.record_type, r.record_id, r.record_hash) for r in rows])
        _insert_links(conn, links)
        head = links[-1]
        # Exactly the rows chained: one with a lower seq that committed meanwhile waits.
        conn.execute(delete(tables.evidence_pending).where(pe.seq.in_([r.seq for r in rows])))
        count += len(links)
        if len(rows) < _BATCH:  # what commits from now on waits for the next seal
            break
    documents = [(DOCUMENT, d) for d in _documents_after_last_chained(conn)]
    return count + _append(conn, head, documents)


def chain_everything_pending(conn: Connection, *, audit_events: bool = False) -> int:
    """Seal (see ``seal``); with ``audit_events``, instead chain every audit event and
    document not chained yet — only the migration that created the chain does, for the
    records written before it existed."""
    if not audit_events:
        return seal(conn)
    _lock(conn)
    head = _head(conn)
    a, d = tables.audit_events.c, tables.documents.c
    events = conn.scalars(
        select(a.id).where(~_chained(AUDIT_EVENT, a.id)).order_by(a.occurred_at, a.seq)
    )
    documents = conn.scalars(
        select(d.id).where(~_chained(DOCUMENT, d.id)).order_by(d.protocol_year, d.protocol_sequence)
    )
    records = [(AUDIT_EVENT, str(i)) for i in events] + [(DOCUMENT, str(i)) for i in documents]
    return _append(conn, head, records)


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


def _append(conn: Connection, head: Link | None, records: list[tuple[str, str]]) -> int:
    """Chain records hashed as they are stored now (documents; the migration's events)."""
    count = 0
    for start in range(0, len(records), _BATCH):
        part = records[start : start + _BATCH]
        stored = _records_by_id(conn, part)
        triples = [(t, i, record_hash(stored[(t, i)])) for t, i in part if (t, i) in stored]
        links = next_links(head, triples)
        if links:
            _insert_links(conn, links)
            head = links[-1]
            count += len(links)
    return count


def _insert_links(conn: Connection, links: list[Link]) -> None:
    now = datetime.now(UTC)
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
    """Audit events neither chained nor staged by their transaction (written around
    ``AuditLog``), and staged ones (committed after the last seal) no longer as staged."""
    a = tables.audit_events.c
    staged_ids = (
        select(pe.record_id).where(pe.record_type == AUDIT_EVENT, pe.record_id == a.id).exists()
    )
    rows = conn.scalars(
        select(a.id).where(~_chained(AUDIT_EVENT, a.id), ~staged_ids).order_by(a.seq).limit(100)
    )
    findings = [
        Finding(
            "record_unchained",
            f"evento di audit {event_id}",
            "non è nella catena: scritto fuori dalla registrazione ordinaria",
        )
        for event_id in rows
    ]
    waiting = conn.execute(
        select(pe.record_id, pe.record_hash).where(pe.record_type == AUDIT_EVENT).order_by(pe.seq)
    ).all()
    for start in range(0, len(waiting), 500):
        part = waiting[start : start + 500]
        stored = _records_by_id(conn, [(AUDIT_EVENT, r.record_id) for r in part])
        for record_id, digest in part:
            row = stored.get((AUDIT_EVENT, record_id))
            if row is None or record_hash(row) != digest:
                findings.append(
                    Finding(
                        "record_altered",
                        f"evento di audit {record_id}",
                        "modificato dopo la registrazione (o cancellato), prima del sigillo",
                    )
                )
    return findings


def _link(row: Any) -> Link:
    return Link(
        position=int(row["position"]),
        record_type=row["record_type"],
        record_id=row["record_id"],
        record_hash=row["record_hash"],
        previous_hash=row["previous_hash"],
        chain_hash=row["chain_hash"],
    )
