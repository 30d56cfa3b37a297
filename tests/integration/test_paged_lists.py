"""Claims, mediation cases and attestations come a page at a time: following ``next`` visits
every row the reader may see exactly once, in the list's order, and a filter by guarantee
gives that guarantee's rows alone. A mediator's cases page and the help desk's attestations
page offer the next page the same way. (The plans these lists walk on PostgreSQL are checked
in test_list_plans.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import TestClient

from guarantee.adapters.clock import FixedClock
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.cover import ItemKind
from guarantee.domain.households import ReferralSource
from guarantee.services import commands as c
from guarantee.settings import Settings
from tests.support import builders
from tests.support.http import api_client, login_as
from tests.support.journeys import MANAGER, MEDIATOR, at, mediator_user

D = Decimal
DESK = Actor("sportello", Role.OPERATOR)
REPORT_DAYS = ("2027-06-21", "2027-06-22", "2027-06-23")


@dataclass
class World:
    client: TestClient  # type: ignore[type-arg]
    guarantees: list[str]
    cases: list[str]  # in the order they were opened: by deadline
    claims: list[str]
    attestations: list[str]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Tokens that outlive the story's weeks."""
    return settings.model_copy(update={"token_ttl_hours": 24 * 365})


@pytest.fixture
def world(system: System, clock: FixedClock) -> Iterator[World]:
    fund = builders.fund_with(system, D("100000.00"))
    mediator_user(system)
    guarantees, landlords, cases, claims, attestations = [], [], [], [], []
    for _ in REPORT_DAYS:
        issued = builders.issued_guarantee(system, fund.id)
        assert issued.number is not None
        system.bus.handle(c.ActivateGuarantee(number=issued.number), MANAGER)
        guarantees.append(issued.number)
        landlords.append(Actor("locatore", Role.LANDLORD, landlord_id=issued.landlord_id))
    rents = tuple(
        c.UnpaidRentData(d, D("650"), D("80")) for d in (date(2027, 5, 5), date(2027, 6, 5))
    )
    for day, number, landlord in zip(REPORT_DAYS, guarantees, landlords, strict=True):
        at(clock, day)  # a day later each: each case's first contact is due a day later
        cases.append(system.bus.handle(c.ReportArrears(number, rents), landlord).case.number)
    at(clock, "2027-07-20")
    for number, landlord in zip(guarantees, landlords, strict=True):
        item = c.ClaimItemData(ItemKind.ARREARS, date(2027, 5, 5), D("730"))
        claims.append(system.bus.handle(c.FileClaim(number, (item,)), landlord).number)
    for name in ("Lucia Ferrero", "Marta Bianco", "Aldo Neri"):
        attested = system.bus.handle(
            c.IssueAttestation(
                members=(c.MemberData(name, builders.tax_code(), None, True),),
                isee=D("12000.00"),
                net_monthly_income=D("1350.00"),
                referral_source=ReferralSource.HELP_DESK,
                contacts=c.ContactsData(postal_address="Via Jervis 5, 10015 Ivrea (TO)"),
            ),
            DESK,
        )
        attestations.append(attested.number)
    with api_client(system) as client:
        yield World(client, guarantees, cases, claims, attestations)


def walk(client: Any, path: str, headers: dict[str, str]) -> tuple[list[str], int]:
    """Every row's number, following ``next`` from the first page; and how many pages."""
    numbers: list[str] = []
    pages = 0
    link: str | None = path
    while link is not None:
        answer = client.get(link, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["items"]) <= body["page_size"]
        assert body["has_more"] == (body["next"] is not None)
        numbers += [row["number"] for row in body["items"]]
        pages += 1
        link = body["next"]
    return numbers, pages


def test_following_next_visits_every_row_once_in_the_lists_order(world: World) -> None:
    client = world.client
    manager = login_as(client, client.app.state.system, Role.FUND_MANAGER)
    desk = login_as(client, client.app.state.system, Role.OPERATOR, username=DESK.user_id)
    # claims newest first, cases by first-contact deadline, attestations latest first
    assert walk(client, "/api/v1/claims?page_size=2", manager) == (world.claims[::-1], 2)
    assert walk(client, "/api/v1/mediation-cases?page_size=2", manager) == (world.cases, 2)
    assert walk(client, "/api/v1/attestations?page_size=2", desk) == (world.attestations[::-1], 2)
    # one page when it all fits, with the exact total
    first = client.get("/api/v1/claims", headers=manager).json()
    assert (first["total"], first["has_more"], first["next"]) == (3, False, None)
    # the filters go along with the cursor
    assert walk(client, "/api/v1/claims?status=submitted&page_size=1", manager) == (
        world.claims[::-1],
        3,
    )


def test_a_guarantees_claims_and_cases_are_its_own(world: World) -> None:
    client = world.client
    manager = login_as(client, client.app.state.system, Role.FUND_MANAGER)
    middle = world.guarantees[1]
    claims = client.get(f"/api/v1/claims?guarantee_number={middle}", headers=manager).json()
    assert [row["number"] for row in claims["items"]] == [world.claims[1]]
    cases = client.get(f"/api/v1/mediation-cases?guarantee_number={middle}", headers=manager)
    assert [row["number"] for row in cases.json()["items"]] == [world.cases[1]]
    nothing = client.get("/api/v1/claims?guarantee_number=GC-2027-999999", headers=manager)
    assert nothing.json()["items"] == []


def test_a_bad_cursor_or_page_size_is_refused_in_italian(world: World) -> None:
    client = world.client
    manager = login_as(client, client.app.state.system, Role.FUND_MANAGER)
    for path, status, field in (
        ("/api/v1/claims?after=non-un-cursore", 422, "after"),
        ("/api/v1/mediation-cases?page_size=0", 400, "page_size"),
        ("/api/v1/attestations?page_size=501", 400, "page_size"),
    ):
        refused = client.get(path, headers=manager)
        assert refused.status_code == status, (path, refused.text)
        assert field in refused.text, refused.text


def _log_in(client: Any, path: str, username: str) -> None:
    from tests.support.accounts import PASSWORD

    client.cookies.clear()
    form = client.get(f"{path}/accesso")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
    assert token is not None
    answer = client.post(
        f"{path}/accesso",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def _next_page(page: Any) -> str | None:
    found = re.search(r'href="([^"]+)">Pagina successiva<', page.text)
    return None if found is None else found.group(1).replace("&amp;", "&")


def test_a_mediator_and_a_help_desk_turn_the_pages_of_their_lists(world: World) -> None:
    client = world.client
    login_as(client, client.app.state.system, Role.OPERATOR, username=DESK.user_id)
    for base, username, expected in (
        ("/backoffice/casi/", MEDIATOR.user_id, world.cases),
        ("/sportello/attestazioni/", DESK.user_id, world.attestations[::-1]),
    ):
        _log_in(client, "/backoffice", username)
        first = client.get(f"{base}?page_size=2")
        assert first.status_code == 200, first.text
        link = _next_page(first)
        assert link is not None, f"{base}: the first of two pages offers the next"
        second = client.get(f"{base}{link}")
        assert _next_page(second) is None
        shown = [n for n in expected if n in first.text], [n for n in expected if n in second.text]
        assert shown == (expected[:2], expected[2:]), base


def test_the_fund_follows_every_case_and_who_mediates_it(world: World, system: System) -> None:
    client = world.client
    login_as(client, system, Role.FUND_MANAGER)
    login_as(client, system, Role.AUDITOR)
    # the first case had its first contact: it is no longer late
    system.bus.handle(c.RecordFirstContact(world.cases[0], date(2027, 6, 24)), MANAGER)
    for username in ("fund_manager", "auditor"):
        _log_in(client, "/backoffice", username)
        page = client.get("/backoffice/casi/")
        assert page.status_code == 200, page.text
        assert "Pratiche di mediazione" in page.text and "Marco Mediatore" in page.text
        assert [n for n in world.cases if n in page.text] == world.cases
        late = client.get("/backoffice/casi/?overdue=true&page_size=1")
        assert [n for n in world.cases if n in late.text] == world.cases[1:2]
        link = _next_page(late)
        assert link is not None and "overdue=true" in link, "the filter stays on the next page"
        after = client.get(f"/backoffice/casi/{link}")
        assert [n for n in world.cases if n in after.text] == world.cases[2:]
