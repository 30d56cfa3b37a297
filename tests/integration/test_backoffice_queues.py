"""The back office's queues: what the rules sent to review comes first, and a manager never
authorises a payment it proposed itself (four eyes)."""

from __future__ import annotations

from decimal import Decimal

from guarantee.adapters.clock import FixedClock
from guarantee.bootstrap import System
from guarantee.read import backoffice_queues as queues
from guarantee.services import commands as c
from tests.support import builders
from tests.support.journeys import SECOND_MANAGER, approved_claim, at


def _application(system: System, isee: str) -> str:
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    application = builders.submit_application(system, dwelling.id, isee=Decimal(isee))
    return application.application_number


def test_applications_needing_review_come_before_older_eligible_ones(system: System) -> None:
    eligible = _application(system, "12000.00")
    review = _application(system, "30000.00")
    with system.engine.connect() as conn:
        found = queues.applications_to_check(conn, page=1, page_size=10)
        first_page = queues.applications_to_check(conn, page=1, page_size=1)
    numbers = [row["application_number"] for row in found.items]
    assert numbers == [review, eligible]
    assert (first_page.total, len(first_page.items)) == (2, 1)


def test_a_payment_proposal_waits_for_another_manager(system: System, clock: FixedClock) -> None:
    _, claim = approved_claim(system, clock)
    with system.engine.connect() as conn:
        assert [r["number"] for r in queues.claims_to_pay(conn, page=1, page_size=10).items] == [
            claim
        ]
    at(clock, "2027-07-30")
    system.bus.handle(c.ProposeClaimPayment(claim), builders.MANAGER)
    with system.engine.connect() as conn:
        own = queues.payments_to_authorise(conn, builders.MANAGER, page=1, page_size=10)
        other = queues.payments_to_authorise(conn, SECOND_MANAGER, page=1, page_size=10)
        to_pay = queues.claims_to_pay(conn, page=1, page_size=10)
    assert own.total == 0, "the proposer is not asked to authorise its own proposal"
    assert [r["number"] for r in other.items] == [claim]
    assert to_pay.total == 0


def test_pages_of_applications_run_on_from_review_into_the_rest(system: System) -> None:
    """The review part and the rest are paged as one list: no row lost or repeated where
    one ends and the other begins."""
    eligible = [_application(system, "12000.00") for _ in range(2)]
    review = [_application(system, "30000.00") for _ in range(2)]
    with system.engine.connect() as conn:
        pages = [queues.applications_to_check(conn, page=n, page_size=3) for n in (1, 2, 3)]
    numbers = [[row["application_number"] for row in p.items] for p in pages]
    # The clock stands still in tests: rows of one part share a moment, the id orders them.
    assert [len(n) for n in numbers] == [3, 1, 0]
    assert set(numbers[0][:2]) == set(review)
    assert {numbers[0][2], *numbers[1]} == set(eligible)
    assert {p.total for p in pages} == {4}


def test_claims_of_several_states_are_merged_oldest_first_across_pages(system: System) -> None:
    """Each state is walked on its own and the walks merged: one list by filing date,
    whatever the state, with no claim lost or repeated between pages."""
    from datetime import UTC, date, datetime

    from sqlalchemy import insert

    from guarantee.adapters.db import tables

    fund = builders.fund_with(system, Decimal("100000.00"))
    issued = builders.issued_guarantee(system, fund.id)
    now = datetime(2026, 11, 25, tzinfo=UTC)
    days = [date(2026, 10, d) for d in (9, 1, 7, 3, 5)]
    states = ["submitted", "under_review", "awaiting_mediation", "submitted", "under_review"]
    with system.engine.begin() as conn:
        for n, (day, state) in enumerate(zip(days, states, strict=True)):
            conn.execute(
                insert(tables.claims).values(
                    id=f"claim-{n}",
                    number=f"RIC-T-{n}",
                    guarantee_id=issued.id,
                    guarantee_number=issued.number,
                    product_code="garanzia-casa",
                    product_version="1",
                    status=state,
                    filed_on=day,
                    filed_at=now,
                    filed_by="test",
                    paid_amount=0,
                    recovered_amount=0,
                    written_off_amount=0,
                    updated_at=now,
                    version=1,
                )
            )
    with system.engine.connect() as conn:
        pages = [queues.claims_to_decide(conn, page=n, page_size=2) for n in (1, 2, 3)]
    filed = [[row["filed_on"].day for row in p.items] for p in pages]
    assert filed == [[1, 3], [5, 7], [9]]
    assert {p.total for p in pages} == {5}
