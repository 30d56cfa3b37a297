"""The published OpenAPI document tells the truth: fuzzed under every role, no answer is a
server error, none has a status the document does not list, none breaks its schema.

schemathesis generates requests from ``/schema/openapi.json`` (valid and invalid ones) and
sends each to a real `garanzia serve` as a fund manager, a help desk, a mediator, a landlord,
an auditor and anonymously, on a database holding a guarantee with a mediation case and a
decided claim. Derandomised and bounded (~7,000 requests on PostgreSQL, ~3,000 on SQLite),
so CI sees the same requests every run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from sqlalchemy import select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from tests.conftest import POSTGRES_URL
from tests.support import journeys
from tests.support.accounts import PASSWORD, open_account
from tests.support.servers import CHEAP_HASHING, app_server

if TYPE_CHECKING:
    from schemathesis import Case, GenerationMode

# schemathesis is imported when the test runs, not when it is collected: every xdist worker
# collects every module, and importing it takes a second or more (its pytest plugin is off,
# `-p no:schemathesis` in pyproject.toml: this module calls it directly).

# Per operation and mode (valid, invalid), each sent as every role: the full depth on
# PostgreSQL, the production database, where CI also runs; a lighter pass on the embedded
# default (every operation, role and mode still, boundaries first: hypothesis tries those
# early). Generating the requests is what costs.
EXAMPLES = 10 if POSTGRES_URL else 4
TIMEOUT = 10  # seconds: a request that hangs is a finding, not a stuck run
ROLES = {
    "fund_manager": "gestore-fz",
    "operator": "sportello-fz",
    "mediator": journeys.MEDIATOR.user_id,
    "landlord": "locatore-fz",
    "auditor": "revisore-fz",
    "anonymous": None,
}


@dataclass
class Findings:
    failures: dict[str, str] = field(default_factory=dict)  # one per operation and kind
    requests: int = 0

    def add(self, role: str, case: Case, title: str, details: str) -> None:
        key = f"{case.operation.label} as {role}: {title}"
        # The first example of each finding, with its answer and a curl to reproduce it.
        self.failures.setdefault(key, f"{key}\n{details[:1500]}")


@pytest.fixture
def served(
    system: System, clock: FixedClock, database_url: str, tmp_path: Path
) -> Iterator[tuple[str, Callable[[str], dict[str, str]]]]:
    """`garanzia serve` on the seeded database, and a way to log each role in."""
    journeys.approved_claim(system, clock)
    with system.engine.connect() as conn:
        landlord_id = conn.execute(select(tables.landlords.c.id)).scalars().first()
    open_account(system, "gestore-fz", Role.FUND_MANAGER)
    open_account(system, "sportello-fz", Role.OPERATOR)
    open_account(system, "revisore-fz", Role.AUDITOR)
    open_account(system, "locatore-fz", Role.LANDLORD, landlord_id=landlord_id)
    with app_server(database_url, tmp_path, **CHEAP_HASHING) as (base, _):

        def headers(role: str) -> dict[str, str]:
            username = ROLES[role]
            if username is None:
                return {}
            answer = httpx.post(
                f"{base}/api/v1/auth/login",
                json={"username": username, "password": PASSWORD},
                timeout=TIMEOUT,
            )
            if answer.status_code != 200:  # reported by the test (the server may be stuck)
                return {"X-Login-Failed": f"{answer.status_code} {answer.text[:200]}"}
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        yield base, headers


def _fuzz(
    base: str,
    operation: Any,
    mode: GenerationMode,
    tokens: dict[str, dict[str, str]],
    found: Findings,
) -> None:
    """Each generated request is sent once per role: generating is the costly part."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: every failure is recorded
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Case) -> None:
        for role, auth in tokens.items():
            found.requests += 1
            try:
                case.call_and_validate(base_url=base, headers=auth, checks=checks, timeout=TIMEOUT)
            except FailureGroup as failures:  # every finding is collected, then reported
                for failure in failures.exceptions:
                    found.add(role, case, failure.title, str(failures))
            except Exception as error:
                found.add(role, case, type(error).__name__, f"{error}\n{case.as_curl_command()}")

    with contextlib.suppress(Unsatisfiable):  # nothing to make invalid in some operations
        run()


def test_no_server_error_and_no_answer_outside_the_schema(served: Any) -> None:
    import schemathesis
    from schemathesis import GenerationMode

    base, headers = served
    schema = schemathesis.openapi.from_url(f"{base}/schema/openapi.json")
    found = Findings()
    started = time.monotonic()
    refused: list[str] = []

    def log_in() -> dict[str, dict[str, str]]:
        tokens = {role: headers(role) for role in ROLES}
        refused.extend(
            f"{role}: {h['X-Login-Failed']}"
            for role, h in tokens.items()
            if h.get("X-Login-Failed")
        )
        return tokens

    tokens = log_in()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(base, operation, mode, tokens, found)
        if operation.path.startswith(("/api/v1/auth/", "/api/v1/accounts")):
            # A fuzzed request may have logged a role out: fresh tokens for what follows.
            tokens = log_in()
    elapsed = time.monotonic() - started
    print(f"{found.requests} requests in {elapsed:.0f} s")  # the run's cost, with -s
    assert refused == [], f"logins refused during the run: {refused}"
    assert found.failures == {}, "\n\n".join(found.failures.values())
