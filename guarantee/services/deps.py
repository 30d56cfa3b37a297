"""The named dependencies handlers receive (the composition root fills them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from guarantee.domain.calendar import WorkingCalendar
from guarantee.domain.evidence import DEFAULT_EVIDENCE_LIMITS, EvidenceLimits
from guarantee.services.ports import Clock, EligibilityChecker, FileStorage, ProductCatalog


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
