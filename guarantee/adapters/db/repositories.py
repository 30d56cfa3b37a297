"""Repositories: add and get aggregates; remember what was handed out so changes are audited."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Table, bindparam, case, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from guarantee.adapters.db import raw, tables
from guarantee.adapters.db.evidence_chain import note_pending, staged
from guarantee.adapters.db.types import Cents
from guarantee.domain.actors import Actor, Role
from guarantee.domain.aggregate import Aggregate, DomainEvent
from guarantee.domain.arrears import ArrearsReport
from guarantee.domain.attestations import Attestation
from guarantee.domain.audit import AuditEvent
from guarantee.domain.claims import Claim
from guarantee.domain.errors import NotFound
from guarantee.domain.fund_figures import DayTotals
from guarantee.domain.funds import Fund
from guarantee.domain.guarantees import LIVE_STATES, Guarantee
from guarantee.domain.households import Household
from guarantee.domain.landlords import Landlord, Property
from guarantee.domain.ledger import Account, JournalEntry, Side
from guarantee.domain.mediation import MediationCase, MediationStatus
from guarantee.domain.mediators import Mediator
from guarantee.domain.money import ZERO
from guarantee.domain.print_batches import PrintBatch
from guarantee.domain.recovery import RecoveryPlan

A = TypeVar("A", bound=Aggregate)


class Repository(Generic[A]):
    model: type[A]
    table: Table
    label: str
    # Flush on add: rows of mappers with no relationship between them (a case and the report
    # it comes from) must reach the database in the order they were added.
    flush_on_add = False

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set[Aggregate] = set()

    def add(self, aggregate: A) -> A:
        self.session.add(aggregate)
        self.seen.add(aggregate)
        if self.flush_on_add:
            self.session.flush()
        return aggregate

    def get(self, id: str, *, for_update: bool = False) -> A:
        found = self._one(("id",), id, for_update)
        if found is None:
            raise NotFound(self.label, id)
        return found

    def _one(self, columns: tuple[str, ...], value: Any, for_update: bool = False) -> A | None:
        """The row whose value in any of ``columns`` is ``value``."""
        statement = _select_one(self.model, self.table, columns, for_update)  # type: ignore[arg-type]
        found = self.session.scalars(statement, {"value": value}).one_or_none()
        if found is not None:
            self.seen.add(found)
        return found


@functools.cache
def _select_one(model: type, table: Table, columns: tuple[str, ...], for_update: bool) -> Any:
    """Built once per repository and key: building a select costs more client CPU than running
    it, and every command loads its aggregates this way."""
    value: Any = bindparam("value")
    statement: Any = select(model).where(or_(*(table.c[name] == value for name in columns)))
    if for_update:
        # Re-read under the lock: an object loaded earlier in the session may be stale.
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return statement


class LandlordRepository(Repository[Landlord]):
    model = Landlord
    table = tables.landlords
    label = "locatore"
    flush_on_add = True  # an account enrolled with it refers to the row

    def by_tax_code(self, tax_code: str) -> Landlord | None:
        return self._one(("tax_code",), tax_code)


class PropertyRepository(Repository[Property]):
    model = Property
    table = tables.properties
    label = "immobile"


class HouseholdRepository(Repository[Household]):
    model = Household
    table = tables.households
    label = "nucleo familiare"

    def referred_by(self, household_id: str) -> set[str]:
        """Who filed the household's applications: the help desks that refer it."""
        g, a = tables.guarantees.c, tables.attestations.c
        found = self.session.scalars(select(g.created_by).where(g.household_id == household_id))
        attested = self.session.scalars(select(a.created_by).where(a.household_id == household_id))
        return set(found) | set(attested)


class GuaranteeRepository(Repository[Guarantee]):
    model = Guarantee
    table = tables.guarantees
    label = "garanzia"

    def by_number(self, number: str, *, for_update: bool = False) -> Guarantee:
        found = self._one(("number", "application_number"), number, for_update)
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


class AttestationRepository(Repository[Attestation]):
    model = Attestation
    table = tables.attestations
    label = "attestazione"

    def by_number(self, number: str, *, for_update: bool = False) -> Attestation:
        found = self._one(("number",), number, for_update)
        if found is None:
            raise NotFound(self.label, number)
        return found


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

    def name_taken(self, name: str) -> bool:
        f = tables.funds.c
        return self.session.scalar(select(f.id).where(f.name == name)) is not None


class _Numbered(Repository[A]):
    def by_number(self, number: str, *, for_update: bool = False) -> A:
        found = self._one(("number",), number, for_update)
        if found is None:
            raise NotFound(self.label, number)
        return found

    def _many(self, condition: Any, *order_by: Any) -> list[A]:
        found = list(self.session.scalars(select(self.model).where(condition).order_by(*order_by)))
        self.seen.update(found)
        return found


class ArrearsReportRepository(Repository[ArrearsReport]):
    flush_on_add = True
    model = ArrearsReport
    table = tables.arrears_reports
    label = "segnalazione di morosità"

    def for_guarantee(self, guarantee_id: str) -> list[ArrearsReport]:
        """Oldest first: the last one is the latest report."""
        r = self.table.c
        statement = (
            select(ArrearsReport)
            .where(r.guarantee_id == guarantee_id)
            .order_by(r.reported_at, r.id)
        )
        found = list(self.session.scalars(statement))
        self.seen.update(found)
        return found


class MediationCaseRepository(_Numbered[MediationCase]):
    flush_on_add = True
    model = MediationCase
    table = tables.mediation_cases
    label = "pratica di mediazione"

    def for_guarantee(self, guarantee_id: str) -> list[MediationCase]:
        m = self.table.c
        return self._many(m.guarantee_id == guarantee_id, m.opened_at, m.id)

    def mediators(self) -> list[Mediator]:
        """Active users with the mediator role."""
        u = tables.users.c
        rows = self.session.execute(
            select(u.id, u.full_name).where(u.role == Role.MEDIATOR.value).where(u.active)
        )
        return [Mediator(user_id=row.id, name=row.full_name) for row in rows]

    def user_id_of(self, username: str) -> str | None:
        """The user id behind an actor (actors carry the username)."""
        u = tables.users.c
        found = self.session.scalar(select(u.id).where(u.username == username))
        return None if found is None else str(found)

    def open_cases_by_mediator(self) -> dict[str, int]:
        m = self.table.c
        rows = self.session.execute(
            select(m.mediator_id, func.count())
            .where(m.mediator_id.is_not(None))
            .where(m.status != MediationStatus.CLOSED.value)
            .group_by(m.mediator_id)
        )
        return {str(mediator): int(count) for mediator, count in rows}


class ClaimRepository(_Numbered[Claim]):
    flush_on_add = True
    model = Claim
    table = tables.claims
    label = "richiesta di escussione"

    def for_guarantee(self, guarantee_id: str) -> list[Claim]:
        c = self.table.c
        return self._many(c.guarantee_id == guarantee_id, c.filed_at, c.id)

    def guarantee_id_of(self, number: str) -> str:
        c = self.table.c
        found = self.session.scalar(select(c.guarantee_id).where(c.number == number))
        if found is None:
            raise NotFound(self.label, number)
        return str(found)


class PrintBatchRepository(Repository[PrintBatch]):
    model = PrintBatch
    table = tables.print_batches
    label = "lotto di stampa"


class RecoveryPlanRepository(_Numbered[RecoveryPlan]):
    flush_on_add = True
    model = RecoveryPlan
    table = tables.recovery_plans
    label = "piano di rientro"

    def for_claim(self, claim_id: str) -> list[RecoveryPlan]:
        """Every plan of a claim, oldest first: replaced ones, then the one in force."""
        column = self.table.c
        return self._many(column.claim_id == claim_id, column.created_at, column.number)


class IdempotencyKeys:
    """The first answer to a request, kept under its Idempotency-Key (per actor and command)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, actor_id: str, command: str, key: str) -> tuple[str, dict[str, Any]] | None:
        k = tables.idempotency_keys.c
        row = self.session.execute(
            select(k.request_hash, k.response)
            .where(k.actor_id == actor_id)
            .where(k.command == command)
            .where(k.key == key)
        ).one_or_none()
        return None if row is None else (row.request_hash, dict(row.response))

    def save(
        self,
        actor_id: str,
        command: str,
        key: str,
        request_hash: str,
        response: dict[str, Any],
        now: datetime,
    ) -> None:
        self.session.execute(
            insert(tables.idempotency_keys).values(
                actor_id=actor_id,
                command=command,
                key=key,
                request_hash=request_hash,
                response=response,
                created_at=now,
            )
        )


class Ledger:
    """Append-only: journal entries are inserted, never updated or deleted."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, entries: Iterable[JournalEntry]) -> None:
        """The entries, their postings, then each entry's seal (``posted``), which the database
        accepts only for an entry whose postings balance. Nobody reads their answers: they go
        straight to the driver (raw), and in a pipelined commit travel with the next statement
        whose answer is read (guarantee.adapters.db.pipeline), where a refusal is raised."""
        batch = list(entries)
        if not batch:
            return
        conn = self.session.connection()
        raw.execute(
            conn,
            _INSERT_ENTRIES,
            [
                {
                    "id": entry.id,
                    "fund_id": entry.fund_id,
                    "kind": entry.kind,
                    "occurred_on": entry.occurred_on,
                    "description": entry.description,
                    "reference": entry.reference,
                    "guarantee_id": entry.guarantee_id,
                    "recorded_at": entry.recorded_at,
                    "recorded_by": entry.recorded_by,
                }
                for entry in batch
            ],
        )
        raw.execute(
            conn,
            _INSERT_POSTINGS,
            [
                {
                    "entry_id": entry.id,
                    "fund_id": entry.fund_id,
                    "account": p.account,
                    "side": p.side,
                    "amount": p.amount,
                }
                for entry in batch
                for p in entry.postings
            ],
        )
        raw.execute(conn, _SEAL_ENTRY, [{"entry_id": entry.id} for entry in batch])

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


# Appends nobody reads an answer from, run on the driver (raw.execute).
_INSERT_ENTRIES = insert(tables.journal_entries)
_INSERT_POSTINGS = insert(tables.postings)
_SEAL_ENTRY = (
    update(tables.journal_entries)
    .where(tables.journal_entries.c.id == bindparam("entry_id"))
    .values(posted=True)
)


class FundDays:
    """Per-day totals of each fund: added to in the same transaction as the entries."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, fund_id: str, days: Iterable[DayTotals]) -> None:
        rows = [
            {
                "fund_id": fund_id,
                "day": totals.day,
                "entries": totals.entries,
                "exposure": totals.exposure,
                "live_guarantees": totals.live_guarantees,
                **{account.value: delta for account, delta in totals.accounts.items()},
            }
            for totals in days
        ]
        if rows:  # an append nobody reads the answer of (raw.execute), one per day touched
            conn = self.session.connection()
            raw.execute(conn, _day_totals_upsert(conn.dialect.name), rows)

    def sums(self, fund_id: str) -> DayTotals:
        """A fund's day totals summed over all its days: what its running balances must be."""
        (sums,) = raw.fetch(self.session.connection(), _DAY_SUMS, {"fund_id": fund_id})
        return DayTotals(
            day=date.max,
            accounts={account: sums[account.value] for account in Account},
            exposure=sums["exposure"],
            live_guarantees=int(sums["live_guarantees"]),
            entries=int(sums["entries"]),
        )


def _day_sums() -> Any:
    table = tables.fund_daily_totals
    summed = [c for c in table.columns if c.name not in {"fund_id", "day"}]
    return select(
        *(func.coalesce(func.sum(c), 0, type_=c.type).label(c.name) for c in summed)
    ).where(table.c.fund_id == bindparam("fund_id"))


# Every issue and payment sums the days under the fund's lock: the statement is built once
# (and compiled once, for the driver: raw.fetch).
_DAY_SUMS = _day_sums()


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


# Each row comes back as stored (raw.fetch_each answers in the order of the rows given).
_INSERT_AUDIT = insert(tables.audit_events).returning(*tables.audit_events.c)


class AuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, events: Iterable[AuditEvent]) -> None:
        events_list = list(events)
        rows = [
            {
                "id": e.id,
                "occurred_at": e.occurred_at,
                "actor_id": e.actor_id,
                "actor_role": e.actor_role,
                "actor_account_id": e.actor_account_id,
                "entity_type": e.entity_type,
                "entity_id": e.entity_id,
                "action": e.action,
                "before": e.before,
                "after": e.after,
                "reason": e.reason,
            }
            for e in events_list
        ]
        if rows:
            # One round trip for all of them; the rows come back as stored (decoded by the
            # columns' types, as SQLAlchemy would), to be hashed and staged for the chain as
            # the commit's last statement (evidence_chain).
            written = raw.fetch_each(self.session.connection(), _INSERT_AUDIT, rows)
            note_pending(self.session, staged(written))


_INSERT_OUTBOX = insert(tables.outbox)  # nobody reads its answer (raw.execute)

# Takes an event's letters in the business transaction (guarantee.read.snapshots).
Snapshot = Callable[[Connection, DomainEvent], list[dict[str, Any]] | None]


class Outbox:
    """Domain events become rows in the business transaction: a crash loses neither or both."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self,
        events: Iterable[DomainEvent],
        actor: Actor,
        now: datetime,
        snapshot: Snapshot | None = None,
    ) -> None:
        conn = self.session.connection()

        def payload(e: DomainEvent) -> dict[str, Any]:
            letters = snapshot(conn, e) if snapshot is not None else None
            return {**e.data, "letters": letters} if letters else dict(e.data)

        rows = [
            {
                "id": str(uuid.uuid4()),
                "topic": e.name,
                "entity_type": e.entity_type,
                "entity_id": e.entity_id,
                "payload": payload(e),
                "actor_id": actor.user_id,
                "created_at": now,
                "status": "pending",
                "attempts": 0,
                "available_at": now,
            }
            for e in events
        ]
        raw.execute(conn, _INSERT_OUTBOX, rows)


class Counters:
    """Gapless yearly sequences: the increment commits or rolls back with the business change."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def next(self, name: str, year: int) -> int:
        return next_in_sequence(self.session.connection(), name, year)


def next_in_sequence(conn: Connection, name: str, year: int) -> int:
    """One upsert: the first number of a year and every later one take the same row lock,
    so concurrent callers queue and each gets the next value, and a rollback leaves no hole."""
    statement = _next_in_sequence(conn.dialect.name)
    (row,) = raw.fetch(conn, statement, {"name": name, "year": year})
    return int(row["value"])


@functools.cache
def _next_in_sequence(dialect: str) -> Any:
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    c = tables.counters.c
    return (
        upsert(tables.counters)
        .values(name=bindparam("name"), year=bindparam("year"), value=1)
        .on_conflict_do_update(
            index_elements=[c.name, c.year], set_={"value": tables.counters.c.value + 1}
        )
        .returning(c.value)
    )
