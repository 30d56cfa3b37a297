"""Bad input gets a clear Italian refusal naming the field, never a 500 nor English."""

from __future__ import annotations

import gc

import pytest

from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.web.deps import request_slots
from tests.support.http import api_client, login_as


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("get", "/api/v1/guarantees/GC%00X", None, "path"),
        ("get", "/api/v1/guarantees?status=%00", None, "query"),
        ("post", "/api/v1/funds", {"name": "Fondo\u0000", "territory": "Ivrea"}, "body"),
        ("post", "/api/v1/auth/login", {"username": "a\u0000", "password": "x"}, "body"),
    ],
)
def test_a_nul_character_anywhere_is_a_400_naming_where(
    system: System, method: str, path: str, body: object, field: str
) -> None:
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        answer = client.request(method.upper(), path, json=body, headers=manager)
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"] == [
        {"field": field, "reason": "carattere non ammesso (NUL) nella richiesta"}
    ]


def test_a_file_upload_may_carry_nul_bytes(system: System) -> None:
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        answer = client.post(
            "/api/v1/claims/SIN-2026-000001/evidence",
            headers=manager,
            files={"file": ("foto.png", b"\x89PNG\x00\x00", "image/png")},
        )
    assert answer.status_code == 404, "the claim does not exist; the bytes were not refused"


def test_validation_errors_speak_italian(system: System) -> None:
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        missing = client.post("/api/v1/funds", json={"territory": "Ivrea"}, headers=manager)
        extra = client.post(
            "/api/v1/funds", json={"name": "F", "territory": "I", "colore": "blu"}, headers=manager
        )
        unknown = client.get("/api/v1/nessuna-risorsa", headers=manager)
    assert missing.status_code == 400
    assert {"field": "name", "reason": "campo obbligatorio"} in missing.json()["errors"]
    assert any(e["reason"] == "campo non previsto" for e in extra.json()["errors"])
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "risorsa non trovata")
    for answer in (missing, extra):
        for error in answer.json()["errors"]:
            assert not error["reason"].startswith(("Field", "Input", "Extra", "String"))


def test_a_second_fund_with_the_same_name_is_a_conflict(system: System) -> None:
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        body = {"name": "Fondo Canavese", "territory": "Ivrea"}
        first = client.post("/api/v1/funds", json=body, headers=manager)
        second = client.post("/api/v1/funds", json=body, headers=manager)
    assert first.status_code == 201, first.text
    assert second.status_code == 409
    assert second.json()["detail"] == "esiste già un fondo di nome «Fondo Canavese»"


def test_requests_without_a_token_give_their_database_slot_back(system: System) -> None:
    """Refused by the token check (a dependency), each request must still hand its slot
    back at once: a handful of them once made the server answer 503 to everyone until the
    garbage collector ran."""
    gc.disable()  # what the garbage collector would hide
    try:
        with api_client(system) as client:
            manager = login_as(client, system, Role.FUND_MANAGER)
            slots = request_slots(system.settings)
            for _ in range(3 * slots):
                refused = client.post("/api/v1/mediation-cases/X/close", json={"reason": "x"})
                assert refused.status_code == 401, refused.text
            answer = client.get("/api/v1/mediation-cases", headers=manager)
    finally:
        gc.enable()
    assert answer.status_code == 200, answer.text
