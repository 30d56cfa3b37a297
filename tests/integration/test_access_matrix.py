"""Who reads what: every read endpoint under every role, two of each, and anonymously.

Two landlords, two help desks, two mediators, a fund manager and an auditor. Another's
resource answers 404 everywhere; a mediator reads only its own cases and what they need; a
landlord's answers never carry the household's ISEE, income or tax code, nor a staff name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import TestClient

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.cover import ItemKind
from guarantee.services import commands as c
from tests.support import builders
from tests.support.accounts import PASSWORD, open_account
from tests.support.http import api_client
from tests.support.jobs import run_jobs
from tests.support.payments import past_lease

ISEE, INCOME = "12345.67", "1876.54"  # values no landlord answer may contain
ROLES = ("manager", "auditor", "l1", "l2", "h1", "h2", "m1", "m2", "anon")


@dataclass
class World:
    headers: dict[str, dict[str, str]]
    g1: str
    g2: str
    claim: str
    case1: str
    case2: str
    landlord1: str
    household1: str
    tenant_tax_code: str


def _login(client: TestClient, username: str) -> dict[str, str]:  # type: ignore[type-arg]
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _world(system: System, client: TestClient) -> World:  # type: ignore[type-arg]
    manager = open_account(system, "gestore-mx", Role.FUND_MANAGER)
    open_account(system, "revisore-mx", Role.AUDITOR)
    desks = [open_account(system, f"sportello-{n}", Role.OPERATOR) for n in (1, 2)]
    mediators = [open_account(system, f"mediatore-{n}", Role.MEDIATOR) for n in (1, 2)]
    fund = builders.fund_with(system, Decimal("100000.00"), manager)
    numbers, landlords, households, tax_codes = [], [], [], []
    for n, desk in enumerate(desks, start=1):
        landlord = builders.enrol_landlord(system, manager)
        dwelling = builders.add_property(system, landlord.id, manager)
        tenant = builders.tax_code(900 + n)
        application = builders.submit_application(
            system,
            dwelling.id,
            desk,
            lease_data=past_lease(),
            main_tenant=tenant,
            isee=Decimal(ISEE),
            net_monthly_income=Decimal(INCOME),
        )
        number = application.application_number
        system.bus.handle(c.ApproveApplication(number=number, reason="verificata"), manager)
        issued = system.bus.handle(c.IssueGuarantee(number=number, fund_id=fund.id), manager)
        system.bus.handle(c.ActivateGuarantee(number=issued.number), manager)
        open_account(system, f"locatore-{n}", Role.LANDLORD, landlord_id=landlord.id)
        numbers.append(issued.number)
        landlords.append(landlord.id)
        households.append(application.household_id)
        tax_codes.append(tenant)
    cases = []
    today = system.deps.clock.today()
    for n, (number, mediator) in enumerate(zip(numbers, mediators, strict=True), start=1):
        owner = Actor(f"locatore-{n}", Role.LANDLORD, landlord_id=landlords[n - 1])
        rents = tuple(
            c.UnpaidRentData(day, Decimal("650"), Decimal("80"))
            for day in (date(today.year, today.month - 2, 5), date(today.year, today.month - 1, 5))
        )
        case = system.bus.handle(c.ReportArrears(number, rents), owner).case
        if case.mediator_id != mediator.account_id:  # the workload may have chosen the other
            system.bus.handle(
                c.AssignMediationCase(case.number, mediator_id=mediator.account_id), manager
            )
        cases.append(case.number)
    owner1 = Actor("locatore-1", Role.LANDLORD, landlord_id=landlords[0])
    photo = c.EvidenceUpload("foto.jpg", "image/jpeg", b"foto")
    claim = system.bus.handle(
        c.FileClaim(
            numbers[0], (c.ClaimItemData(ItemKind.DAMAGES, today, Decimal("500.00")),), (photo,)
        ),
        owner1,
    )
    run_jobs(system)  # contracts, certificates, eligibility outcomes, the letters
    usernames = {
        "manager": "gestore-mx",
        "auditor": "revisore-mx",
        "l1": "locatore-1",
        "l2": "locatore-2",
        "h1": "sportello-1",
        "h2": "sportello-2",
        "m1": "mediatore-1",
        "m2": "mediatore-2",
    }
    headers = {role: _login(client, name) for role, name in usernames.items()}
    headers["anon"] = {}
    return World(
        headers,
        numbers[0],
        numbers[1],
        claim.number,
        cases[0],
        cases[1],
        landlords[0],
        households[0],
        tax_codes[0],
    )


def expected(**by_role: int) -> dict[str, int]:
    """Status per role; unnamed roles: anonymous 401, everyone else 403."""
    default = {role: 403 for role in ROLES} | {"anon": 401}
    return default | by_role


READS: list[tuple[str, dict[str, int]]] = [
    ("/api/v1/guarantees", expected(**{r: 200 for r in ROLES if r != "anon"})),
    (
        "/api/v1/guarantees/{g1}",
        expected(manager=200, auditor=200, l1=200, l2=404, h1=200, h2=404, m1=200, m2=404),
    ),
    (
        "/api/v1/guarantees/{g1}/documents",
        expected(manager=200, auditor=200, l1=200, l2=404, h1=200, h2=404, m1=200, m2=404),
    ),
    ("/api/v1/claims", expected(manager=200, auditor=200, l1=200, l2=200)),
    ("/api/v1/claims/{claim}", expected(manager=200, auditor=200, l1=200, l2=404)),
    (
        "/api/v1/mediation-cases",
        expected(manager=200, auditor=200, l1=200, l2=200, m1=200, m2=200),
    ),
    (
        "/api/v1/mediation-cases/{case1}",
        expected(manager=200, auditor=200, l1=200, l2=404, m1=200, m2=404),
    ),
    ("/api/v1/landlords", expected(manager=200, auditor=200)),
    (
        "/api/v1/landlords/{landlord1}",
        expected(manager=200, auditor=200, l1=200, l2=404, h1=404, h2=404, m1=404, m2=404),
    ),
    (
        "/api/v1/households/{household1}",
        expected(manager=200, auditor=200, l1=404, l2=404, h1=200, h2=404, m1=200, m2=404),
    ),
    ("/api/v1/funds", expected(manager=200, auditor=200)),
    ("/api/v1/accounts", expected(manager=200, auditor=200)),
]


@pytest.fixture
def world_and_client(system: System) -> Any:
    with api_client(system) as client:
        yield _world(system, client), client


def test_every_read_under_every_role(world_and_client: Any) -> None:
    world, client = world_and_client
    places = {
        "g1": world.g1,
        "claim": world.claim,
        "case1": world.case1,
        "landlord1": world.landlord1,
        "household1": world.household1,
    }
    wrong = []
    for template, statuses in READS:
        path = template.format(**places)
        for role in ROLES:
            answer = client.get(path, headers=world.headers[role])
            if answer.status_code != statuses[role]:
                wrong.append(f"{role} GET {path}: {answer.status_code}, not {statuses[role]}")
    assert wrong == []


def test_lists_hold_only_what_the_reader_may_see(world_and_client: Any) -> None:
    world, client = world_and_client

    def numbers(role: str, path: str, key: str = "number") -> set[str]:
        body = client.get(path, headers=world.headers[role]).json()
        rows = body["items"] if isinstance(body, dict) else body
        return {row[key] for row in rows}

    assert numbers("l2", "/api/v1/guarantees") == {world.g2}
    assert numbers("h2", "/api/v1/guarantees") == {world.g2}
    assert numbers("m1", "/api/v1/guarantees") == {world.g1}
    assert numbers("manager", "/api/v1/guarantees") == {world.g1, world.g2}
    assert numbers("m2", "/api/v1/mediation-cases") == {world.case2}
    assert numbers("l1", "/api/v1/mediation-cases") == {world.case1}
    assert numbers("l2", "/api/v1/claims") == set()
    kinds = numbers("l1", f"/api/v1/guarantees/{world.g1}/documents", "kind")
    assert "eligibility_outcome" not in kinds and "guarantee_contract" in kinds
    staff_kinds = numbers("manager", f"/api/v1/guarantees/{world.g1}/documents", "kind")
    assert "eligibility_outcome" in staff_kinds


def test_no_landlord_answer_carries_the_households_means_or_staff_names(
    world_and_client: Any,
) -> None:
    world, client = world_and_client
    secrets = [
        ISEE,
        INCOME,
        world.tenant_tax_code,
        "gestore-mx",
        "sportello-1",
        "mediatore-1",
        'reserve_amount": "',
    ]
    paths = [
        "/api/v1/guarantees",
        f"/api/v1/guarantees/{world.g1}",
        f"/api/v1/guarantees/{world.g1}/documents",
        "/api/v1/claims",
        f"/api/v1/claims/{world.claim}",
        "/api/v1/mediation-cases",
        f"/api/v1/mediation-cases/{world.case1}",
        f"/api/v1/landlords/{world.landlord1}",
    ]
    for path in paths:
        body = client.get(path, headers=world.headers["l1"]).text
        found = [secret for secret in secrets if secret in body]
        assert found == [], f"{path} shows a landlord {found}"
    detail = client.get(f"/api/v1/guarantees/{world.g1}", headers=world.headers["l1"]).json()
    assert detail["eligibility"] is None and detail["history"] == []
    assert detail["allowed_actions"] == [], "no staff action is offered to a landlord"
    assert [step["label"] for step in detail["timeline"]][:2] == [
        "Garanzia emessa",
        "Garanzia in vigore",
    ]


def test_a_mediator_acts_only_on_its_own_cases(world_and_client: Any) -> None:
    world, client = world_and_client
    note = {"text": "telefonata al locatore"}
    m1, m2 = world.headers["m1"], world.headers["m2"]
    own = client.post(f"/api/v1/mediation-cases/{world.case1}/notes", json=note, headers=m1)
    assert own.status_code == 201, own.text
    meeting = {
        "on": "2027-07-08",
        "at": "10:30",
        "place": "Sportello Casa",
        "participants": "locatore, conduttore",
    }
    scheduled = client.post(
        f"/api/v1/mediation-cases/{world.case1}/meetings", json=meeting, headers=m1
    )
    assert scheduled.status_code == 201, scheduled.text
    held = f"/api/v1/mediation-cases/{world.case1}/meetings/{scheduled.json()['meetings'][0]['id']}"
    bodies: dict[str, Any] = {"notes": note, "held": {"attended": "locatore"}}
    for path in (
        f"/api/v1/mediation-cases/{world.case1}/notes",
        f"/api/v1/mediation-cases/{world.case1}/assign",
        f"{held}/held",
    ):
        answer = client.post(path, json=bodies.get(path.rsplit("/", 1)[1]), headers=m2)
        assert answer.status_code == 404, (path, answer.text)
    landlord_note = client.post(
        f"/api/v1/mediation-cases/{world.case1}/notes", json=note, headers=world.headers["l1"]
    )
    assert landlord_note.status_code == 403
    withdraw = client.post(
        f"/api/v1/claims/{world.claim}/withdraw",
        json={"reason": "non mio"},
        headers=world.headers["l2"],
    )
    assert withdraw.status_code == 404
