"""No sequence of concurrent operations promises more than the fund has.

Each thread sends its command through ``system.bus.handle`` on its own connection, all
released at once by a barrier; SQLite by default, PostgreSQL with GARANZIA_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.domain.errors import InsufficientCapacity
from guarantee.domain.guarantees import Guarantee
from guarantee.read.guarantees import guarantee_detail
from guarantee.services import commands as c
from tests.support import builders
from tests.support.books import check_books

MANAGER = builders.MANAGER
RESERVE = Decimal("3840.00")  # EXAMPLES §A: rent 650,00 € → reserve 3.840,00 €
N = 5

READER = Actor.system("tests")  # reads every row


def approved_applications(system: System, count: int) -> list[str]:
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    numbers = []
    for _ in range(count):
        application = builders.submit_application(system, dwelling.id)
        system.bus.handle(
            c.ApproveApplication(number=application.application_number, reason="ok"), MANAGER
        )
        numbers.append(application.application_number)
    return numbers


def all_at_once(system: System, commands: list[c.Command]) -> list[Any]:
    """Send every command from its own thread, released together; results or exceptions."""
    barrier = threading.Barrier(len(commands))

    def send(command: c.Command) -> Any:
        barrier.wait()
        try:
            return system.bus.handle(command, MANAGER)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        return list(pool.map(send, commands))


def kinds(results: list[Any]) -> Counter[str]:
    def kind(result: Any) -> str:
        if isinstance(result, InsufficientCapacity):
            assert "capienza del fondo insufficiente" in result.message
            return "refused"
        if isinstance(result, Exception):
            return f"error: {result!r}"
        return type(result).__name__

    return Counter(kind(r) for r in results)


def test_concurrent_issues_never_overcommit_the_fund(system: System) -> None:
    fund = builders.fund_with(system, RESERVE * N + Decimal("100.00"))
    numbers = approved_applications(system, 5 * N)
    results = all_at_once(system, [c.IssueGuarantee(number=n, fund_id=fund.id) for n in numbers])
    assert kinds(results) == Counter({"Guarantee": N, "refused": 4 * N})
    issued = sorted(r.number for r in results if isinstance(r, Guarantee))
    assert issued == [f"GC-2026-{k:06d}" for k in range(1, N + 1)], "gapless numbers"
    with system.engine.connect() as conn:
        figures = check_books(conn, fund.id)
        refused = [n for n, r in zip(numbers, results, strict=True) if isinstance(r, Exception)]
        assert {guarantee_detail(conn, n, actor=READER)["status"] for n in refused} == {"approved"}
        reserve_entries = conn.scalar(
            select(func.count()).where(tables.journal_entries.c.kind == "reserve")
        )
        audited = conn.scalar(select(func.count()).where(tables.audit_events.c.action == "issue"))
    assert reserve_entries == audited == N, "a refusal writes nothing"
    assert figures.reserved == RESERVE * N
    assert figures.free_capacity == Decimal("100.00")
    assert figures.live_guarantees == N


def test_concurrent_contributions_and_issues_lose_no_update(system: System) -> None:
    # Room for 2 guarantees at first; 10 contributions of one reserve each arrive while 15
    # issues compete, so between 2 and 12 issues fit depending on the order.
    start = RESERVE * 2 + Decimal("1.00")
    fund = builders.fund_with(system, start)
    numbers = approved_applications(system, 15)
    gifts = [RESERVE + Decimal(k) / 100 for k in range(1, 11)]
    commands: list[c.Command] = [c.IssueGuarantee(number=n, fund_id=fund.id) for n in numbers]
    for k, amount in enumerate(gifts):
        commands.insert(
            2 * k,
            c.RecordContribution(
                fund_id=fund.id,
                amount=amount,
                donor=f"Donatore {k}",
                on=date(2026, 11, 25),
                reference="r",
            ),
        )
    results = all_at_once(system, commands)
    outcome = kinds(results)
    issued = outcome["Guarantee"]
    assert outcome["JournalEntry"] == 10
    assert issued + outcome["refused"] == 15 and 2 <= issued <= 12, outcome
    with system.engine.connect() as conn:
        figures = check_books(conn, fund.id)
    assert figures.balance == start + sum(gifts, Decimal(0)), "no contribution lost"
    assert figures.contributions == figures.balance
    assert figures.reserved == RESERVE * issued
    assert figures.live_guarantees == issued
