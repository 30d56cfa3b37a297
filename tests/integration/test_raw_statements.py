"""Appends and reads sent straight to the driver (guarantee.adapters.db.raw) store and return
exactly what SQLAlchemy's execute of the same Core statement does, and a refusal comes back
as SQLAlchemy's exception — also when it was queued on a pipelined PostgreSQL connection."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from guarantee.adapters.db import raw, tables
from guarantee.adapters.db.pipeline import pipelined
from guarantee.adapters.db.repositories import _SEAL_ENTRY, _day_totals_upsert
from guarantee.bootstrap import System
from guarantee.domain.evidence_chain import record_hash
from guarantee.domain.ledger import Account, EntryKind, Side
from tests.support import builders

# Microseconds, a zone other than UTC: both must be stored as the same UTC instant.
MOMENT = datetime(2026, 11, 25, 11, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))


def _stored(conn: Connection, table: Table, key: str, value: str) -> dict[str, Any]:
    """A row as the database holds it, every column as its text (JSON as its stored text)."""
    names = _as_text(table)
    rows = conn.exec_driver_sql(
        f'SELECT {names} FROM {table.name} WHERE "{key}" = %(v)s'
        if conn.dialect.name == "postgresql"
        else f'SELECT {names} FROM {table.name} WHERE "{key}" = :v',
        {"v": value},
    ).mappings()
    (row,) = list(rows)
    return dict(row)


def _as_text(table: Table) -> str:
    return ", ".join(f'CAST("{c.name}" AS TEXT) AS "{c.name}"' for c in table.columns)


def _both_ways(
    conn: Connection, statement: Any, table: Table, key: str, row: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same row written by SQLAlchemy and by raw.execute (under another key), as stored."""
    core, direct = str(uuid.uuid4()), str(uuid.uuid4())
    conn.execute(statement, [{**row, key: core}])
    raw.execute(conn, statement, [{**row, key: direct}])
    written = _stored(conn, table, key, core), _stored(conn, table, key, direct)
    for stored in written:
        stored.pop(key)
        stored.pop("seq", None)  # generated in order: one apart
    return written


def _entry(fund_id: str) -> dict[str, Any]:
    return {
        "fund_id": fund_id,
        "kind": EntryKind.CONTRIBUTION,
        "occurred_on": date(2026, 11, 25),
        "description": "Contributo «Comune» — è arrivato",
        "reference": None,
        "guarantee_id": None,
        "recorded_at": MOMENT,
        "recorded_by": "gestore",
    }


def test_an_append_on_the_driver_stores_what_sqlalchemy_stores(system: System) -> None:
    fund = builders.fund_with(system, builders.money("1000"))
    with system.engine.begin() as conn:
        outbox = {
            "topic": "guarantee.issued",
            "entity_type": "guarantee",
            "entity_id": "g-1",
            "payload": {"amount": "12.30", "letters": [{"name": "Città", "n": [1, 2.5]}]},
            "actor_id": "gestore",
            "created_at": MOMENT,
            "status": "pending",
            "attempts": 0,
            "available_at": MOMENT,
        }
        core, direct = _both_ways(conn, insert(tables.outbox), tables.outbox, "id", outbox)
        assert core == direct

        staged = {"record_type": "audit_event", "record_hash": "ab" * 32, "staged_at": MOMENT}
        core, direct = _both_ways(
            conn, insert(tables.evidence_pending), tables.evidence_pending, "record_id", staged
        )
        assert core == direct

        # A journal entry, its two postings and its seal, each written both ways.
        entries = insert(tables.journal_entries)
        by_core, by_driver = str(uuid.uuid4()), str(uuid.uuid4())
        conn.execute(entries, [{**_entry(fund.id), "id": by_core}])
        raw.execute(conn, entries, [{**_entry(fund.id), "id": by_driver}])
        core, direct = (
            _stored(conn, tables.journal_entries, "id", e) for e in (by_core, by_driver)
        )
        assert core.pop("id") != direct.pop("id")
        assert core == direct
        assert core["posted"] in ("false", "0")
        legs = [
            {"fund_id": fund.id, "account": Account.CASH, "side": Side.DEBIT},
            {"fund_id": fund.id, "account": Account.CONTRIBUTIONS, "side": Side.CREDIT},
        ]
        amount = Decimal("1234.56")
        conn.execute(
            insert(tables.postings),
            [{**leg, "entry_id": by_core, "amount": amount} for leg in legs],
        )
        raw.execute(
            conn,
            insert(tables.postings),
            [{**leg, "entry_id": by_driver, "amount": amount} for leg in legs],
        )
        conn.execute(_SEAL_ENTRY, {"entry_id": by_core})
        raw.execute(conn, _SEAL_ENTRY, [{"entry_id": by_driver}])
        postings = [_stored_all(conn, tables.postings, "entry_id", e) for e in (by_core, by_driver)]
        for rows in postings:
            for row in rows:
                row.pop("id"), row.pop("entry_id")
        assert postings[0] == postings[1]
        assert [row["amount"] for row in postings[0]] == ["123456", "123456"]
        sealed = [_stored(conn, tables.journal_entries, "id", e) for e in (by_core, by_driver)]
        assert [row["posted"] for row in sealed] == [sealed[0]["posted"]] * 2
        assert sealed[0]["posted"] in ("true", "1")
    # The transaction commits: both entries balance and are sealed.
    with system.engine.connect() as conn:
        j = tables.journal_entries.c
        found = conn.execute(select(j.posted).where(j.id.in_([by_core, by_driver]))).scalars()
        assert list(found) == [True, True]


def _stored_all(conn: Connection, table: Table, key: str, value: str) -> list[dict[str, Any]]:
    names = _as_text(table)
    marker = "%(v)s" if conn.dialect.name == "postgresql" else ":v"
    sql = f'SELECT {names} FROM {table.name} WHERE "{key}" = {marker} ORDER BY "side"'
    return [dict(row) for row in conn.exec_driver_sql(sql, {"v": value}).mappings()]


def test_day_totals_on_the_driver_insert_then_add_integer_cents_as_sqlalchemy_does(
    system: System,
) -> None:
    fund = builders.fund_with(system, builders.money("1000"))
    days = {
        "fund_id": fund.id,
        "entries": 1,
        **{account.value: Decimal("0.00") for account in Account},
        "cash": Decimal("1234.56"),
        "exposure": Decimal("-0.01"),
        "live_guarantees": 2,
    }
    first, second = date(2030, 1, 1), date(2030, 1, 2)
    with system.engine.begin() as conn:
        upsert = _day_totals_upsert(conn.dialect.name)
        # A day nobody wrote yet is inserted once by each path, then added to by the other.
        conn.execute(upsert, [{**days, "day": first}])
        raw.execute(conn, upsert, [{**days, "day": second}])
        raw.execute(conn, upsert, [{**days, "day": first}])
        conn.execute(upsert, [{**days, "day": second}])
        t = tables.fund_daily_totals.c
        summed = {
            row.day: (row.entries, row.cash, row.exposure, row.live_guarantees)
            for row in conn.execute(
                select(t.day, t.entries, t.cash, t.exposure, t.live_guarantees).where(
                    t.day >= first
                )
            )
        }
        stored = conn.exec_driver_sql(
            "SELECT cash, exposure FROM fund_daily_totals ORDER BY day DESC LIMIT 2"
        ).all()
    assert summed == {
        first: (2, Decimal("2469.12"), Decimal("-0.02"), 4),
        second: (2, Decimal("2469.12"), Decimal("-0.02"), 4),
    }
    assert [tuple(row) for row in stored] == [(246912, -2), (246912, -2)]


def test_an_audit_row_comes_back_from_the_driver_as_sqlalchemy_reads_it(system: System) -> None:
    """What is hashed at commit (the RETURNING row) is what `audit verify` reads back later."""
    builders.fund_with(system, builders.money("1000"))
    events = [
        {
            "id": str(uuid.uuid4()),
            "occurred_at": MOMENT,
            "actor_id": "gestore",
            "actor_role": "fund_manager",
            "actor_account_id": None,
            "entity_type": "guarantee",
            "entity_id": "g-1",
            "action": action,
            "before": {"status": "approved", "rent": "700.00"},
            "after": {"status": "issued", "n": 1.0, "città": "Forlì"},
            "reason": reason,
        }
        for action, reason in (("issue", None), ("note", "perché sì"))
    ]
    statement = insert(tables.audit_events).returning(*tables.audit_events.c)
    with system.engine.begin() as conn:
        returned = raw.fetch_each(conn, statement, events)
    assert [r["id"] for r in returned] == [e["id"] for e in events]  # in the order given
    with system.engine.connect() as conn:
        a = tables.audit_events.c
        for row in returned:
            read = conn.execute(select(tables.audit_events).where(a.id == row["id"])).mappings()
            assert record_hash(row) == record_hash(dict(read.one()))
            assert row["occurred_at"] == MOMENT and row["occurred_at"].tzinfo is not None


def test_a_refused_append_fails_the_transaction_as_sqlalchemy_would_and_leaves_nothing(
    system: System,
) -> None:
    """On PostgreSQL the append is only queued (pipeline): the next statement whose answer is
    read raises the refusal; on SQLite the append raises it itself."""
    fund = builders.fund_with(system, builders.money("1000"))
    posting = {"fund_id": fund.id, "account": Account.CASH, "side": Side.DEBIT}
    entry = str(uuid.uuid4())

    def count() -> int:
        with system.engine.connect() as conn:
            return len(conn.execute(select(tables.journal_entries.c.id)).all())

    before = count()
    with Session(system.engine) as session:
        pipelined(session)
        conn = session.connection()
        with pytest.raises(IntegrityError, match="amount_positive"):
            raw.execute(
                conn,
                insert(tables.journal_entries),
                [
                    {
                        "id": entry,
                        "fund_id": fund.id,
                        "kind": EntryKind.CONTRIBUTION,
                        "occurred_on": date(2026, 11, 25),
                        "description": "rifiutata",
                        "reference": None,
                        "guarantee_id": None,
                        "recorded_at": MOMENT,
                        "recorded_by": "gestore",
                    }
                ],
            )
            raw.execute(
                conn,
                insert(tables.postings),
                [{**posting, "entry_id": entry, "amount": Decimal("0")}],
            )
            raw.fetch(conn, select(tables.funds.c.balance), {})
        session.rollback()
    assert count() == before
