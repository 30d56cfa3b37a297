"""A fund manager looks at what a draft rule set would do before deciding it: which open
applications change outcome and why, the reserve taken and the free capacity after, and
downloads the table. Nothing changes. Other roles are told the page does not exist."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from guarantee.adapters.db import tables
from guarantee.adapters.db.engine import build_engine
from guarantee.bootstrap import bootstrap
from guarantee.domain.actors import Role
from guarantee.domain.formats import euro_it
from guarantee.settings import PROJECT_ROOT, Settings
from tests.browser.conftest import check_page, serve
from tests.support import builders
from tests.support.accounts import PASSWORD, open_account


@dataclass(frozen=True)
class Site:
    url: str
    database_url: str
    moved: str  # not eligible today (ISEE 35,500), "da verificare" under the draft
    reserve: Decimal


def _draft(rules: Path) -> None:
    current = (rules / "eligibility" / "2026-01.yaml").read_text(encoding="utf-8")
    (rules / "drafts").mkdir()
    (rules / "drafts" / "isee-36000.yaml").write_text(
        current.replace('version: "2026-01"', 'version: "2027-01"').replace(
            "review_when: isee <= 35000", "review_when: isee <= 36000"
        ),
        encoding="utf-8",
    )
    # A draft written the Italian way: refused with the reason, never read as 27 €.
    (rules / "drafts" / "isee-sbagliata.yaml").write_text(
        current.replace('version: "2026-01"', 'version: "2027-02"').replace(
            "pass_when: isee <= 26000", "pass_when: isee <= 27.000"
        ),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("impact")
    rules = folder / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    _draft(rules)
    shutil.copyfile(migrated_sqlite, folder / "impact.db")
    url_db = f"sqlite:///{folder / 'impact.db'}"
    system = bootstrap(
        Settings(
            database_url=url_db,
            storage_dir=folder / "storage",
            outbox_dir=folder / "outbox",
            argon2_time_cost=1,
            argon2_memory_kib=1024,
            rules_dir=rules,
        )
    )
    try:
        builders.fund_with(system, Decimal("100000.00"))
        landlord = builders.enrol_landlord(system)
        dwelling = builders.add_property(system, landlord.id)
        moved = builders.submit_application(system, dwelling.id, isee=Decimal("35500.00"))
        assert moved.status.value == "ineligible"
        builders.submit_application(system, dwelling.id, isee=Decimal("12000.00"))
        open_account(system, "gestore", Role.FUND_MANAGER)
        open_account(system, "revisore", Role.AUDITOR)
        open_account(system, "mediatore", Role.MEDIATOR)
        open_account(system, "locatore", Role.LANDLORD, landlord_id=landlord.id)
        with system.engine.connect() as conn:
            rent = conn.execute(
                select(tables.guarantees.c.monthly_rent).where(tables.guarantees.c.id == moved.id)
            ).scalar_one()
        # Issuing it would reserve 30% of 12 rents + 5,000 € (policies/garanzia-casa/v1.yaml).
        reserve = (Decimal("0.30") * (12 * rent + Decimal("5000.00"))).quantize(Decimal("0.01"))
    finally:
        system.close()
    with serve(folder, folder / "impact.db", rules_dir=str(rules)) as url:
        yield Site(url, url_db, moved.application_number, reserve)


def log_in(page: Any, site: Site, username: str) -> None:
    page.goto(f"{site.url}/backoffice/accesso")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def statuses(site: Site) -> list[tuple[str, str]]:
    engine = build_engine(site.database_url)
    try:
        with engine.connect() as conn:
            g = tables.guarantees.c
            return [(n, str(s)) for n, s in conn.execute(select(g.application_number, g.status))]
    finally:
        engine.dispose()


def test_a_manager_sees_a_drafts_impact_in_words_and_money(page: Any, site: Site) -> None:
    before = statuses(site)
    log_in(page, site, "gestore")
    page.click("text=Impatto delle regole")
    page.wait_for_load_state()
    assert "Impatto di una modifica delle regole" in page.content()
    check_page(page, "bo-20-impatto-regole-scelta")

    page.select_option("#bozza", "isee-36000")
    page.click("text=Mostra l'impatto")
    page.wait_for_load_state()
    text = page.inner_text("main").replace("\xa0", " ")  # amounts keep € on their line
    assert "Regole in vigore 2026-01 e bozza 2027-01" in text
    row = page.locator("tbody tr", has_text=site.moved).inner_text().replace("\xa0", " ")
    assert "non ammissibile" in row and "da verificare" in row
    assert "isee (ISEE del nucleo fino a 26.000 €" in row
    assert euro_it(site.reserve) in row
    assert "needs_review" not in text and "ineligible" not in text
    assert "Anna Bianchi" not in text, "households by application number only"
    after = euro_it(Decimal("100000.00") - site.reserve)
    assert "Capacità libera del fondo ora\n100.000,00 €" in text
    assert f"Capacità libera del fondo dopo\n{after}" in text
    check_page(page, "bo-21-impatto-regole-tabella")

    with page.expect_download() as download:
        page.click("text=Scarica la tabella (CSV)")
    path = download.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "domanda"
    assert [site.moved, "non ammissibile", "da verificare"] == rows[1][:3]
    assert rows[1][4] == f"{site.reserve:.2f}".replace(".", ",")
    assert statuses(site) == before, "looking at a draft changes nothing"


def test_a_draft_with_mistakes_is_explained_not_used(page: Any, site: Site) -> None:
    log_in(page, site, "gestore")
    page.goto(f"{site.url}/backoffice/impatto-regole/?bozza=isee-sbagliata")
    text = page.inner_text("main")
    assert "La bozza isee-sbagliata contiene errori" in text
    assert "il numero '27.000' verrebbe letto come 27" in text
    assert "Domande che cambiano esito" not in text
    check_page(page, "bo-22-impatto-regole-bozza-con-errori")


@pytest.mark.parametrize("username", ["revisore", "mediatore", "locatore"])
def test_other_roles_are_told_the_page_does_not_exist(page: Any, site: Site, username: str) -> None:
    if username == "locatore":
        page.goto(f"{site.url}/portal/accesso")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
    else:
        log_in(page, site, username)
    for path in ("/backoffice/impatto-regole/", "/backoffice/impatto-regole/csv?bozza=isee-36000"):
        response = page.goto(f"{site.url}{path}")
        assert response.status == 404, (username, path)
        assert site.moved not in page.content()


def test_anonymous_visitors_are_sent_to_the_login(site: Site) -> None:
    answer = httpx.get(f"{site.url}/backoffice/impatto-regole/?bozza=isee-36000")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/backoffice/accesso")
