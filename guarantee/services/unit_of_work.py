"""The unit of work: one business transaction; rolls back unless committed."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import TYPE_CHECKING, Self

from guarantee.domain.actors import Actor

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

    @abc.abstractmethod
    def commit(self) -> None:
        """Write the audit trail and ledger entries of every touched aggregate, then commit."""

    @abc.abstractmethod
    def rollback(self) -> None: ...
