"""An HTTP client on the real app, with one logged-in account per role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.domain.errors import Conflict
from guarantee.web.app import create_app
from tests.support.accounts import PASSWORD, open_account

__all__ = ["PASSWORD", "api_client", "login_as"]

# Building the app registers every route and validates every handler's signature (a third of
# a second and more); the app itself holds nothing of a test — its system, database slots
# and health probe live in its state, set per client — so one app serves the whole run.
# Keyed by the directories its static routes serve; an app already serving a client (two
# clients open at once) is never shared.
_apps: dict[tuple[Path, Path], Litestar] = {}
_busy: set[int] = set()


def _app_for(system: System) -> Litestar:
    key = (system.settings.templates_dir, system.settings.assets_dir)
    app = _apps.get(key)
    if app is None or id(app) in _busy:
        app = create_app(system)
        _apps.setdefault(key, app)
    for name in list(app.state.keys()):
        del app.state[name]
    app.state.system = system
    return app


@contextmanager
def api_client(system: System) -> Iterator[TestClient]:  # type: ignore[type-arg]
    app = _app_for(system)
    _busy.add(id(app))
    try:
        with TestClient(app=app) as client:
            yield client
    finally:
        _busy.discard(id(app))


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
