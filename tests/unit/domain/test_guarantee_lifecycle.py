"""Every action from every state: allowed moves land where SPEC §5 says; all others refuse."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from guarantee.domain.errors import DomainError, IllegalTransition, InvalidField
from guarantee.domain.guarantees import LIFECYCLE, Guarantee, GuaranteeStatus
from guarantee.domain.leases import Lease

S = GuaranteeStatus
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)

EXPECTED: dict[str, dict[S, S]] = {
    "submit": {S.DRAFT: S.SUBMITTED},
    "approve": {S.ELIGIBLE: S.APPROVED, S.NEEDS_REVIEW: S.APPROVED},
    "refuse": {S.NEEDS_REVIEW: S.INELIGIBLE},
    "issue": {S.APPROVED: S.ISSUED},
    "activate": {S.ISSUED: S.ACTIVE},
    "suspend": {S.ACTIVE: S.SUSPENDED},
    "resume": {S.SUSPENDED: S.ACTIVE},
    "cancel": {
        s: S.CANCELLED
        for s in (S.DRAFT, S.SUBMITTED, S.ELIGIBLE, S.NEEDS_REVIEW, S.APPROVED, S.ISSUED)
    },
    "terminate": {S.ACTIVE: S.TERMINATED, S.SUSPENDED: S.TERMINATED},
    "expire": {S.ACTIVE: S.EXPIRED, S.ISSUED: S.EXPIRED},
    "exhaust": {S.ACTIVE: S.EXHAUSTED, S.SUSPENDED: S.EXHAUSTED},
    # A new term keeps the state (never while a claim has it suspended).
    "renew": {S.ISSUED: S.ISSUED, S.ACTIVE: S.ACTIVE},
}


def make_guarantee(status: S = S.DRAFT) -> Guarantee:
    guarantee = Guarantee(
        application_number="DOM-2026-000001",
        landlord_id="l",
        property_id="p",
        household_id="h",
        lease=Lease(
            "canone_concordato_3_2",
            date(2027, 1, 1),
            date(2029, 12, 31),
            Decimal("650"),
            Decimal("80"),
            True,
            "serie 3T n. 1",
        ),
        product_code="garanzia-casa",
        product_version="1",
        created_at=NOW,
        created_by="gestore",
    )
    guarantee.status = status
    return guarantee


def perform(guarantee: Guarantee, action: str) -> None:
    if action == "issue":
        guarantee.issue(
            number="GC-2026-000001",
            fund_id="f",
            maximum_exposure=Decimal("12800.00"),
            reserve_amount=Decimal("3840.00"),
            max_term_months=36,
            now=NOW,
        )
    elif action == "expire":
        guarantee.ends_on = date(2026, 1, 1)
        guarantee.expire(date(2026, 11, 25), NOW)
    elif action in {"approve", "refuse", "suspend", "cancel", "terminate"}:
        getattr(guarantee, action)(NOW, "motivazione")
    elif action == "exhaust":
        guarantee.status = LIFECYCLE.target(guarantee.status, "exhaust")
    elif action == "renew":
        guarantee.ends_on = date(2029, 12, 31)
        guarantee.renew(
            lease=Lease(
                "canone_concordato_3_2",
                date(2027, 1, 1),
                date(2032, 12, 31),
                Decimal("700"),
                Decimal("80"),
                True,
                "serie 3T n. 2",
            ),
            renewals_allowed=1,
            maximum_exposure=Decimal("13400.00"),
            reserve_amount=Decimal("4020.00"),
            max_term_months=36,
            certificate_code="7KQ2-M9XD-4T8P-WR3C",
            today=date(2029, 11, 16),
            now=NOW,
        )
    else:
        getattr(guarantee, action)(NOW)


CASES = [(action, state) for action in EXPECTED for state in S]


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_every_action_from_every_state(action: str, state: S) -> None:
    guarantee = make_guarantee(state)
    expected = EXPECTED[action].get(state)
    if expected is None:
        with pytest.raises(IllegalTransition) as refused:
            perform(guarantee, action)
        assert state.value in refused.value.message
        assert guarantee.status is state, "a refused move changes nothing"
    else:
        perform(guarantee, action)
        assert guarantee.status is expected


def test_the_table_in_the_domain_is_the_table_of_the_spec() -> None:
    for action, moves in EXPECTED.items():
        assert LIFECYCLE.moves[action].sources == frozenset(moves)


def test_eligibility_outcome_picks_the_state() -> None:
    for outcome, state in [
        ("eligible", S.ELIGIBLE),
        ("needs_review", S.NEEDS_REVIEW),
        ("ineligible", S.INELIGIBLE),
    ]:
        guarantee = make_guarantee(S.SUBMITTED)
        guarantee.record_eligibility(outcome, "2026-01", {"outcome": outcome}, NOW)
        assert guarantee.status is state
        assert guarantee.ruleset_version == "2026-01"


def test_approving_a_doubtful_application_needs_a_reason() -> None:
    guarantee = make_guarantee(S.NEEDS_REVIEW)
    with pytest.raises(InvalidField) as refused:
        guarantee.approve(NOW, "  ")
    assert refused.value.field == "reason"
    assert guarantee.status is S.NEEDS_REVIEW


def test_issue_sets_number_reserve_and_a_term_of_at_most_36_months() -> None:
    guarantee = make_guarantee(S.APPROVED)
    guarantee.lease = Lease(
        "canone_libero_4_4",
        date(2027, 1, 1),
        date(2034, 12, 31),
        Decimal("650"),
        Decimal("0"),
        True,
        "x",
    )
    perform(guarantee, "issue")
    assert guarantee.number == "GC-2026-000001"
    assert guarantee.reserve_amount == Decimal("3840.00")
    assert guarantee.starts_on == date(2027, 1, 1)
    assert guarantee.ends_on == date(2029, 12, 31)


def test_ending_a_live_guarantee_releases_its_reserve_once() -> None:
    guarantee = make_guarantee(S.APPROVED)
    perform(guarantee, "issue")
    guarantee.activate(NOW)
    released = guarantee.terminate(NOW, "disdetta del conduttore")
    assert released == Decimal("3840.00")
    assert guarantee.reserve_amount == Decimal("0.00")
    assert guarantee.end_reason == "disdetta del conduttore"


def test_cancelling_an_application_releases_nothing() -> None:
    guarantee = make_guarantee(S.SUBMITTED)
    assert guarantee.cancel(NOW, "ritirata") == Decimal("0.00")


def test_a_guarantee_cannot_expire_before_its_end() -> None:
    guarantee = make_guarantee(S.APPROVED)
    perform(guarantee, "issue")
    guarantee.activate(NOW)
    with pytest.raises(DomainError, match="scade il 31 dicembre 2029"):
        guarantee.expire(date(2029, 12, 31), NOW)
    guarantee.expire(date(2030, 1, 1), NOW)
    assert guarantee.status is S.EXPIRED


def test_every_transition_is_recorded_for_the_audit_trail() -> None:
    guarantee = make_guarantee()
    guarantee.submit(NOW)
    guarantee.record_eligibility("needs_review", "2026-01", {}, NOW)
    guarantee.approve(NOW, "reddito verificato con il servizio sociale")
    actions = [(c.action, c.before.get("status"), c.after.get("status")) for c in guarantee.changes]
    assert actions == [
        ("created", None, "draft"),
        ("submit", "draft", "submitted"),
        ("record_eligibility", "submitted", "needs_review"),
        ("approve", "needs_review", "approved"),
    ]
    assert guarantee.changes[-1].reason == "reddito verificato con il servizio sociale"


def test_a_renewal_starts_the_next_term_and_keeps_the_one_that_ended() -> None:
    guarantee = make_guarantee(S.APPROVED)
    perform(guarantee, "issue")
    perform(guarantee, "renew")
    assert (guarantee.term, guarantee.term_starts_on, guarantee.ends_on) == (
        2,
        date(2030, 1, 1),
        date(2032, 12, 31),
    )
    assert guarantee.starts_on == date(2027, 1, 1), "the guarantee began once"
    (first,) = guarantee.terms
    assert (first.term, first.starts_on, first.ends_on) == (1, date(2027, 1, 1), date(2029, 12, 31))
    assert (first.monthly_rent, first.reserve_amount) == (Decimal("650.00"), Decimal("3840.00"))
    with pytest.raises(DomainError, match="già stata rinnovata"):
        perform(guarantee, "renew")
    assert guarantee.term == 2


def test_a_renewal_after_the_end_or_with_a_lease_ending_earlier_is_refused() -> None:
    guarantee = make_guarantee(S.APPROVED)
    perform(guarantee, "issue")
    short = Lease(
        "canone_concordato_3_2",
        date(2027, 1, 1),
        date(2029, 6, 30),
        Decimal("700"),
        Decimal("80"),
        True,
        "x",
    )
    terms = {
        "renewals_allowed": 1,
        "maximum_exposure": Decimal("13400.00"),
        "reserve_amount": Decimal("4020.00"),
        "max_term_months": 36,
        "certificate_code": "7KQ2-M9XD-4T8P-WR3C",
        "now": NOW,
    }
    with pytest.raises(InvalidField) as early:
        guarantee.renew(lease=short, today=date(2029, 11, 16), **terms)  # type: ignore[arg-type]
    assert early.value.field == "lease.end"
    with pytest.raises(DomainError, match="il rinnovo va chiesto prima"):
        guarantee.renew(lease=short, today=date(2030, 1, 1), **terms)  # type: ignore[arg-type]
    assert guarantee.term == 1 and guarantee.terms == []
