"""Steps for guarantee_lifecycle.feature, through the service layer as the web would call it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pytest_bdd import given, parsers, scenarios, then, when

from guarantee.adapters.clock import FixedClock
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import DomainError
from guarantee.domain.guarantees import Guarantee
from guarantee.read.funds import fund_figures
from guarantee.read.guarantees import guarantee_detail
from guarantee.services import commands as c
from tests.features.conftest import euro
from tests.support import builders

scenarios("guarantee_lifecycle.feature")

MANAGER = Actor("gestore", Role.FUND_MANAGER)
HELP_DESK = Actor("sportello", Role.OPERATOR)


@dataclass
class World:
    fund_id: str = ""
    property_id: str = ""
    number: str = ""
    error: DomainError | None = None
    seen: dict[str, Any] = field(default_factory=dict)


def attempt(world: World, system: System, command: c.Command, actor: Actor = MANAGER) -> Any:
    world.error = None
    try:
        result = system.bus.handle(command, actor)
    except DomainError as exc:
        world.error = exc
        return None
    if isinstance(result, Guarantee):
        world.number = result.number or result.application_number
    return result


def status_of(system: System, number: str) -> str:
    with system.engine.connect() as conn:
        return str(guarantee_detail(conn, number, actor=MANAGER)["status"])


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


@given(parsers.parse('the landlord "{name}" rents a {area:d} m² flat in Ivrea'))
def landlord_with_flat(system: System, world: World, name: str, area: int) -> None:
    landlord = builders.enrol_landlord(system, name=name)
    world.property_id = builders.add_property(system, landlord.id, floor_area_m2=area).id


@given(parsers.parse('a guarantee in state "{state}" ending on {end}'))
def guarantee_ending(system: System, world: World, state: str, end: str) -> None:
    bring_to(system, world, state, date.fromisoformat(end))


@given(parsers.parse('a guarantee in state "{state}"'))
def guarantee_in_state(system: System, world: World, state: str) -> None:
    bring_to(system, world, state, date(2029, 12, 31))


def bring_to(system: System, world: World, state: str, end: date) -> None:
    application = builders.submit_application(
        system, world.property_id, HELP_DESK, lease_data=builders.lease(end=end)
    )
    world.number = application.application_number
    path = {
        "approved": ["approve"],
        "issued": ["approve", "issue"],
        "active": ["approve", "issue", "activate"],
        "cancelled": ["approve", "issue", "cancel"],
        "expired": ["approve", "issue", "activate", "expire"],
    }[state]
    for step in path:
        if step == "approve":
            attempt(world, system, c.ApproveApplication(number=world.number))
        elif step == "issue":
            attempt(world, system, c.IssueGuarantee(number=world.number, fund_id=world.fund_id))
        elif step == "activate":
            attempt(world, system, c.ActivateGuarantee(number=world.number))
        elif step == "cancel":
            attempt(world, system, c.CancelGuarantee(number=world.number, reason="errore"))
        elif step == "expire":
            clock = system.deps.clock
            assert isinstance(clock, FixedClock)
            clock.set(datetime(end.year + 1, 1, 2, 9, tzinfo=UTC))
            attempt(world, system, c.ExpireGuarantee(number=world.number))
        assert world.error is None, world.error
    assert status_of(system, world.number) == state


@when(
    parsers.parse(
        "the help desk submits an application for a household with ISEE {isee} and net income "
        "{income} a month, rent {rent} and charges {charges}"
    )
)
def help_desk_submits(
    system: System, world: World, isee: str, income: str, rent: str, charges: str
) -> None:
    application = builders.submit_application(
        system,
        world.property_id,
        HELP_DESK,
        isee=euro(isee),
        net_monthly_income=euro(income),
        lease_data=builders.lease(monthly_rent=euro(rent), monthly_charges=euro(charges)),
    )
    world.number = application.application_number


@when("the fund manager approves the application")
@when("the fund manager approves the application without a reason")
def manager_approves(system: System, world: World) -> None:
    attempt(world, system, c.ApproveApplication(number=world.number))


@when(parsers.parse('the fund manager approves the application with reason "{reason}"'))
def manager_approves_with_reason(system: System, world: World, reason: str) -> None:
    attempt(world, system, c.ApproveApplication(number=world.number, reason=reason))


@when("the fund manager issues the guarantee")
def manager_issues(system: System, world: World) -> None:
    attempt(world, system, c.IssueGuarantee(number=world.number, fund_id=world.fund_id))
    assert world.error is None, world.error


@when("the fund manager activates the guarantee")
def manager_activates(system: System, world: World) -> None:
    attempt(world, system, c.ActivateGuarantee(number=world.number))


@when(parsers.parse("the fund manager tries to {action} it"))
def manager_tries(system: System, world: World, action: str) -> None:
    commands: dict[str, type[c.GuaranteeCommand]] = {
        "approve": c.ApproveApplication,
        "issue": c.IssueGuarantee,
        "activate": c.ActivateGuarantee,
        "terminate": c.TerminateGuarantee,
        "cancel": c.CancelGuarantee,
    }
    attempt(world, system, commands[action](number=world.number, reason="prova"))


@when(parsers.parse('the fund manager terminates it because "{reason}"'))
def manager_terminates(system: System, world: World, reason: str) -> None:
    attempt(world, system, c.TerminateGuarantee(number=world.number, reason=reason))
    assert world.error is None, world.error


@when(parsers.parse("the daily expiry runs on {day}"))
def daily_expiry(system: System, world: World, day: str) -> None:
    clock = system.deps.clock
    assert isinstance(clock, FixedClock)
    run_at = date.fromisoformat(day)
    clock.set(datetime(run_at.year, run_at.month, run_at.day, 5, tzinfo=UTC))
    system.bus.handle(c.ExpireDueGuarantees(), Actor.system("scheduler"))


@then(parsers.parse('the application is "{status}" under rule set "{version}"'))
def application_outcome(system: System, world: World, status: str, version: str) -> None:
    with system.engine.connect() as conn:
        detail = guarantee_detail(conn, world.number, actor=MANAGER)
    assert detail["status"] == status
    assert detail["ruleset_version"] == version
    assert detail["eligibility"]["outcome"] == status


@then(parsers.parse('the application is "{status}"'))
@then(parsers.parse('the guarantee is "{status}"'))
@then(parsers.parse('the guarantee is still "{status}"'))
def has_status(system: System, world: World, status: str) -> None:
    assert status_of(system, world.number) == status


@then(parsers.parse('the guarantee has number "{number}" and is "{status}"'))
def has_number(system: System, world: World, number: str, status: str) -> None:
    assert world.number == number
    assert status_of(system, number) == status


@then(parsers.parse("the fund has reserved {reserved} and has {free} free"))
def fund_state(system: System, world: World, reserved: str, free: str) -> None:
    with system.engine.connect() as conn:
        figures = fund_figures(conn, world.fund_id)
    assert figures["reserved"] == euro(reserved)
    assert figures["free_capacity"] == euro(free)


@then(parsers.parse('the request is refused with "{message}"'))
def refused(world: World, message: str) -> None:
    assert world.error is not None, "the request was accepted"
    assert message in world.error.message


@then(parsers.parse('the audit trail of the guarantee shows {actions} by "{user}"'))
def audit_trail(system: System, world: World, actions: str, user: str) -> None:
    with system.engine.connect() as conn:
        history = guarantee_detail(conn, world.number, actor=MANAGER)["history"]
    assert [h["action"] for h in history] == [a.strip() for a in actions.split(",")]
    managed = [h for h in history if h["action"] in {"approve", "issue", "activate"}]
    assert {h["actor_id"] for h in managed} == {user}
    assert history[0]["actor_id"] == "sportello"
