"""The §D journey through the bus, shared by tests that start from an approved claim."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from guarantee.adapters.clock import FixedClock
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.cover import ItemKind
from guarantee.domain.mediation import MediationOutcome
from guarantee.services import commands as c
from tests.support import builders
from tests.support.accounts import open_account

MANAGER = Actor("gestore", Role.FUND_MANAGER)
MEDIATOR = Actor("mediatore", Role.MEDIATOR)
# Four eyes: payments above the threshold are proposed by MANAGER and authorised by this one.
SECOND_MANAGER = Actor("gestore-due", Role.FUND_MANAGER)
D = Decimal


def at(clock: FixedClock, day: str) -> None:
    clock.set(datetime.fromisoformat(f"{day}T09:30:00").replace(tzinfo=UTC))


def guarantee(system: System) -> tuple[str, str, str]:
    fund = builders.fund_with(system, D("100000.00"))
    issued = builders.issued_guarantee(system, fund.id)
    assert issued.number is not None
    system.bus.handle(c.ActivateGuarantee(number=issued.number), MANAGER)
    return fund.id, issued.number, issued.landlord_id


def approved_claim(system: System, clock: FixedClock) -> tuple[str, str]:
    """EXAMPLES §D through the bus up to the decision: 4.190,00 € approved."""
    fund_id, number, landlord_id = guarantee(system)
    mediator_user(system)
    landlord = Actor("locatore", Role.LANDLORD, landlord_id=landlord_id)
    at(clock, "2027-06-21")
    rents = tuple(
        c.UnpaidRentData(d, D("650"), D("80")) for d in (date(2027, 5, 5), date(2027, 6, 5))
    )
    case = system.bus.handle(c.ReportArrears(number, rents), landlord).case
    at(clock, "2027-07-15")
    assert case.mediator_id is not None
    system.bus.handle(c.RecordFirstContact(case.number, date(2027, 6, 22)), MANAGER)
    system.bus.handle(
        c.ScheduleMeeting(
            case.number,
            date(2027, 7, 12),
            time(10, 0),
            "Sportello Casa, Via Jervis 22, Ivrea",
            "assistente sociale del Comune",
        ),
        MANAGER,
    )
    system.bus.handle(
        c.RecordMediationOutcome(
            case.number, MediationOutcome.NO_AGREEMENT, date(2027, 7, 15), "nessun accordo"
        ),
        MANAGER,
    )
    system.bus.handle(c.CloseMediationCase(case.number), MANAGER)
    at(clock, "2027-07-20")
    items = [
        c.ClaimItemData(ItemKind.ARREARS, d, D("730"))
        for d in (date(2027, 5, 5), date(2027, 6, 5), date(2027, 7, 5))
    ]
    items.append(c.ClaimItemData(ItemKind.LEGAL_COSTS, date(2027, 7, 16), D("2400")))
    claim = system.bus.handle(c.FileClaim(number, tuple(items)), landlord)
    system.bus.handle(c.StartClaimReview(claim.number), MANAGER)
    suggestion = system.bus.handle(c.SuggestClaimDecision(claim.number), MANAGER)
    system.bus.handle(
        c.DecideClaim(
            claim.number,
            tuple(c.ItemDecisionData(d.item_id, d.approved, d.reason) for d in suggestion),
        ),
        MANAGER,
    )
    return fund_id, claim.number


def mediator_user(system: System) -> str:
    mediator = open_account(system, MEDIATOR.user_id, Role.MEDIATOR, full_name="Marco Mediatore")
    assert mediator.account_id is not None
    return mediator.account_id
