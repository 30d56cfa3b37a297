"""PostgreSQL pipeline mode for a unit of work: fewer round trips, the same statements.

An issue writes a dozen statements while it holds the fund's row lock, and most of them are
appends nobody reads an answer from (the journal entry, its postings, the seal, the day totals,
the outbox row, the staged hashes). Those go straight to the driver (``raw.execute``): on a
pipelined connection they are sent without waiting. Every statement whose answer is read is
answered at once, together with whatever was queued before it: one executed through
SQLAlchemy (an ORM update whose row count proves its version, a select) by a sync right after
it, one read on the driver (``raw.fetch``: the audit insert's RETURNING, the letter snapshot's
select) by psycopg when it fetches its rows; and the COMMIT travels with the last appends.
The server runs the statements one after another in the order sent, in the same transaction,
so every trigger, constraint and lock behaves as it does one round trip at a time; an error in
a queued statement is raised by the next answer (at the latest by the COMMIT) as the same
SQLAlchemy exception, and the transaction rolls back. A letter snapshot lets a refusal of the
database through (guarantee.read.snapshots), and any error swallowed anyway would still fail
the COMMIT (PostgreSQL's transaction is then aborted), so a refused write never commits.

The connection leaves pipeline mode when it goes back to the pool, after its COMMIT or
ROLLBACK (which first drains what a failed statement left queued): that last exchange costs
one round trip, outside every lock. SQLite has no pipeline: there ``pipelined`` changes
nothing.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import ExecutionContext
from sqlalchemy.orm import Session

_PIPELINE = "garanzia_pipeline"
_LEAVE = "garanzia_pipeline_leave"
# Each failed collection consumes at least one queued answer; a commit queues a handful.
_DRAIN_ATTEMPTS = 100


def pipelined(session: Session) -> None:
    """Put the session's connection (PostgreSQL) in pipeline mode until it is returned to the
    pool, after its transaction ends."""
    if session.get_bind().dialect.name != "postgresql":
        return
    conn = session.connection()
    if _PIPELINE in conn.info:
        return
    _listen(conn.engine)
    driver = conn.connection.driver_connection
    assert driver is not None
    leave = ExitStack()
    conn.info[_PIPELINE] = leave.enter_context(driver.pipeline())
    conn.info[_LEAVE] = leave


def _listen(engine: Engine) -> None:
    if not event.contains(engine, "after_cursor_execute", _answer_now):
        event.listen(engine, "after_cursor_execute", _answer_now)
        event.listen(engine, "rollback", _before_rollback)
        event.listen(engine, "reset", _leave)


def _answer_now(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: ExecutionContext,
    executemany: bool,
) -> None:
    """A statement sent through SQLAlchemy gets its answer now (with everything queued before
    it): SQLAlchemy reads a result, or a row count, right after executing."""
    pipeline = conn.info.get(_PIPELINE)
    if pipeline is None or cursor.pgresult is not None:  # not pipelined, or already answered
        return
    pipeline.sync()


def _before_rollback(conn: Connection) -> None:
    pipeline = conn.info.get(_PIPELINE)
    if pipeline is not None:
        _drain(pipeline)


def _leave(dbapi_connection: Any, record: Any, reset_state: Any) -> None:
    """Back to the pool: leave pipeline mode first. Nothing is left to answer (the COMMIT
    collected it all, and a ROLLBACK drained it first); an error here discards the connection."""
    leave: ExitStack | None = record.info.pop(_LEAVE, None)
    record.info.pop(_PIPELINE, None)
    if leave is not None:
        leave.close()


def _drain(pipeline: Any) -> None:
    """Collect every answer still queued. After a failed statement the server skips the rest
    of what was sent with it, and each skipped answer raises again when collected: the first
    error was raised to the caller, and what is left belongs to the transaction being rolled
    back, so it is dropped here instead of masking that error or failing the ROLLBACK."""
    import psycopg  # only a PostgreSQL connection is ever pipelined

    for _ in range(_DRAIN_ATTEMPTS):
        try:
            pipeline.sync()
        except psycopg.Error:
            continue
        return
