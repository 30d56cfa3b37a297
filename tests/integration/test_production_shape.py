"""The production shape, for real: two `garanzia serve` processes and two `garanzia worker`
processes (dramatiq on Redis) on one PostgreSQL database, and two fund managers at work at once,
each through its own process, over HTTP.

What it proves, in the users' words:
- Six guarantees issued at the same instant by the two managers through the two processes, on
  one fund with room for four: four issued and two refused with a 409 (no 500), the free
  capacity down by exactly the four reserves, every guarantee number unique and none skipped.
- A landlord reading through process A sees what a manager has just written through process B
  (its guarantees issued, its claims decided and paid): no process answers from a stale copy.
- Three claims on one guarantee decided at once through both processes, each for more than
  the damages cap leaves once the other two are counted: two approved, one refused, the cap
  never exceeded. Then each approved claim is paid while both managers press "pay" through
  both processes: one payment per claim, always authorised by the manager who did not
  propose it (four eyes), the proposer never let through.
- Every letter those changes produce reaches the mail server exactly once, although both
  workers relay and handle the outbox; protocol numbers have no gap and no repeat.
- SIGTERM to the four processes: each ends within its deadline (GARANZIA_SHUTDOWN_TIMEOUT).

Runs only with GARANZIA_TEST_POSTGRES_URL and GARANZIA_TEST_REDIS_URL (`make test-postgres`).
The workers use the production queue names on that Redis database; a message another run's
worker takes names an event it does not have, so it only delays: the relay hands it over again.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.services import commands as c
from tests.conftest import POSTGRES_URL, REDIS_URL
from tests.support import builders
from tests.support.accounts import PASSWORD, open_account
from tests.support.jobs import all_done
from tests.support.payments import claim_items
from tests.support.servers import (
    CHEAP_HASHING,
    app_servers,
    smtp_server,
    start_worker,
    wait_until,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        not (POSTGRES_URL and REDIS_URL),
        reason="the production shape needs PostgreSQL and Redis (GARANZIA_TEST_*_URL)",
    ),
]

SHUTDOWN_TIMEOUT = 5
# uvicorn waits SHUTDOWN_TIMEOUT for requests, the app's exit guard as long again; a worker
# waits it for its jobs, then for its consumers. Past this a process ignored its deadline.
STOP_DEADLINE = SHUTDOWN_TIMEOUT * 2 + 5
RESERVE = Decimal("3840.00")  # rent 650,00 € → reserve 3.840,00 € (EXAMPLES §A)
ROOM_FOR = 4  # guarantees the fund can take, of the six asked for
CLAIM = Decimal("1200.00")  # above the four-eyes threshold (1.000,00 €); 3 × exceeds 3.000,00 €


def lease_from(start: date) -> c.LeaseData:
    """A three-year lease from ``start``: the processes run on the real clock, so the dates
    are set from today, not from the tests' fixed day."""
    return builders.lease(start=start, end=start.replace(year=start.year + 3) - timedelta(days=1))


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def approved_application(system: System, property_id: str, start: date) -> str:
    application = builders.submit_application(system, property_id, lease_data=lease_from(start))
    system.bus.handle(
        c.ApproveApplication(number=application.application_number, reason="ok"),
        builders.MANAGER,
    )
    return application.application_number


def login(base: str, username: str) -> dict[str, str]:
    answer = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"username": username, "password": PASSWORD},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def at_once(requests: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Every request from its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(requests))

    def send(request: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return request()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def post(base: str, path: str, headers: dict[str, str], body: Any = None) -> partial[Any]:
    return partial(httpx.post, f"{base}{path}", json=body, headers=headers, timeout=60)


def get(base: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    answer = httpx.get(f"{base}{path}", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def no_server_error(answers: list[httpx.Response]) -> None:
    assert all(a.status_code < 500 for a in answers), [(a.status_code, a.text) for a in answers]


def stop_all(processes: list[subprocess.Popen[bytes]]) -> Iterator[float]:
    """SIGTERM to every process at once; how long each took to end (a TimeoutExpired if one
    outlives the deadline)."""
    asked = time.monotonic()
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(timeout=max(0.1, asked + STOP_DEADLINE - time.monotonic()))
        yield time.monotonic() - asked


def test_two_managers_on_two_app_processes_with_two_workers(
    system: System, clock: FixedClock, tmp_path: Path
) -> None:
    assert POSTGRES_URL and REDIS_URL
    clock.set(datetime.now(UTC))  # the same clock as the processes'
    today = clock.today()

    # -- the office's records, written before the day begins -------------------------------
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    # A live guarantee with three damages claims under review, on a fund of its own.
    claims_fund = builders.fund_with(system, Decimal("100000.00"))
    started = first_of_month(today - timedelta(days=150))
    covered = system.bus.handle(
        c.IssueGuarantee(
            number=approved_application(system, dwelling.id, started), fund_id=claims_fund.id
        ),
        builders.MANAGER,
    )
    assert covered.number is not None
    system.bus.handle(c.ActivateGuarantee(number=covered.number), builders.MANAGER)
    claims = []
    for n in range(3):
        photo = c.EvidenceUpload(f"danno-{n}.jpg", "image/jpeg", f"foto {n}".encode())
        claim = system.bus.handle(
            c.FileClaim(covered.number, claim_items(CLAIM, today - timedelta(days=1)), (photo,)),
            builders.MANAGER,
        )
        system.bus.handle(c.StartClaimReview(claim.number), builders.MANAGER)
        claims.append(claim)
    # Six approved applications and a fund with room for four of them.
    next_month = first_of_month(today + timedelta(days=32))
    applications = [approved_application(system, dwelling.id, next_month) for _ in range(6)]
    fund = builders.fund_with(system, RESERVE * ROOM_FOR + Decimal("100.00"))
    for username, role, landlord_id in (
        ("gestore-a", Role.FUND_MANAGER, None),
        ("gestore-b", Role.FUND_MANAGER, None),
        ("locatore", Role.LANDLORD, landlord.id),
    ):
        open_account(system, username, role, landlord_id=landlord_id)
    # Those records' letters went out the day before: the workers below deliver what the
    # two managers' changes produce (and anything left over would count in the checks).
    with system.engine.begin() as conn:
        conn.execute(update(tables.outbox).values(status="done", done_at=clock.now()))

    log = tmp_path / "workers.log"
    with ExitStack() as stack:
        inbox, smtp_url = stack.enter_context(smtp_server())
        workers = [
            start_worker(system, REDIS_URL, smtp_url, log, shutdown_timeout=str(SHUTDOWN_TIMEOUT))
            for _ in range(2)
        ]
        stack.callback(lambda: [w.kill() for w in workers if w.poll() is None])
        (a, app_a), (b, app_b) = stack.enter_context(
            app_servers(
                2,
                system.settings.database_url,
                tmp_path,
                broker_url=REDIS_URL,
                storage_dir=str(system.settings.storage_dir),
                shutdown_timeout=str(SHUTDOWN_TIMEOUT),
                **CHEAP_HASHING,
            )
        )
        manager_a, manager_b = login(a, "gestore-a"), login(b, "gestore-b")
        owner = login(a, "locatore")

        # -- two managers issue six guarantees at once, three through each process ---------
        before = get(b, f"/api/v1/funds/{fund.id}", manager_b)
        issuing = at_once(
            [
                post(base, f"/api/v1/guarantees/{number}/issue", who, {"fund_id": fund.id})
                for number, (base, who) in zip(
                    applications, [(a, manager_a), (b, manager_b)] * 3, strict=True
                )
            ]
        )
        no_server_error(issuing)
        assert Counter(r.status_code for r in issuing) == {200: ROOM_FOR, 409: 2}
        assert {r.json()["code"] for r in issuing if r.status_code == 409} == {
            "insufficient_fund_capacity"
        }
        issued = [r.json() for r in issuing if r.status_code == 200]
        after = get(a, f"/api/v1/funds/{fund.id}", manager_a)
        reserves = sum((Decimal(g["reserve_amount"]) for g in issued), Decimal(0))
        assert reserves == RESERVE * ROOM_FOR
        assert Decimal(before["free_capacity"]) - Decimal(after["free_capacity"]) == reserves
        assert (after["live_guarantees"], after["books_agree"]) == (ROOM_FOR, True)
        prefix = covered.number[: -len("000001")]
        assert sorted(g["number"] for g in issued) == [
            f"{prefix}{k:06d}" for k in range(2, 2 + ROOM_FOR)
        ], "unique and gapless, after the one issued before"

        # -- the landlord, on A, sees what both managers wrote --------------------------------
        for written in issued:
            seen = get(a, f"/api/v1/guarantees/{written['number']}", owner)
            assert (seen["number"], seen["status"]) == (written["number"], "issued")
        for refused, answer in zip(applications, issuing, strict=True):
            if answer.status_code == 409:
                assert get(a, f"/api/v1/applications/{refused}", owner)["status"] == "approved"

        # -- three claims decided at once through both processes: two fit under the cap ------
        deciding = at_once(
            [
                post(
                    base,
                    f"/api/v1/claims/{claim.number}/decide",
                    who,
                    {"decisions": [{"item_id": claim.items[0].id, "approved": str(CLAIM)}]},
                )
                for claim, (base, who) in zip(
                    claims, [(a, manager_a), (b, manager_b), (b, manager_a)], strict=True
                )
            ]
        )
        no_server_error(deciding)
        assert Counter(r.status_code for r in deciding) == {200: 2, 409: 1}
        assert [r.json()["code"] for r in deciding if r.status_code == 409] == [
            "above_remaining_cover"
        ]
        approved = [r.json()["number"] for r in deciding if r.status_code == 200]
        for claim, answer in zip(claims, deciding, strict=True):
            now = "approved" if answer.status_code == 200 else "under_review"
            assert get(a, f"/api/v1/claims/{claim.number}", owner)["status"] == now

        # -- four eyes: one proposes through its process; then both press "pay" everywhere --
        proposers = {
            approved[0]: ("gestore-a", a, manager_a),
            approved[1]: ("gestore-b", b, manager_b),
        }
        proposing = at_once(
            [
                post(base, f"/api/v1/claims/{n}/payment-proposal", who)
                for n, (_, base, who) in proposers.items()
            ]
        )
        assert [r.status_code for r in proposing] == [200, 200], [r.text for r in proposing]
        paying: list[tuple[str, str, partial[Any]]] = []
        for number in proposers:
            for username, who in (("gestore-a", manager_a), ("gestore-b", manager_b)):
                for base in (a, b):
                    key = {"Idempotency-Key": f"{number}-{username}-{base[-5:]}"}
                    paying.append(
                        (number, username, post(base, f"/api/v1/claims/{number}/pay", who | key))
                    )
        answers = at_once([request for _, _, request in paying])
        no_server_error(answers)
        for number, (proposer, _, _) in proposers.items():
            mine = [(u, r) for (n, u, _), r in zip(paying, answers, strict=True) if n == number]
            paid = [r.json() for _, r in mine if r.status_code == 200]
            assert len(paid) == 1, [(u, r.status_code, r.text) for u, r in mine]
            assert paid[0]["proposed_by"] == proposer != paid[0]["authorised_by"]
            assert Decimal(paid[0]["amount"]) == CLAIM
            assert {r.status_code for u, r in mine if u == proposer} == {409}
            assert get(a, f"/api/v1/claims/{number}", owner)["status"] == "paid"
        staff_view = get(b, f"/api/v1/claims/{approved[0]}", manager_b)
        damages = next(line for line in staff_view["cover"] if line["line"] == "damages")
        assert (Decimal(damages["paid"]), Decimal(damages["remaining"])) == (
            CLAIM * 2,
            Decimal("3000.00") - CLAIM * 2,
        )
        books = get(a, f"/api/v1/funds/{claims_fund.id}", manager_a)
        assert (Decimal(books["claims_paid"]), books["books_agree"]) == (CLAIM * 2, True)

        # -- every letter out exactly once, by whichever worker ------------------------------
        wait_until(
            lambda: all_done(system), timeout=120, what="every event handled, every mail sent"
        )
        m, d = tables.outgoing_mails.c, tables.documents.c
        with system.engine.connect() as conn:
            mails = conn.execute(select(m.message_id, m.subject)).all()
            protocol = list(conn.scalars(select(d.protocol_sequence).order_by(d.protocol_sequence)))
            payments = conn.scalar(
                select(func.count()).where(tables.journal_entries.c.kind == "claim_payment")
            )
        assert payments == 2
        received = Counter(str(message["Message-ID"]) for message in inbox.accepted)
        assert received == Counter(mail.message_id for mail in mails), "each mail once"
        # The landlord's mails: each guarantee's issue, each approved claim's decision and
        # payment notice; the refused decision wrote nothing, so it says nothing.
        expected = Counter({g["number"]: 1 for g in issued} | {n: 2 for n in approved})
        subjects = [mail.subject for mail in mails]
        about = Counter(n for subject in subjects for n in expected if n in subject)
        assert (about, len(subjects)) == (expected, expected.total()), subjects
        assert protocol == list(range(1, len(protocol) + 1)), "no gap, no repeat"

        # -- SIGTERM: the four processes end within their deadline ---------------------------
        took = list(stop_all([app_a, app_b, *workers]))
        print(f"stopped in {', '.join(f'{s:.1f}' for s in took)} s (apps, workers)")
