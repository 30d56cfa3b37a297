"""An HTTP client on the real app, with one logged-in account per role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from litestar.testing import TestClient

from guarantee.adapters import accounts
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.web.app import create_app

PASSWORD = "una-password-lunga-42"


@contextmanager
def api_client(system: System) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(app=create_app(system)) as client:
        yield client


def login_as(
    client: TestClient,  # type: ignore[type-arg]
    system: System,
    role: Role,
    *,
    landlord_id: str | None = None,
    username: str | None = None,
) -> dict[str, str]:
    """Create an account for ``role`` (once) and return its Authorization header."""
    name = username or role.value
    with system.engine.begin() as conn:
        try:
            accounts.create_user(
                conn,
                username=name,
                password=PASSWORD,
                role=role,
                full_name=name,
                landlord_id=landlord_id,
                now=system.deps.clock.now(),
            )
        except Exception:  # already there from an earlier call in the same test
            conn.rollback()
    answer = client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
