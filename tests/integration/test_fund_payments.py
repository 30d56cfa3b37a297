"""Paying, recovering and writing off through the service layer, on the test database:
EXAMPLES §D in the books, the guarantee's reserve with them, and refusals that write nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import DomainError, InvalidField, PermissionDenied
from guarantee.read.funds import fund_figures
from guarantee.read.guarantees import guarantee_detail
from guarantee.services import commands as c
from tests.support import builders
from tests.support.books import check_books

MANAGER = builders.MANAGER


def rows(system: System, table: tables.Table) -> int:
    with system.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_example_d_payment_recoveries_and_write_off(system: System) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    guarantee = builders.issued_guarantee(system, fund.id)
    number = guarantee.number
    assert number is not None
    entry = system.bus.handle(
        c.RecordClaimPayment(number=number, amount=Decimal("4190.00"), reference="SIN-1"),
        MANAGER,
    )
    assert entry.kind.value == "claim_payment" and entry.reference == "SIN-1"
    with system.engine.connect() as conn:
        detail = guarantee_detail(conn, number)
        figures = fund_figures(conn, fund.id)
        check_books(conn, fund.id)
    assert detail["paid_amount"] == Decimal("4190.00")
    assert detail["reserve_amount"] == Decimal("2583.00")
    assert detail["history"][-1]["action"] == "claim_payment"
    assert figures["balance"] == Decimal("95810.00")
    assert figures["reserved"] == Decimal("2583.00")
    assert figures["exposure"] == Decimal("8610.00")
    assert figures["loss_ratio"] == Decimal("0.0419")

    for n in range(3):
        system.bus.handle(
            c.RecordRecovery(number=number, amount=Decimal("116.39"), reference=f"rata {n + 1}"),
            MANAGER,
        )
    system.bus.handle(
        c.WriteOffRecovery(
            number=number, amount=Decimal("590.00"), reason="oltre le 36 rate sostenibili"
        ),
        MANAGER,
    )
    with system.engine.connect() as conn:
        figures = fund_figures(conn, fund.id)
        check_books(conn, fund.id)
    assert figures["balance"] == Decimal("96159.17")
    assert figures["loss_ratio"] == Decimal("0.0384")
    assert figures["reserved"] == Decimal("2583.00"), "money back does not restore the reserve"
    assert figures["write_offs"] == Decimal("590.00")

    # Ending the guarantee gives back what is left of its reserve and of its exposure.
    system.bus.handle(c.CancelGuarantee(number=number, reason="rilascio dell'alloggio"), MANAGER)
    with system.engine.connect() as conn:
        figures = fund_figures(conn, fund.id)
        check_books(conn, fund.id)
    assert (figures["reserved"], figures["exposure"], figures["live_guarantees"]) == (
        Decimal("0.00"),
        Decimal("0.00"),
        0,
    )


def test_the_tenant_cannot_repay_or_be_forgiven_more_than_it_owes(system: System) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    number = builders.issued_guarantee(system, fund.id).number
    assert number is not None
    system.bus.handle(c.RecordClaimPayment(number=number, amount=Decimal("500.00")), MANAGER)
    system.bus.handle(
        c.RecordRecovery(number=number, amount=Decimal("200.00"), reference="r"), MANAGER
    )
    entries = rows(system, tables.journal_entries)
    with pytest.raises(InvalidField, match=r"ancora dovuto.*300,00"):
        system.bus.handle(
            c.RecordRecovery(number=number, amount=Decimal("300.01"), reference="r"), MANAGER
        )
    with pytest.raises(InvalidField, match="ancora dovuto"):
        system.bus.handle(
            c.WriteOffRecovery(number=number, amount=Decimal("300.01"), reason="x"), MANAGER
        )
    assert rows(system, tables.journal_entries) == entries
    system.bus.handle(
        c.WriteOffRecovery(number=number, amount=Decimal("300.00"), reason="irreperibile"),
        MANAGER,
    )
    with system.engine.connect() as conn:
        check_books(conn, fund.id)


def test_a_payment_beyond_the_cover_left_writes_nothing(system: System) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    number = builders.issued_guarantee(system, fund.id).number
    assert number is not None
    system.bus.handle(c.RecordClaimPayment(number=number, amount=Decimal("12000.00")), MANAGER)
    before = (rows(system, tables.journal_entries), rows(system, tables.audit_events))
    with pytest.raises(InvalidField, match=r"copertura residua.*800,00"):
        system.bus.handle(c.RecordClaimPayment(number=number, amount=Decimal("800.01")), MANAGER)
    assert (rows(system, tables.journal_entries), rows(system, tables.audit_events)) == before
    with system.engine.connect() as conn:
        assert guarantee_detail(conn, number)["paid_amount"] == Decimal("12000.00")
        check_books(conn, fund.id)


def test_an_ended_guarantee_can_still_be_paid_but_holds_no_reserve(system: System) -> None:
    # Damages are claimed after the lease ends: the reserve was released at the end.
    fund = builders.fund_with(system, Decimal("100000.00"))
    number = builders.issued_guarantee(system, fund.id).number
    assert number is not None
    system.bus.handle(c.ActivateGuarantee(number=number), MANAGER)
    system.bus.handle(c.TerminateGuarantee(number=number, reason="fine locazione"), MANAGER)
    system.bus.handle(c.RecordClaimPayment(number=number, amount=Decimal("1500.00")), MANAGER)
    with system.engine.connect() as conn:
        figures = check_books(conn, fund.id)
        assert guarantee_detail(conn, number)["reserve_amount"] == Decimal("0.00")
    assert figures.balance == Decimal("98500.00") and figures.reserved == Decimal("0.00")


def test_only_issued_guarantees_can_be_paid(system: System) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    landlord = builders.enrol_landlord(system)
    application = builders.submit_application(system, builders.add_property(system, landlord.id).id)
    with pytest.raises(DomainError, match="non è una garanzia emessa"):
        system.bus.handle(
            c.RecordClaimPayment(number=application.application_number, amount=Decimal("1")),
            MANAGER,
        )
    cancelled = builders.issued_guarantee(system, fund.id).number
    assert cancelled is not None
    system.bus.handle(c.CancelGuarantee(number=cancelled, reason="errore"), MANAGER)
    with pytest.raises(DomainError, match="nessun pagamento"):
        system.bus.handle(c.RecordClaimPayment(number=cancelled, amount=Decimal("1")), MANAGER)
    with system.engine.connect() as conn:
        assert check_books(conn, fund.id).claims_paid == Decimal("0.00")


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.LANDLORD, Role.MEDIATOR, Role.AUDITOR])
def test_only_fund_managers_move_money(system: System, role: Role) -> None:
    actor = Actor("qualcuno", role)
    for command in (
        c.RecordClaimPayment(number="GC-2026-000001", amount=Decimal("1")),
        c.RecordRecovery(number="GC-2026-000001", amount=Decimal("1"), reference="r"),
        c.WriteOffRecovery(number="GC-2026-000001", amount=Decimal("1"), reason="r"),
    ):
        with pytest.raises(PermissionDenied):
            system.bus.handle(command, actor)


def test_figures_as_of_past_days_follow_the_day_totals(system: System) -> None:
    fund = builders.fund_with(system, Decimal("0"))
    for amount, on in (("60000.00", date(2026, 1, 15)), ("40000.00", date(2026, 3, 1))):
        system.bus.handle(
            c.RecordContribution(
                fund_id=fund.id, amount=Decimal(amount), donor="d", on=on, reference="r"
            ),
            MANAGER,
        )
    number = builders.issued_guarantee(system, fund.id).number  # issued today, 2026-11-25
    assert number is not None
    system.bus.handle(
        c.RecordClaimPayment(number=number, amount=Decimal("4190.00"), on=date(2026, 12, 10)),
        MANAGER,
    )
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
