"""Claims decided and paid at the same instant never promise or pay more than the cover.

Every command goes through ``system.bus.handle`` from its own thread, on its own connection,
released together by a barrier: SQLite by default, PostgreSQL with GARANZIA_TEST_POSTGRES_URL
(where the guarantee row's lock, not a single writer, is what makes them queue).
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.claims import Claim
from guarantee.domain.errors import DomainError
from guarantee.read.cover import cover_state
from guarantee.services import commands as c
from tests.support import builders
from tests.support.books import check_books
from tests.support.payments import claim_items, past_lease

MANAGERS = [Actor(f"gestore-{n}", Role.FUND_MANAGER, account_id=f"acc-{n}") for n in range(10)]
CLAIM = Decimal("700.00")  # ten of them against the 3.000,00 € damages cap: four fit
DAMAGES_CAP = Decimal("3000.00")


def at_once(system: System, jobs: list[tuple[c.Command, Actor]]) -> list[Any]:
    barrier = threading.Barrier(len(jobs))

    def send(job: tuple[c.Command, Actor]) -> Any:
        barrier.wait()
        try:
            return system.bus.handle(*job)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(send, jobs))


def outcome(result: Any) -> str:
    if isinstance(result, DomainError):
        return result.code
    if isinstance(result, Exception):
        return f"unexpected {type(result).__name__}: {result}"
    return "ok"


def test_ten_claims_decided_at_once_then_paid_by_twenty_requests_each(system: System) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    guarantee = builders.issued_guarantee(system, fund.id, lease_data=past_lease())
    assert guarantee.number is not None
    system.bus.handle(c.ActivateGuarantee(number=guarantee.number), MANAGERS[0])
    today = system.deps.clock.today()
    claims: list[Claim] = []
    for n in range(10):
        photo = c.EvidenceUpload(f"danno-{n}.jpg", "image/jpeg", f"foto {n}".encode())
        claim = system.bus.handle(
            c.FileClaim(guarantee.number, claim_items(CLAIM, today), (photo,)), MANAGERS[0]
        )
        system.bus.handle(c.StartClaimReview(claim.number), MANAGERS[0])
        claims.append(claim)

    decisions = at_once(
        system,
        [
            (c.DecideClaim(cl.number, (c.ItemDecisionData(cl.items[0].id, CLAIM),)), MANAGERS[n])
            for n, cl in enumerate(claims)
        ],
    )
    counted = Counter(outcome(r) for r in decisions)
    assert counted == {"ok": 4, "above_remaining_cover": 6}, counted
    with system.engine.connect() as conn:
        product = system.deps.products.get("garanzia-casa", "1").product
        cover = cover_state(conn, guarantee.id, product, guarantee.lease.monthly_rent)
    assert (cover.committed_damages, cover.damages_remaining) == (Decimal("2800.00"), CLAIM - 500)

    approved = [cl for cl, r in zip(claims, decisions, strict=True) if outcome(r) == "ok"]
    # 700,00 € is under the four-eyes threshold: any one fund manager may pay, and twenty
    # of them try at once on each claim, each with a key of its own.
    for claim in approved:
        payments = at_once(
            system,
            [
                (c.PayClaim(claim.number, f"{claim.number}-{n}"), MANAGERS[n % 10])
                for n in range(20)
            ],
        )
        counted = Counter(outcome(r) for r in payments)
        assert counted == {"ok": 1, "illegal_transition": 19}, counted

    j = tables.journal_entries.c
    with system.engine.connect() as conn:
        paid_out = conn.scalar(
            select(func.count()).where(j.fund_id == fund.id, j.kind == "claim_payment")
        )
        figures = check_books(conn, fund.id)
        cover = cover_state(conn, guarantee.id, product, guarantee.lease.monthly_rent)
    assert paid_out == 4
    assert figures.claims_paid == Decimal("2800.00")
    assert (cover.paid_damages, cover.committed_damages) == (Decimal("2800.00"), Decimal(0))
    assert cover.paid_damages <= DAMAGES_CAP
