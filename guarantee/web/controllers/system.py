"""Health and login."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text

from guarantee.domain.actors import Actor
from guarantee.services import commands as c
from guarantee.web.deps import SystemDep
from guarantee.web.schemas import LoginIn, TokenOut


@get("/health", sync_to_thread=True, tags=["system"])
def health(system: SystemDep) -> Response[dict[str, Any]]:
    """Whether the database (and the broker, when one is configured) answer."""
    checks: dict[str, str] = {}
    try:
        with system.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # a health probe reports, it never raises
        checks["database"] = f"error: {type(exc).__name__}"
    checks["broker"] = system.broker_health()
    healthy = all(v in {"ok", "embedded"} for v in checks.values())
    return Response(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status_code=HTTP_200_OK if healthy else HTTP_503_SERVICE_UNAVAILABLE,
    )


@post("/api/v1/auth/login", status_code=HTTP_200_OK, sync_to_thread=True, tags=["auth"])
def login(
    request: Request[Any, Any, Any], data: JSONBody[LoginIn], system: SystemDep
) -> TokenOut:
    """A bearer token for the API. Failures are counted per account and per address: past
    the limit, even the right password waits (429 with Retry-After)."""
    address = request.client.host if request.client else "sconosciuto"
    done = system.bus.handle(
        c.Login(data.username, data.password, address), Actor.anonymous(address)
    )
    return TokenOut(access_token=done.token, expires_at=done.expires_at)
