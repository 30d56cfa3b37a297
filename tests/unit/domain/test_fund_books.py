"""The fund's books balance after any sequence of events, and it never overcommits."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guarantee.domain.errors import InsufficientCapacity
from guarantee.domain.funds import Fund
from guarantee.domain.ledger import (
    Account,
    EntryKind,
    JournalEntry,
    Posting,
    Side,
    UnbalancedEntry,
    balances,
)

NOW = datetime(2026, 11, 25, tzinfo=UTC)
DAY = date(2026, 11, 25)


def new_fund() -> Fund:
    return Fund(name="Fondo Garanzia Casa Eporediese", territory="Eporediese", created_at=NOW)


def contribute(fund: Fund, amount: str) -> None:
    fund.record_contribution(
        amount=Decimal(amount),
        donor="Fondazione",
        on=DAY,
        reference="delibera",
        now=NOW,
        by="gestore",
    )


def reserve(fund: Fund, n: int) -> None:
    fund.reserve_for(
        guarantee_id=f"g{n}",
        guarantee_number=f"GC-2026-{n:06d}",
        reserve=Decimal("3840.00"),
        exposure=Decimal("12800.00"),
        on=DAY,
        now=NOW,
        by="gestore",
    )


def test_worked_example_a_26_guarantees_fit_the_27th_does_not() -> None:
    fund = new_fund()
    contribute(fund, "60000.00")
    contribute(fund, "40000.00")
    for n in range(1, 27):
        reserve(fund, n)
    assert fund.balance == Decimal("100000.00")
    assert fund.reserved == Decimal("99840.00")
    assert fund.free_capacity == Decimal("160.00")
    assert fund.exposure == Decimal("332800.00")
    with pytest.raises(InsufficientCapacity) as refused:
        reserve(fund, 27)
    assert "capienza del fondo insufficiente" in refused.value.message
    assert "3.840,00" in refused.value.message and "160,00" in refused.value.message
    assert fund.reserved == Decimal("99840.00"), "a refusal leaves the books as they were"
    assert len(fund.new_entries) == 2 + 26


def test_an_unbalanced_entry_cannot_exist() -> None:
    with pytest.raises(UnbalancedEntry):
        JournalEntry(
            fund_id="f",
            kind=EntryKind.CONTRIBUTION,
            occurred_on=DAY,
            description="x",
            postings=(
                Posting(Account.CASH, Side.DEBIT, Decimal("10.00")),
                Posting(Account.CONTRIBUTIONS, Side.CREDIT, Decimal("9.99")),
            ),
            recorded_at=NOW,
            recorded_by="gestore",
        )
    with pytest.raises(UnbalancedEntry):
        Posting(Account.CASH, Side.DEBIT, Decimal("-1.00"))
    with pytest.raises(UnbalancedEntry):
        Posting(Account.CASH, Side.DEBIT, Decimal("1.001"))


events = st.lists(
    st.one_of(
        st.tuples(st.just("contribute"), st.integers(min_value=1, max_value=5_000_000)),
        st.tuples(st.just("reserve"), st.integers(min_value=1, max_value=2_000_000)),
        st.tuples(st.just("release"), st.integers(min_value=0, max_value=50)),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(events)
def test_running_balances_always_equal_the_entries(steps: list[tuple[str, int]]) -> None:
    fund = new_fund()
    live: list[tuple[str, Decimal]] = []
    for n, (kind, value) in enumerate(steps):
        if kind == "contribute":
            contribute(fund, str(Decimal(value) / 100))
        elif kind == "reserve":
            amount = Decimal(value) / 100
            try:
                fund.reserve_for(
                    guarantee_id=f"g{n}",
                    guarantee_number=f"GC-{n}",
                    reserve=amount,
                    exposure=amount * 3,
                    on=DAY,
                    now=NOW,
                    by="t",
                )
                live.append((f"g{n}", amount))
            except InsufficientCapacity:
                assert amount > fund.free_capacity
        elif live:
            gid, amount = live.pop(value % len(live))
            fund.release_for(
                guarantee_id=gid,
                guarantee_number=gid,
                reserve=amount,
                exposure=amount * 3,
                on=DAY,
                now=NOW,
                by="t",
            )
        truth = balances(fund.new_entries)
        assert fund.balance == truth[Account.CASH]
        assert fund.reserved == truth[Account.RESERVES] == sum((a for _, a in live), Decimal(0))
        assert fund.free_capacity >= 0
        for entry in fund.new_entries:
            debit = sum((p.amount for p in entry.postings if p.side is Side.DEBIT), Decimal(0))
            credit = sum((p.amount for p in entry.postings if p.side is Side.CREDIT), Decimal(0))
            assert debit == credit
