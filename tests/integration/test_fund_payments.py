"""Paying, recovering and writing off through the service layer, on the test database:
EXAMPLES §D in the books and the read models, the guarantee's reserve with them, and the
figures as of past days. Refusals that write nothing, payments on ended guarantees and who may
move money run over the fake unit of work: tests/unit/services/test_claims_fake_uow.py,
test_permissions_fake_uow.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.read.funds import fund_figures
from guarantee.read.guarantees import guarantee_detail
from guarantee.services import commands as c
from tests.support import builders
from tests.support.books import check_books
from tests.support.payments import file_and_decide, past_lease, pay_decided, pay_on

MANAGER = builders.MANAGER

READER = Actor.system("tests")  # reads every row


def issued(system: System, fund_id: str) -> str:
    number = builders.issued_guarantee(system, fund_id, lease_data=past_lease()).number
    assert number is not None
    return number


def test_example_d_payment_recoveries_and_write_off(system: System) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    number = issued(system, fund.id)
    claim = file_and_decide(system, number, Decimal("4190.00"))
    paid = pay_decided(system, claim, reference="SIN-1")
    assert paid["payment_reference"] == "SIN-1" and paid["authorised_by"] == "gestore-due"
    with system.engine.connect() as conn:
        detail = guarantee_detail(conn, number, actor=READER)
        figures = fund_figures(conn, fund.id)
        check_books(conn, fund.id)
    assert detail["paid_amount"] == Decimal("4190.00")
    assert detail["reserve_amount"] == Decimal("2583.00")
    assert "claim_payment" in [h["action"] for h in detail["history"]]
    assert figures["balance"] == Decimal("95810.00")
    assert figures["reserved"] == Decimal("2583.00")
    assert figures["exposure"] == Decimal("8610.00")
    assert figures["loss_ratio"] == Decimal("0.0419")

    plan = system.bus.handle(c.CreateRecoveryPlan(claim, date(2027, 1, 5)), MANAGER)
    recovered = Decimal("0.00")
    for instalment in plan.instalments[:3]:
        system.bus.handle(
            c.RecordRecoveryInstalment(plan.number, instalment.id, paid=True), MANAGER
        )
        recovered += instalment.amount
    system.bus.handle(c.WriteOffRecoveryPlan(plan.number, reason="irreperibile"), MANAGER)
    with system.engine.connect() as conn:
        figures = fund_figures(conn, fund.id)
        check_books(conn, fund.id)
    assert figures["balance"] == Decimal("95810.00") + recovered
    assert figures["reserved"] == Decimal("2583.00"), "money back does not restore the reserve"
    assert figures["write_offs"] == Decimal("4190.00") - recovered

    # Ending the guarantee gives back what is left of its reserve and of its exposure.
    system.bus.handle(c.TerminateGuarantee(number=number, reason="rilascio dell'alloggio"), MANAGER)
    with system.engine.connect() as conn:
        figures = fund_figures(conn, fund.id)
        check_books(conn, fund.id)
    assert (figures["reserved"], figures["exposure"], figures["live_guarantees"]) == (
        Decimal("0.00"),
        Decimal("0.00"),
        0,
    )


def test_no_command_moves_money_without_a_claim_or_a_plan() -> None:
    from guarantee.services.messagebus import HANDLERS

    names = {command.__name__ for command in HANDLERS}
    assert not names & {"RecordClaimPayment", "RecordRecovery", "WriteOffRecovery"}


def test_figures_as_of_past_days_follow_the_day_totals(system: System) -> None:
    fund = builders.fund_with(system, Decimal("0"))
    for amount, on in (("60000.00", date(2026, 1, 15)), ("40000.00", date(2026, 3, 1))):
        system.bus.handle(
            c.RecordContribution(
                fund_id=fund.id, amount=Decimal(amount), donor="d", on=on, reference="r"
            ),
            MANAGER,
        )
    number = issued(system, fund.id)  # issued today, 2026-11-25, on a lease from June
    # The transfer's value date is 2026-12-10: the books follow it, not the day it was typed.
    pay_on(system, number, Decimal("4190.00"), on=date(2026, 12, 10))
    with system.engine.connect() as conn:
        before_all = fund_figures(conn, fund.id, date(2026, 1, 14))
        january = fund_figures(conn, fund.id, date(2026, 1, 31))
        issue_day = fund_figures(conn, fund.id, date(2026, 11, 25))
        paid = fund_figures(conn, fund.id, date(2026, 12, 10))
        now = fund_figures(conn, fund.id)
    assert before_all["balance"] == Decimal("0.00") and before_all["leverage"] is None
    assert january["balance"] == Decimal("60000.00") and january["reserved"] == Decimal("0.00")
    assert issue_day["balance"] == Decimal("100000.00")
    assert issue_day["reserved"] == Decimal("3840.00")
    assert issue_day["exposure"] == Decimal("12800.00") and issue_day["live_guarantees"] == 1
    assert issue_day["claims_paid"] == Decimal("0.00")
    assert paid["balance"] == Decimal("95810.00") and paid["exposure"] == Decimal("8610.00")
    assert {k: v for k, v in paid.items() if k != "as_of"} == {
        k: v for k, v in now.items() if k != "as_of"
    }
