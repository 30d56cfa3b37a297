"""Every failure becomes a clear JSON answer; never a traceback to the client."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from guarantee.domain.accounts import LoginRefused
from guarantee.domain.errors import (
    Conflict,
    DomainError,
    IllegalTransition,
    InsufficientCapacity,
    InvalidFacts,
    InvalidField,
    NotFound,
    PermissionDenied,
)
from guarantee.web.request_db import Overloaded
from guarantee.web.validation_it import in_italian

log = structlog.get_logger(__name__)
RETRY_AFTER_SECONDS = 1


def _body(
    status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None
) -> Response[Any]:
    content: dict[str, Any] = {"status_code": status, "code": code, "detail": detail}
    if errors:
        content["errors"] = errors
    return Response(content, status_code=status, media_type=MediaType.JSON)


def domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if isinstance(exc, LoginRefused):
        if exc.retry_after_seconds is None:
            response = _body(HTTP_401_UNAUTHORIZED, exc.code, exc.message)
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        minutes = max(1, round(exc.retry_after_seconds / 60))
        response = _body(
            HTTP_429_TOO_MANY_REQUESTS,
            "too_many_attempts",
            f"troppi tentativi di accesso: riprovare tra {minutes} minuti",
        )
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    if isinstance(exc, InvalidFacts):
        # every wrong fact at once, so a form can mark them all
        return _body(
            HTTP_422_UNPROCESSABLE_ENTITY,
            exc.code,
            exc.message,
            [{"field": field, "reason": reason} for field, reason in exc.problems.items()],
        )
    if isinstance(exc, InvalidField):
        return _body(
            HTTP_422_UNPROCESSABLE_ENTITY,
            exc.code,
            exc.message,
            [{"field": exc.field, "reason": exc.reason}],
        )
    if isinstance(exc, NotFound):
        return _body(HTTP_404_NOT_FOUND, exc.code, exc.message)
    if isinstance(exc, PermissionDenied):
        return _body(HTTP_403_FORBIDDEN, exc.code, exc.message)
    if isinstance(exc, IllegalTransition | InsufficientCapacity | Conflict):
        return _body(HTTP_409_CONFLICT, exc.code, exc.message)
    # Any other business refusal is a conflict with the current state of things.
    return _body(HTTP_409_CONFLICT, exc.code, exc.message)


def validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            errors.append(
                {
                    "field": str(item.get("key", "")),
                    "reason": in_italian(str(item.get("message", ""))),
                }
            )
    return _body(HTTP_400_BAD_REQUEST, "invalid_request", "dati non validi", errors)


# Litestar's own refusals carry English standard phrases: each status is said in Italian.
_HTTP_ITALIAN = {
    400: "richiesta non valida",
    401: "autenticazione richiesta",
    403: "operazione non consentita",
    404: "risorsa non trovata",
    405: "metodo non ammesso su questo indirizzo",
    406: "formato di risposta non disponibile",
    413: "richiesta troppo grande",
    415: "tipo di contenuto non supportato",
    429: "troppe richieste: riprovare più tardi",
    503: "servizio momentaneamente non disponibile: riprovare tra poco",
}


def http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    code = "not_authenticated" if isinstance(exc, NotAuthorizedException) else "http_error"
    detail = exc.detail
    if not detail or detail == HTTPStatus(exc.status_code).phrase:
        detail = _HTTP_ITALIAN.get(exc.status_code, detail)
    response = _body(exc.status_code, code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def unavailable(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Saturated (no slot or no pooled connection within the pool timeout) or a database
    connection lost mid-request: a quick 503 the client may retry, never a hang or a 500."""
    log.warning("service unavailable", reason=type(exc).__name__)
    response = _body(
        HTTP_503_SERVICE_UNAVAILABLE,
        "service_unavailable",
        "servizio momentaneamente sovraccarico: riprovare tra qualche secondo",
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_error(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    if exc.connection_invalidated:
        return unavailable(request, exc)
    return unexpected_error(request, exc)


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error", path=request.url.path)
    return _body(HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "errore interno")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Overloaded: unavailable,
    PoolTimeout: unavailable,
    DBAPIError: database_error,
    Exception: unexpected_error,
}
