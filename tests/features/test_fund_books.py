"""Steps for fund_books.feature, through the service layer and the read side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import func, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import DomainError
from guarantee.read.funds import fund_figures
from guarantee.read.guarantees import guarantee_detail
from guarantee.services import commands as c
from tests.features.conftest import euro
from tests.support import builders
from tests.support.books import check_books
from tests.support.payments import pay_on

scenarios("fund_books.feature")

MANAGER = Actor("gestore", Role.FUND_MANAGER)
FIGURES = {
    "balance": "balance",
    "reserved": "reserved",
    "free capacity": "free_capacity",
    "exposure": "exposure",
    "leverage": "leverage",
    "loss ratio": "loss_ratio",
    "live guarantees": "live_guarantees",
}
WRITTEN = (
    tables.journal_entries,
    tables.postings,
    tables.audit_events,
    tables.fund_daily_totals,
    tables.counters,
)


@dataclass
class Books:
    fund_id: str = ""
    property_id: str = ""
    issued: list[str] = field(default_factory=list)
    application: str = ""
    lease: tuple[str, str] = ("", "")
    error: DomainError | None = None
    before: dict[str, Any] = field(default_factory=dict)


def expected(text: str) -> Any:
    """'100.000,00 €' → Decimal euros; '4,19%' → fraction 0.0419; '3,33' → 3.33; 'n.d.' → None."""
    text = text.strip()
    if text == "n.d.":
        return None
    if text.endswith("€"):
        return euro(text)
    if text.endswith("%"):
        return Decimal(text[:-1].replace(".", "").replace(",", ".")) / 100
    if "," in text:
        return Decimal(text.replace(".", "").replace(",", "."))
    return int(text)


def snapshot(system: System) -> dict[str, Any]:
    with system.engine.connect() as conn:
        counts = {t.name: conn.scalar(select(func.count()).select_from(t)) for t in WRITTEN}
        counts["counters"] = list(conn.execute(select(tables.counters)))
        counts["days"] = list(conn.execute(select(tables.fund_daily_totals)))
    return counts


@given(parsers.parse('the fund "{name}" is open and empty'), target_fixture="books")
def open_fund(system: System, name: str) -> Books:
    fund = system.bus.handle(c.CreateFund(name=name, territory="Eporediese"), MANAGER)
    return Books(fund_id=fund.id)


@given(parsers.parse('the landlord "{name}" rents a {area:d} m² flat in Ivrea'))
def landlord_with_flat(system: System, books: Books, name: str, area: int) -> None:
    landlord = builders.enrol_landlord(system, name=name)
    books.property_id = builders.add_property(system, landlord.id, floor_area_m2=area).id


@when(parsers.parse('the fund manager records a contribution of {amount} from "{donor}" on {day}'))
def contribution(system: System, books: Books, amount: str, donor: str, day: str) -> None:
    system.bus.handle(
        c.RecordContribution(
            fund_id=books.fund_id,
            amount=euro(amount),
            donor=donor,
            on=date.fromisoformat(day),
            reference="delibera",
        ),
        MANAGER,
    )


def approved(system: System, books: Books, rent: str, charges: str) -> str:
    lease = builders.lease(monthly_rent=euro(rent), monthly_charges=euro(charges))
    application = builders.submit_application(system, books.property_id, lease_data=lease)
    number = application.application_number
    system.bus.handle(c.ApproveApplication(number=number, reason="ok"), MANAGER)
    return number


@when(
    parsers.parse(
        "the fund manager issues {count:d} guarantees for leases with rent {rent} "
        "and charges {charges}"
    )
)
def issue_many(system: System, books: Books, count: int, rent: str, charges: str) -> None:
    for _ in range(count):
        number = approved(system, books, rent, charges)
        guarantee = system.bus.handle(
            c.IssueGuarantee(number=number, fund_id=books.fund_id), MANAGER
        )
        books.issued.append(guarantee.number)
    books.lease = (rent, charges)


@when(
    parsers.parse(
        "on {day} the fund manager issues {count:d} guarantees for leases with rent {rent} "
        "and charges {charges}"
    )
)
def issue_on(system: System, books: Books, day: str, count: int, rent: str, charges: str) -> None:
    on_day(system, day)
    issue_many(system, books, count, rent, charges)


@when(parsers.parse('on {day} the fund pays a claim of {amount} on guarantee "{number}"'))
def pay(system: System, books: Books, day: str, amount: str, number: str) -> None:
    on_day(system, day)
    pay_on(system, number, euro(amount))


def on_day(system: System, day: str) -> None:
    clock = system.deps.clock
    assert isinstance(clock, FixedClock)
    moment = date.fromisoformat(day)
    clock.set(datetime(moment.year, moment.month, moment.day, 9, tzinfo=UTC))


@when("the fund manager tries to issue one more guarantee like them")
def issue_one_more(system: System, books: Books) -> None:
    number = approved(system, books, *books.lease)
    books.application = number
    books.before = snapshot(system)
    try:
        system.bus.handle(c.IssueGuarantee(number=number, fund_id=books.fund_id), MANAGER)
    except DomainError as exc:
        books.error = exc


@then(parsers.parse('{count:d} guarantees are live, numbered from "{first}" to "{last}"'))
def live_guarantees(system: System, books: Books, count: int, first: str, last: str) -> None:
    assert len(books.issued) == count
    assert (books.issued[0], books.issued[-1]) == (first, last)
    with system.engine.connect() as conn:
        assert {guarantee_detail(conn, n, actor=MANAGER)["status"] for n in books.issued} == {
            "issued"
        }


@then(parsers.parse('the request is refused with "{message}"'))
def refused(books: Books, message: str) -> None:
    assert books.error is not None, "the request was accepted"
    assert message == books.error.message


@then("nothing was written: no entry, no audit record, no guarantee number")
def nothing_written(system: System, books: Books) -> None:
    assert snapshot(system) == books.before
    with system.engine.connect() as conn:
        detail = guarantee_detail(conn, books.application, actor=MANAGER)
    assert detail["status"] == "approved" and detail["number"] is None


@then("the fund's figures are")
def figures_now(system: System, books: Books, datatable: list[list[str]]) -> None:
    with system.engine.connect() as conn:
        check_books(conn, books.fund_id)
        figures = fund_figures(conn, books.fund_id)
    compare(figures, datatable)


@then(parsers.parse("as of {day} the fund's figures are"))
def figures_then(system: System, books: Books, day: str, datatable: list[list[str]]) -> None:
    with system.engine.connect() as conn:
        figures = fund_figures(conn, books.fund_id, date.fromisoformat(day))
    assert figures["as_of"] == date.fromisoformat(day)
    compare(figures, datatable)


def compare(figures: dict[str, Any], table: list[list[str]]) -> None:
    seen = {label: figures[FIGURES[label]] for label, _ in table}
    assert seen == {label: expected(value) for label, value in table}
