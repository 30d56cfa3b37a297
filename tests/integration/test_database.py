"""The schema: migrations up and down on this run's database, models agree, and the database
itself refuses unbalanced or edited books even when the domain is bypassed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, inspect, select, text, update
from sqlalchemy.exc import DBAPIError

from guarantee.adapters.db import migrate, tables
from guarantee.adapters.db.engine import build_engine
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.ledger import Account, Posting, Side
from tests.support import builders

NOW = datetime(2026, 11, 25, tzinfo=UTC)
MANAGER = Actor("gestore", Role.FUND_MANAGER)


def test_migrations_go_down_to_empty_and_up_again_and_match_the_models(database_url: str) -> None:
    engine = build_engine(database_url)
    try:
        assert migrate.current_revision(engine) is not None
        assert migrate.differences(engine) == []
        migrate.downgrade(engine, "base")
        left = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        migrate.upgrade(engine)
        assert migrate.differences(engine) == []
        assert "guarantees" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _entry(conn: object, fund_id: str, legs: list[tuple[str, str, int]]) -> str:
    entry_id = str(uuid.uuid4())
    conn.execute(  # type: ignore[attr-defined]
        insert(tables.journal_entries).values(
            id=entry_id,
            fund_id=fund_id,
            kind="contribution",
            occurred_on=date(2026, 1, 1),
            description="manuale",
            recorded_at=NOW,
            recorded_by="psql",
        )
    )
    for account, side, cents in legs:
        conn.execute(  # type: ignore[attr-defined]
            text(
                "INSERT INTO postings (entry_id, fund_id, account, side, amount) "
                "VALUES (:e, :f, :a, :s, :c)"
            ),
            {"e": entry_id, "f": fund_id, "a": account, "s": side, "c": cents},
        )
    return entry_id


def test_the_database_refuses_to_seal_an_unbalanced_entry(system: System) -> None:
    fund = builders.fund_with(system, builders.money("1000"))
    with pytest.raises(DBAPIError, match="non bilanciata"), system.engine.begin() as conn:
        entry = _entry(conn, fund.id, [("cash", "debit", 1000), ("contributions", "credit", 999)])
        conn.execute(
            update(tables.journal_entries)
            .where(tables.journal_entries.c.id == entry)
            .values(posted=True)
        )
    with system.engine.begin() as conn:
        entry = _entry(conn, fund.id, [("cash", "debit", 1000), ("contributions", "credit", 1000)])
        conn.execute(
            update(tables.journal_entries)
            .where(tables.journal_entries.c.id == entry)
            .values(posted=True)
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE postings SET amount = amount + 1",
        "DELETE FROM postings",
        "DELETE FROM journal_entries",
        "UPDATE journal_entries SET description = 'ritoccata'",
        "UPDATE audit_events SET reason = 'ritoccata'",
        "DELETE FROM audit_events",
    ],
)
def test_books_and_audit_trail_cannot_be_edited_or_deleted(system: System, statement: str) -> None:
    builders.fund_with(system, builders.money("1000"))
    with (
        pytest.raises(DBAPIError, match=r"sola aggiunta|non si modifica"),
        system.engine.begin() as conn,
    ):
        conn.execute(text(statement))


def test_a_sealed_entry_takes_no_new_posting(system: System) -> None:
    fund = builders.fund_with(system, builders.money("1000"))
    with system.engine.connect() as conn:
        entry_id = conn.execute(text("SELECT id FROM journal_entries")).scalar_one()
    with pytest.raises(DBAPIError, match="nessun nuovo movimento"), system.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO postings (entry_id, fund_id, account, side, amount) "
                "VALUES (:e, :f, 'cash', 'debit', 5)"
            ),
            {"e": entry_id, "f": fund.id},
        )


def test_an_unbalanced_entry_in_a_commit_is_refused_and_the_commit_leaves_nothing(
    system: System,
) -> None:
    """On PostgreSQL a commit sends the entry, its postings and its seal without waiting for each
    answer (pipeline): the seal's refusal still comes back as the database's error, and not a
    row of the transaction stays — entry, audit records, letters, staged hashes, day totals."""
    fund = builders.fund_with(system, builders.money("1000"))
    written = [
        tables.journal_entries,
        tables.postings,
        tables.audit_events,
        tables.outbox,
        tables.evidence_pending,
        tables.fund_daily_totals,
    ]

    def state() -> list[object]:
        with system.engine.connect() as conn:
            balance = conn.scalar(
                select(tables.funds.c.balance).where(tables.funds.c.id == fund.id)
            )
            return [balance, *(conn.scalar(select(func.count()).select_from(t)) for t in written)]

    before = state()
    with pytest.raises(DBAPIError, match="non bilanciata"), system.bus.uow_factory(MANAGER) as uow:
        loaded = uow.funds.get(fund.id, for_update=True)
        entry = loaded.record_contribution(
            amount=Decimal("10.00"), donor="Comune", on=NOW.date(), reference="c-1", now=NOW, by="t"
        )
        # A faulty caller bypassing the domain: 10.00 in the cash, 9.00 in the contributions.
        object.__setattr__(
            entry,
            "postings",
            (
                Posting(Account.CASH, Side.DEBIT, Decimal("10.00")),
                Posting(Account.CONTRIBUTIONS, Side.CREDIT, Decimal("9.00")),
            ),
        )
        uow.commit()
    assert state() == before


def test_the_fund_can_never_reserve_more_than_it_holds(system: System) -> None:
    fund = builders.fund_with(system, builders.money("1000"))
    with pytest.raises(DBAPIError), system.engine.begin() as conn:
        conn.execute(
            update(tables.funds)
            .where(tables.funds.c.id == fund.id)
            .values(reserved=builders.money("1000.01"))
        )
