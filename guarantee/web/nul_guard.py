"""A NUL character in a request is refused before it reaches anything that stores text.

Databases refuse NUL inside text (PostgreSQL outright), so a NUL in a path, a query, a JSON
body or a form would surface as a server error deep down. It is never meaningful in this
API's text, so it is turned away at the door with a clear 400. Uploaded files (multipart)
are binary and pass untouched.
"""

from __future__ import annotations

import json

from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
)

_TEXT_BODIES = (b"application/json", b"application/x-www-form-urlencoded")
_REFUSAL = "carattere non ammesso (NUL) nella richiesta"


def _has_nul(raw: bytes, *, encoded: bool) -> bool:
    lowered = raw.lower()
    return b"\x00" in raw or (encoded and b"%00" in lowered) or b"\\u0000" in lowered


async def _refuse(send: Send, where: str) -> None:
    body = json.dumps(
        {
            "status_code": 400,
            "code": "invalid_request",
            "detail": "dati non validi",
            "errors": [{"field": where, "reason": _REFUSAL}],
        }
    ).encode()
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 400,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(body)),
        ],
    }
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)


def nul_guard_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if str(scope.get("type")) != "http":
            await app(scope, receive, send)
            return
        # Some servers keep the query in raw_path: the path is what comes before it.
        raw_path = (scope.get("raw_path") or str(scope.get("path", "")).encode()).split(b"?")[0]
        if _has_nul(raw_path, encoded=True) or "\x00" in str(scope.get("path", "")):
            await _refuse(send, "path")
            return
        if _has_nul(scope.get("query_string", b""), encoded=True):
            await _refuse(send, "query")
            return
        headers = dict(scope.get("headers", []))
        content_type: bytes = headers.get(b"content-type", b"")
        if not content_type.startswith(_TEXT_BODIES):
            await app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        if _has_nul(body, encoded=content_type.startswith(_TEXT_BODIES[1])):
            await _refuse(send, "body")
            return
        replayed = False

        async def replay() -> ReceiveMessage:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope, replay, send)

    return middleware
