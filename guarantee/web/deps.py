"""Request dependencies: the system, the request's database slot and connection, the actor.

A request uses at most one pooled connection at a time, taken in a worker thread, never on
the event loop: the token check takes it, a read handler reuses it and hands it back before
its answer is serialised; a write handler hands it back before the message bus takes one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from guarantee.adapters import accounts
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.web.request_db import Admission, RequestDb

_READS = frozenset({"GET", "HEAD"})


def provide_system(state: State) -> System:
    system: System = state.system
    return system


def admission_of(state: State) -> Admission:
    """The process's request slots, one per connection the pool may open."""
    loop = asyncio.get_running_loop()
    admission: Admission | None = state.get("admission")
    # A semaphore belongs to one event loop; a test client may start a new one.
    if admission is None or state.get("admission_loop") is not loop:
        settings = state.system.settings
        admission = Admission(
            settings.db_pool_size + settings.db_max_overflow, settings.db_pool_timeout
        )
        state.admission, state.admission_loop = admission, loop
    return admission


async def provide_db(state: State) -> AsyncIterator[RequestDb]:
    admission = admission_of(state)
    await admission.enter()
    db = RequestDb(state.system.engine)
    try:
        yield db
    finally:
        # Normally already given back by the handler; closing an idle autocommit connection
        # sends nothing to the server, so this does not block the loop.
        db.release()
        admission.leave()


async def provide_connection(db: DbDep) -> Connection:
    if db.holds_connection:
        return db.lend()
    return await anyio.to_thread.run_sync(db.lend)


def provide_actor(request: Request[Any, Any, Any], state: State, db: DbDep) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException(
            "autenticazione richiesta", headers={"WWW-Authenticate": "Bearer"}
        )
    now = state.system.deps.clock.now()
    try:
        actor = accounts.actor_for_token(db.connection(), token.strip(), now)
    except DBAPIError as exc:
        # A pooled connection the server closed (restart, idle timeout) fails on first use;
        # the lookup is a read, so one fresh connection may try again.
        if not exc.connection_invalidated:
            raise
        db.discard()
        actor = accounts.actor_for_token(db.connection(), token.strip(), now)
    if request.method not in _READS:
        # A write goes through the message bus, which takes a connection of its own.
        db.release_unless_lent()
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
