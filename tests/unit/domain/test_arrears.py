"""Arrears: waiting period, reporting deadline, cover dates (EXAMPLES §C, §D step 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from guarantee.domain.arrears import (
    ArrearsReport,
    UnpaidRent,
    first_covered_day,
    first_covered_rent,
    is_in_waiting_period,
    reporting_deadline,
)
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.domain.guarantee_facts import GuaranteeFacts
from guarantee.domain.guarantees import Guarantee, GuaranteeStatus
from guarantee.domain.leases import Lease, LeaseType
from tests.support.claims import GARANZIA_CASA, GUARANTEE, at, facts, month, product, report


def test_examples_c_the_first_two_rents_fall_in_the_waiting_period() -> None:
    start = date(2027, 1, 1)
    assert is_in_waiting_period(date(2027, 1, 5), start, GARANZIA_CASA)
    assert is_in_waiting_period(date(2027, 2, 5), start, GARANZIA_CASA)
    assert not is_in_waiting_period(date(2027, 3, 5), start, GARANZIA_CASA)
    assert first_covered_rent(GUARANTEE, GARANZIA_CASA) == date(2027, 3, 5)


def test_the_waiting_period_is_the_first_60_days_of_the_lease() -> None:
    start = date(2027, 1, 1)
    assert first_covered_day(start, GARANZIA_CASA) == date(2027, 3, 2)
    assert is_in_waiting_period(date(2027, 3, 1), start, GARANZIA_CASA)  # day 60
    assert not is_in_waiting_period(date(2027, 3, 1), start, product(waiting_period_days=0))


def test_first_covered_rent_when_the_lease_starts_after_the_due_day() -> None:
    # Lease from the 20th: the first rent is due on 5 February, 60 days end on 18 March.
    later = facts(lease_start=date(2027, 1, 20), starts_on=date(2027, 1, 20))
    assert first_covered_rent(later, GARANZIA_CASA) == date(2027, 4, 5)


@pytest.mark.parametrize(
    ("unpaid", "deadline"),
    [
        ([date(2027, 3, 5), date(2027, 4, 5)], date(2027, 6, 4)),  # EXAMPLES §C
        ([date(2027, 5, 5), date(2027, 6, 5)], date(2027, 8, 4)),  # EXAMPLES §D
        ([date(2027, 6, 5), date(2027, 5, 5), date(2027, 7, 5)], date(2027, 8, 4)),
        ([date(2027, 5, 5)], None),  # one unpaid rent: the clock has not started
    ],
)
def test_reporting_deadline_counts_from_the_second_unpaid_rent(
    unpaid: list[date], deadline: date | None
) -> None:
    assert reporting_deadline(unpaid, GARANZIA_CASA) == deadline


def test_examples_d_step_1_report_on_21_june() -> None:
    filed = report(date(2027, 5, 5), date(2027, 6, 5), reported_on=date(2027, 6, 21))
    assert filed.deadline == date(2027, 8, 4)
    assert filed.covered_amount == Decimal("1460.00")
    assert [r.amount for r in filed.rents] == [Decimal("730.00"), Decimal("730.00")]
    assert filed.guarantee_id == "g-1"
    assert filed.product_version == "1"
    assert [(c.action, c.after["deadline"]) for c in filed.changes] == [("reported", "2027-08-04")]
    assert filed.events[0].name == "arrears_reported"


def test_a_report_on_the_last_day_is_in_time() -> None:
    filed = report(date(2027, 3, 5), date(2027, 4, 5), reported_on=date(2027, 6, 4))
    assert filed.deadline == date(2027, 6, 4)


def test_a_report_after_the_deadline_is_refused_in_italian() -> None:
    with pytest.raises(DomainError) as refused:
        report(date(2027, 3, 5), date(2027, 4, 5), reported_on=date(2027, 6, 5))
    assert refused.value.code == "arrears_reported_late"
    assert refused.value.message == (
        "segnalazione tardiva: la morosità andava segnalata entro il 4 giugno 2027, "
        "60 giorni dalla scadenza del secondo canone non pagato (5 aprile 2027); "
        "è stata segnalata il 5 giugno 2027"
    )


def test_rents_in_the_waiting_period_are_kept_but_not_covered() -> None:
    filed = report(
        date(2027, 2, 5), date(2027, 3, 5), date(2027, 4, 5), reported_on=date(2027, 4, 20)
    )
    assert [(r.due_on.month, r.covered) for r in filed.rents] == [(2, False), (3, True), (4, True)]
    assert filed.total_amount == Decimal("2190.00")
    assert filed.covered_amount == Decimal("1460.00")
    # the deadline counts covered rents only: from 5 April, not from 5 March
    assert filed.deadline == date(2027, 6, 4)


def test_a_report_of_waiting_period_rents_only_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        report(date(2027, 1, 5), date(2027, 2, 5), reported_on=date(2027, 2, 20))
    assert refused.value.code == "arrears_in_waiting_period"
    assert "2 marzo 2027" in refused.value.message
    assert "periodo di carenza di 60 giorni" in refused.value.message


def test_the_guarantee_must_be_live_on_every_due_date() -> None:
    ended = facts(ended_on=date(2027, 5, 31))  # terminated at the end of May
    with pytest.raises(DomainError) as refused:
        report(date(2027, 5, 5), date(2027, 6, 5), reported_on=date(2027, 6, 21), guarantee=ended)
    assert refused.value.code == "guarantee_not_live"
    assert refused.value.message == (
        "il canone scaduto il 5 giugno 2027 è fuori copertura: la garanzia GC-2027-000001 "
        "è in vigore dal 1 gennaio 2027 al 31 maggio 2027"
    )


def test_a_guarantee_never_issued_covers_nothing() -> None:
    draft = facts(starts_on=None, ends_on=None, number=None)
    with pytest.raises(DomainError, match="non è mai entrata in vigore"):
        report(date(2027, 5, 5), reported_on=date(2027, 6, 21), guarantee=draft)


def test_the_product_must_be_the_guarantee_version() -> None:
    with pytest.raises(DomainError) as refused:
        report(date(2027, 5, 5), reported_on=date(2027, 6, 1), plan=product(version=2))
    assert refused.value.code == "wrong_product_version"


@pytest.mark.parametrize(
    ("rents", "field"),
    [
        ([], "rents"),
        ([month(date(2027, 5, 5)), month(date(2027, 5, 5))], "rents[1].due_on"),
        ([UnpaidRent(date(2027, 5, 5), Decimal("0"), Decimal("0"))], "rents[0]"),
        ([UnpaidRent(date(2027, 5, 5), Decimal("-1"), Decimal("80"))], "rents[0]"),
        ([UnpaidRent(date(2027, 5, 5), Decimal("650.01"))], "rents[0].rent"),
        ([month(date(2027, 7, 5))], "rents[0].due_on"),  # not yet due
        ([month(date(2026, 12, 5))], "rents[0].due_on"),  # before the lease
    ],
)
def test_wrong_rents_name_the_field(rents: list[UnpaidRent], field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        ArrearsReport(
            guarantee=GUARANTEE,
            product=GARANZIA_CASA,
            rents=rents,
            reported_on=date(2027, 6, 21),
            reported_at=at(date(2027, 6, 21)),
            reported_by="locatore-1",
        )
    assert refused.value.field == field


def test_part_of_a_rent_may_be_unpaid() -> None:
    partial = UnpaidRent(date(2027, 5, 5), Decimal("300"), Decimal("0"))
    filed = ArrearsReport(
        guarantee=GUARANTEE,
        product=GARANZIA_CASA,
        rents=[partial],
        reported_on=date(2027, 5, 20),
        reported_at=at(date(2027, 5, 20)),
        reported_by="locatore-1",
    )
    assert filed.covered_amount == Decimal("300.00")
    assert filed.deadline is None


def test_facts_of_a_terminated_guarantee_end_on_the_day_in_italy() -> None:
    guarantee = Guarantee(
        application_number="DOM-2026-000001",
        landlord_id="l",
        property_id="p",
        household_id="h",
        lease=Lease(
            LeaseType.AGREED_3_2,
            date(2027, 1, 1),
            date(2029, 12, 31),
            Decimal("650"),
            Decimal("80"),
            True,
            "serie 3T n. 1",
        ),
        product_code="garanzia-casa",
        product_version="1",
        created_at=datetime(2026, 11, 25, tzinfo=UTC),
        created_by="gestore",
        id="g-1",
    )
    guarantee.status = GuaranteeStatus.APPROVED
    guarantee.issue(
        number="GC-2027-000001",
        fund_id="f",
        maximum_exposure=Decimal("12800.00"),
        reserve_amount=Decimal("3840.00"),
        max_term_months=36,
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert GuaranteeFacts.of(guarantee) == GUARANTEE
    guarantee.activate(datetime(2027, 1, 1, tzinfo=UTC))
    # 23:30 UTC on 31 May is already 1 June in Rome
    guarantee.terminate(datetime(2027, 5, 31, 23, 30, tzinfo=UTC), "rilascio dell'alloggio")
    ended = GuaranteeFacts.of(guarantee)
    assert ended.covered_until == date(2027, 6, 1)
    assert ended.is_live_on(date(2027, 6, 1))
    assert not ended.is_live_on(date(2027, 6, 2))
