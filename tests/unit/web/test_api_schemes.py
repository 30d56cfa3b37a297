"""Schemes and declared facts through the API: what-if per scheme, applications, funds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.data_files import DataFiles
from guarantee.adapters.db import tables
from guarantee.bootstrap import System, bootstrap
from guarantee.domain.actors import Role
from guarantee.read.eligibility import free_capacity, open_applications
from guarantee.services import commands as c
from guarantee.services.eligibility import ImpactInMoney, impact_in_money
from guarantee.settings import Settings
from tests.rules_support import POLICIES_DIR, copy_rules
from tests.support import builders
from tests.support.http import api_client, login_as
from tests.unit.web.test_api import application_body, facts

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "schemes"


@pytest.fixture
def schemes_system(settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[System]:
    """The system with the project's rules plus the fixture schemes, added as files."""
    rules = copy_rules(tmp_path)
    for sub in ("eligibility", "reference", "parameters"):
        (rules / sub).mkdir(exist_ok=True)
        for path in (FIXTURES / sub).iterdir():
            shutil.copy(path, rules / sub / path.name)
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES_DIR, policies)
    shutil.copytree(FIXTURES / "policies" / "casa-giovani", policies / "casa-giovani")
    changes = {"rules_dir": rules, "policies_dir": policies}
    system = bootstrap(settings.model_copy(update=changes), clock=clock)
    try:
        yield system
    finally:
        system.close()


def count(system: System, table: Any) -> int:
    with system.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def young(**more: Any) -> dict[str, Any]:
    return facts(
        scheme="casa-giovani",
        on="2026-06-01",
        net_monthly_income="2500.00",
        facts={
            "applicant_birth_date": "1990-06-02",
            "employment_status": "autonomo",
            "job_start_date": "2015-01-01",
            "lease_start": "2026-07-01",
            **more,
        },
    )


def test_a_what_if_check_runs_another_scheme_with_its_facts(schemes_system: System) -> None:
    with api_client(schemes_system) as client:
        desk = login_as(client, schemes_system, Role.OPERATOR)
        at_35 = client.post("/api/v1/eligibility/check", headers=desk, json=young())
        assert at_35.status_code == 200, at_35.text
        body = at_35.json()
        assert (body["scheme"], body["ruleset_version"], body["outcome"]) == (
            "casa-giovani",
            "2026-01",
            "eligible",
        )
        rule = next(v for v in body["verdicts"] if v["code"] == "young_or_stable_job")
        assert rule["facts_seen"]["age"] == 35
        assert rule["detail"] == "soddisfatta l'alternativa 1: «age <= 35»"
        at_36 = client.post(
            "/api/v1/eligibility/check",
            headers=desk,
            json=young(applicant_birth_date="1990-06-01"),
        ).json()
        assert at_36["outcome"] == "ineligible"
        default = client.post("/api/v1/eligibility/check", headers=desk, json=facts()).json()
        assert default["scheme"] == "garanzia-casa" and len(default["verdicts"]) == 10


def test_a_what_if_check_names_each_wrong_fact(schemes_system: System) -> None:
    with api_client(schemes_system) as client:
        desk = login_as(client, schemes_system, Role.OPERATOR)
        wrong = client.post(
            "/api/v1/eligibility/check",
            headers=desk,
            json=young(applicant_birth_date="01/06/1990", shoe_size=42),
        )
        assert wrong.status_code == 422, wrong.text
        assert {e["field"]: e["reason"] for e in wrong.json()["errors"]} == {
            "facts.applicant_birth_date": "'01/06/1990' non è una data nel formato AAAA-MM-GG",
            "facts.shoe_size": "dato non previsto dal catalogo dei dati (rules/facts.yaml)",
        }
        missing = client.post(
            "/api/v1/eligibility/check", headers=desk, json=facts(scheme="casa-giovani")
        )
        assert missing.status_code == 422
        fields = {e["field"] for e in missing.json()["errors"]}
        assert {"applicant_birth_date", "employment_status"} <= fields


def test_an_application_accepts_declared_facts_and_refuses_others(system: System) -> None:
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        wrong = client.post(
            "/api/v1/applications",
            headers=manager,
            json=application_body(
                dwelling.id, facts={"isee": 1, "employment_status": "astronauta", "nope": True}
            ),
        )
        assert wrong.status_code == 422, wrong.text
        assert {e["field"] for e in wrong.json()["errors"]} == {
            "facts.isee",
            "facts.employment_status",
            "facts.nope",
        }
        assert count(system, tables.guarantees) == 0
        commercial = application_body(dwelling.id)
        commercial["lease"] = {**commercial["lease"], "lease_type": "commerciale_6_6"}
        unknown_type = client.post("/api/v1/applications", headers=manager, json=commercial)
        assert unknown_type.status_code == 422, unknown_type.text
        assert unknown_type.json()["errors"][0]["field"] == "lease.lease_type"
        assert "commerciale_6_6" in unknown_type.json()["errors"][0]["reason"]
        assert count(system, tables.guarantees) == 0
        fine = client.post(
            "/api/v1/applications",
            headers=manager,
            json=application_body(dwelling.id, facts={"employment_status": "autonomo"}),
        )
        assert fine.status_code == 201, fine.text
        assert fine.json()["eligibility"]["scheme"] == "garanzia-casa"


def test_a_fund_applies_a_known_scheme_and_backs_only_its_applications(
    schemes_system: System,
) -> None:
    landlord = builders.enrol_landlord(schemes_system)
    dwelling = builders.add_property(schemes_system, landlord.id)
    with api_client(schemes_system) as client:
        manager = login_as(client, schemes_system, Role.FUND_MANAGER)
        unknown = client.post(
            "/api/v1/funds",
            headers=manager,
            json={"name": "Fondo X", "territory": "Canavese", "scheme": "nessuna"},
        )
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "scheme"
        young_fund = client.post(
            "/api/v1/funds",
            headers=manager,
            json={"name": "Fondo Giovani", "territory": "Canavese", "scheme": "casa-giovani"},
        )
        assert young_fund.status_code == 201, young_fund.text
        assert young_fund.json()["scheme"] == "casa-giovani"
        application = client.post(
            "/api/v1/applications", headers=manager, json=application_body(dwelling.id)
        ).json()
        number = application["application_number"]
        client.post(f"/api/v1/applications/{number}/approve", headers=manager)
        refused = client.post(
            f"/api/v1/guarantees/{number}/issue",
            headers=manager,
            json={"fund_id": young_fund.json()["id"]},
        )
        assert refused.status_code == 409, refused.text
        assert "applica la misura «casa-giovani»" in refused.json()["detail"]


def test_a_lease_type_added_to_the_reference_file_is_accepted(
    settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    rules = copy_rules(tmp_path)
    types = rules / "reference" / "lease-types.csv"
    types.write_text(
        types.read_text("utf-8") + "canone_agevolato_5_2,yes,Canone agevolato 5+2,prova\n",
        "utf-8",
    )
    system = bootstrap(settings.model_copy(update={"rules_dir": rules}), clock=clock)
    try:
        landlord = builders.enrol_landlord(system)
        dwelling = builders.add_property(system, landlord.id)
        body = application_body(dwelling.id)
        body["lease"] = {**body["lease"], "lease_type": "canone_agevolato_5_2"}
        with api_client(system) as client:
            manager = login_as(client, system, Role.FUND_MANAGER)
            answer = client.post("/api/v1/applications", headers=manager, json=body)
            assert answer.status_code == 201, answer.text
            assert answer.json()["status"] == "eligible"
            number = answer.json()["application_number"]
            detail = client.get(f"/api/v1/applications/{number}", headers=manager).json()
            assert detail["lease_type"] == "canone_agevolato_5_2"
    finally:
        system.close()


def test_an_application_for_another_scheme_s_product_is_judged_by_its_rules(
    schemes_system: System, clock: FixedClock
) -> None:
    landlord = builders.enrol_landlord(schemes_system)
    dwelling = builders.add_property(schemes_system, landlord.id)
    members = [
        {
            "full_name": "Luca Verdi",
            "tax_code": builders.tax_code(77),
            "birth_date": "1995-03-01",  # 31 on the application day
            "is_main_tenant": True,
        }
    ]
    body = application_body(
        dwelling.id, product_code="casa-giovani", members=members, net_monthly_income="2500.00"
    )
    with api_client(schemes_system) as client:
        manager = login_as(client, schemes_system, Role.FUND_MANAGER)
        missing = client.post("/api/v1/applications", headers=manager, json=body)
        assert missing.status_code == 422, missing.text
        assert {e["field"] for e in missing.json()["errors"]} == {
            "employment_status",
            "job_start_date",
        }
        assert count(schemes_system, tables.guarantees) == 0
        body["facts"] = {"employment_status": "autonomo", "job_start_date": "2020-01-01"}
        answer = client.post("/api/v1/applications", headers=manager, json=body)
        assert answer.status_code == 201, answer.text
        eligibility = answer.json()["eligibility"]
        assert (eligibility["scheme"], eligibility["ruleset_version"]) == (
            "casa-giovani",
            "2026-01",
        )
        young = next(v for v in eligibility["verdicts"] if v["code"] == "young_or_stable_job")
        assert young["facts_seen"]["age"] == 31 and young["result"] == "pass"
        number = answer.json()["application_number"]
        assert answer.json()["status"] == "eligible", eligibility
        client.post(f"/api/v1/applications/{number}/approve", headers=manager)
        default_fund = builders.fund_with(schemes_system, builders.money("100000.00"))
        refused = client.post(
            f"/api/v1/guarantees/{number}/issue", headers=manager, json={"fund_id": default_fund.id}
        )
        assert refused.status_code == 409, refused.text
        young_fund = client.post(
            "/api/v1/funds",
            headers=manager,
            json={"name": "Fondo Giovani", "territory": "Canavese", "scheme": "casa-giovani"},
        ).json()
        client.post(
            f"/api/v1/funds/{young_fund['id']}/contributions",
            headers=manager,
            json={"amount": "50000.00", "donor": "Comune", "on": "2026-01-15", "reference": "d. 1"},
        )
        issued = client.post(
            f"/api/v1/guarantees/{number}/issue",
            headers=manager,
            json={"fund_id": young_fund["id"]},
        )
        assert issued.status_code == 200, issued.text


def test_a_draft_is_priced_against_the_free_capacity_of_its_scheme_s_funds_only(
    schemes_system: System,
) -> None:
    builders.fund_with(schemes_system, builders.money("100000.00"))
    young_fund = schemes_system.bus.handle(
        c.CreateFund(name="Fondo Giovani", territory="Canavese", scheme="casa-giovani"),
        builders.MANAGER,
    )
    schemes_system.bus.handle(
        c.RecordContribution(
            fund_id=young_fund.id,
            amount=builders.money("40000.00"),
            donor="Comune",
            on=date(2026, 1, 15),
            reference="d. 1",
        ),
        builders.MANAGER,
    )
    rules = schemes_system.settings.rules_dir
    drafts = rules / "drafts"
    drafts.mkdir()
    for name, source in (("giovani", "giovani-2026.yaml"), ("casa", "2026-01.yaml")):
        text = (rules / "eligibility" / source).read_text("utf-8")
        (drafts / f"{name}.yaml").write_text(
            text.replace('version: "2026-01"', 'version: "2026-09"').replace(
                "effective_from: 2026-01-01", "effective_from: 2026-09-01"
            ),
            "utf-8",
        )

    def priced(draft: str) -> ImpactInMoney:
        with schemes_system.engine.connect() as conn:
            return impact_in_money(
                drafts / f"{draft}.yaml",
                rules,
                open_applications(conn, schemes_system.deps.products),
                DataFiles(),
                on=date(2026, 6, 1),
                free_capacity=partial(free_capacity, conn),
            )

    young = priced("giovani")
    assert (young.scheme, young.free_capacity_now) == ("casa-giovani", Decimal("40000.00"))
    default = priced("casa")
    assert (default.scheme, default.free_capacity_now) == ("garanzia-casa", Decimal("100000.00"))
