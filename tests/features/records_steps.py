"""Steps of the records features, through the message bus (the service layer).

``test_records`` (income, re-plan, IBAN hold, received dates) and ``test_product_version``
(a guarantee issued under the version on sale at issue) import them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from pytest_bdd import given, parsers, then, when
from sqlalchemy import select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.claims import Claim
from guarantee.domain.cover import ItemKind
from guarantee.domain.errors import DomainError, NotFound
from guarantee.domain.guarantees import Guarantee
from guarantee.domain.receipts import ReceiptChannel
from guarantee.domain.recovery import RecoveryPlan
from guarantee.read import claims as claims_read
from guarantee.read import guarantees as guarantees_read
from guarantee.read import households as households_read
from guarantee.services import commands as c
from tests.features.conftest import euro
from tests.support import builders
from tests.support.payments import file_and_decide, pay_on

MANAGER = Actor("gestore", Role.FUND_MANAGER)
SECOND_MANAGER = Actor("gestore2", Role.FUND_MANAGER)


@dataclass
class Story:
    fund_id: str = ""
    help_desk: Actor = MANAGER
    income: Decimal = Decimal("0.00")
    guarantee: Guarantee | None = None
    household_id: str = ""
    landlord_id: str = ""
    landlord_email: str = ""
    new_iban: str = ""
    claim_number: str = ""
    claim: Claim | None = None
    plan: RecoveryPlan | None = None
    old_plan: RecoveryPlan | None = None
    ruleset_version: str | None = None
    error: DomainError | None = None


def on(clock: FixedClock, day: str) -> None:
    clock.set(datetime.combine(date.fromisoformat(day), time(9, 30), tzinfo=UTC))


def attempt(story: Story, action: Any) -> Any:
    story.error = None
    try:
        return action()
    except DomainError as error:
        story.error = error
        return None


def number_of(story: Story) -> str:
    assert story.guarantee is not None and story.guarantee.number is not None
    return story.guarantee.number


# -- background ------------------------------------------------------------------------------


@given(parsers.parse("the fund holds {amount}"), target_fixture="story")
def fund(system: System, amount: str) -> Story:
    return Story(fund_id=builders.fund_with(system, euro(amount)).id)


@given(
    parsers.parse(
        'the help desk "{name}" referred a household with a net monthly income of {income}'
    )
)
def help_desk(story: Story, name: str, income: str) -> None:
    story.help_desk = Actor(name, Role.OPERATOR)
    story.income = euro(income)


@given(
    parsers.parse(
        "its guarantee is active on a lease from {start} to {end} with rent {rent} and "
        "charges {charges}"
    )
)
def active_guarantee(
    system: System, story: Story, start: str, end: str, rent: str, charges: str
) -> None:
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    lease = builders.lease(
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
        monthly_rent=euro(rent),
        monthly_charges=euro(charges),
    )
    application = builders.submit_application(
        system,
        dwelling.id,
        story.help_desk,
        lease_data=lease,
        net_monthly_income=story.income,
        contacts=c.ContactsData(postal_address="Via Jervis 4, 10015 Ivrea (TO)"),
    )
    number = application.application_number
    system.bus.handle(c.ApproveApplication(number=number, reason="idonea"), MANAGER)
    issued = system.bus.handle(c.IssueGuarantee(number=number, fund_id=story.fund_id), MANAGER)
    assert issued.number is not None
    story.guarantee = system.bus.handle(c.ActivateGuarantee(number=issued.number), MANAGER)
    story.household_id = application.household_id
    story.landlord_id = landlord.id
    story.landlord_email = landlord.email


# -- the household's income and the recovery plan --------------------------------------------


@given(parsers.parse("the fund paid the landlord a claim of {amount} on that guarantee"))
def paid_claim(system: System, story: Story, amount: str) -> None:
    story.claim_number = pay_on(system, number_of(story), euro(amount))["number"]


@when(
    parsers.parse(
        "on {day} the help desk records a net monthly income of {income} from {valid_from} "
        'on the strength of "{document}"'
    )
)
def record_income(
    system: System,
    clock: FixedClock,
    story: Story,
    day: str,
    income: str,
    valid_from: str,
    document: str,
) -> None:
    on(clock, day)
    command = c.ChangeHouseholdIncome(
        story.household_id,
        euro(income),
        date.fromisoformat(valid_from),
        document,
        reason="variazione comunicata dal nucleo allo sportello",
    )
    system.bus.handle(command, story.help_desk)


@when(
    parsers.parse(
        "another help desk records a net monthly income of {income} from {valid_from} "
        'on the strength of "{document}"'
    )
)
def stranger_records_income(
    system: System, story: Story, income: str, valid_from: str, document: str
) -> None:
    command = c.ChangeHouseholdIncome(
        story.household_id, euro(income), date.fromisoformat(valid_from), document, "variazione"
    )
    attempt(story, lambda: system.bus.handle(command, Actor("sportello-altro", Role.OPERATOR)))


@then(parsers.parse("the household's net monthly income is still {income}"))
def income_unchanged(system: System, story: Story, income: str) -> None:
    with system.engine.connect() as conn:
        household = households_read.household_detail(conn, story.household_id, actor=MANAGER)
    assert household["net_monthly_income"] == euro(income)
    assert [e["action"] for e in household["history"]] == []


@when(parsers.parse("on {day} the fund manager creates a recovery plan from {first}"))
def create_plan(system: System, clock: FixedClock, story: Story, day: str, first: str) -> None:
    on(clock, day)
    story.plan = system.bus.handle(
        c.CreateRecoveryPlan(story.claim_number, date.fromisoformat(first)), MANAGER
    )


@then(parsers.parse("the plan asks at most {cap} a month"))
def plan_cap(story: Story, cap: str) -> None:
    assert story.plan is not None
    assert story.plan.instalment_cap == euro(cap)
    assert max(i.amount for i in story.plan.instalments) <= euro(cap)


@then(
    parsers.parse("it has {count:d} instalments of {amount} and proposes {proposed} for write-off")
)
def plan_instalments(story: Story, count: int, amount: str, proposed: str) -> None:
    assert story.plan is not None
    assert [i.amount for i in story.plan.instalments] == [euro(amount)] * count
    assert story.plan.proposed_write_off == euro(proposed)


@then(
    parsers.parse(
        "the household's history shows the income changed from {before} to {after} "
        'on the strength of "{document}"'
    )
)
def income_history(system: System, story: Story, before: str, after: str, document: str) -> None:
    with system.engine.connect() as conn:
        household = households_read.household_detail(conn, story.household_id, actor=MANAGER)
    change = household["history"][-1]
    assert change["action"] == "income_changed"
    assert change["actor_id"] == story.help_desk.user_id
    assert Decimal(change["before"]["net_monthly_income"]) == euro(before)
    assert Decimal(change["after"]["net_monthly_income"]) == euro(after)
    assert change["after"]["document"] == document
    assert change["reason"] == "variazione comunicata dal nucleo allo sportello"


@when(parsers.parse("the tenant pays {count:d} instalments"))
def pay_instalments(system: System, story: Story, count: int) -> None:
    assert story.plan is not None and story.plan.number is not None
    for instalment in story.plan.instalments[:count]:
        command = c.RecordRecoveryInstalment(
            story.plan.number, instalment.id, True, instalment.due_on
        )
        system.bus.handle(command, MANAGER)


@when(parsers.parse('on {day} the fund manager re-plans the recovery from {first} because "{why}"'))
def replan(system: System, clock: FixedClock, story: Story, day: str, first: str, why: str) -> None:
    on(clock, day)
    assert story.plan is not None and story.plan.number is not None
    story.old_plan = story.plan
    story.plan = system.bus.handle(
        c.ReplanRecovery(story.plan.number, date.fromisoformat(first), why), MANAGER
    )


@when("a fund manager re-plans the new plan without a new income")
def replan_again(system: System, story: Story) -> None:
    assert story.plan is not None and story.plan.number is not None
    command = c.ReplanRecovery(story.plan.number, date(2027, 5, 1), "di nuovo")
    attempt(story, lambda: system.bus.handle(command, MANAGER))


@then(
    parsers.parse(
        'the old plan is "{status}" with {recovered} recovered and no instalment left to pay'
    )
)
def old_plan(system: System, story: Story, status: str, recovered: str) -> None:
    assert story.old_plan is not None and story.old_plan.number is not None
    with system.engine.connect() as conn:
        plan = claims_read.plan_detail(conn, story.old_plan.number, actor=MANAGER)
    assert plan["status"] == status
    assert plan["recovered"] == euro(recovered)
    assert plan["balance"] == Decimal("0.00")
    assert story.plan is not None
    assert plan["replaced_by_plan_number"] == story.plan.number
    assert {i["status"] for i in plan["instalments"]} == {"paid", "cancelled"}


@then(parsers.parse("the new plan asks {amount} at most {cap} a month"))
def new_plan(story: Story, amount: str, cap: str) -> None:
    assert story.plan is not None and story.old_plan is not None
    assert story.plan.amount == euro(amount)
    assert story.plan.instalment_cap == euro(cap)
    assert story.plan.replaces_plan_id == story.old_plan.id


@then(parsers.parse('the claim is "{status}" under the new plan'))
def claim_under_new_plan(system: System, story: Story, status: str) -> None:
    assert story.plan is not None
    with system.engine.connect() as conn:
        claim = claims_read.claim_detail(
            conn,
            story.claim_number,
            actor=MANAGER,
            products=system.deps.products,
            today=system.deps.clock.today(),
        )
    assert claim["status"] == status
    assert claim["recovery_plan_number"] == story.plan.number


@then(parsers.parse('the request is refused with "{message}"'))
def refused(story: Story, message: str) -> None:
    assert story.error is not None, "the request was accepted"
    assert message in story.error.message


@then("the request is refused as not found")
def refused_not_found(story: Story) -> None:
    assert isinstance(story.error, NotFound)


# -- the landlord's IBAN ---------------------------------------------------------------------


@given(parsers.parse("the fund decided a claim of {amount} on that guarantee"))
@given(parsers.parse("the fund decided another claim of {amount} on that guarantee"))
def decided_claim(system: System, story: Story, amount: str) -> None:
    story.claim_number = file_and_decide(system, number_of(story), euro(amount))


@when(
    parsers.parse(
        'on {day} the fund manager changes the landlord\'s email to "{email}" because "{why}"'
    )
)
def change_email(
    system: System, clock: FixedClock, story: Story, day: str, email: str, why: str
) -> None:
    on(clock, day)
    system.bus.handle(c.ChangeLandlordContacts(story.landlord_id, email, why), MANAGER)


@when(parsers.parse('on {day} the fund manager changes the landlord\'s IBAN because "{why}"'))
def change_iban(system: System, clock: FixedClock, story: Story, day: str, why: str) -> None:
    on(clock, day)
    story.new_iban = builders.iban(987_654)
    system.bus.handle(c.ChangeLandlordIban(story.landlord_id, story.new_iban, why), MANAGER)


@then(
    parsers.parse(
        'a confirmation of the IBAN change is queued for "{email}" and for the landlord\'s '
        "previous email"
    )
)
def confirmation_queued(system: System, story: Story, email: str) -> None:
    o = tables.outbox.c
    with system.engine.connect() as conn:
        payloads = list(
            conn.scalars(
                select(o.payload)
                .where(o.topic == "landlord_iban_changed")
                .where(o.entity_id == story.landlord_id)
            )
        )
    assert len(payloads) == 1
    assert payloads[0]["confirm_to"] == [email, story.landlord_email]
    assert payloads[0]["previous_email"] == story.landlord_email
    assert payloads[0]["new_iban_last4"] == story.new_iban[-4:]


def pay(system: System, story: Story, payer: Actor) -> None:
    key = f"{story.claim_number}-{payer.user_id}"
    system.bus.handle(c.PayClaim(story.claim_number, key), payer)


@when(parsers.parse("on {day} one fund manager pays the claim alone"))
def pay_alone(system: System, clock: FixedClock, story: Story, day: str) -> None:
    on(clock, day)
    attempt(story, lambda: pay(system, story, MANAGER))


@when(
    parsers.parse(
        "on {day} the fund manager proposes the payment and a second fund manager confirms it"
    )
)
def pay_with_four_eyes(system: System, clock: FixedClock, story: Story, day: str) -> None:
    on(clock, day)
    system.bus.handle(c.ProposeClaimPayment(story.claim_number), MANAGER)
    attempt(story, lambda: pay(system, story, SECOND_MANAGER))


@then(parsers.parse('the claim is "{status}" to the new IBAN'))
def paid_to_new_iban(system: System, story: Story, status: str) -> None:
    assert story.error is None, story.error
    cl = tables.claims.c
    with system.engine.connect() as conn:
        row = conn.execute(
            select(cl.status, cl.paid_to_iban).where(cl.number == story.claim_number)
        ).one()
    assert row.status == status
    assert row.paid_to_iban == story.new_iban


# -- the day a claim reached the fund --------------------------------------------------------


@given(parsers.parse("damages on the lease ending {end} may be claimed until {deadline}"))
def damages_deadline(system: System, story: Story, end: str, deadline: str) -> None:
    assert story.guarantee is not None
    assert story.guarantee.ends_on == date.fromisoformat(end)
    product = system.deps.products.get("garanzia-casa", story.guarantee.product_version).product
    last_day = story.guarantee.ends_on.toordinal() + product.damages_claim_days
    assert date.fromordinal(last_day) == date.fromisoformat(deadline)


def damages_claim(story: Story, amount: str, received: c.ReceiptData | None) -> c.FileClaim:
    assert story.guarantee is not None and story.guarantee.ends_on is not None
    photo = c.EvidenceUpload("riconsegna.jpg", "image/jpeg", b"foto della riconsegna")
    item = c.ClaimItemData(ItemKind.DAMAGES, story.guarantee.ends_on, euro(amount), "pareti")
    return c.FileClaim(number_of(story), (item,), (photo,), received)


@when(
    parsers.parse(
        "on {day} a fund manager enters a damages claim of {amount} received by PEC on "
        '{received} with reference "{reference}"'
    )
)
def enter_pec_claim(
    system: System,
    clock: FixedClock,
    story: Story,
    day: str,
    amount: str,
    received: str,
    reference: str,
) -> None:
    on(clock, day)
    receipt = c.ReceiptData(date.fromisoformat(received), ReceiptChannel.PEC, reference)
    command = damages_claim(story, amount, receipt)
    story.claim = attempt(story, lambda: system.bus.handle(command, MANAGER))


@when(parsers.parse("on {day} the landlord files a damages claim of {amount} online"))
def file_online(system: System, clock: FixedClock, story: Story, day: str, amount: str) -> None:
    on(clock, day)
    landlord = Actor("locatore", Role.LANDLORD, landlord_id=story.landlord_id)
    command = damages_claim(story, amount, None)
    story.claim = attempt(story, lambda: system.bus.handle(command, landlord))


@then(
    parsers.parse(
        'the claim is accepted, received on {received} by "{via}" and entered on {entered}'
    )
)
def claim_accepted(system: System, story: Story, received: str, via: str, entered: str) -> None:
    assert story.error is None, story.error
    assert story.claim is not None and story.claim.number is not None
    cl = tables.claims.c
    with system.engine.connect() as conn:
        row = conn.execute(select(tables.claims).where(cl.number == story.claim.number)).one()
    assert row.status == "submitted"
    assert row.filed_on == date.fromisoformat(received)
    assert row.received_via == via
    assert row.filed_at.date() == date.fromisoformat(entered)


@then(parsers.parse('the claim is refused with "{message}"'))
def claim_refused(story: Story, message: str) -> None:
    assert story.claim is None
    refused(story, message)


# -- the product version at issue ------------------------------------------------------------


@given(
    parsers.parse("product version {version:d} is on sale until {last} with a damages cap of {cap}")
)
def version_until(system: System, version: int, last: str, cap: str) -> None:
    product = system.deps.products.get("garanzia-casa", str(version)).product
    assert product.valid_to == date.fromisoformat(last)
    assert product.damages_cap == euro(cap)


@given(
    parsers.parse("product version {version:d} is on sale from {first} with a damages cap of {cap}")
)
def version_from(system: System, version: int, first: str, cap: str) -> None:
    product = system.deps.products.get("garanzia-casa", str(version)).product
    assert product.valid_from == date.fromisoformat(first)
    assert product.damages_cap == euro(cap)


@when(parsers.parse("on {day} a household's application is submitted for a rent of {rent}"))
def submit(system: System, clock: FixedClock, story: Story, day: str, rent: str) -> None:
    on(clock, day)
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    lease = builders.lease(start=date(2027, 2, 1), end=date(2029, 1, 31), monthly_rent=euro(rent))
    story.guarantee = builders.submit_application(system, dwelling.id, lease_data=lease)
    story.ruleset_version = story.guarantee.ruleset_version
    assert story.ruleset_version is not None


@then(parsers.parse("the application refers to product version {version}"))
def application_version(story: Story, version: str) -> None:
    assert story.guarantee is not None
    assert story.guarantee.product_version == version


@when(parsers.parse("on {day} the fund manager approves and issues it"))
def approve_and_issue(system: System, clock: FixedClock, story: Story, day: str) -> None:
    on(clock, day)
    assert story.guarantee is not None
    number = story.guarantee.application_number
    system.bus.handle(c.ApproveApplication(number=number, reason="idonea"), MANAGER)
    story.guarantee = system.bus.handle(
        c.IssueGuarantee(number=number, fund_id=story.fund_id), MANAGER
    )


@then(
    parsers.parse(
        "the guarantee is under product version {version} with a maximum exposure of {exposure}"
    )
)
def issued_version(story: Story, version: str, exposure: str) -> None:
    assert story.guarantee is not None
    assert story.guarantee.product_version == version
    assert story.guarantee.maximum_exposure == euro(exposure)


@then("its eligibility keeps the rule set version it was decided under")
def ruleset_kept(story: Story) -> None:
    assert story.guarantee is not None
    assert story.guarantee.ruleset_version == story.ruleset_version


@then(
    parsers.parse(
        "the guarantee's history shows it was issued under version {issued} after being "
        "submitted under version {submitted}"
    )
)
def issue_history(system: System, story: Story, issued: str, submitted: str) -> None:
    assert story.guarantee is not None and story.guarantee.number is not None
    with system.engine.connect() as conn:
        detail = guarantees_read.guarantee_detail(conn, story.guarantee.number, actor=MANAGER)
    issue = next(e for e in detail["history"] if e["action"] == "issue")
    assert issue["after"]["product_version"] == issued
    assert issue["after"]["product_version_at_submission"] == submitted
