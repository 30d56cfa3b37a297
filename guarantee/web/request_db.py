"""The database side of one request: an admission slot and at most one pooled connection.

Why both: a request that holds a connection and then waits for a worker thread (its handler
runs in another thread than its token check) can starve the very requests it waits on, which
is how the server used to stop at ~24 concurrent requests. A request first waits, on the event
loop and never longer than the pool timeout, for one of a few slots (never more than the pool
keeps connections); only then does it take its connection, in a worker thread, so a checkout
does not wait behind requests that need a thread to give theirs back.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


class Overloaded(Exception):
    """Every connection is busy and stayed busy for the whole wait: answer 503, retry later."""


class Admission:
    """A process's request slots: a FIFO semaphore with a deadline."""

    def __init__(self, slots: int, timeout: float) -> None:
        self.slots = slots
        self.timeout = timeout
        self._semaphore = asyncio.Semaphore(slots)

    async def enter(self) -> None:
        if not self._semaphore.locked():
            await self._semaphore.acquire()  # a free slot: no timer
            return
        try:
            # A timer on this task, not wait_for's extra task per waiting request.
            async with asyncio.timeout(self.timeout):
                await self._semaphore.acquire()
        except TimeoutError:
            raise Overloaded from None

    def leave(self) -> None:
        self._semaphore.release()


class RequestClosed(Exception):
    """A dependency asked for the connection after the request had been refused."""


class RequestDb:
    """The request's one connection: taken on first use, handed back as soon as the request
    is done with it. Reads run without a transaction (autocommit on PostgreSQL: no BEGIN and
    ROLLBACK round trips; on SQLite a read transaction that takes no write lock)."""

    def __init__(self, engine: Engine, on_close: Callable[[], None] | None = None) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._lent = False
        self._on_close = on_close
        self._closed = False
        # The token check and a handler's dependency may ask at the same time from two threads.
        self._lock = threading.Lock()

    @property
    def holds_connection(self) -> bool:
        return self._conn is not None

    def connection(self) -> Connection:
        with self._lock:
            return self._connect()

    def _connect(self) -> Connection:
        """The held connection, taken now if there is none (the caller holds the lock)."""
        if self._closed:
            raise RequestClosed("the request's database slot was already given back")
        if self._conn is None:
            conn = self._engine.connect()
            options = (
                {"readonly": True}
                if conn.dialect.name == "sqlite"
                else {"isolation_level": "AUTOCOMMIT"}
            )
            self._conn = conn.execution_options(**options)
        return self._conn

    def lend(self) -> Connection:
        """The connection for a handler that takes it as a dependency: kept until the end."""
        with self._lock:
            # Marked lent under the lock: the token check (another thread) may be deciding at
            # this very moment whether to give the connection back.
            self._lent = True
            return self._connect()

    def release_unless_lent(self) -> None:
        with self._lock:
            if self._lent:
                return
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def release(self) -> None:
        """Give the connection back to the pool (before a write, and before serialising)."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def close(self) -> None:
        """The request is over (answered, or refused by a dependency): the connection and the
        slot go back, once, whoever gets here first."""
        with self._lock:
            conn, self._conn = self._conn, None
            on_close, self._on_close, self._closed = self._on_close, None, True
        if conn is not None:
            conn.close()
        if on_close is not None:
            on_close()

    def discard(self) -> None:
        """Drop a connection the server closed; the next use takes a fresh one."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.invalidate()
            conn.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """The connection for one read, released when the block ends."""
        try:
            yield self.connection()
        finally:
            self.release()
