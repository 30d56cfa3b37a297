"""An HTTP client on the real app, with one logged-in account per role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from litestar.testing import TestClient

from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.domain.errors import Conflict
from guarantee.web.app import create_app
from tests.support.accounts import PASSWORD, open_account

__all__ = ["PASSWORD", "api_client", "login_as"]


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
    with suppress(Conflict):  # already there from an earlier call in the same test
        open_account(system, name, role, full_name=name, landlord_id=landlord_id)
    answer = client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
