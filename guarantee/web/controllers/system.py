"""Health and login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Response, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text

from guarantee.adapters import accounts
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
def login(data: JSONBody[LoginIn], system: SystemDep) -> TokenOut:
    ttl = timedelta(hours=system.settings.token_ttl_hours)
    with system.engine.begin() as conn:
        token = accounts.login(conn, data.username, data.password, system.deps.clock.now(), ttl)
    if token is None:
        raise NotAuthorizedException("credenziali non valide")
    return TokenOut(access_token=token)
