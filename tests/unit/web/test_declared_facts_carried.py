"""Facts a household declares (rules/facts.yaml, source "declared") count wherever its
eligibility is judged: an attestation judges them, the application made from it keeps them,
and a renewal judges the ones last declared unless they are declared again. Under a scheme
whose rules read a declared fact (the fixtures' casa-giovani reads the employment status),
nothing would pass without them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import DomainError, InvalidFacts
from guarantee.domain.households import ReferralSource
from guarantee.services import commands as c
from tests.support import builders
from tests.support.http import api_client, login_as
from tests.unit.web.test_api_schemes import schemes_system  # noqa: F401  (the fixture)

MANAGER = builders.MANAGER
DESK = Actor("sportello", Role.OPERATOR)
STABLE_JOB = {"employment_status": "dipendente_tempo_indeterminato", "job_start_date": "2020-03-01"}
D = Decimal


def attestation(system: System, facts: dict[str, Any]) -> Any:
    """A household of one, 40 years old: young_or_stable_job passes only on its job."""
    return system.bus.handle(
        c.IssueAttestation(
            members=(c.MemberData("Carla Gallo", builders.tax_code(), date(1986, 5, 4), True),),
            isee=D("14000.00"),
            net_monthly_income=D("2400.00"),
            referral_source=ReferralSource.HELP_DESK,
            contacts=c.ContactsData(postal_address="Via Jervis 5, 10015 Ivrea (TO)"),
            product_code="casa-giovani",
            facts=facts,
        ),
        DESK,
    )


def rows(system: System, table: Any) -> int:
    with system.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


@pytest.fixture
def issued(schemes_system: System, clock: FixedClock) -> Iterator[tuple[System, str]]:  # noqa: F811
    """A casa-giovani guarantee issued from an attestation whose household declared a stable
    job, and the household's application never declared it again."""
    system = schemes_system
    attested = attestation(system, STABLE_JOB)
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    application = system.bus.handle(
        c.ApplyWithAttestation(
            attested.number, dwelling.id, builders.lease(start=date(2027, 1, 1))
        ),
        DESK,
    )
    assert application.eligibility["outcome"] == "eligible", application.eligibility
    assert application.eligibility["declared"] == STABLE_JOB
    system.bus.handle(
        c.ApproveApplication(number=application.application_number, reason="ok"), MANAGER
    )
    fund = system.bus.handle(c.CreateFund("Fondo Giovani", "Canavese", "casa-giovani"), MANAGER)
    system.bus.handle(
        c.RecordContribution(fund.id, D("100000.00"), "Comune", date(2026, 1, 15), "delibera"),
        MANAGER,
    )
    guarantee = system.bus.handle(
        c.IssueGuarantee(number=application.application_number, fund_id=fund.id), MANAGER
    )
    system.bus.handle(c.ActivateGuarantee(number=guarantee.number), MANAGER)
    clock.set(datetime(2029, 11, 16, 10, tzinfo=UTC))  # weeks before the end of the term
    yield system, guarantee.number


def test_an_attestation_judges_the_declared_facts_and_refuses_wrong_ones(
    schemes_system: System,  # noqa: F811
) -> None:
    with pytest.raises(DomainError):  # no job: no share of income the rent may take
        attestation(schemes_system, {})
    with pytest.raises(InvalidFacts) as wrong:
        attestation(schemes_system, {"employment_status": "astronauta"})
    assert list(wrong.value.problems) == ["facts.employment_status"]
    assert rows(schemes_system, tables.attestations) == 0
    assert attestation(schemes_system, STABLE_JOB).eligibility["declared"] == STABLE_JOB


def test_a_landlord_renews_on_the_facts_last_declared(issued: tuple[System, str]) -> None:
    system, number = issued
    g = tables.guarantees.c
    owner = system.engine.connect().scalar(select(g.landlord_id).where(g.number == number))
    with api_client(system) as client:
        landlord = login_as(client, system, Role.LANDLORD, landlord_id=owner)
        url = f"/api/v1/guarantees/{number}/renew"
        body: dict[str, Any] = {
            "lease": {
                "end": "2032-12-31",
                "monthly_rent": "650.00",
                "monthly_charges": "80.00",
                "registration_reference": "serie 3T n. 4321",
            }
        }
        wrong = client.post(
            url, json=body | {"facts": {"job_start_date": "ieri"}}, headers=landlord
        )
        assert wrong.status_code == 422, wrong.text
        assert wrong.json()["errors"][0]["field"] == "facts.job_start_date"
        renewed = client.post(url, json=body, headers=landlord)
        assert renewed.status_code == 200, renewed.text
        assert renewed.json()["term"] == 2
        manager = login_as(client, system, Role.FUND_MANAGER)
        staff = client.get(f"/api/v1/guarantees/{number}", headers=manager).json()
    assert staff["eligibility"]["outcome"] == "eligible"
    assert staff["eligibility"]["declared"] == STABLE_JOB


def test_a_fact_declared_again_replaces_the_old_one(issued: tuple[System, str]) -> None:
    system, number = issued
    lease = c.RenewalLeaseData(
        end=date(2032, 12, 31),
        monthly_rent=D("650.00"),
        monthly_charges=D("80.00"),
        registration_reference="serie 3T n. 4321",
    )
    # the job became a fixed-term one: at 43 the rule on age or stable job is not met
    with pytest.raises(DomainError) as refused:
        system.bus.handle(
            c.RenewGuarantee(number, lease=lease, facts={"employment_status": "autonomo"}),
            MANAGER,
        )
    assert refused.value.code == "renewal_ineligible"
    assert "lavoro a tempo indeterminato" in str(refused.value)
