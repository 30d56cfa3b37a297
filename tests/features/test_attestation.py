"""Steps for attestation.feature: the help desk's use cases through the bus, the landlord's
check through the public page of the real app."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import func, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.attestations import Attestation
from guarantee.domain.errors import DomainError
from guarantee.read.attestations import attestation_detail
from guarantee.read.guarantees import guarantee_detail
from guarantee.read.letters import letters_from_json
from guarantee.services import commands as c
from tests.features.conftest import euro
from tests.support import builders
from tests.support.http import api_client
from tests.support.jobs import run_jobs

# The fund reads every record (the read side narrows rows to the reader).
READER = Actor("gestore", Role.FUND_MANAGER)

scenarios("attestation.feature")

MANAGER = builders.MANAGER
HELP_DESK = Actor("sportello", Role.OPERATOR)
DAY = r"(?P<{}>\d{{4}}-\d{{2}}-\d{{2}})"
MAIN_TENANT = "Lucia Ferrero"


@dataclass
class World:
    fund_id: str = ""
    property_id: str = ""
    attestation: str = ""
    code: str = ""
    application: str = ""
    error: DomainError | None = None


def _set_day(system: System, day: str) -> None:
    clock = system.deps.clock
    assert isinstance(clock, FixedClock)
    on = date.fromisoformat(day)
    clock.set(datetime(on.year, on.month, on.day, 10, tzinfo=UTC))


def _attempt(world: World, system: System, command: c.Command, actor: Actor) -> object:
    world.error = None
    try:
        return system.bus.handle(command, actor)
    except DomainError as exc:
        world.error = exc
        return None


def _detail(system: System, world: World) -> dict[str, object]:
    with system.engine.connect() as conn:
        return attestation_detail(conn, world.attestation, system.deps.clock.today(), actor=READER)


def _letters(system: System, topic: str) -> list[object]:
    o = tables.outbox.c
    with system.engine.connect() as conn:
        payload = conn.scalar(select(o.payload).where(o.topic == topic))
    return list(letters_from_json(payload["letters"]))


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


@when(
    parsers.re(
        rf"on {DAY.format('day')} the help desk asks an attestation for a household with ISEE "
        r"(?P<isee>[\d.,]+ €) and net income (?P<income>[\d.,]+ €) a month"
    )
)
def asks_attestation(system: System, world: World, day: str, isee: str, income: str) -> None:
    _set_day(system, day)
    done = _attempt(
        world,
        system,
        c.IssueAttestation(
            members=(c.MemberData(MAIN_TENANT, builders.tax_code(), None, True),),
            isee=euro(isee),
            net_monthly_income=euro(income),
            referral_source="help_desk",
            referrer="Sportello Casa Ivrea",
            contacts=c.ContactsData(postal_address="Via Jervis 5, 10015 Ivrea (TO)"),
        ),
        HELP_DESK,
    )
    if isinstance(done, Attestation):
        world.attestation, world.code = done.number, done.code


@when(
    parsers.re(
        rf"on {DAY.format('day')} the help desk applies with the attestation for a lease at "
        r"(?P<rent>[\d.,]+ €) rent and (?P<charges>[\d.,]+ €) charges"
    )
)
def applies(system: System, world: World, day: str, rent: str, charges: str) -> None:
    _set_day(system, day)
    lease = builders.lease(
        start=date(2027, 2, 1),
        end=date(2031, 1, 31),
        monthly_rent=euro(rent),
        monthly_charges=euro(charges),
    )
    done = _attempt(
        world,
        system,
        c.ApplyWithAttestation(
            number=world.attestation, property_id=world.property_id, lease=lease
        ),
        HELP_DESK,
    )
    if done is not None:
        world.application = done.application_number  # type: ignore[attr-defined]


@when("the fund manager approves the application and issues the guarantee")
def approve_and_issue(system: System, world: World) -> None:
    system.bus.handle(c.ApproveApplication(number=world.application), MANAGER)
    system.bus.handle(c.IssueGuarantee(number=world.application, fund_id=world.fund_id), MANAGER)


@when(parsers.parse('the fund manager withdraws the attestation because "{reason}"'))
def withdraws(system: System, world: World, reason: str) -> None:
    system.bus.handle(c.WithdrawAttestation(number=world.attestation, reason=reason), MANAGER)


@then(
    parsers.re(
        r"the household gets an attestation for a rent plus charges up to (?P<rent>[\d.,]+ €) "
        rf"a month, valid until {DAY.format('until')}"
    )
)
def has_attestation(system: System, world: World, rent: str, until: str) -> None:
    assert world.error is None, world.error
    found = _detail(system, world)
    assert found["maximum_rent"] == euro(rent)
    assert found["valid_until"] == date.fromisoformat(until)
    assert found["valid"] is True
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", world.code)


@then(parsers.parse('the requirements "{codes}" are met'))
def requirements_met(system: System, world: World, codes: str) -> None:
    eligibility = _detail(system, world)["eligibility"]
    assert isinstance(eligibility, dict)
    judged = {v["code"]: v["result"] for v in eligibility["verdicts"]}
    assert judged == dict.fromkeys((code.strip() for code in codes.split(",")), "pass")


@then(parsers.parse('the requirements "{codes}" are "{reason}"'))
def requirements_pending(system: System, world: World, codes: str, reason: str) -> None:
    eligibility = _detail(system, world)["eligibility"]
    assert isinstance(eligibility, dict)
    pending = {p["code"]: p["reason"] for p in eligibility["pending"]}
    assert pending == dict.fromkeys((code.strip() for code in codes.split(",")), reason)


@then(
    parsers.parse(
        "the household is sent a letter with the attestation's code and its maximum rent of {rent}"
    )
)
def letter_sent(system: System, world: World, rent: str) -> None:
    (letter,) = _letters(system, "attestation_issued")
    text = " ".join(letter.paragraphs)  # type: ignore[attr-defined]
    assert world.code in text and rent in text and "24 maggio 2027" in text
    run_jobs(system)
    p, d = tables.postal_letters.c, tables.documents.c
    with system.engine.connect() as conn:
        posted = conn.execute(select(p.recipient_name, p.recipient_address, p.document_ids)).all()
        (name, address, documents) = posted[0]
        kind = conn.scalar(select(d.kind).where(d.id == documents[0]))
    assert len(posted) == 1
    assert (name, address) == (MAIN_TENANT, "Via Jervis 5, 10015 Ivrea (TO)")
    assert kind == "eligibility_attestation"


@then(
    parsers.re(
        r'a landlord checking its code at /verify reads "(?P<first>[^"]+)"'
        r'(?:, "(?P<second>[^"]+)")? and "(?P<third>[^"]+)"'
        r"(?P<private> and not the household's name nor its income)?"
    )
)
def landlord_checks(
    system: System,
    world: World,
    first: str,
    second: str | None,
    third: str,
    private: str | None,
) -> None:
    with api_client(system) as client:
        page = client.get(f"/verify/{world.code}")
        answer = client.get(f"/api/v1/verify/{world.code}")
    text = html.unescape(page.text).replace("\xa0", " ")
    for words in (first, second, third):
        if words:
            assert words in text, words
    assert answer.status_code == 200
    body = answer.json()
    assert body["kind"] == "attestation"
    assert body["valid"] is (first == "Attestazione valida")
    if private:
        assert MAIN_TENANT not in text and "1.350,00" not in text
        assert set(body) == {
            "code",
            "kind",
            "valid",
            "guarantee_number",
            "status",
            "starts_on",
            "ends_on",
            "attestation_number",
            "valid_until",
            "maximum_rent",
            "document_intact",
        }
        assert body["maximum_rent"] == "540.00" and body["valid_until"] == "2027-05-24"


@then(parsers.parse('the application is "{status}"'))
def application_status(system: System, world: World, status: str) -> None:
    assert world.error is None, world.error
    with system.engine.connect() as conn:
        assert guarantee_detail(conn, world.application, actor=READER)["status"] == status


@then(parsers.parse('the requirement "{code}" is "{verdict}"'))
def requirement(system: System, world: World, code: str, verdict: str) -> None:
    with system.engine.connect() as conn:
        eligibility = guarantee_detail(conn, world.application, actor=READER)["eligibility"]
    results = {v["code"]: v["result"] for v in eligibility["verdicts"]}
    assert results[code] == verdict
    assert all(r == "pass" for c_, r in results.items() if c_ != code), results


@then(parsers.parse('the attestation is "{status}"'))
def attestation_status(system: System, world: World, status: str) -> None:
    found = _detail(system, world)
    assert found["status"] == status
    assert found["application_number"] == world.application


@then(parsers.parse('the guarantee is "{status}"'))
def guarantee_status(system: System, world: World, status: str) -> None:
    with system.engine.connect() as conn:
        assert guarantee_detail(conn, world.application, actor=READER)["status"] == status


@then(parsers.parse('the request is refused with "{message}"'))
def refused(world: World, message: str) -> None:
    assert world.error is not None, "the request was accepted"
    assert message in world.error.message, world.error.message


@then("no application was written")
def no_application(system: System, world: World) -> None:
    with system.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(tables.guarantees)) == 0
    assert _detail(system, world)["status"] == "issued"


@then("no attestation was written")
def no_attestation(system: System) -> None:
    with system.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(tables.attestations)) == 0
        assert conn.scalar(select(func.count()).select_from(tables.households)) == 0


@then(
    parsers.parse(
        'the household is sent a letter saying the attestation was withdrawn because "{reason}"'
    )
)
def withdrawal_letter(system: System, world: World, reason: str) -> None:
    (letter,) = _letters(system, "attestation_withdrawn")
    assert letter.to[0].value == "household"  # type: ignore[attr-defined]
    assert f"Motivo: {reason}." in letter.paragraphs  # type: ignore[attr-defined]


@then(parsers.parse("the audit trail of the attestation shows {actions}"))
def audit(system: System, world: World, actions: str) -> None:
    a = tables.audit_events.c
    found = _detail(system, world)
    with system.engine.connect() as conn:
        rows = conn.execute(
            select(a.action, a.actor_id)
            .where(a.entity_type == "attestation", a.entity_id == found["id"])
            .order_by(a.seq)
        ).all()
    assert [r.action for r in rows] == [x.strip() for x in actions.split(",")]
    assert [r.actor_id for r in rows] == ["sportello", "gestore"]
