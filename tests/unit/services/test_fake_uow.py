"""The fake unit of work keeps the promises of the real one that handler tests rely on: only
commit() writes, and it writes the books, the audit trail and the outbox with the change."""

from __future__ import annotations

import inspect
from datetime import date
from decimal import Decimal

import pytest

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import account_store, repositories
from guarantee.domain.actors import Actor, Role
from guarantee.domain.funds import Fund
from guarantee.services.unit_of_work import UnitOfWork
from tests.support.fake_uow import FakeStore, FakeUnitOfWork, check_books

MANAGER = Actor("gestore", Role.FUND_MANAGER)


def new_fund(store: FakeStore, clock: FixedClock) -> str:
    with FakeUnitOfWork(store, MANAGER, clock) as uow:
        fund = uow.funds.add(Fund(name="Fondo", territory="Eporediese", created_at=clock.now()))
        uow.commit()
    return str(fund.id)


def contribute(uow: FakeUnitOfWork, fund_id: str, amount: str, clock: FixedClock) -> Fund:
    fund: Fund = uow.funds.get(fund_id)
    fund.record_contribution(
        amount=Decimal(amount),
        donor="d",
        on=date(2026, 1, 15),
        reference="r",
        now=clock.now(),
        by="gestore",
    )
    return fund


def test_what_is_not_committed_is_not_kept(clock: FixedClock) -> None:
    store = FakeStore()
    fund_id = new_fund(store, clock)
    before = store.snapshot()

    uow = FakeUnitOfWork(store, MANAGER, clock)
    with pytest.raises(RuntimeError), uow:
        contribute(uow, fund_id, "500.00", clock)
        uow.counters.next("guarantee", 2026)
        raise RuntimeError("the handler fails after changing the fund")

    assert not uow.committed
    assert store.snapshot() == before
    with FakeUnitOfWork(store, MANAGER, clock) as again:
        assert again.funds.get(fund_id).balance == Decimal("0.00")
        assert again.counters.next("guarantee", 2026) == 1, "a rolled-back number is given again"


def test_a_commit_writes_the_change_with_its_books_audit_and_events(clock: FixedClock) -> None:
    store = FakeStore()
    fund_id = new_fund(store, clock)

    with FakeUnitOfWork(store, MANAGER, clock) as uow:
        fund = contribute(uow, fund_id, "500.00", clock)
        assert uow.funds.get(fund_id) is fund, "one copy of an aggregate per transaction"
        assert store.get("funds", fund_id).balance == Decimal("0.00"), "not before the commit"
        uow.commit()

    assert uow.committed and store.commits == 2
    assert check_books(store, fund_id).balance == Decimal("500.00")
    assert [e.amount for e in store.entries_of(fund_id)] == [Decimal("500.00")]
    assert store.actions(fund_id)[-1] == "contribution"
    fund.balance = Decimal("1000000.00")
    assert store.get("funds", fund_id).balance == Decimal("500.00"), "the store keeps its copy"


def test_the_fake_answers_every_method_of_the_real_repositories(clock: FixedClock) -> None:
    """Whatever a handler may call on the SQL unit of work's repositories, the fake has, with
    the same parameters: a new query or a changed signature shows up here, not as an
    AttributeError in some handler test."""
    fake = FakeUnitOfWork(FakeStore(), MANAGER, clock)
    for name, annotation in UnitOfWork.__annotations__.items():
        if name == "actor":
            continue
        real = getattr(repositories, annotation, None) or getattr(account_store, annotation)
        double = getattr(fake, name)
        for method, member in inspect.getmembers(real, inspect.isfunction):
            if method.startswith("_"):
                continue
            assert hasattr(double, method), f"{name}.{method} missing from the fake"
            expected = list(inspect.signature(member).parameters)
            assert list(inspect.signature(getattr(type(double), method)).parameters) == expected, (
                f"{name}.{method}"
            )
