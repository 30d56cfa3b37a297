"""The unit of work: one business transaction; rolls back unless committed."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Self

from guarantee.domain.actors import Actor
from guarantee.domain.aggregate import Aggregate, DomainEvent
from guarantee.domain.audit import AuditEvent
from guarantee.domain.funds import Fund

if TYPE_CHECKING:
    from guarantee.adapters.db.account_store import (
        AccountRepository,
        LoginThrottle,
        PasswordResets,
        Tokens,
    )
    from guarantee.adapters.db.repositories import (
        ArrearsReportRepository,
        AttestationRepository,
        AuditLog,
        ClaimRepository,
        Counters,
        FundDays,
        FundRepository,
        GuaranteeRepository,
        HouseholdRepository,
        IdempotencyKeys,
        LandlordRepository,
        Ledger,
        MediationCaseRepository,
        Outbox,
        PrintBatchRepository,
        PropertyRepository,
        RecoveryPlanRepository,
    )


class UnitOfWork(abc.ABC):
    landlords: LandlordRepository
    properties: PropertyRepository
    households: HouseholdRepository
    guarantees: GuaranteeRepository
    funds: FundRepository
    ledger: Ledger
    fund_days: FundDays
    audit: AuditLog
    counters: Counters
    outbox: Outbox
    arrears_reports: ArrearsReportRepository
    mediation_cases: MediationCaseRepository
    claims: ClaimRepository
    recovery_plans: RecoveryPlanRepository
    idempotency_keys: IdempotencyKeys
    accounts: AccountRepository
    tokens: Tokens
    password_resets: PasswordResets
    login_throttle: LoginThrottle
    print_batches: PrintBatchRepository
    attestations: AttestationRepository
    actor: Actor

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def collect(
        self, touched: Iterable[Aggregate], now: datetime
    ) -> tuple[list[AuditEvent], list[DomainEvent]]:
        """What a commit writes besides the aggregates themselves, the same for every unit of
        work: each fund's new journal entries go to the ledger and its day totals to the day
        rows; every aggregate's changes become audit records (in the order the aggregates
        were touched) and its domain events are returned for the outbox. The aggregates are
        left with nothing pending."""
        audit: list[AuditEvent] = []
        events: list[DomainEvent] = []
        for aggregate in touched:
            if isinstance(aggregate, Fund):
                self.ledger.append(aggregate.new_entries)
                aggregate.new_entries.clear()
                self.fund_days.add(aggregate.id, aggregate.new_day_totals.values())
                aggregate.new_day_totals.clear()
            audit.extend(AuditEvent.of(c, self.actor, now) for c in aggregate.changes)
            aggregate.changes.clear()
            events.extend(aggregate.events)
            aggregate.events.clear()
        return audit, events

    @abc.abstractmethod
    def commit(self) -> None:
        """Write the audit trail and ledger entries of every touched aggregate, then commit."""

    @abc.abstractmethod
    def rollback(self) -> None: ...
