"""Request dependencies: the system, the request's database slot and connection, the actor.

A request uses at most one pooled connection at a time, taken in a worker thread, never on
the event loop: the token check takes it, a read handler reuses it and hands it back before
its answer is serialised; a write handler hands it back before the message bus takes one.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from litestar import Request
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from guarantee.adapters import accounts
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.settings import Settings
from guarantee.web.request_db import Admission, RequestDb

_READS = frozenset({"GET", "HEAD"})
T = TypeVar("T")


def provide_system(state: State) -> System:
    system: System = state.system
    return system


def request_slots(settings: Settings) -> int:
    """Never more than the pool keeps (its overflow is headroom for login, jobs and handlers
    that write while holding their read connection: a busy server then does not open and
    close a server session per request), by default at most two per CPU."""
    if settings.db_request_slots is not None:
        return min(settings.db_request_slots, settings.db_pool_size)
    return min(settings.db_pool_size, 2 * _cpus())


def _cpus() -> int:
    # The CPUs this process may run on (a container's share on Linux), else all of them.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def admission_of(state: State) -> Admission:
    """The process's request slots (see request_slots), first come, first served."""
    loop = asyncio.get_running_loop()
    admission: Admission | None = state.get("admission")
    # A semaphore belongs to one event loop; a test client may start a new one.
    if admission is None or state.get("admission_loop") is not loop:
        settings = state.system.settings
        admission = Admission(request_slots(settings), settings.db_pool_timeout)
        state.admission, state.admission_loop = admission, loop
    return admission


async def provide_db(state: State) -> AsyncIterator[RequestDb]:
    admission = admission_of(state)
    await admission.enter()
    db = RequestDb(state.system.engine, on_close=admission.leave)
    try:
        yield db
    finally:
        # Normally already given back by the handler; closing an idle autocommit connection
        # sends nothing to the server, so this does not block the loop.
        db.close()


# Litestar (2.25) runs the clean-up of generator dependencies only when *every* dependency
# was resolved: a request refused by a later one (no token: 401) would keep its slot until
# the garbage collector finalised the generator, and a few such requests answered 503 to
# everyone. So the dependencies that may refuse give the slot back themselves (once).


async def provide_connection(db: DbDep) -> Connection:
    try:
        if db.holds_connection:
            return db.lend()
        return await sync_to_thread(db.lend)
    except BaseException:
        db.close()
        raise


def provide_actor(request: Request[Any, Any, Any], state: State, db: DbDep) -> Actor:
    try:
        actor = authenticate(request, state.system, db)
    except BaseException:
        db.close()
        raise
    if request.method not in _READS:
        # A write goes through the message bus, which takes a connection of its own.
        db.release_unless_lent()
    return actor


async def read_as_actor(
    request: Request[Any, Any, Any], read: Callable[[Connection, Actor], T]
) -> T:
    """The hot reads' path: a slot (waited for on the loop), then one worker-thread trip that
    takes the connection, checks the token, reads, and gives the connection back. Measured
    under load, it serves ~10% more requests than the dependencies (a slot, a thread trip for
    the token, another for the read) with a tighter p99."""
    state = request.app.state
    admission = admission_of(state)
    await admission.enter()
    try:
        return await sync_to_thread(_read_as_actor, request, state.system, read)
    finally:
        admission.leave()


def _read_as_actor(
    request: Request[Any, Any, Any], system: System, read: Callable[[Connection, Actor], T]
) -> T:
    db = RequestDb(system.engine)
    try:
        actor = authenticate(request, system, db)
        return read(db.connection(), actor)
    finally:
        db.release()


def authenticate(request: Request[Any, Any, Any], system: System, db: RequestDb) -> Actor:
    """The actor of the request's bearer token, looked up on the request's own connection."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException(
            "autenticazione richiesta", headers={"WWW-Authenticate": "Bearer"}
        )
    now = system.deps.clock.now()
    try:
        actor = accounts.actor_for_token(db.connection(), token.strip(), now)
    except DBAPIError as exc:
        # A pooled connection the server closed (restart, idle timeout) fails on first use;
        # the lookup is a read, so one fresh connection may try again.
        if not exc.connection_invalidated:
            raise
        db.discard()
        actor = accounts.actor_for_token(db.connection(), token.strip(), now)
    if actor is None:
        raise NotAuthorizedException(
            "token non valido o scaduto", headers={"WWW-Authenticate": "Bearer"}
        )
    return actor


# Explicit markers: Litestar 3 no longer infers dependencies from parameter names.
SystemDep = NamedDependency[System]
DbDep = NamedDependency[RequestDb]
ConnectionDep = NamedDependency[Connection]
ActorDep = NamedDependency[Actor]
