"""The guarantee (garanzia): one promise to one landlord for one lease, and its lifecycle."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from guarantee.domain.aggregate import Aggregate
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.domain.formats import date_it, with_article
from guarantee.domain.funds import reserve_at_risk
from guarantee.domain.leases import Lease, add_months
from guarantee.domain.lifecycle import StateMachine
from guarantee.domain.money import ZERO


class GuaranteeStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    NEEDS_REVIEW = "needs_review"
    INELIGIBLE = "ineligible"
    APPROVED = "approved"
    ISSUED = "issued"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    TERMINATED = "terminated"
    CANCELLED = "cancelled"
    EXHAUSTED = "exhausted"


S = GuaranteeStatus
APPLICATION_STATES = frozenset(
    {S.DRAFT, S.SUBMITTED, S.ELIGIBLE, S.NEEDS_REVIEW, S.INELIGIBLE, S.APPROVED}
)
# Live guarantees hold a reserve and count towards exposure.
LIVE_STATES = frozenset({S.ISSUED, S.ACTIVE, S.SUSPENDED})
ENDED_STATES = frozenset({S.EXPIRED, S.TERMINATED, S.CANCELLED, S.EXHAUSTED})

LIFECYCLE: StateMachine[GuaranteeStatus] = StateMachine(
    "garanzia",
    {
        "submit": ([S.DRAFT], [S.SUBMITTED]),
        "record_eligibility": ([S.SUBMITTED], [S.ELIGIBLE, S.NEEDS_REVIEW, S.INELIGIBLE]),
        "approve": ([S.ELIGIBLE, S.NEEDS_REVIEW], [S.APPROVED]),
        "refuse": ([S.NEEDS_REVIEW], [S.INELIGIBLE]),
        "issue": ([S.APPROVED], [S.ISSUED]),
        "activate": ([S.ISSUED], [S.ACTIVE]),
        "suspend": ([S.ACTIVE], [S.SUSPENDED]),
        "resume": ([S.SUSPENDED], [S.ACTIVE]),
        "cancel": (
            [S.DRAFT, S.SUBMITTED, S.ELIGIBLE, S.NEEDS_REVIEW, S.APPROVED, S.ISSUED],
            [S.CANCELLED],
        ),
        "terminate": ([S.ACTIVE, S.SUSPENDED], [S.TERMINATED]),
        "expire": ([S.ACTIVE, S.ISSUED], [S.EXPIRED]),
        "exhaust": ([S.ACTIVE, S.SUSPENDED], [S.EXHAUSTED]),
        # A new term for the same guarantee: it stays in the state it was in.
        "renew": ([S.ISSUED, S.ACTIVE], [S.ISSUED, S.ACTIVE]),
    },
)

ELIGIBILITY_TARGETS = {
    "eligible": S.ELIGIBLE,
    "needs_review": S.NEEDS_REVIEW,
    "ineligible": S.INELIGIBLE,
}


class Guarantee(Aggregate):
    """Aggregate root. The application is the guarantee in its first states (draft…approved)."""

    entity_type = "guarantee"

    def __init__(
        self,
        *,
        application_number: str,
        landlord_id: str,
        property_id: str,
        household_id: str,
        lease: Lease,
        product_code: str,
        product_version: str,
        created_at: datetime,
        created_by: str,
        id: str | None = None,
    ) -> None:
        self.id = id or str(uuid.uuid4())
        self.application_number = application_number
        self.number: str | None = None
        self.certificate_code: str | None = None
        self.status = S.DRAFT
        self.landlord_id = landlord_id
        self.property_id = property_id
        self.household_id = household_id
        self.lease = lease
        self.product_code = product_code
        self.product_version = product_version
        self.ruleset_version: str | None = None
        self.eligibility: dict[str, Any] | None = None
        self.fund_id: str | None = None
        self.maximum_exposure = ZERO
        self.reserve_amount = ZERO
        self.paid_amount = ZERO
        self.starts_on: date | None = None
        self.ends_on: date | None = None
        # Terms are numbered from 1; a renewal starts the next (see ``renew``).
        self.term = 1
        self.term_starts_on: date | None = None
        self.terms: list[GuaranteeTerm] = []
        self.issued_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.end_reason: str | None = None
        self.created_at = created_at
        self.created_by = created_by
        self.updated_at = created_at
        self._record(
            "created", {}, {"status": self.status.value, "application": application_number}
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def submit(self, now: datetime) -> None:
        self._move("submit", now)

    def record_eligibility(
        self, outcome: str, ruleset_version: str, explanation: dict[str, Any], now: datetime
    ) -> None:
        try:
            target = ELIGIBILITY_TARGETS[outcome]
        except KeyError as exc:
            raise DomainError(f"esito di ammissibilità sconosciuto: {outcome}") from exc
        self.ruleset_version = ruleset_version
        self.eligibility = explanation
        self._move("record_eligibility", now, target=target, extra={"ruleset": ruleset_version})
        self._emit("eligibility_recorded", outcome=outcome, ruleset=ruleset_version)

    def approve(self, now: datetime, reason: str | None = None) -> None:
        if self.status is S.NEEDS_REVIEW and not (reason or "").strip():
            raise InvalidField(
                "reason", "approvare una domanda da rivedere richiede una motivazione"
            )
        reviewed = self.status is S.NEEDS_REVIEW
        self._move("approve", now, reason=reason)
        if reviewed:
            self._emit_reviewed("approved", reason or "")

    def refuse(self, now: datetime, reason: str) -> None:
        if not reason.strip():
            raise InvalidField("reason", "il rifiuto richiede una motivazione")
        reviewed = self.status is S.NEEDS_REVIEW
        self._move("refuse", now, reason=reason)
        if reviewed:
            self._emit_reviewed("refused", reason)

    def _emit_reviewed(self, outcome: str, reason: str) -> None:
        """A person decided an application the rules left to review: the household is told."""
        self._emit(
            "application_reviewed",
            outcome=outcome,
            reason=reason.strip(),
            application=self.application_number,
        )

    def issue(
        self,
        *,
        number: str,
        fund_id: str,
        maximum_exposure: Decimal,
        reserve_amount: Decimal,
        max_term_months: int,
        now: datetime,
        certificate_code: str | None = None,
        product_version: str | None = None,
    ) -> None:
        """Issued under ``product_version``, the version on sale on the day of issue (SPEC
        §3: a guarantee keeps the version it was issued under); the application may have
        been submitted under an earlier one. The eligibility decision keeps its rule set."""
        self.check_can("issue")  # refuse before touching any field
        applied_under = self.product_version
        if product_version is not None:
            self.product_version = product_version
        self.number = number
        self.certificate_code = certificate_code
        self.fund_id = fund_id
        self.maximum_exposure = maximum_exposure
        self.reserve_amount = reserve_amount
        self.issued_at = now
        # The guarantee follows the lease, for at most the product's term.
        self.starts_on = self.lease.start
        self.term_starts_on = self.lease.start
        self.ends_on = term_end(self.lease.start, self.lease.end, max_term_months)
        self._move(
            "issue",
            now,
            extra={
                "number": number,
                "fund_id": fund_id,
                "maximum_exposure": str(maximum_exposure),
                "reserve": str(reserve_amount),
                "product_version": self.product_version,
                "product_version_at_submission": applied_under,
            },
        )
        self._emit("guarantee_issued", number=number, fund_id=fund_id)

    def check_renewable(self, renewals_allowed: int, today: date) -> None:
        """Refuse (409) a renewal the state, the date or the renewals used do not allow."""
        self.check_can("renew")
        label = self.number or self.application_number
        if self.ends_on is None or today > self.ends_on:
            ends = with_article(self.ends_on, "il") if self.ends_on else "(data non fissata)"
            raise DomainError(
                f"la garanzia {label} è terminata {ends}: il rinnovo va chiesto prima",
                code="renewal_too_late",
            )
        if self.term - 1 >= renewals_allowed:
            times = "una volta" if renewals_allowed == 1 else f"{renewals_allowed} volte"
            message = (
                f"la garanzia {label} è già stata rinnovata: il prodotto consente di "
                f"rinnovarla {times}"
                if renewals_allowed
                else f"la garanzia {label} non è rinnovabile"
            )
            raise DomainError(message, code="renewals_used_up")

    def renew(
        self,
        *,
        lease: Lease,
        renewals_allowed: int,
        maximum_exposure: Decimal,
        reserve_amount: Decimal,
        max_term_months: int,
        certificate_code: str,
        today: date,
        now: datetime,
        reason: str | None = None,
        decision: dict[str, Any] | None = None,
    ) -> GuaranteeTerm:
        """Start the next term on the new lease terms; returns the term that ended, kept.

        One guarantee identity with numbered terms (not a successor guarantee): claims,
        mediation cases, recovery plans, payments and the cover they used belong to the
        guarantee whatever term they fall in, so its number, its history and its overall cap
        stay one thing; each term keeps its own dates, rent, exposure, reserve and certificate
        in ``terms``. The lease continues the same tenancy (its start, hence the waiting
        period, does not move); the new term starts the day after the current one ends.
        """
        self.check_renewable(renewals_allowed, today)
        assert self.ends_on is not None
        if lease.start != self.lease.start:
            raise InvalidField(
                "lease.start", "il rinnovo prosegue lo stesso contratto: la data di inizio resta"
            )
        if lease.end <= self.ends_on:
            raise InvalidField(
                "lease.end",
                f"il contratto rinnovato deve finire dopo {with_article(self.ends_on, 'il')}, "
                "fine del periodo in corso",
            )
        ended = GuaranteeTerm(
            guarantee_id=self.id,
            term=self.term,
            starts_on=self.term_starts_on or self.starts_on or self.lease.start,
            ends_on=self.ends_on,
            monthly_rent=self.lease.monthly_rent,
            monthly_charges=self.lease.monthly_charges,
            lease_end=self.lease.end,
            maximum_exposure=self.maximum_exposure,
            reserve_amount=self.reserve_amount,
            certificate_code=self.certificate_code,
            product_version=self.product_version,
            renewed_at=now,
        )
        self.terms.append(ended)
        before = {
            "term": self.term,
            "ends_on": self.ends_on.isoformat(),
            "monthly_rent": str(self.lease.monthly_rent),
            "maximum_exposure": str(self.maximum_exposure),
            "reserve": str(self.reserve_amount),
        }
        start = date.fromordinal(self.ends_on.toordinal() + 1)
        self.term += 1
        self.term_starts_on = start
        self.ends_on = term_end(start, lease.end, max_term_months)
        self.lease = lease
        self.maximum_exposure = maximum_exposure
        self.reserve_amount = reserve_amount
        self.certificate_code = certificate_code
        self.updated_at = now
        after = {
            "status": self.status.value,
            "term": self.term,
            "term_starts_on": start.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "monthly_rent": str(lease.monthly_rent),
            "maximum_exposure": str(maximum_exposure),
            "reserve": str(reserve_amount),
        }
        LIFECYCLE.target(self.status, "renew", self.status)
        self._record("renew", before, {**after, **(decision or {})}, reason)
        self._emit("guarantee_renewed", number=self.number, term=self.term)
        return ended

    def activate(self, now: datetime) -> None:
        self._move("activate", now)

    def suspend(self, now: datetime, reason: str) -> None:
        self._move("suspend", now, reason=reason)

    def resume(self, now: datetime, reason: str | None = None) -> None:
        self._move("resume", now, reason=reason)

    def cancel(self, now: datetime, reason: str) -> Decimal:
        """Cancel; returns the reserve to release (zero before issue)."""
        if not reason.strip():
            raise InvalidField("reason", "l'annullamento richiede una motivazione")
        return self._end("cancel", now, reason)

    def terminate(self, now: datetime, reason: str) -> Decimal:
        if not reason.strip():
            raise InvalidField("reason", "la risoluzione anticipata richiede una motivazione")
        return self._end("terminate", now, reason)

    def expire(self, today: date, now: datetime) -> Decimal:
        if self.ends_on is None or today <= self.ends_on:
            ends = date_it(self.ends_on) if self.ends_on else "(data non fissata)"
            raise DomainError(f"la garanzia {self.number} scade il {ends}: non può scadere prima")
        return self._end("expire", now, "scadenza naturale")

    def exhaust(self, now: datetime, reason: str) -> Decimal:
        """Its cover is used up: it ends, and its reserve (if any is left) is released."""
        if not reason.strip():
            raise InvalidField("reason", "l'esaurimento richiede una motivazione")
        return self._end("exhaust", now, reason)

    def record_payment(self, amount: Decimal, reserve_ratio: Decimal, now: datetime) -> None:
        """A claim was paid on this guarantee (the fund wrote the money out in the same
        transaction): what is paid grows and a live guarantee's reserve follows what is still
        at risk. The reserve never grows, and an ended guarantee keeps none."""
        if self.number is None or self.status is S.CANCELLED:
            raise DomainError(
                f"garanzia {self.number or self.application_number}: "
                f"nessun pagamento su una garanzia nello stato '{self.status.value}'"
            )
        before = {"paid": str(self.paid_amount), "reserve": str(self.reserve_amount)}
        self.paid_amount += amount
        if self.is_live:
            target = reserve_at_risk(self.maximum_exposure, self.paid_amount, reserve_ratio)
            self.reserve_amount = min(self.reserve_amount, target)
        self.updated_at = now
        after = {"paid": str(self.paid_amount), "reserve": str(self.reserve_amount)}
        self._record("claim_payment", before, {**after, "amount": str(amount)})

    def check_can(self, action: str) -> None:
        """Raise IllegalTransition now if ``action`` is not allowed from the current state."""
        LIFECYCLE.check(self.status, action)

    # -- queries -----------------------------------------------------------------------------

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATES

    @property
    def at_risk(self) -> Decimal:
        """What the fund can still lose on it: maximum exposure − paid (recoveries aside)."""
        return self.maximum_exposure - self.paid_amount

    @property
    def allowed_actions(self) -> list[str]:
        return LIFECYCLE.allowed_actions(self.status)

    # -- internals ---------------------------------------------------------------------------

    def _end(self, action: str, now: datetime, reason: str) -> Decimal:
        was_live = self.is_live
        self._move(action, now, reason=reason)
        self.ended_at = now
        self.end_reason = reason
        released = self.reserve_amount if was_live else ZERO
        self.reserve_amount = ZERO
        if was_live:
            self._emit(f"guarantee_{self.status.value}", number=self.number, released=str(released))
        return released

    def _move(
        self,
        action: str,
        now: datetime,
        *,
        target: GuaranteeStatus | None = None,
        reason: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        new_status = LIFECYCLE.target(self.status, action, target)
        before = {"status": self.status.value}
        self.status = new_status
        self.updated_at = now
        self._record(action, before, {"status": new_status.value, **(extra or {})}, reason)


def term_end(start: date, lease_end: date, max_term_months: int) -> date:
    """A term follows the lease, for at most the product's months from its first day."""
    return min(lease_end, date.fromordinal(add_months(start, max_term_months).toordinal() - 1))


class GuaranteeTerm:
    """A term of a guarantee that ended by renewal, as it was: the history of its cover."""

    def __init__(
        self,
        *,
        guarantee_id: str,
        term: int,
        starts_on: date,
        ends_on: date,
        monthly_rent: Decimal,
        monthly_charges: Decimal,
        lease_end: date,
        maximum_exposure: Decimal,
        reserve_amount: Decimal,
        certificate_code: str | None,
        product_version: str,
        renewed_at: datetime,
        id: str | None = None,
    ) -> None:
        self.id = id or str(uuid.uuid4())
        self.guarantee_id = guarantee_id
        self.term = term
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.monthly_rent = monthly_rent
        self.monthly_charges = monthly_charges
        self.lease_end = lease_end
        self.maximum_exposure = maximum_exposure
        self.reserve_amount = reserve_amount
        self.certificate_code = certificate_code
        self.product_version = product_version
        self.renewed_at = renewed_at
