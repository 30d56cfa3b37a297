"""Who may act, through the real bus over the fake unit of work: the role table refuses before
any handler runs, the handlers refuse what is not the actor's own, and a refusal writes
nothing.

Over HTTP, with accounts and the read side: tests/integration/test_access_matrix.py,
test_request_path.py and tests/unit/web.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import NotFound, PermissionDenied
from guarantee.domain.households import Household
from guarantee.services import commands as c
from tests.support import builders
from tests.support.builders import MANAGER
from tests.support.fake_uow import FakeStore

NOT_STAFF = [Role.OPERATOR, Role.LANDLORD, Role.MEDIATOR, Role.AUDITOR, Role.ANONYMOUS]

# The fund's promise: only fund managers (and the system's jobs) issue, end and pay.
STAFF_ONLY: dict[str, Callable[[str, str], c.Command]] = {
    "issue": lambda number, fund: c.IssueGuarantee(number=number, fund_id=fund),
    "cancel": lambda number, fund: c.CancelGuarantee(number=number, reason="r"),
    "terminate": lambda number, fund: c.TerminateGuarantee(number=number, reason="r"),
    "contribute": lambda number, fund: c.RecordContribution(
        fund, Decimal("1000000.00"), "d", date(2026, 1, 1), "r"
    ),
    "create_fund": lambda number, fund: c.CreateFund(name="Fondo ombra", territory="t"),
    "decide": lambda number, fund: c.DecideClaim("SIN-2026-000001", ()),
}


@pytest.mark.parametrize("role", NOT_STAFF)
@pytest.mark.parametrize("command", sorted(STAFF_ONLY))
def test_only_staff_issue_end_and_fund_guarantees(
    fake_system: System, store: FakeStore, role: Role, command: str
) -> None:
    fund = builders.fund_with(fake_system, Decimal("100000.00"))
    landlord = builders.enrol_landlord(fake_system)
    dwelling = builders.add_property(fake_system, landlord.id)
    application = builders.submit_application(fake_system, dwelling.id)
    fake_system.bus.handle(
        c.ApproveApplication(number=application.application_number, reason="ok"), MANAGER
    )
    before = store.snapshot()
    actor = Actor("qualcuno", role, landlord_id=landlord.id if role is Role.LANDLORD else None)

    with pytest.raises(PermissionDenied):
        fake_system.bus.handle(STAFF_ONLY[command](application.application_number, fund.id), actor)

    assert store.snapshot() == before


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.LANDLORD, Role.MEDIATOR, Role.AUDITOR])
def test_only_fund_managers_move_money(fake_system: System, store: FakeStore, role: Role) -> None:
    # Moved from tests/integration/test_fund_payments.py: the bus refuses before any handler.
    actor = Actor("qualcuno", role)
    for command in (
        c.ProposeClaimPayment("SIN-2026-000001"),
        c.PayClaim("SIN-2026-000001", idempotency_key="k"),
        c.RecordRecoveryInstalment("RIE-2026-000001", "i-1", paid=True),
        c.WriteOffRecoveryPlan("RIE-2026-000001", reason="r"),
    ):
        with pytest.raises(PermissionDenied):
            fake_system.bus.handle(command, actor)
    assert store.commits == 0


def test_a_help_desk_changes_only_the_households_it_referred(
    fake_system: System, store: FakeStore
) -> None:
    desk, other_desk = (
        Actor("sportello-ivrea", Role.OPERATOR),
        Actor("sportello-aosta", Role.OPERATOR),
    )
    landlord = builders.enrol_landlord(fake_system)
    dwelling = builders.add_property(fake_system, landlord.id)
    application = builders.submit_application(fake_system, dwelling.id, desk)
    change = c.ChangeHouseholdIncome(
        household_id=application.household_id,
        net_monthly_income=Decimal("1500.00"),
        valid_from=date(2026, 11, 25),
        document="busta paga di ottobre",
        reason="nuovo contratto",
    )
    before = store.snapshot()

    with pytest.raises(NotFound):
        fake_system.bus.handle(change, other_desk)
    assert store.snapshot() == before

    fake_system.bus.handle(change, desk)
    household: Household = store.get("households", application.household_id)
    assert household.net_monthly_income == Decimal("1500.00")
    audit = [a for a in store.audit if a.entity_id == application.household_id]
    assert audit[-1].actor_id == "sportello-ivrea" and audit[-1].reason == "nuovo contratto"
