"""Random lives of a fund, through the real service layer on the test database.

Contributions, issues, activations, cancellations, terminations, time passing (the daily
expiry), claim payments, recoveries and write-offs in any order; after every step the books
are read back from the database and must keep every promise (tests/support/books.py):
each entry balanced, free capacity never negative, reserved equal to the reserves of the live
guarantees, running balances and day totals equal to the sums of the entries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Connection, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.domain.errors import InsufficientCapacity
from guarantee.domain.money import money
from guarantee.read.funds import fund_figures
from guarantee.services import commands as c
from tests.support import builders
from tests.support.books import check_books

MANAGER = builders.MANAGER
START = datetime(2026, 11, 25, 9, tzinfo=UTC)
g, j, p = tables.guarantees.c, tables.journal_entries.c, tables.postings.c

cents = st.integers(min_value=1, max_value=10_000_00).map(lambda n: Decimal(n) / 100)
share = st.integers(min_value=1, max_value=100)  # percent of what is left
pick = st.integers(min_value=0, max_value=10_000)


class FundLife(RuleBasedStateMachine):
    system: ClassVar[System]
    property_id: ClassVar[str]

    @initialize(first=st.integers(min_value=5_000, max_value=60_000).map(Decimal))
    def open_fund(self, first: Decimal) -> None:
        clock = self.system.deps.clock
        assert isinstance(clock, FixedClock)
        clock.set(START)
        self.clock = clock
        self.fund_id = builders.fund_with(self.system, first).id

    # -- rules -------------------------------------------------------------------------------

    @rule(amount=cents)
    def contribute(self, amount: Decimal) -> None:
        self.system.bus.handle(
            c.RecordContribution(
                fund_id=self.fund_id,
                amount=amount,
                donor="Fondazione",
                on=self.clock.today(),
                reference="delibera",
            ),
            MANAGER,
        )

    @rule(rent=st.sampled_from(["400.00", "520.00", "650.00"]))
    def issue(self, rent: str) -> None:
        start = self.clock.today() + timedelta(days=30)
        lease = builders.lease(
            start=start, end=start + timedelta(days=3 * 365), monthly_rent=Decimal(rent)
        )
        application = builders.submit_application(self.system, self.property_id, lease_data=lease)
        number = application.application_number
        self.system.bus.handle(c.ApproveApplication(number=number, reason="ok"), MANAGER)
        product = self.system.deps.products.current("garanzia-casa", self.clock.today())
        needed = product.reserve_for(Decimal(rent))
        with self.connect() as conn:
            free = fund_figures(conn, self.fund_id)["free_capacity"]
        try:
            self.system.bus.handle(c.IssueGuarantee(number=number, fund_id=self.fund_id), MANAGER)
        except InsufficientCapacity:
            assert free < needed
        else:
            assert free >= needed

    @precondition(lambda self: bool(self.numbers("issued")))
    @rule(which=pick)
    def activate(self, which: int) -> None:
        number = self.choose("issued", which)
        self.system.bus.handle(c.ActivateGuarantee(number=number), MANAGER)

    @precondition(lambda self: bool(self.numbers("issued")))
    @rule(which=pick)
    def cancel(self, which: int) -> None:
        number = self.choose("issued", which)
        self.system.bus.handle(c.CancelGuarantee(number=number, reason="errore"), MANAGER)

    @precondition(lambda self: bool(self.numbers("active")))
    @rule(which=pick)
    def terminate(self, which: int) -> None:
        number = self.choose("active", which)
        self.system.bus.handle(c.TerminateGuarantee(number=number, reason="disdetta"), MANAGER)

    @rule(days=st.integers(min_value=1, max_value=1200))
    def time_passes(self, days: int) -> None:
        self.clock.set(self.clock.now() + timedelta(days=days))
        self.system.bus.handle(c.ExpireDueGuarantees(), Actor.system("scheduler"))

    @precondition(lambda self: bool(self.payable()))
    @rule(which=pick, percent=share)
    def pay(self, which: int, percent: int) -> None:
        number, left = self.payable()[which % len(self.payable())]
        amount = max(money(left * percent / 100), Decimal("0.01"))
        with self.connect() as conn:
            before = check_books(conn, self.fund_id)
        try:
            self.system.bus.handle(c.RecordClaimPayment(number=number, amount=amount), MANAGER)
        except InsufficientCapacity:
            assert before.balance - amount < before.reserved

    @precondition(lambda self: bool(self.owing()))
    @rule(which=pick, percent=share, forgive=st.booleans())
    def tenant_repays_or_is_forgiven(self, which: int, percent: int, forgive: bool) -> None:
        number, owed = self.owing()[which % len(self.owing())]
        amount = max(money(owed * percent / 100), Decimal("0.01"))
        if forgive:
            command: c.Command = c.WriteOffRecovery(number=number, amount=amount, reason="r")
        else:
            command = c.RecordRecovery(number=number, amount=amount, reference="rata")
        self.system.bus.handle(command, MANAGER)

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def books_keep_their_promises(self) -> None:
        if not hasattr(self, "fund_id"):
            return
        with self.connect() as conn:
            check_books(conn, self.fund_id)
            now = fund_figures(conn, self.fund_id)
            today = fund_figures(conn, self.fund_id, self.clock.today())
        assert {**today, "as_of": None} == now

    # -- helpers -----------------------------------------------------------------------------

    def connect(self) -> Connection:
        return self.system.engine.connect()

    def numbers(self, status: str) -> list[str]:
        with self.connect() as conn:
            found = conn.scalars(
                select(g.number)
                .where(g.fund_id == self.fund_id, g.status == status)
                .order_by(g.number)
            )
            return [n for n in found if n]

    def choose(self, status: str, which: int) -> str:
        numbers = self.numbers(status)
        return numbers[which % len(numbers)]

    def payable(self) -> list[tuple[str, Decimal]]:
        with self.connect() as conn:
            rows = conn.execute(
                select(g.number, g.maximum_exposure, g.paid_amount)
                .where(g.fund_id == self.fund_id, g.status != "cancelled")
                .order_by(g.number)
            )
            return [(n, top - paid) for n, top, paid in rows if top > paid]

    def owing(self) -> list[tuple[str, Decimal]]:
        with self.connect() as conn:
            rows = conn.execute(
                select(g.number, g.id).where(g.fund_id == self.fund_id).order_by(g.number)
            )
            owed = [(n, _owed(conn, gid)) for n, gid in rows]
        return [(n, amount) for n, amount in owed if amount > 0]


def _owed(conn: Connection, guarantee_id: str) -> Decimal:
    total = Decimal("0.00")
    statement = (
        select(p.side, p.amount)
        .select_from(tables.postings.join(tables.journal_entries, p.entry_id == j.id))
        .where(j.guarantee_id == guarantee_id, p.account == "recoveries_receivable")
    )
    for side, amount in conn.execute(statement):
        total += amount if side.value == "debit" else -amount
    return total


def test_random_lives_of_a_fund_keep_the_books(system: System) -> None:
    landlord = builders.enrol_landlord(system)
    FundLife.system = system
    FundLife.property_id = builders.add_property(system, landlord.id).id
    run_state_machine_as_test(
        FundLife,
        settings=settings(
            max_examples=8,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
