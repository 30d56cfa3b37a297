"""Expiry reminders per term: a renewed guarantee is reminded again before its new end, once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from guarantee.adapters.clock import FixedClock
from guarantee.bootstrap import System
from guarantee.jobs.reminders import insert_due_reminders
from guarantee.services import commands as c
from tests.support import builders


def _remind(system: System, day: date) -> int:
    with system.engine.begin() as conn:
        return insert_due_reminders(conn, day, datetime(day.year, day.month, day.day, tzinfo=UTC))


def test_each_term_is_reminded_once(system: System, clock: FixedClock) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    guarantee = builders.issued_guarantee(system, fund.id, net_monthly_income=Decimal("2100"))
    system.bus.handle(c.ActivateGuarantee(number=guarantee.number), builders.MANAGER)
    assert _remind(system, date(2029, 11, 15)) == 1
    assert _remind(system, date(2029, 11, 16)) == 0
    clock.set(datetime(2029, 11, 20, 10, tzinfo=UTC))
    system.bus.handle(
        c.RenewGuarantee(
            number=guarantee.number,
            lease=c.RenewalLeaseData(
                end=date(2032, 12, 31),
                monthly_rent=Decimal("650.00"),
                monthly_charges=Decimal("80.00"),
                registration_reference="serie 3T n. 7",
            ),
        ),
        builders.MANAGER,
    )
    assert _remind(system, date(2029, 11, 21)) == 0, "the new term ends in three years"
    assert _remind(system, date(2032, 11, 15)) == 1
    assert _remind(system, date(2032, 11, 20)) == 0
