"""Repositories: add and get aggregates; remember what was handed out so changes are audited."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Table, case, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from guarantee.adapters.db import tables
from guarantee.adapters.db.types import Cents
from guarantee.domain.actors import Actor
from guarantee.domain.aggregate import Aggregate, DomainEvent
from guarantee.domain.audit import AuditEvent
from guarantee.domain.errors import NotFound
from guarantee.domain.fund_figures import DayTotals
from guarantee.domain.funds import Fund
from guarantee.domain.guarantees import LIVE_STATES, Guarantee
from guarantee.domain.households import Household
from guarantee.domain.landlords import Landlord, Property
from guarantee.domain.ledger import Account, JournalEntry, Side
from guarantee.domain.money import ZERO

A = TypeVar("A", bound=Aggregate)


class Repository(Generic[A]):
    model: type[A]
    table: Table
    label: str

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set[Aggregate] = set()

    def add(self, aggregate: A) -> A:
        self.session.add(aggregate)
        self.seen.add(aggregate)
        return aggregate

    def get(self, id: str, *, for_update: bool = False) -> A:
        found = self._one(self.table.c.id == id, for_update)
        if found is None:
            raise NotFound(self.label, id)
        return found

    def _one(self, condition: Any, for_update: bool = False) -> A | None:
        statement = select(self.model).where(condition)
        if for_update:
            statement = statement.with_for_update()
        found = self.session.scalars(statement).one_or_none()
        if found is not None:
            self.seen.add(found)
        return found


class LandlordRepository(Repository[Landlord]):
    model = Landlord
    table = tables.landlords
    label = "locatore"

    def by_tax_code(self, tax_code: str) -> Landlord | None:
        return self._one(self.table.c.tax_code == tax_code)


class PropertyRepository(Repository[Property]):
    model = Property
    table = tables.properties
    label = "immobile"


class HouseholdRepository(Repository[Household]):
    model = Household
    table = tables.households
    label = "nucleo familiare"


class GuaranteeRepository(Repository[Guarantee]):
    model = Guarantee
    table = tables.guarantees
    label = "garanzia"

    def by_number(self, number: str, *, for_update: bool = False) -> Guarantee:
        column = tables.guarantees.c
        condition = (column.number == number) | (column.application_number == number)
        found = self._one(condition, for_update)
        if found is None:
            raise NotFound(self.label, number)
        return found

    def live_for_tenant(self, tax_code: str, excluding: str | None = None) -> int:
        g, h = tables.guarantees, tables.households
        statement = (
            select(func.count())
            .select_from(g.join(h, g.c.household_id == h.c.id))
            .where(h.c.main_tenant_tax_code == tax_code)
            .where(g.c.status.in_([s.value for s in LIVE_STATES]))
        )
        if excluding is not None:
            statement = statement.where(g.c.id != excluding)
        return int(self.session.scalar(statement) or 0)

    def due_to_expire(self, before: Any) -> list[str]:
        g = tables.guarantees.c
        statement = (
            select(g.id)
            .where(g.status.in_(["active", "issued"]))
            .where(g.ends_on < before)
            .order_by(g.ends_on)
        )
        return list(self.session.scalars(statement))


class FundRepository(Repository[Fund]):
    model = Fund
    table = tables.funds
    label = "fondo"

    def default_id(self) -> str:
        """The oldest fund: where guarantees go when the manager names none."""
        f = tables.funds.c
        found = self.session.scalar(select(f.id).order_by(f.created_at, f.id).limit(1))
        if found is None:
            raise NotFound(self.label, "predefinito")
        return str(found)


class Ledger:
    """Append-only: journal entries are inserted, never updated or deleted."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, entries: Iterable[JournalEntry]) -> None:
        for entry in entries:
            self.session.execute(
                insert(tables.journal_entries).values(
                    id=entry.id,
                    fund_id=entry.fund_id,
                    kind=entry.kind,
                    occurred_on=entry.occurred_on,
                    description=entry.description,
                    reference=entry.reference,
                    guarantee_id=entry.guarantee_id,
                    recorded_at=entry.recorded_at,
                    recorded_by=entry.recorded_by,
                )
            )
            self.session.execute(
                insert(tables.postings),
                [
                    {
                        "entry_id": entry.id,
                        "fund_id": entry.fund_id,
                        "account": p.account,
                        "side": p.side,
                        "amount": p.amount,
                    }
                    for p in entry.postings
                ],
            )
            self.session.execute(
                update(tables.journal_entries)
                .where(tables.journal_entries.c.id == entry.id)
                .values(posted=True)
            )

    def owed_on(self, guarantee_id: str) -> Decimal:
        """What the tenant still owes the fund on one guarantee (its recoveries receivable)."""
        j, p = tables.journal_entries.c, tables.postings.c
        signed = case((p.side == Side.DEBIT.value, p.amount), else_=-p.amount)
        statement = (
            select(func.coalesce(func.sum(signed), 0, type_=Cents()))
            .select_from(tables.postings.join(tables.journal_entries, p.entry_id == j.id))
            .where(j.guarantee_id == guarantee_id)
            .where(p.account == Account.RECOVERIES_RECEIVABLE.value)
        )
        owed: Decimal = self.session.scalar(statement) or ZERO
        return owed


class FundDays:
    """Per-day totals of each fund: added to in the same transaction as the entries."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, fund_id: str, days: Iterable[DayTotals]) -> None:
        statement = _day_totals_upsert(self.session.get_bind().dialect.name)
        for totals in days:
            self.session.execute(
                statement,
                {
                    "fund_id": fund_id,
                    "day": totals.day,
                    "entries": totals.entries,
                    "exposure": totals.exposure,
                    "live_guarantees": totals.live_guarantees,
                    **{account.value: delta for account, delta in totals.accounts.items()},
                },
            )


@functools.cache
def _day_totals_upsert(dialect: str) -> Any:
    """One statement, built once: a first change of the day inserts, every later one adds."""
    table = tables.fund_daily_totals
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    summed = [c.name for c in table.columns if c.name not in {"fund_id", "day"}]
    return statement.on_conflict_do_update(
        index_elements=[table.c.fund_id, table.c.day],
        set_={name: table.c[name] + statement.excluded[name] for name in summed},
    )


class AuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, events: Iterable[AuditEvent]) -> None:
        rows = [
            {
                "id": e.id,
                "occurred_at": e.occurred_at,
                "actor_id": e.actor_id,
                "actor_role": e.actor_role,
                "entity_type": e.entity_type,
                "entity_id": e.entity_id,
                "action": e.action,
                "before": e.before,
                "after": e.after,
                "reason": e.reason,
            }
            for e in events
        ]
        if rows:
            self.session.execute(insert(tables.audit_events), rows)


class Outbox:
    """Domain events become rows in the business transaction: a crash loses neither or both."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, events: Iterable[DomainEvent], actor: Actor, now: datetime) -> None:
        rows = [
            {
                "id": str(uuid.uuid4()),
                "topic": e.name,
                "entity_type": e.entity_type,
                "entity_id": e.entity_id,
                "payload": e.data,
                "actor_id": actor.user_id,
                "created_at": now,
                "status": "pending",
                "attempts": 0,
                "available_at": now,
            }
            for e in events
        ]
        if rows:
            self.session.execute(insert(tables.outbox), rows)


class Counters:
    """Gapless yearly sequences: the increment commits or rolls back with the business change."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def next(self, name: str, year: int) -> int:
        return next_in_sequence(self.session.connection(), name, year)


def next_in_sequence(conn: Connection, name: str, year: int) -> int:
    """One upsert: the first number of a year and every later one take the same row lock,
    so concurrent callers queue and each gets the next value, and a rollback leaves no hole."""
    upsert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    c = tables.counters.c
    statement = (
        upsert(tables.counters)
        .values(name=name, year=year, value=1)
        .on_conflict_do_update(
            index_elements=[c.name, c.year], set_={"value": tables.counters.c.value + 1}
        )
        .returning(c.value)
    )
    return int(conn.execute(statement).scalar_one())
