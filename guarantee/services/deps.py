"""The named dependencies handlers receive (the composition root fills them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from guarantee.domain.calendar import WorkingCalendar
from guarantee.domain.evidence import DEFAULT_EVIDENCE_LIMITS, EvidenceLimits
from guarantee.services.ports import (
    Clock,
    EligibilityChecker,
    FileStorage,
    PasswordHasher,
    ProductCatalog,
)


@dataclass(frozen=True)
class AccessRules:
    """How long logins last and how hard guessing is made (settings fill them)."""

    token_ttl: timedelta = timedelta(hours=12)
    reset_link_ttl: timedelta = timedelta(hours=1)
    invitation_ttl: timedelta = timedelta(days=7)
    # Failures before a lock, per account and per address, within the window.
    account_failures: int = 10
    address_failures: int = 50
    failure_window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)
    privacy_notice_version: str = "2026.1"


@dataclass(frozen=True)
class Dependencies:
    clock: Clock
    products: ProductCatalog
    eligibility: EligibilityChecker
    # The office's working days (first-contact deadlines of mediation cases).
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    # Where claim evidence is kept; None where nothing is uploaded (some CLI commands).
    files: FileStorage | None = None
    evidence_limits: EvidenceLimits = DEFAULT_EVIDENCE_LIMITS
    # Accounts: the password hasher (None where no account is touched) and the login rules.
    passwords: PasswordHasher | None = None
    access: AccessRules = field(default_factory=AccessRules)
