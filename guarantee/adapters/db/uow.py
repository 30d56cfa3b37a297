"""SQLAlchemy unit of work: the audit trail and the books are written in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from guarantee.adapters.db.account_store import (
    AccountRepository,
    LoginThrottle,
    PasswordResets,
    Tokens,
)
from guarantee.adapters.db.evidence_chain import stage_pending
from guarantee.adapters.db.pipeline import pipelined
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
    Repository,
    Snapshot,
)
from guarantee.domain.actors import Actor
from guarantee.domain.aggregate import Aggregate
from guarantee.services.ports import Clock
from guarantee.services.unit_of_work import UnitOfWork


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        actor: Actor,
        clock: Clock,
        snapshot: Snapshot | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.actor = actor
        self.clock = clock
        self.snapshot = snapshot

    def __enter__(self) -> Self:
        self.session = self.session_factory()
        self.landlords = LandlordRepository(self.session)
        self.properties = PropertyRepository(self.session)
        self.households = HouseholdRepository(self.session)
        self.guarantees = GuaranteeRepository(self.session)
        self.funds = FundRepository(self.session)
        self.ledger = Ledger(self.session)
        self.fund_days = FundDays(self.session)
        self.audit = AuditLog(self.session)
        self.counters = Counters(self.session)
        self.outbox = Outbox(self.session)
        self.arrears_reports = ArrearsReportRepository(self.session)
        self.mediation_cases = MediationCaseRepository(self.session)
        self.claims = ClaimRepository(self.session)
        self.recovery_plans = RecoveryPlanRepository(self.session)
        self.idempotency_keys = IdempotencyKeys(self.session)
        self.accounts = AccountRepository(self.session)
        self.tokens = Tokens(self.session)
        self.password_resets = PasswordResets(self.session)
        self.login_throttle = LoginThrottle(self.session)
        self.print_batches = PrintBatchRepository(self.session)
        self.attestations = AttestationRepository(self.session)
        return super().__enter__()

    def __exit__(self, *args: object) -> None:
        super().__exit__(*args)  # type: ignore[arg-type]
        self.session.close()

    def _repositories(self) -> list[Repository[Aggregate]]:
        return [
            self.landlords,  # type: ignore[list-item]
            self.properties,  # type: ignore[list-item]
            self.households,  # type: ignore[list-item]
            self.guarantees,  # type: ignore[list-item]
            self.funds,  # type: ignore[list-item]
            self.arrears_reports,  # type: ignore[list-item]
            self.mediation_cases,  # type: ignore[list-item]
            self.claims,  # type: ignore[list-item]
            self.recovery_plans,  # type: ignore[list-item]
            self.accounts,  # type: ignore[list-item]
            self.print_batches,  # type: ignore[list-item]
            self.attestations,  # type: ignore[list-item]
        ]

    def commit(self) -> None:
        now = self.clock.now()
        touched = [a for repo in self._repositories() for a in repo.seen]
        # PostgreSQL: from here to the COMMIT, the appends nobody reads an answer from travel
        # with the next statement that needs one (guarantee.adapters.db.pipeline).
        pipelined(self.session)
        # Flush aggregates first so journal entries and audit rows can reference them.
        self.session.flush()
        audit, events = self.collect(touched, now)
        # Every aggregate's audit records in one statement, in the order they were touched.
        self.audit.append(audit)
        if events:
            # Last, with everything flushed: the letters snapshotted with each event read the
            # state this transaction commits.
            self.session.flush()
            self.outbox.append(events, self.actor, now, self.snapshot)
        stage_pending(self.session)  # the last write before COMMIT: the chain's staging order
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


UnitOfWorkFactory = Callable[[Actor], UnitOfWork]
