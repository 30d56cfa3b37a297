"""The per-day totals agree with the entries, day by day, and migration 0003 rebuilds them
from books written before it existed."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import migrate, tables
from guarantee.adapters.db.engine import build_engine
from guarantee.bootstrap import System
from guarantee.domain.ledger import DEBIT_NORMAL, Account
from guarantee.services import commands as c
from tests.support import builders
from tests.support.books import check_books
from tests.support.payments import past_lease, pay_on

MANAGER = builders.MANAGER
j, p, d = tables.journal_entries.c, tables.postings.c, tables.fund_daily_totals.c


def per_day_from_entries(conn: Connection, fund_id: str) -> dict[date, dict[str, Decimal]]:
    """What each day changed, summed from the postings themselves."""
    days: dict[date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    statement = (
        select(j.occurred_on, p.account, p.side, p.amount)
        .select_from(tables.journal_entries.join(tables.postings, p.entry_id == j.id))
        .where(j.fund_id == fund_id)
    )
    for day, account, side, amount in conn.execute(statement):
        natural = "debit" if account in DEBIT_NORMAL else "credit"
        days[day][account.value] += amount if side.value == natural else -amount
    return days


def stored_days(conn: Connection, fund_id: str) -> dict[date, dict[str, Any]]:
    statement = select(tables.fund_daily_totals).where(d.fund_id == fund_id)
    return {row["day"]: dict(row) for row in conn.execute(statement).mappings()}


def story(system: System, clock: FixedClock) -> tuple[str, list[str]]:
    """Contributions on several days, guarantees issued and ended on others, a payment."""
    fund = builders.fund_with(system, Decimal("0"))
    for amount, on in (("60000", date(2026, 1, 15)), ("40000", date(2026, 3, 1))):
        system.bus.handle(
            c.RecordContribution(
                fund_id=fund.id, amount=Decimal(amount), donor="d", on=on, reference="r"
            ),
            MANAGER,
        )
    numbers: list[str] = []
    for day in (2, 2, 9):
        clock.set(datetime(2026, 11, day, 9, tzinfo=UTC))
        numbers.append(
            builders.issued_guarantee(system, fund.id, lease_data=past_lease()).number or ""
        )
    clock.set(datetime(2026, 11, 20, 9, tzinfo=UTC))
    system.bus.handle(c.CancelGuarantee(number=numbers[0], reason="errore"), MANAGER)
    return fund.id, numbers


def test_each_day_row_holds_exactly_what_that_days_entries_changed(
    system: System, clock: FixedClock
) -> None:
    fund_id, numbers = story(system, clock)
    pay_on(system, numbers[1], Decimal("100.00"), on=date(2026, 12, 1))
    with system.engine.connect() as conn:
        truth = per_day_from_entries(conn, fund_id)
        stored = stored_days(conn, fund_id)
        check_books(conn, fund_id)
    assert (
        set(stored)
        == set(truth)
        == {
            date(2026, 1, 15),
            date(2026, 3, 1),
            date(2026, 11, 2),
            date(2026, 11, 9),
            date(2026, 11, 20),
            date(2026, 12, 1),
        }
    )
    for day, changes in truth.items():
        for account in Account:
            assert stored[day][account.value] == changes.get(account.value, Decimal("0.00"))
    assert stored[date(2026, 11, 2)]["live_guarantees"] == 2
    assert stored[date(2026, 11, 2)]["exposure"] == Decimal("25600.00")
    assert stored[date(2026, 11, 2)]["entries"] == 2
    assert stored[date(2026, 11, 20)]["live_guarantees"] == -1
    assert stored[date(2026, 12, 1)]["exposure"] == Decimal("-100.00")


def test_migration_0003_rebuilds_the_day_totals_of_existing_books(
    system: System, clock: FixedClock, database_url: str
) -> None:
    fund_id, _ = story(system, clock)
    with system.engine.connect() as conn:
        before = stored_days(conn, fund_id)
    engine = build_engine(database_url)
    try:
        migrate.downgrade(engine, "0002")
        migrate.upgrade(engine)
        assert migrate.differences(engine) == []
    finally:
        engine.dispose()
    with system.engine.connect() as conn:
        assert stored_days(conn, fund_id) == before
        check_books(conn, fund_id)
