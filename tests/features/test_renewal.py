"""Steps for renewal.feature, through the service layer as the API and the portal call it."""

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
from guarantee.read.documents import verify_certificate
from guarantee.read.funds import fund_figures
from guarantee.read.guarantees import guarantee_detail
from guarantee.read.letters import letters_from_json
from guarantee.services import commands as c
from tests.features.conftest import euro
from tests.support import builders
from tests.support.books import check_books

# The fund reads every record (the read side narrows rows to the reader).
READER = Actor("gestore", Role.FUND_MANAGER)

scenarios("renewal.feature")

MANAGER = builders.MANAGER
DAY = r"(?P<{}>\d{{4}}-\d{{2}}-\d{{2}})"


@dataclass
class World:
    fund_id: str = ""
    number: str = ""
    household_id: str = ""
    landlord: Actor | None = None
    first_code: str = ""
    error: DomainError | None = None
    before: dict[str, Any] = field(default_factory=dict)


def _set_day(system: System, day: str) -> None:
    clock = system.deps.clock
    assert isinstance(clock, FixedClock)
    on = date.fromisoformat(day)
    clock.set(datetime(on.year, on.month, on.day, 10, tzinfo=UTC))


def _written(system: System, world: World) -> dict[str, Any]:
    """What a renewal would write: entries, terms, audit rows, events, the row's version."""
    j, a, o, g = (
        tables.journal_entries.c,
        tables.audit_events.c,
        tables.outbox.c,
        tables.guarantees.c,
    )
    with system.engine.connect() as conn:
        return {
            "entries": conn.scalar(select(func.count()).where(j.fund_id == world.fund_id)),
            "terms": conn.scalar(select(func.count()).select_from(tables.guarantee_terms)),
            "audit": conn.scalar(select(func.count()).select_from(tables.audit_events)),
            "renewed": conn.scalar(select(func.count()).where(o.topic == "guarantee_renewed")),
            "version": conn.scalar(select(g.version).where(g.number == world.number)),
            "renew_audit": conn.scalar(select(func.count()).where(a.action == "renew")),
        }


@given(parsers.parse('the fund "{name}" holds {amount}'), target_fixture="world")
def fund_holds(system: System, name: str, amount: str) -> World:
    fund = system.bus.handle(c.CreateFund(name=name, territory="Eporediese"), MANAGER)
    system.bus.handle(
        c.RecordContribution(
            fund_id=fund.id,
            amount=euro(amount),
            donor="Fondazione",
            on=date(2026, 1, 15),
            reference="delibera 1/2026",
        ),
        MANAGER,
    )
    return World(fund_id=fund.id)


@given(
    parsers.re(
        rf"an active guarantee on a lease from {DAY.format('start')} to {DAY.format('end')} "
        r"at (?P<rent>[\d.,]+ €) rent and (?P<charges>[\d.,]+ €) charges, for a household "
        r"earning (?P<income>[\d.,]+ €) a month"
    )
)
def active_guarantee(
    system: System, world: World, start: str, end: str, rent: str, charges: str, income: str
) -> None:
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    world.landlord = Actor(f"locatore-{landlord.id[:8]}", Role.LANDLORD, landlord_id=landlord.id)
    lease = builders.lease(
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
        monthly_rent=euro(rent),
        monthly_charges=euro(charges),
    )
    application = builders.submit_application(
        system, dwelling.id, lease_data=lease, net_monthly_income=euro(income)
    )
    number = application.application_number
    system.bus.handle(c.ApproveApplication(number=number), MANAGER)
    issued = system.bus.handle(c.IssueGuarantee(number=number, fund_id=world.fund_id), MANAGER)
    system.bus.handle(c.ActivateGuarantee(number=issued.number), MANAGER)
    world.number, world.household_id = issued.number, issued.household_id
    world.first_code = issued.certificate_code
    world.before = _written(system, world)


@given(parsers.parse("on {day} the household's net income fell to {income} a month"))
def income_fell(system: System, world: World, day: str, income: str) -> None:
    _set_day(system, day)
    system.bus.handle(
        c.ChangeHouseholdIncome(
            household_id=world.household_id,
            net_monthly_income=euro(income),
            valid_from=date.fromisoformat(day),
            document="CU 2029",
            reason="nuovo lavoro a tempo parziale",
        ),
        MANAGER,
    )


@when(
    parsers.re(
        rf"on {DAY.format('day')} the (?P<who>landlord asks to renew|fund manager renews) it "
        rf"until {DAY.format('end')} at (?P<rent>[\d.,]+ €) rent and (?P<charges>[\d.,]+ €) "
        r"charges"
    )
)
def renew(
    system: System, world: World, day: str, who: str, end: str, rent: str, charges: str
) -> None:
    _set_day(system, day)
    actor = MANAGER if who.startswith("fund") else world.landlord
    assert actor is not None
    command = c.RenewGuarantee(
        number=world.number,
        lease=c.RenewalLeaseData(
            end=date.fromisoformat(end),
            monthly_rent=euro(rent),
            monthly_charges=euro(charges),
            registration_reference="Agenzia Entrate Ivrea, serie 3T n. 4321",
        ),
    )
    world.error = None
    try:
        system.bus.handle(command, actor)
    except DomainError as exc:
        world.error = exc


@then(parsers.parse('the request is refused with "{message}"'))
def refused(world: World, message: str) -> None:
    assert world.error is not None, "the request was accepted"
    assert message in world.error.message, world.error.message


@then(
    parsers.re(
        r'the guarantee is "(?P<status>\w+)" in its term (?P<term>\d+), '
        rf"from {DAY.format('start')} to {DAY.format('end')}"
    )
)
def in_term(system: System, world: World, status: str, term: str, start: str, end: str) -> None:
    with system.engine.connect() as conn:
        detail = guarantee_detail(conn, world.number, actor=READER)
    assert detail["status"] == status
    assert detail["term"] == int(term)
    assert (detail["term_starts_on"], detail["ends_on"]) == (
        date.fromisoformat(start),
        date.fromisoformat(end),
    )


@then(parsers.parse("the fund has reserved {reserved} and has {free} free"))
@given(parsers.parse("the fund has reserved {reserved} and has {free} free"))
def fund_state(system: System, world: World, reserved: str, free: str) -> None:
    with system.engine.connect() as conn:
        figures = fund_figures(conn, world.fund_id)
        check_books(conn, world.fund_id)
    assert figures["reserved"] == euro(reserved)
    assert figures["free_capacity"] == euro(free)


@then(parsers.parse("one balanced entry moved {amount} from capital to reserves for the renewal"))
def one_entry(system: System, world: World, amount: str) -> None:
    j, p = tables.journal_entries.c, tables.postings.c
    with system.engine.connect() as conn:
        entries = conn.execute(
            select(j.id, j.description).where(
                j.fund_id == world.fund_id, j.description.like("%rinnovo%")
            )
        ).all()
        assert len(entries) == 1, entries
        postings = conn.execute(
            select(p.account, p.side, p.amount).where(p.entry_id == entries[0].id)
        ).all()
    assert sorted((str(a), str(s), m) for a, s, m in postings) == [
        ("capital", "debit", euro(amount)),
        ("reserves", "credit", euro(amount)),
    ]


@then(
    parsers.re(
        r"the landlord is sent a new contract of guarantee and a new certificate for "
        rf"{DAY.format('start')} to {DAY.format('end')}"
    )
)
def new_documents(system: System, world: World, start: str, end: str) -> None:
    o = tables.outbox.c
    with system.engine.connect() as conn:
        payload = conn.scalar(select(o.payload).where(o.topic == "guarantee_renewed"))
        code = conn.scalar(
            select(tables.guarantees.c.certificate_code).where(
                tables.guarantees.c.number == world.number
            )
        )
    (letter,) = letters_from_json(payload["letters"])
    assert [a.value for a in letter.to] == ["landlord"]
    kinds = {e.kind.value: e.context for e in letter.enclosures}
    assert set(kinds) == {"guarantee_contract", "certificate"}
    dates = (date.fromisoformat(start), date.fromisoformat(end))
    contract = kinds["guarantee_contract"]["guarantee"]
    assert (contract["start_date"], contract["end_date"]) == dates
    assert kinds["guarantee_contract"]["lease"]["monthly_rent"] == Decimal("700.00")
    assert kinds["certificate"]["certificate_code"] == code != world.first_code


@then(
    parsers.re(
        r'the old certificate is shown at /verify as "(?P<label>[^"]+)" and the new one as '
        rf"valid until {DAY.format('end')}"
    )
)
def verify_both(system: System, world: World, label: str, end: str) -> None:
    from guarantee.web.controllers.documents import STATUS_LABELS

    today = system.deps.clock.today()
    with system.engine.connect() as conn:
        old = verify_certificate(conn, world.first_code, today)
        code = conn.scalar(
            select(tables.guarantees.c.certificate_code).where(
                tables.guarantees.c.number == world.number
            )
        )
        new = verify_certificate(conn, code, today)
    assert not old["valid"] and STATUS_LABELS[old["status"]] == label
    assert old["ends_on"] == date(2029, 12, 31)
    assert new["valid"] and new["ends_on"] == date.fromisoformat(end)


@then(
    parsers.re(
        rf"the first term is kept: {DAY.format('start')} to {DAY.format('end')} at "
        r"(?P<rent>[\d.,]+ €) rent"
    )
)
def first_term(system: System, world: World, start: str, end: str, rent: str) -> None:
    with system.engine.connect() as conn:
        detail = guarantee_detail(conn, world.number, actor=READER)
    (term,) = detail["terms"]
    assert term["term"] == 1
    assert (term["starts_on"], term["ends_on"]) == (
        date.fromisoformat(start),
        date.fromisoformat(end),
    )
    assert term["monthly_rent"] == euro(rent)
    assert term["certificate_code"] == world.first_code
    assert term["reserve_amount"] == Decimal("3840.00")


@then("nothing was written for the renewal")
def nothing_written(system: System, world: World) -> None:
    after = _written(system, world)
    for key in ("entries", "terms", "audit", "renewed", "version", "renew_audit"):
        assert after[key] == world.before[key], key
