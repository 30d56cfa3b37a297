"""Steps of the claims features, through the message bus (the service layer).

The test modules import them: ``test_claims_journey`` (EXAMPLES §D and §E, commitments and
four eyes) and ``test_claims_overall_cap`` (a product whose overall cap binds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from pytest_bdd import given, parsers, then, when
from sqlalchemy import func, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.claims import Claim, paid_by_kind
from guarantee.domain.cover import CoverState, ItemKind
from guarantee.domain.errors import DomainError
from guarantee.domain.mediation import MediationCase, MediationOutcome
from guarantee.domain.recovery import RecoveryPlan
from guarantee.read.cover import cover_lines, cover_state
from guarantee.read.funds import fund_figures
from guarantee.services import commands as c
from guarantee.services.handlers.mediation import ArrearsReported
from tests.features.conftest import euro
from tests.support import builders
from tests.support.accounts import open_account
from tests.support.books import check_books

MANAGER = Actor("gestore", Role.FUND_MANAGER)
# A second fund manager: four eyes on payments above the product's threshold.
SECOND_MANAGER = Actor("gestore2", Role.FUND_MANAGER)
MEDIATOR = Actor("anna", Role.MEDIATOR)
DAY = r"\d{4}-\d{2}-\d{2}"
EUROS = r"[\d.,]+ €"
REPORT = (
    rf"on (?P<day>{DAY}) the landlord reports the unpaid rents of (?P<due>.+) "
    rf"of (?P<amount>{EUROS}) each"
)
CLAIM = rf"on (?P<day>{DAY}) the landlord files a claim for the rents of "
ARREARS_AND_LEGAL = (
    CLAIM + rf"(?P<due>.+) of (?P<amount>{EUROS}) each and legal costs of (?P<legal>{EUROS}) "
    rf"on (?P<legal_on>{DAY})"
)
ARREARS_ONLY = CLAIM + rf"(?P<due>[^l]+) of (?P<amount>{EUROS}) each$"


@dataclass
class Journey:
    fund_id: str = ""
    guarantee: str = ""
    landlord: Actor = MANAGER
    landlord_iban: str = ""
    mediator_id: str = ""
    case: MediationCase | None = None
    report_deadline: date | None = None
    claim: Claim | None = None
    payments: list[dict[str, Any]] = field(default_factory=list)
    plan: RecoveryPlan | None = None
    error: DomainError | None = None
    # Several claims on one guarantee, by the name the scenario gives them.
    claims: dict[str, Claim] = field(default_factory=dict)
    managers: dict[str, Actor] = field(default_factory=dict)


def on(clock: FixedClock, day: str) -> None:
    clock.set(datetime.combine(date.fromisoformat(day), time(9, 30), tzinfo=UTC))


def dates(text: str) -> list[date]:
    return [date.fromisoformat(d) for d in re.findall(DAY, text)]


def attempt(journey: Journey, action: Any) -> Any:
    try:
        return action()
    except DomainError as error:
        journey.error = error
        return None


# -- background ------------------------------------------------------------------------------


@given(
    parsers.parse("the fund holds contributions of {first} and {second}"),
    target_fixture="journey",
)
def fund(system: System, first: str, second: str) -> Journey:
    fund = builders.fund_with(system, euro(first))
    system.bus.handle(
        c.RecordContribution(
            fund_id=fund.id,
            amount=euro(second),
            donor="Consorzio dei servizi sociali",
            on=date(2026, 3, 1),
            reference="delibera 3/2026",
        ),
        MANAGER,
    )
    return Journey(fund_id=fund.id)


@given(parsers.parse('the mediator "{name}" works for the fund'))
def mediator(system: System, journey: Journey, name: str) -> None:
    mediator = open_account(system, MEDIATOR.user_id, Role.MEDIATOR, full_name=name)
    assert mediator.account_id is not None
    journey.mediator_id = mediator.account_id


@given(
    parsers.parse(
        "a guarantee is active on a lease from {start} with rent {rent} and charges {charges}"
    )
)
def active_guarantee(system: System, journey: Journey, start: str, rent: str, charges: str) -> None:
    lease = builders.lease(
        start=date.fromisoformat(start),
        monthly_rent=euro(rent),
        monthly_charges=euro(charges),
    )
    guarantee = builders.issued_guarantee(system, journey.fund_id, lease_data=lease)
    assert guarantee.number is not None
    system.bus.handle(c.ActivateGuarantee(number=guarantee.number), MANAGER)
    journey.guarantee = guarantee.number
    journey.landlord = Actor("locatore", Role.LANDLORD, landlord_id=guarantee.landlord_id)
    with system.engine.connect() as conn:
        journey.landlord_iban = conn.scalar(
            select(tables.landlords.c.iban).where(tables.landlords.c.id == guarantee.landlord_id)
        )


# -- arrears and mediation -------------------------------------------------------------------


@when(parsers.re(REPORT))
def report(
    system: System, clock: FixedClock, journey: Journey, day: str, due: str, amount: str
) -> None:
    on(clock, day)
    rent, charges = Decimal("650.00"), euro(amount) - Decimal("650.00")
    done: ArrearsReported = system.bus.handle(
        c.ReportArrears(
            guarantee_number=journey.guarantee,
            rents=tuple(c.UnpaidRentData(d, rent, charges) for d in dates(due)),
        ),
        journey.landlord,
    )
    journey.case = done.case
    journey.report_deadline = done.report.deadline


def case_number(journey: Journey) -> str:
    assert journey.case is not None and journey.case.number is not None
    return journey.case.number


@then(parsers.parse('a mediation case is open and assigned to "{name}", first contact due {day}'))
def case_assigned(journey: Journey, name: str, day: str) -> None:
    assert journey.case is not None
    assert journey.case.status == "assigned"
    assert journey.case.mediator_id == journey.mediator_id
    assert journey.case.first_contact_due == date.fromisoformat(day)
    assert re.fullmatch(r"MED-2027-\d{6}", case_number(journey))


@then(parsers.parse("the report must have come by {day}"))
def report_deadline(journey: Journey, day: str) -> None:
    assert journey.report_deadline == date.fromisoformat(day)


@when(parsers.parse("on {day} the mediator records the first contact"))
def first_contact(system: System, clock: FixedClock, journey: Journey, day: str) -> None:
    on(clock, day)
    journey.case = system.bus.handle(
        c.RecordFirstContact(case_number(journey), date.fromisoformat(day), "telefonata"), MEDIATOR
    )


@when(parsers.parse("on {day} the mediator schedules a meeting on {meeting} at {at}"))
def meeting(
    system: System, clock: FixedClock, journey: Journey, day: str, meeting: str, at: str
) -> None:
    on(clock, day)
    journey.case = system.bus.handle(
        c.ScheduleMeeting(
            case_number(journey),
            on=date.fromisoformat(meeting),
            at=time.fromisoformat(at),
            place="Sportello Casa, Ivrea",
            participants="locatore, conduttrice, mediatrice",
        ),
        MEDIATOR,
    )
    system.bus.handle(c.AddCaseNote(case_number(journey), "incontro fissato"), MEDIATOR)


@when(parsers.parse("on {day} the mediator records no agreement and closes the case"))
def no_agreement(system: System, clock: FixedClock, journey: Journey, day: str) -> None:
    on(clock, day)
    system.bus.handle(
        c.RecordMediationOutcome(
            case_number(journey),
            MediationOutcome.NO_AGREEMENT,
            date.fromisoformat(day),
            "nessuna proposta sostenibile",
        ),
        MEDIATOR,
    )
    journey.case = system.bus.handle(c.CloseMediationCase(case_number(journey)), MEDIATOR)


@when(
    parsers.parse(
        "on {day} the mediator records an agreement to repay {total} in {count:d} instalments "
        "from {first}"
    )
)
def agreement(
    system: System,
    clock: FixedClock,
    journey: Journey,
    day: str,
    total: str,
    count: int,
    first: str,
) -> None:
    on(clock, day)
    journey.case = system.bus.handle(
        c.RecordMediationOutcome(
            case_number(journey),
            MediationOutcome.AGREEMENT,
            date.fromisoformat(day),
            "la conduttrice restituisce gli arretrati a rate",
            c.RepaymentTermsData(euro(total), count, date.fromisoformat(first)),
        ),
        MEDIATOR,
    )


@then(parsers.parse("the agreement has {count:d} instalments of {amount} and a last one of {last}"))
def agreement_instalments(journey: Journey, count: int, amount: str, last: str) -> None:
    assert journey.case is not None
    amounts = [i.amount for i in journey.case.instalments]
    assert amounts == [euro(amount)] * count + [euro(last)]


@when("the tenant pays the landlord every agreed instalment")
def pay_agreement(system: System, clock: FixedClock, journey: Journey) -> None:
    assert journey.case is not None
    for instalment in list(journey.case.instalments):
        on(clock, instalment.due_on.isoformat())
        journey.case = system.bus.handle(
            c.RecordAgreementInstalment(case_number(journey), instalment.id, paid=True), MEDIATOR
        )


@when(parsers.parse("on {day} the mediator records the first agreed instalment as missed"))
def miss_agreement(system: System, clock: FixedClock, journey: Journey, day: str) -> None:
    assert journey.case is not None
    on(clock, day)
    journey.case = system.bus.handle(
        c.RecordAgreementInstalment(
            case_number(journey), journey.case.instalments[0].id, paid=False, reason="non pagata"
        ),
        MEDIATOR,
    )
    assert journey.case.opens_claim_path


@when("the mediator closes the case")
def close_case(system: System, journey: Journey) -> None:
    journey.case = system.bus.handle(c.CloseMediationCase(case_number(journey)), MEDIATOR)


@then(parsers.parse('the case is "{status}" with outcome "{outcome}" and no claim path'))
def case_closed(journey: Journey, status: str, outcome: str) -> None:
    assert journey.case is not None
    assert (journey.case.status, journey.case.outcome) == (status, outcome)
    assert not journey.case.opens_claim_path


# -- claims ----------------------------------------------------------------------------------


def file(system: System, journey: Journey, items: list[c.ClaimItemData]) -> None:
    journey.claim = attempt(
        journey,
        lambda: system.bus.handle(
            c.FileClaim(guarantee_number=journey.guarantee, items=tuple(items)), journey.landlord
        ),
    )


@when(parsers.re(ARREARS_AND_LEGAL))
def file_arrears_and_legal(
    system: System,
    clock: FixedClock,
    journey: Journey,
    day: str,
    due: str,
    amount: str,
    legal: str,
    legal_on: str,
) -> None:
    on(clock, day)
    items = [c.ClaimItemData(ItemKind.ARREARS, d, euro(amount)) for d in dates(due)]
    items.append(
        c.ClaimItemData(ItemKind.LEGAL_COSTS, date.fromisoformat(legal_on), euro(legal), "sfratto")
    )
    file(system, journey, items)


@when(parsers.re(ARREARS_ONLY))
def file_arrears(
    system: System, clock: FixedClock, journey: Journey, day: str, due: str, amount: str
) -> None:
    on(clock, day)
    file(system, journey, [c.ClaimItemData(ItemKind.ARREARS, d, euro(amount)) for d in dates(due)])


@when(parsers.parse("on {day} the landlord files a claim for legal costs of {amount} on {loss_on}"))
def file_legal(
    system: System, clock: FixedClock, journey: Journey, day: str, amount: str, loss_on: str
) -> None:
    on(clock, day)
    file(
        system,
        journey,
        [c.ClaimItemData(ItemKind.LEGAL_COSTS, date.fromisoformat(loss_on), euro(amount))],
    )


@when(parsers.parse("on {day} the guarantee expires"))
def expire(system: System, clock: FixedClock, journey: Journey, day: str) -> None:
    on(clock, day)
    system.bus.handle(c.ExpireGuarantee(number=journey.guarantee), MANAGER)


def claim_number(journey: Journey) -> str:
    assert journey.claim is not None and journey.claim.number is not None
    return journey.claim.number


def review(system: System, clock: FixedClock, journey: Journey, day: str) -> None:
    on(clock, day)
    system.bus.handle(c.StartClaimReview(claim_number(journey)), MANAGER)


@when(parsers.parse("on {day} the fund manager reviews the claim and decides as suggested"))
def decide_suggested(system: System, clock: FixedClock, journey: Journey, day: str) -> None:
    review(system, clock, journey, day)
    decide_as_suggested(system, journey)


def decide_as_suggested(system: System, journey: Journey) -> None:
    suggestion = system.bus.handle(c.SuggestClaimDecision(claim_number(journey)), MANAGER)
    journey.claim = system.bus.handle(
        c.DecideClaim(
            claim_number(journey),
            tuple(c.ItemDecisionData(d.item_id, d.approved, d.reason) for d in suggestion),
        ),
        MANAGER,
    )


@when(parsers.parse("on {day} the fund manager reviews the claim and approves everything"))
def approve_everything(system: System, clock: FixedClock, journey: Journey, day: str) -> None:
    review(system, clock, journey, day)
    assert journey.claim is not None
    decisions = tuple(c.ItemDecisionData(i.id, i.claimed) for i in journey.claim.items)
    attempt(
        journey, lambda: system.bus.handle(c.DecideClaim(claim_number(journey), decisions), MANAGER)
    )


def current_status(system: System, journey: Journey) -> tuple[str, str]:
    with system.engine.connect() as conn:
        claim = conn.scalar(
            select(tables.claims.c.status).where(tables.claims.c.number == claim_number(journey))
        )
        guarantee = conn.scalar(
            select(tables.guarantees.c.status).where(
                tables.guarantees.c.number == journey.guarantee
            )
        )
    return str(claim), str(guarantee)


@then(parsers.parse('the claim is "{claim}" and the guarantee is "{guarantee}"'))
def statuses(system: System, journey: Journey, claim: str, guarantee: str) -> None:
    assert current_status(system, journey) == (claim, guarantee)


@then(parsers.parse('the claim is "{status}" for {amount}'))
def decided(journey: Journey, status: str, amount: str) -> None:
    assert journey.claim is not None
    assert journey.claim.status == status
    assert journey.claim.approved_total == euro(amount)


@then(parsers.parse('the legal costs are cut by {amount} because "{reason}"'))
def legal_cut(journey: Journey, amount: str, reason: str) -> None:
    assert journey.claim is not None
    legal = [i for i in journey.claim.items if i.kind is ItemKind.LEGAL_COSTS]
    assert [(i.refused, i.reason) for i in legal] == [(euro(amount), reason)]


@when(
    parsers.parse(
        "on {day} the fund manager proposes the payment and a second fund manager pays the "
        'claim twice with the key "{key}"'
    )
)
def pay_twice(system: System, clock: FixedClock, journey: Journey, day: str, key: str) -> None:
    on(clock, day)
    system.bus.handle(c.ProposeClaimPayment(claim_number(journey)), MANAGER)
    for _ in range(2):
        journey.payments.append(
            system.bus.handle(
                c.PayClaim(claim_number(journey), idempotency_key=key), SECOND_MANAGER
            )
        )


@then(
    parsers.parse(
        "one payment of {amount} went to the landlord's IBAN and both answers are the same"
    )
)
def paid_once(system: System, journey: Journey, amount: str) -> None:
    first, second = journey.payments
    assert first == second
    assert (first["amount"], first["iban"]) == (str(euro(amount)), journey.landlord_iban)
    with system.engine.connect() as conn:
        kinds = list(
            conn.scalars(
                select(tables.journal_entries.c.kind).where(
                    tables.journal_entries.c.fund_id == journey.fund_id
                )
            )
        )
    assert kinds.count("claim_payment") == 1


@then(
    parsers.parse(
        "the guarantee still covers {overall} overall, {arrears} of arrears, {damages} of damages "
        "and {legal} of legal costs"
    )
)
def cover(
    system: System, journey: Journey, overall: str, arrears: str, damages: str, legal: str
) -> None:
    with system.session_factory() as session:
        guarantee = session.scalars(
            select(tables.guarantees.c.id).where(tables.guarantees.c.number == journey.guarantee)
        ).one()
        claims = list(
            session.scalars(select(Claim).where(tables.claims.c.guarantee_id == guarantee))
        )
        product = system.deps.products.get("garanzia-casa", "1").product
        state = CoverState.of(product, Decimal("650.00"), paid_by_kind(claims))
    assert (
        state.overall_remaining,
        state.arrears_remaining,
        state.damages_remaining,
        state.legal_costs_remaining,
    ) == (euro(overall), euro(arrears), euro(damages), euro(legal))


# -- recovery --------------------------------------------------------------------------------


@when(parsers.parse("the household's net monthly income has fallen to {income}"))
def income_fell(system: System, journey: Journey, income: str) -> None:
    # No command changes a household yet: the social worker's update, written directly.
    g, h = tables.guarantees.c, tables.households.c
    with system.engine.begin() as conn:
        household = conn.scalar(select(g.household_id).where(g.number == journey.guarantee))
        conn.execute(
            tables.households.update()
            .where(h.id == household)
            .values(net_monthly_income=euro(income))
        )


@when(parsers.parse("on {day} the fund manager creates a recovery plan from {first}"))
def create_plan(system: System, clock: FixedClock, journey: Journey, day: str, first: str) -> None:
    on(clock, day)
    journey.plan = system.bus.handle(
        c.CreateRecoveryPlan(claim_number(journey), date.fromisoformat(first)), MANAGER
    )


@then(parsers.parse("the plan has {count:d} instalments of {amount} and a last one of {last}"))
def plan_instalments(journey: Journey, count: int, amount: str, last: str) -> None:
    assert journey.plan is not None
    assert [i.amount for i in journey.plan.instalments] == [euro(amount)] * count + [euro(last)]
    assert journey.plan.instalment_cap == Decimal("140.00")  # 10% of 1.400,00 €


def plan_number(journey: Journey) -> str:
    assert journey.plan is not None and journey.plan.number is not None
    return journey.plan.number


@when(parsers.parse("the tenant pays {paid:d} instalments and misses the next {missed:d}"))
def pay_some(system: System, clock: FixedClock, journey: Journey, paid: int, missed: int) -> None:
    assert journey.plan is not None
    instalments = list(journey.plan.instalments)
    for instalment in instalments[:paid]:
        on(clock, instalment.due_on.isoformat())
        journey.plan = system.bus.handle(
            c.RecordRecoveryInstalment(plan_number(journey), instalment.id, paid=True), MANAGER
        )
    for instalment in instalments[paid : paid + missed]:
        on(clock, (instalment.due_on.replace(day=20)).isoformat())
        journey.plan = system.bus.handle(
            c.RecordRecoveryInstalment(plan_number(journey), instalment.id, paid=False), MANAGER
        )


@when("the tenant pays every instalment left, the missed ones late")
def pay_rest(system: System, clock: FixedClock, journey: Journey) -> None:
    assert journey.plan is not None
    for instalment in list(journey.plan.instalments):
        if instalment.status == "paid":
            continue
        on(clock, max(instalment.due_on, date(2028, 3, 1)).isoformat())
        journey.plan = system.bus.handle(
            c.RecordRecoveryInstalment(plan_number(journey), instalment.id, paid=True), MANAGER
        )


@then(parsers.parse('the plan is "{plan}" and the claim is "{claim}" with {amount} recovered'))
def plan_ended(system: System, journey: Journey, plan: str, claim: str, amount: str) -> None:
    assert journey.plan is not None
    assert journey.plan.status == plan
    assert current_status(system, journey)[0] == claim
    with system.engine.connect() as conn:
        recovered = conn.scalar(
            select(tables.claims.c.recovered_amount).where(
                tables.claims.c.number == claim_number(journey)
            )
        )
    assert recovered == euro(amount)


# -- refusals and figures --------------------------------------------------------------------


@then(parsers.parse('the request is refused with code "{code}" and message containing "{text}"'))
def refused(journey: Journey, code: str, text: str) -> None:
    assert journey.error is not None, "the request was not refused"
    assert journey.error.code == code
    assert text in journey.error.message


@then("no claim was recorded")
def no_claim(system: System, journey: Journey) -> None:
    with system.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(tables.claims)) == 0
        assert conn.scalar(select(func.count()).select_from(tables.claim_items)) == 0
        counters = conn.scalar(
            select(func.count())
            .select_from(tables.counters)
            .where(tables.counters.c.name == "claim")
        )
    assert counters == 0, "a refused claim spends no number"


FIGURES = {"balance": "balance", "reserved": "reserved", "loss ratio": "loss_ratio"}


@then("the fund's figures are")
def figures(system: System, journey: Journey, datatable: list[list[str]]) -> None:
    with system.engine.connect() as conn:
        check_books(conn, journey.fund_id)
        found = fund_figures(conn, journey.fund_id)
    seen = {label: found[FIGURES[label]] for label, _ in datatable}
    wanted: dict[str, Decimal] = {}
    for label, value in datatable:
        if value.endswith("%"):
            wanted[label] = Decimal(value[:-1].replace(",", ".")) / 100
        else:
            wanted[label] = euro(value)
    assert seen == wanted


# -- several claims on one guarantee: commitments, four eyes, ways out ------------------------


@given(parsers.parse('the fund managers "{first}" and "{second}" work for the fund'))
def fund_managers(system: System, journey: Journey, first: str, second: str) -> None:
    for username in (first, second):
        journey.managers[username] = open_account(system, username, Role.FUND_MANAGER)


def named(journey: Journey, name: str) -> str:
    number = journey.claims[name].number
    assert number is not None
    return number


def file_named(
    system: System, journey: Journey, name: str, item: c.ClaimItemData, *evidence: c.EvidenceUpload
) -> None:
    claim = attempt(
        journey,
        lambda: system.bus.handle(
            c.FileClaim(journey.guarantee, (item,), tuple(evidence)), journey.landlord
        ),
    )
    assert claim is not None, journey.error
    journey.claims[name] = claim


@when(
    parsers.parse(
        'on {day} the landlord files damages claim "{name}" of {amount} for damage found on {loss}'
    )
)
def file_damages(
    system: System, clock: FixedClock, journey: Journey, day: str, name: str, amount: str, loss: str
) -> None:
    on(clock, day)
    photo = c.EvidenceUpload(f"{name}.jpg", "image/jpeg", f"foto del danno: {name}".encode())
    item = c.ClaimItemData(ItemKind.DAMAGES, date.fromisoformat(loss), euro(amount), name)
    file_named(system, journey, name, item, photo)


@when(
    parsers.parse(
        'on {day} the landlord files legal costs claim "{name}" of {amount} for costs incurred '
        "on {loss}"
    )
)
def file_legal_named(
    system: System, clock: FixedClock, journey: Journey, day: str, name: str, amount: str, loss: str
) -> None:
    on(clock, day)
    item = c.ClaimItemData(ItemKind.LEGAL_COSTS, date.fromisoformat(loss), euro(amount), name)
    file_named(system, journey, name, item)


def decide_named(
    system: System, journey: Journey, who: str, name: str, decisions: tuple[Any, ...]
) -> None:
    decided = attempt(
        journey,
        lambda: system.bus.handle(
            c.DecideClaim(named(journey, name), decisions), manager(journey, who)
        ),
    )
    if decided is not None:
        journey.claims[name] = decided


def manager(journey: Journey, who: str) -> Actor:
    return journey.managers[who]


@when(parsers.parse('on {day} "{who}" reviews claim "{name}" and approves it in full'))
def approve_in_full(
    system: System, clock: FixedClock, journey: Journey, day: str, who: str, name: str
) -> None:
    on(clock, day)
    claim = journey.claims[name]
    if claim.status == "submitted":
        journey.claims[name] = system.bus.handle(
            c.StartClaimReview(named(journey, name)), manager(journey, who)
        )
    decisions = tuple(c.ItemDecisionData(i.id, i.claimed) for i in journey.claims[name].items)
    decide_named(system, journey, who, name, decisions)


@when(parsers.parse('on {day} "{who}" decides claim "{name}" as suggested'))
def decide_named_as_suggested(
    system: System, clock: FixedClock, journey: Journey, day: str, who: str, name: str
) -> None:
    on(clock, day)
    if journey.claims[name].status == "submitted":
        system.bus.handle(c.StartClaimReview(named(journey, name)), manager(journey, who))
    suggestion = system.bus.handle(
        c.SuggestClaimDecision(named(journey, name)), manager(journey, who)
    )
    decisions = tuple(c.ItemDecisionData(d.item_id, d.approved, d.reason) for d in suggestion)
    decide_named(system, journey, who, name, decisions)


def stored_claim(system: System, number: str) -> Claim:
    with system.session_factory() as session:
        return session.scalars(select(Claim).where(tables.claims.c.number == number)).one()


@then(parsers.parse('claim "{name}" is "{status}" for {amount}'))
def named_decided(system: System, journey: Journey, name: str, status: str, amount: str) -> None:
    claim = stored_claim(system, named(journey, name))
    assert (claim.status, claim.approved_total) == (status, euro(amount))


@then(parsers.parse('claim "{name}" is "{status}"'))
def named_status(system: System, journey: Journey, name: str, status: str) -> None:
    assert stored_claim(system, named(journey, name)).status == status


@then(parsers.parse('claim "{name}" refuses {amount} because "{reason}"'))
def named_refuses(system: System, journey: Journey, name: str, amount: str, reason: str) -> None:
    claim = stored_claim(system, named(journey, name))
    assert [(i.refused, i.reason) for i in claim.items] == [(euro(amount), reason)]


@then(
    parsers.parse(
        "the {line} line shows cap {cap}, paid {paid}, committed {committed}, remaining {remaining}"
    )
)
def line_figures(
    system: System,
    journey: Journey,
    line: str,
    cap: str,
    paid: str,
    committed: str,
    remaining: str,
) -> None:
    # Read as the API and the letters read it: the read side, from the database.
    g = tables.guarantees.c
    with system.engine.connect() as conn:
        row = conn.execute(
            select(g.id, g.product_code, g.product_version, g.monthly_rent).where(
                g.number == journey.guarantee
            )
        ).one()
        product = system.deps.products.get(row.product_code, row.product_version).product
        lines = {
            x["line"]: x for x in cover_lines(cover_state(conn, row.id, product, row.monthly_rent))
        }
    shown = lines[line]
    assert (shown["cap"], shown["paid"], shown["committed"], shown["remaining"]) == (
        euro(cap),
        euro(paid),
        euro(committed),
        euro(remaining),
    )


@when(parsers.parse('on {day} "{who}" proposes the payment of claim "{name}"'))
def propose(
    system: System, clock: FixedClock, journey: Journey, day: str, who: str, name: str
) -> None:
    on(clock, day)
    attempt(
        journey,
        lambda: system.bus.handle(
            c.ProposeClaimPayment(named(journey, name)), manager(journey, who)
        ),
    )


@when(parsers.parse('on {day} "{who}" pays claim "{name}"'))
def pay_named(
    system: System, clock: FixedClock, journey: Journey, day: str, who: str, name: str
) -> None:
    on(clock, day)
    key = f"{name}-{who}-{day}"
    attempt(
        journey,
        lambda: system.bus.handle(
            c.PayClaim(named(journey, name), idempotency_key=key), manager(journey, who)
        ),
    )


@when(
    parsers.parse(
        'on {day} "{first}" proposes the payment of claim "{name}" and "{second}" authorises it'
    )
)
def four_eyes(
    system: System,
    clock: FixedClock,
    journey: Journey,
    day: str,
    first: str,
    name: str,
    second: str,
) -> None:
    on(clock, day)
    number = named(journey, name)
    system.bus.handle(
        c.ProposeClaimPayment(number, note="importo verificato"), manager(journey, first)
    )
    system.bus.handle(c.PayClaim(number, idempotency_key=f"{number}-1"), manager(journey, second))


@when(parsers.parse('on {day} "{who}" refuses the payment of claim "{name}" because "{reason}"'))
def refuse_payment(
    system: System, clock: FixedClock, journey: Journey, day: str, who: str, name: str, reason: str
) -> None:
    on(clock, day)
    system.bus.handle(c.RefuseClaimPayment(named(journey, name), reason), manager(journey, who))


@when(parsers.parse('on {day} "{who}" revokes the decision on claim "{name}" because "{reason}"'))
def revoke(
    system: System, clock: FixedClock, journey: Journey, day: str, who: str, name: str, reason: str
) -> None:
    on(clock, day)
    journey.claims[name] = system.bus.handle(
        c.RevokeClaimDecision(named(journey, name), reason), manager(journey, who)
    )


@when(parsers.parse('on {day} the landlord withdraws claim "{name}" because "{reason}"'))
def withdraw(
    system: System, clock: FixedClock, journey: Journey, day: str, name: str, reason: str
) -> None:
    on(clock, day)
    system.bus.handle(c.WithdrawClaim(named(journey, name), reason), journey.landlord)


def paid_on_guarantee(system: System, journey: Journey) -> Decimal:
    with system.engine.connect() as conn:
        paid = conn.scalar(
            select(tables.guarantees.c.paid_amount).where(
                tables.guarantees.c.number == journey.guarantee
            )
        )
    assert isinstance(paid, Decimal)
    return paid


@then(parsers.parse("{amount} has been paid on the guarantee in all"))
def paid_in_all(system: System, journey: Journey, amount: str) -> None:
    assert paid_on_guarantee(system, journey) == euro(amount)
    with system.engine.connect() as conn:
        out = conn.scalar(
            select(func.count()).where(
                tables.journal_entries.c.fund_id == journey.fund_id,
                tables.journal_entries.c.kind == "claim_payment",
            )
        )
    assert out == sum(
        1 for claim in journey.claims.values() if stored_claim(system, claim.number or "").paid_at
    )


@then("nothing has been paid on the guarantee")
def nothing_paid(system: System, journey: Journey) -> None:
    assert paid_on_guarantee(system, journey) == 0


@then(parsers.parse('the guarantee is "{status}"'))
def guarantee_status(system: System, journey: Journey, status: str) -> None:
    with system.engine.connect() as conn:
        found = conn.scalar(
            select(tables.guarantees.c.status).where(
                tables.guarantees.c.number == journey.guarantee
            )
        )
    assert str(found) == status


@then(parsers.parse('the audit trail of claim "{name}" reads "{actions}"'))
def claim_audit(system: System, journey: Journey, name: str, actions: str) -> None:
    a = tables.audit_events.c
    wanted = {"propose_payment", "refuse_payment", "mark_paid"}
    with system.engine.connect() as conn:
        rows = conn.execute(
            select(a.action, a.actor_id, a.actor_account_id)
            .where(a.entity_type == "claim", a.entity_id == journey.claims[name].id)
            .order_by(a.seq)
        ).all()
    payment_rows = [row for row in rows if row.action in wanted]
    assert ", ".join(row.action for row in payment_rows) == actions
    # Every step of the payment names the account that took it, not only a name.
    assert all(
        row.actor_account_id == manager(journey, row.actor_id).account_id for row in payment_rows
    )


@when(parsers.parse("on {day} the fund manager starts the review of the claim"))
def start_review(system: System, clock: FixedClock, journey: Journey, day: str) -> None:
    review(system, clock, journey, day)


@when(parsers.parse("on {day} the fund manager decides the claim as suggested"))
def decide_reviewed(system: System, clock: FixedClock, journey: Journey, day: str) -> None:
    on(clock, day)
    decide_as_suggested(system, journey)
