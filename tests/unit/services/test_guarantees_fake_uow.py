"""The fund's promise when a guarantee is issued and ended, through the real bus over the fake
unit of work: the reserve is taken and given back, a fund without capacity refuses and
writes nothing, and a move the lifecycle does not allow is a domain error.

The same stories on the database, with the read models: tests/features/guarantee_lifecycle,
fund_books.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from guarantee.adapters.clock import FixedClock
from guarantee.bootstrap import System
from guarantee.domain.errors import IllegalTransition, InsufficientCapacity
from guarantee.domain.guarantees import Guarantee, GuaranteeStatus
from guarantee.domain.ledger import EntryKind
from guarantee.services import commands as c
from tests.support import builders
from tests.support.builders import MANAGER
from tests.support.fake_uow import FakeStore, check_books

RESERVE, EXPOSURE = Decimal("3840.00"), Decimal("12800.00")  # rent 650,00 € (EXAMPLES §A)


def approved(system: System) -> str:
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    application = builders.submit_application(system, dwelling.id)
    system.bus.handle(
        c.ApproveApplication(number=application.application_number, reason="ok"), MANAGER
    )
    return application.application_number


def stored(store: FakeStore, number: str) -> Guarantee:
    found: list[Guarantee] = [
        g for g in store.all("guarantees") if number in (g.number, g.application_number)
    ]
    assert len(found) == 1
    return found[0]


def test_issuing_reserves_the_guarantee_in_the_fund_books(
    fake_system: System, store: FakeStore
) -> None:
    fund = builders.fund_with(fake_system, Decimal("100000.00"))
    guarantee = builders.issued_guarantee(fake_system, fund.id)

    assert guarantee.number == "GC-2026-000001"
    kept = stored(store, "GC-2026-000001")
    assert kept.status is GuaranteeStatus.ISSUED
    assert (kept.reserve_amount, kept.maximum_exposure) == (RESERVE, EXPOSURE)
    figures = check_books(store, fund.id)
    assert figures.reserved == RESERVE and figures.free_capacity == Decimal("96160.00")
    assert figures.exposure == EXPOSURE and figures.live_guarantees == 1
    reserve = [e for e in store.entries_of(fund.id) if e.guarantee_id == guarantee.id]
    assert [(e.kind, e.amount) for e in reserve] == [(EntryKind.RESERVE, RESERVE)]
    assert store.actions(guarantee.id) == [
        "created",
        "submit",
        "record_eligibility",
        "approve",
        "issue",
    ]
    assert {a.actor_id for a in store.audit if a.entity_id == guarantee.id} == {"gestore"}
    assert "guarantee_issued" in store.topics()


def test_a_fund_without_capacity_refuses_and_writes_nothing(
    fake_system: System, store: FakeStore, clock: FixedClock
) -> None:
    fund = builders.fund_with(fake_system, Decimal("3000.00"))
    number = approved(fake_system)
    before = store.snapshot()

    with pytest.raises(InsufficientCapacity):
        fake_system.bus.handle(c.IssueGuarantee(number=number, fund_id=fund.id), MANAGER)

    assert store.snapshot() == before
    # The refusal spent no number: the first guarantee issued is still number one.
    fake_system.bus.handle(
        c.RecordContribution(fund.id, Decimal("1000.00"), "Comune", clock.today(), "delibera 3"),
        MANAGER,
    )
    issued = fake_system.bus.handle(c.IssueGuarantee(number=number, fund_id=fund.id), MANAGER)
    assert issued.number == "GC-2026-000001"
    assert check_books(store, fund.id).free_capacity == Decimal("160.00")


def in_state(system: System, fund_id: str, state: str) -> str:
    """The application number of a guarantee brought to ``state``."""
    number = approved(system)
    if state == "approved":
        return number
    system.bus.handle(c.IssueGuarantee(number=number, fund_id=fund_id), MANAGER)
    if state == "active":
        system.bus.handle(c.ActivateGuarantee(number=number), MANAGER)
    if state == "cancelled":
        system.bus.handle(c.CancelGuarantee(number=number, reason="rinuncia"), MANAGER)
    return number


MOVES = {
    "activate": lambda n: c.ActivateGuarantee(number=n),
    "issue": lambda n: c.IssueGuarantee(number=n),
    "terminate": lambda n: c.TerminateGuarantee(number=n, reason="fine"),
    "approve": lambda n: c.ApproveApplication(number=n, reason="ok"),
}


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("approved", "activate"),
        ("issued", "issue"),
        ("issued", "terminate"),
        ("active", "activate"),
        ("active", "approve"),
        ("cancelled", "activate"),
    ],
)
def test_a_move_the_lifecycle_does_not_allow_is_refused_and_changes_nothing(
    fake_system: System, store: FakeStore, state: str, action: str
) -> None:
    fund = builders.fund_with(fake_system, Decimal("100000.00"))
    number = in_state(fake_system, fund.id, state)
    before = store.snapshot()

    with pytest.raises(IllegalTransition, match=f"impossibile eseguire '{action}'"):
        fake_system.bus.handle(MOVES[action](number), MANAGER)

    assert store.snapshot() == before
    assert stored(store, number).status.value == state


ENDINGS = {
    "issued": lambda n: c.CancelGuarantee(number=n, reason="rinuncia del locatore"),
    "active": lambda n: c.TerminateGuarantee(number=n, reason="alloggio lasciato"),
}


@pytest.mark.parametrize("state", sorted(ENDINGS))
def test_ending_a_live_guarantee_gives_its_reserve_back(
    fake_system: System, store: FakeStore, state: str
) -> None:
    fund = builders.fund_with(fake_system, Decimal("100000.00"))
    number = in_state(fake_system, fund.id, state)
    assert check_books(store, fund.id).reserved == RESERVE

    ended = fake_system.bus.handle(ENDINGS[state](number), MANAGER)

    assert ended.status in {GuaranteeStatus.CANCELLED, GuaranteeStatus.TERMINATED}
    figures = check_books(store, fund.id)
    assert (figures.reserved, figures.exposure, figures.live_guarantees) == (
        Decimal("0.00"),
        Decimal("0.00"),
        0,
    )
    assert figures.free_capacity == Decimal("100000.00")
    kinds = [e.kind for e in store.entries_of(fund.id) if e.guarantee_id == ended.id]
    assert kinds == [EntryKind.RESERVE, EntryKind.RELEASE]


def test_the_daily_run_expires_a_guarantee_past_its_end_and_not_before(
    fake_system: System, store: FakeStore, clock: FixedClock
) -> None:
    fund = builders.fund_with(fake_system, Decimal("100000.00"))
    number = in_state(fake_system, fund.id, "active")
    ends_on = stored(store, number).ends_on
    assert ends_on is not None

    clock.set(datetime(ends_on.year, ends_on.month, ends_on.day, 12, tzinfo=UTC))
    assert fake_system.bus.handle(c.ExpireDueGuarantees(), MANAGER) == []
    assert stored(store, number).status is GuaranteeStatus.ACTIVE

    clock.set(datetime(ends_on.year + 1, 1, 1, 12, tzinfo=UTC))
    assert fake_system.bus.handle(c.ExpireDueGuarantees(), MANAGER) == ["GC-2026-000001"]
    assert stored(store, number).status is GuaranteeStatus.EXPIRED
    assert check_books(store, fund.id).reserved == Decimal("0.00")
