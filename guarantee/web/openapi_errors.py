"""The refusals every API operation may answer, documented once for the whole API.

Each handler's own responses are what it returns when things go well; the errors come from
one place (``web/errors.py``) with one Italian body, so they are listed here from the
operation's shape (method, path parameters, whether a token is needed, upload or not)
instead of by hand on sixty handlers. ``tests/integration/test_openapi_fuzz.py`` checks that
no answer has a status or a body the document does not list.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec
from litestar.routes import HTTPRoute
from pydantic import BaseModel

# Operations anyone may call without a token.
PUBLIC_PATHS = frozenset(
    {
        "/api/v1/auth/login",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        "/api/v1/verify/{code}",
    }
)
# Counted attempts: past the limit the answer is 429 with Retry-After.
RATE_LIMITED_PATHS = frozenset({"/api/v1/auth/login"})


class FieldErrorOut(BaseModel):
    field: str
    reason: str


class ErrorOut(BaseModel):
    """Every refusal: the status, a stable code, a sentence in Italian, and for invalid data
    the field at fault and why."""

    status_code: int
    code: str
    detail: str
    errors: list[FieldErrorOut] = []


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorOut, description=description, generate_examples=False)


_DESCRIPTIONS = {
    400: "Richiesta non valida: parametri o corpo non conformi (campo e motivo in `errors`)",
    401: "Autenticazione richiesta: token assente, non valido o scaduto",
    403: "Operazione non consentita al ruolo di chi la chiede",
    404: "Risorsa inesistente, o non visibile a chi la chiede",
    409: "In conflitto con lo stato attuale (transizione non ammessa, duplicato, capienza)",
    413: "Richiesta troppo grande",
    415: "Tipo di contenuto non supportato",
    422: "Dati formalmente corretti ma non accettabili (campo e motivo in `errors`)",
    429: "Troppi tentativi: riprovare dopo i secondi indicati in Retry-After",
    503: "Servizio momentaneamente sovraccarico: riprovare dopo Retry-After",
}


def error_statuses(path: str, method: str) -> set[int]:
    """The refusals an operation may answer, from its shape."""
    statuses = {400, 422, 503}
    writes = method not in {"GET", "HEAD"}
    if writes or "{" in path:
        statuses.add(404)  # the resource named by the path (or by the body) may not exist
    if path not in PUBLIC_PATHS:
        statuses |= {401, 403}
    if writes:
        statuses |= {409, 413, 415}
    if path in RATE_LIMITED_PATHS:
        statuses |= {401, 429}  # wrong credentials; too many of them
    return statuses


def document_errors(app: Litestar) -> None:
    """Add the error answers to every API operation's responses (before the schema is made)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema() or not route.path.startswith("/api/"):
                continue
            method = sorted(handler.http_methods)[0]
            own = dict(handler.responses or {})
            errors = {
                status: _spec(_DESCRIPTIONS[status])
                for status in sorted(error_statuses(route.path_format, method))
                if status not in own and status != handler.status_code
            }
            handler.responses = {**errors, **own}
