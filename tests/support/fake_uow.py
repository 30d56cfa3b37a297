"""A unit of work over plain Python collections, for handler tests that need no database.

`FakeStore` is the fake's database: it holds only what was committed. Each `FakeUnitOfWork`
hands out its own copies of the stored aggregates (one copy per aggregate per transaction, as
a session's identity map does) and keeps the numbers, books, audit events and outbox rows it
produces aside; `commit()` writes them all into the store, anything else discards them. So a
command that fails leaves the store as it found it, like a rolled-back transaction.

`commit()` does what the SQLAlchemy unit of work does (guarantee/adapters/db/uow.py): each
fund's new journal entries go to the ledger and its day totals, every aggregate's changes
become audit events and its domain events outbox rows. What the fake does not do: database
constraints and triggers (the sealed, balanced entries; unique numbers), locks, versions,
and the letters snapshotted into an event's payload (they are read with SQL). Tests of those
stay on the database.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Self

from guarantee.domain.accounts import Account as UserAccount
from guarantee.domain.actors import Actor, Role
from guarantee.domain.aggregate import Aggregate, DomainEvent
from guarantee.domain.arrears import ArrearsReport
from guarantee.domain.attestations import Attestation
from guarantee.domain.audit import AuditEvent
from guarantee.domain.claims import Claim
from guarantee.domain.errors import NotFound
from guarantee.domain.fund_figures import DayTotals, Figures
from guarantee.domain.funds import Fund
from guarantee.domain.guarantees import LIVE_STATES, Guarantee, GuaranteeStatus
from guarantee.domain.landlords import Landlord
from guarantee.domain.ledger import Account, JournalEntry, Side
from guarantee.domain.mediation import MediationCase, MediationStatus
from guarantee.domain.mediators import Mediator
from guarantee.domain.money import ZERO
from guarantee.domain.recovery import RecoveryPlan
from guarantee.services.ports import Clock
from guarantee.services.unit_of_work import UnitOfWork
from tests.support.books import running_balances_match_postings


@dataclass(frozen=True)
class OutboxMessage:
    """An outbox row as the SQL outbox writes it, without the snapshotted letters."""

    topic: str
    entity_type: str
    entity_id: str
    payload: dict[str, Any]
    actor_id: str
    created_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    user_id: str
    created_at: datetime
    expires_at: datetime
    kind: str


@dataclass(frozen=True)
class ResetLink:
    user_id: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class Throttle:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class FakeStore:
    """The committed state: what a later transaction (or a test) sees."""

    aggregates: dict[str, dict[str, Aggregate]] = field(default_factory=dict)
    ledger: list[JournalEntry] = field(default_factory=list)
    day_totals: dict[tuple[str, date], DayTotals] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    counters: dict[tuple[str, int], int] = field(default_factory=dict)
    idempotency_keys: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = field(
        default_factory=dict
    )
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    password_resets: dict[str, ResetLink] = field(default_factory=dict)
    login_throttle: dict[str, Throttle] = field(default_factory=dict)
    commits: int = 0

    def of_kind(self, kind: str) -> dict[str, Aggregate]:
        return self.aggregates.get(kind, {})

    # -- for assertions: copies, so a test cannot change the store by mistake ---------------

    def get(self, kind: str, id: str) -> Any:
        return copy.deepcopy(self.of_kind(kind)[id])

    def all(self, kind: str) -> list[Any]:
        return [copy.deepcopy(a) for a in self.of_kind(kind).values()]

    def entries_of(self, fund_id: str) -> list[JournalEntry]:
        return [e for e in self.ledger if e.fund_id == fund_id]

    def topics(self) -> list[str]:
        return [m.topic for m in self.outbox]

    def actions(self, entity_id: str | None = None) -> list[str]:
        return [a.action for a in self.audit if entity_id is None or a.entity_id == entity_id]

    def snapshot(self) -> tuple[Any, ...]:
        """Everything a command may write, to compare before and after a refused one."""
        aggregates = {
            kind: {id: _state(a) for id, a in found.items()}
            for kind, found in self.aggregates.items()
        }
        return (
            aggregates,
            list(self.ledger),
            {k: copy.deepcopy(v) for k, v in self.day_totals.items()},
            list(self.audit),
            list(self.outbox),
            dict(self.counters),
            dict(self.idempotency_keys),
            dict(self.tokens),
            dict(self.password_resets),
            dict(self.login_throttle),
            self.commits,
        )


def _state(aggregate: Aggregate) -> dict[str, Any]:
    """An aggregate's fields, without the ORM's instrumentation (present once mapped)."""
    return {k: v for k, v in vars(aggregate).items() if not k.startswith("_sa_")}


# -- repositories ---------------------------------------------------------------------------


class FakeRepository:
    """Aggregates of one kind, seen through one unit of work."""

    kind: str
    label: str

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def add(self, aggregate: Any) -> Any:
        self.uow._loaded[(self.kind, aggregate.id)] = aggregate
        return aggregate

    def get(self, id: str, *, for_update: bool = False) -> Any:
        found = self.uow._load(self.kind, id)
        if found is None:
            raise NotFound(self.label, id)
        return found

    def _find(self, predicate: Callable[[Any], bool]) -> list[Any]:
        return self.uow._find(self.kind, predicate)

    def _one(self, predicate: Callable[[Any], bool], key: str) -> Any:
        found = self._find(predicate)
        if not found:
            raise NotFound(self.label, key)
        return found[0]


class FakeLandlords(FakeRepository):
    kind, label = "landlords", "locatore"

    def by_tax_code(self, tax_code: str) -> Landlord | None:
        found = self._find(lambda a: a.tax_code == tax_code)
        return found[0] if found else None


class FakeProperties(FakeRepository):
    kind, label = "properties", "immobile"


class FakeHouseholds(FakeRepository):
    kind, label = "households", "nucleo familiare"

    def referred_by(self, household_id: str) -> set[str]:
        filed = self.uow._find("guarantees", lambda g: g.household_id == household_id)
        attested = self.uow._find("attestations", lambda a: a.household_id == household_id)
        return {g.created_by for g in filed} | {a.created_by for a in attested}


class FakeGuarantees(FakeRepository):
    kind, label = "guarantees", "garanzia"

    def by_number(self, number: str, *, for_update: bool = False) -> Guarantee:
        found: Guarantee = self._one(lambda g: number in (g.number, g.application_number), number)
        return found

    def live_for_tenant(self, tax_code: str, excluding: str | None = None) -> int:
        households = {
            h.id for h in self.uow._find("households", lambda h: h.main_tenant_tax_code == tax_code)
        }
        return len(
            self._find(
                lambda g: (
                    g.household_id in households and g.status in LIVE_STATES and g.id != excluding
                )
            )
        )

    def due_to_expire(self, before: date) -> list[str]:
        due = self._find(
            lambda g: (
                g.status in {GuaranteeStatus.ACTIVE, GuaranteeStatus.ISSUED}
                and g.ends_on is not None
                and g.ends_on < before
            )
        )
        return [g.id for g in sorted(due, key=lambda g: g.ends_on)]


class FakeAttestations(FakeRepository):
    kind, label = "attestations", "attestazione"

    def by_number(self, number: str, *, for_update: bool = False) -> Attestation:
        found: Attestation = self._one(lambda a: a.number == number, number)
        return found


class FakeFunds(FakeRepository):
    kind, label = "funds", "fondo"

    def default_id(self) -> str:
        funds = sorted(self._find(lambda f: True), key=lambda f: (f.created_at, f.id))
        if not funds:
            raise NotFound(self.label, "predefinito")
        return str(funds[0].id)

    def name_taken(self, name: str) -> bool:
        return bool(self._find(lambda f: f.name == name))


class _Numbered(FakeRepository):
    def by_number(self, number: str, *, for_update: bool = False) -> Any:
        return self._one(lambda a: a.number == number, number)


class FakeArrearsReports(FakeRepository):
    kind, label = "arrears_reports", "segnalazione di morosità"

    def for_guarantee(self, guarantee_id: str) -> list[ArrearsReport]:
        found = self._find(lambda r: r.guarantee_id == guarantee_id)
        return sorted(found, key=lambda r: (r.reported_at, r.id))


class FakeMediationCases(_Numbered):
    kind, label = "mediation_cases", "pratica di mediazione"

    def for_guarantee(self, guarantee_id: str) -> list[MediationCase]:
        found = self._find(lambda m: m.guarantee_id == guarantee_id)
        return sorted(found, key=lambda m: (m.opened_at, m.id))

    def mediators(self) -> list[Mediator]:
        found = self.uow._find(
            "accounts", lambda u: _role(u.role) == Role.MEDIATOR.value and u.active
        )
        return [Mediator(user_id=u.id, name=u.full_name) for u in found]

    def user_id_of(self, username: str) -> str | None:
        found = self.uow._find("accounts", lambda u: u.username == username)
        return str(found[0].id) if found else None

    def open_cases_by_mediator(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for case in self._find(
            lambda m: m.mediator_id is not None and m.status is not MediationStatus.CLOSED
        ):
            counts[case.mediator_id] = counts.get(case.mediator_id, 0) + 1
        return counts


def _role(role: Any) -> str:
    return str(getattr(role, "value", role))


class FakeClaims(_Numbered):
    kind, label = "claims", "richiesta di escussione"

    def for_guarantee(self, guarantee_id: str) -> list[Claim]:
        found = self._find(lambda c: c.guarantee_id == guarantee_id)
        return sorted(found, key=lambda c: (c.filed_at, c.id))

    def guarantee_id_of(self, number: str) -> str:
        return str(self._one(lambda c: c.number == number, number).guarantee_id)


class FakeRecoveryPlans(_Numbered):
    kind, label = "recovery_plans", "piano di rientro"

    def for_claim(self, claim_id: str) -> list[RecoveryPlan]:
        found = self._find(lambda p: p.claim_id == claim_id)
        return sorted(found, key=lambda p: (p.created_at, p.number))


class FakePrintBatches(FakeRepository):
    kind, label = "print_batches", "lotto di stampa"


class FakeAccounts(FakeRepository):
    kind, label = "accounts", "utente"

    def by_username(self, username: str, *, for_update: bool = False) -> UserAccount:
        found = self.find_username(username)
        if found is None:
            raise NotFound(self.label, username)
        return found

    def find_username(self, username: str, *, for_update: bool = False) -> UserAccount | None:
        found = self._find(lambda u: u.username == username)
        return found[0] if found else None

    def find_email(self, email: str) -> UserAccount | None:
        found = self._find(lambda u: u.email == email)
        return found[0] if found else None


# -- the rest of what a transaction writes ---------------------------------------------------


class FakeLedger:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def append(self, entries: Iterable[JournalEntry]) -> None:
        self.uow._entries.extend(entries)

    def owed_on(self, guarantee_id: str) -> Decimal:
        """Receivable still owed on a guarantee, over the entries written so far (as the SQL
        query reads the committed and flushed rows, not a fund's pending entries)."""
        owed = ZERO
        for entry in [*self.uow.store.ledger, *self.uow._entries]:
            if entry.guarantee_id != guarantee_id:
                continue
            for p in entry.postings:
                if p.account is Account.RECOVERIES_RECEIVABLE:
                    owed += p.amount if p.side is Side.DEBIT else -p.amount
        return owed


class FakeFundDays:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def add(self, fund_id: str, days: Iterable[DayTotals]) -> None:
        for totals in days:
            self.uow._days.append((fund_id, copy.deepcopy(totals)))

    def sums(self, fund_id: str) -> DayTotals:
        summed = DayTotals(day=date.max)
        for (fund, _), totals in self.uow.store.day_totals.items():
            if fund == fund_id:
                summed.add(totals)
        for fund, totals in self.uow._days:
            if fund == fund_id:
                summed.add(totals)
        return summed


class FakeAuditLog:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def append(self, events: Iterable[AuditEvent]) -> None:
        self.uow._audit.extend(events)


class FakeOutbox:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def append(
        self, events: Iterable[DomainEvent], actor: Actor, now: datetime, snapshot: Any = None
    ) -> None:
        self.uow._outbox.extend(
            OutboxMessage(e.name, e.entity_type, e.entity_id, dict(e.data), actor.user_id, now)
            for e in events
        )


class FakeCounters:
    """Gapless: a number taken in a transaction that rolls back is taken again."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def next(self, name: str, year: int) -> int:
        value = self.uow._counters.get((name, year), 0) + 1
        self.uow._counters[(name, year)] = value
        return value


class FakeIdempotencyKeys:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def find(self, actor_id: str, command: str, key: str) -> tuple[str, dict[str, Any]] | None:
        found = self.uow._keys.get((actor_id, command, key))
        return None if found is None else (found[0], dict(found[1]))

    def save(
        self,
        actor_id: str,
        command: str,
        key: str,
        request_hash: str,
        response: dict[str, Any],
        now: datetime,
    ) -> None:
        self.uow._keys[(actor_id, command, key)] = (request_hash, dict(response))


class FakeTokens:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def issue(self, user_id: str, now: datetime, ttl: timedelta, *, kind: str = "api") -> str:
        token = secrets.token_urlsafe(32)
        tokens = self.uow._tokens
        for hashed in [h for h, t in tokens.items() if t.expires_at < now]:
            del tokens[hashed]
        tokens[digest(token)] = IssuedToken(user_id, now, now + ttl, kind)
        return token

    def revoke(self, token: str) -> bool:
        return self.uow._tokens.pop(digest(token), None) is not None

    def revoke_all(self, user_id: str) -> None:
        for hashed in [h for h, t in self.uow._tokens.items() if t.user_id == user_id]:
            del self.uow._tokens[hashed]


class FakePasswordResets:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def create(self, user_id: str, now: datetime, ttl: timedelta) -> str:
        links = self.uow._resets
        for hashed, link in list(links.items()):
            if link.user_id == user_id and link.used_at is None:
                links[hashed] = replace(link, used_at=now)
        token = secrets.token_urlsafe(32)
        links[digest(token)] = ResetLink(user_id, now, now + ttl)
        return token

    def consume(self, token: str, now: datetime) -> str | None:
        link = self.uow._resets.get(digest(token))
        if link is None or link.used_at is not None or link.expires_at <= now:
            return None
        self.uow._resets[digest(token)] = replace(link, used_at=now)
        return link.user_id


class FakeLoginThrottle:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def locked_until(self, keys: list[str], now: datetime) -> datetime | None:
        until = [
            t.locked_until
            for key in keys
            if (t := self.uow._throttle.get(key)) is not None
            and t.locked_until is not None
            and t.locked_until > now
        ]
        return max(until) if until else None

    def fail(
        self, key: str, now: datetime, *, limit: int, window: timedelta, lock: timedelta
    ) -> None:
        key = key[:200]
        row = self.uow._throttle.get(key)
        if row is None:
            self.uow._throttle[key] = Throttle(1, now, now + lock if limit <= 1 else None)
            return
        expired = row.window_started_at < now - window
        failures = 1 if expired else row.failures + 1
        self.uow._throttle[key] = Throttle(
            failures,
            now if expired else row.window_started_at,
            now + lock if failures >= limit else row.locked_until,
        )

    def clear(self, key: str) -> None:
        self.uow._throttle.pop(key, None)


# -- the unit of work -----------------------------------------------------------------------

# The order the SQL unit of work drains its repositories in (audit events follow it).
_KINDS = [
    "landlords",
    "properties",
    "households",
    "guarantees",
    "funds",
    "arrears_reports",
    "mediation_cases",
    "claims",
    "recovery_plans",
    "accounts",
    "print_batches",
    "attestations",
]


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, store: FakeStore, actor: Actor, clock: Clock) -> None:
        self.store = store
        self.actor = actor
        self.clock = clock
        self.committed = False
        self.landlords = FakeLandlords(self)  # type: ignore[assignment]
        self.properties = FakeProperties(self)  # type: ignore[assignment]
        self.households = FakeHouseholds(self)  # type: ignore[assignment]
        self.guarantees = FakeGuarantees(self)  # type: ignore[assignment]
        self.funds = FakeFunds(self)  # type: ignore[assignment]
        self.arrears_reports = FakeArrearsReports(self)  # type: ignore[assignment]
        self.mediation_cases = FakeMediationCases(self)  # type: ignore[assignment]
        self.claims = FakeClaims(self)  # type: ignore[assignment]
        self.recovery_plans = FakeRecoveryPlans(self)  # type: ignore[assignment]
        self.accounts = FakeAccounts(self)  # type: ignore[assignment]
        self.print_batches = FakePrintBatches(self)  # type: ignore[assignment]
        self.attestations = FakeAttestations(self)  # type: ignore[assignment]
        self.ledger = FakeLedger(self)  # type: ignore[assignment]
        self.fund_days = FakeFundDays(self)  # type: ignore[assignment]
        self.audit = FakeAuditLog(self)  # type: ignore[assignment]
        self.outbox = FakeOutbox(self)  # type: ignore[assignment]
        self.counters = FakeCounters(self)  # type: ignore[assignment]
        self.idempotency_keys = FakeIdempotencyKeys(self)  # type: ignore[assignment]
        self.tokens = FakeTokens(self)  # type: ignore[assignment]
        self.password_resets = FakePasswordResets(self)  # type: ignore[assignment]
        self.login_throttle = FakeLoginThrottle(self)  # type: ignore[assignment]
        self._begin()

    def _begin(self) -> None:
        """A fresh transaction: nothing loaded, nothing pending."""
        self._loaded: dict[tuple[str, str], Aggregate] = {}
        self._entries: list[JournalEntry] = []
        self._days: list[tuple[str, DayTotals]] = []
        self._audit: list[AuditEvent] = []
        self._outbox: list[OutboxMessage] = []
        # Small tables of immutable rows: the transaction works on its own copy of each.
        self._counters = dict(self.store.counters)
        self._keys = dict(self.store.idempotency_keys)
        self._tokens = dict(self.store.tokens)
        self._resets = dict(self.store.password_resets)
        self._throttle = dict(self.store.login_throttle)

    def __enter__(self) -> Self:
        self._begin()
        return super().__enter__()

    def _load(self, kind: str, id: str) -> Any:
        """This transaction's copy of a stored aggregate (the same one every time)."""
        key = (kind, id)
        if key not in self._loaded:
            stored = self.store.of_kind(kind).get(id)
            if stored is None:
                return None
            self._loaded[key] = copy.deepcopy(stored)
        return self._loaded[key]

    def _find(self, kind: str, predicate: Callable[[Any], bool]) -> list[Any]:
        """Aggregates of a kind that match, as this transaction sees them (its own changes
        and additions included, like a query after an autoflush)."""
        ids = list(self.store.of_kind(kind))
        ids += [id for (k, id) in self._loaded if k == kind and id not in self.store.of_kind(kind)]
        matching = []
        for id in ids:
            key = (kind, id)
            current = self._loaded[key] if key in self._loaded else self.store.of_kind(kind)[id]
            if predicate(current):
                matching.append(self._load(kind, id))
        return matching

    def commit(self) -> None:
        now = self.clock.now()
        touched = [a for kind in _KINDS for (k, _), a in self._loaded.items() if k == kind]
        audit, events = self.collect(touched, now)  # as the SQL unit of work does
        self.audit.append(audit)
        self.outbox.append(events, self.actor, now)
        self._write()
        self.committed = True
        self.store.commits += 1
        self._begin()

    def _write(self) -> None:
        store = self.store
        for (kind, id), aggregate in self._loaded.items():
            # A copy: what the handler returns stays the caller's, the store stays the store's.
            store.aggregates.setdefault(kind, {})[id] = copy.deepcopy(aggregate)
        store.ledger.extend(self._entries)
        for fund_id, totals in self._days:
            day = store.day_totals.setdefault((fund_id, totals.day), DayTotals(day=totals.day))
            day.add(totals)
        store.audit.extend(self._audit)
        store.outbox.extend(self._outbox)
        store.counters = self._counters
        store.idempotency_keys = self._keys
        store.tokens = self._tokens
        store.password_resets = self._resets
        store.login_throttle = self._throttle

    def rollback(self) -> None:
        self._begin()


def check_books(store: FakeStore, fund_id: str) -> Figures:
    """tests/support/books.py's promises, over the fake store: running balances equal the
    sums of the postings and of the day totals; reserved, exposure and live count equal those
    of the fund's live guarantees; the fund holds what it reserves."""
    fund = store.of_kind("funds")[fund_id]
    assert isinstance(fund, Fund)
    entries = store.entries_of(fund_id)
    sums = {account: ZERO for account in Account}
    for entry in entries:
        for posting in entry.postings:
            sums[posting.account] += posting.signed
    figures = fund.figures
    running_balances_match_postings(figures, sums)
    live = [
        g
        for g in store.of_kind("guarantees").values()
        if isinstance(g, Guarantee) and g.fund_id == fund_id and g.status in LIVE_STATES
    ]
    assert (figures.reserved, figures.exposure, figures.live_guarantees) == (
        sum((g.reserve_amount for g in live), ZERO),
        sum((g.maximum_exposure - g.paid_amount for g in live), ZERO),
        len(live),
    )
    assert figures.free_capacity >= 0
    totals = DayTotals(day=date.max)
    for (fund_of_day, _), day in store.day_totals.items():
        if fund_of_day == fund_id:
            totals.add(day)
    assert totals.accounts == sums
    assert totals.entries == len(entries)
    assert Figures.from_totals(totals) == figures
    return figures


def fake_uow_factory(store: FakeStore, clock: Clock) -> Callable[[Actor], FakeUnitOfWork]:
    """What `bootstrap(uow_factory=…)` takes: one fake unit of work per command."""

    def factory(actor: Actor) -> FakeUnitOfWork:
        return FakeUnitOfWork(store, actor, clock)

    return factory


__all__ = [
    "FakeStore",
    "FakeUnitOfWork",
    "OutboxMessage",
    "check_books",
    "fake_uow_factory",
]
