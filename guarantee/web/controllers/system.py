"""Health and login."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from guarantee.domain.actors import Actor
from guarantee.services import commands as c
from guarantee.web.deps import DbDep, SystemDep
from guarantee.web.health import HealthProbe
from guarantee.web.schemas import LoginIn, TokenOut


@get("/health", tags=["system"])
async def health(state: State, system: SystemDep) -> Response[dict[str, Any]]:
    """Whether the database (and the broker, when one is configured) answer.

    Async on purpose: it waits for no worker thread and no pooled connection (see HealthProbe).
    """
    probe: HealthProbe | None = state.get("health")
    if probe is None:  # an app served without its lifespan (some test clients)
        probe = state.health = HealthProbe(system.settings.database_url)
    database, broker = await asyncio.gather(probe.database(), probe.check(system.broker_health))
    checks = {"database": database, "broker": broker}
    healthy = all(v in {"ok", "embedded"} for v in checks.values())
    return Response(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status_code=HTTP_200_OK if healthy else HTTP_503_SERVICE_UNAVAILABLE,
    )


@post("/api/v1/auth/login", status_code=HTTP_200_OK, sync_to_thread=True, tags=["auth"])
def login(
    request: Request[Any, Any, Any], data: JSONBody[LoginIn], system: SystemDep, db: DbDep
) -> TokenOut:
    """A bearer token for the API. Failures are counted per account and per address: past
    the limit, even the right password waits (429 with Retry-After)."""
    # A write of its own through the bus: the request's slot, but not its read connection.
    db.release()
    address = request.client.host if request.client else "sconosciuto"
    done = system.bus.handle(
        c.Login(data.username, data.password, address), Actor.anonymous(address)
    )
    return TokenOut(access_token=done.token, expires_at=done.expires_at)
