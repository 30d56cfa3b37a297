"""Request dependencies: the system, a read connection, and the acting user from the token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from sqlalchemy import Connection

from guarantee.adapters import accounts
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor


def provide_system(state: State) -> System:
    system: System = state.system
    return system


def provide_connection(state: State) -> Iterator[Connection]:
    system: System = state.system
    with system.engine.connect() as conn:
        yield conn.execution_options(readonly=True)


def provide_actor(request: Request[Any, Any, Any], state: State) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException(
            "autenticazione richiesta", headers={"WWW-Authenticate": "Bearer"}
        )
    system: System = state.system
    # A read: on SQLite it must not take the write lock every request would otherwise queue on.
    with system.engine.connect() as conn:
        conn = conn.execution_options(readonly=True)
        actor = accounts.actor_for_token(conn, token.strip(), system.deps.clock.now())
    if actor is None:
        raise NotAuthorizedException(
            "token non valido o scaduto", headers={"WWW-Authenticate": "Bearer"}
        )
    return actor


# Explicit markers: Litestar 3 no longer infers dependencies from parameter names.
SystemDep = NamedDependency[System]
ConnectionDep = NamedDependency[Connection]
ActorDep = NamedDependency[Actor]
