"""The 4xx answers an endpoint documents in OpenAPI (the body is ``ErrorOut`` for all)."""

from __future__ import annotations

from litestar.openapi.datastructures import ResponseSpec

from guarantee.web.schemas import ErrorOut

_MEANING = {
    400: "richiesta malformata",
    401: "accesso richiesto",
    403: "il ruolo non consente l'operazione",
    404: "non trovato, o non visibile a chi chiede",
    409: "lo stato attuale non consente l'operazione (motivo in italiano)",
    422: "dati non validi: i campi e il motivo",
}


def errors(*codes: int) -> dict[int, ResponseSpec]:
    return {
        code: ResponseSpec(data_container=ErrorOut, description=_MEANING[code]) for code in codes
    }
