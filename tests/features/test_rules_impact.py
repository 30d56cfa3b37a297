"""Steps for rules_impact.feature: a draft rule-set file against open applications, priced
with the product's reserve, through the same function the CLI and the back office use."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from pytest_bdd import given, parsers, scenarios, then, when

from guarantee.adapters.data_files import DataFiles, load_product
from guarantee.domain.eligibility import ImpactCase
from guarantee.services.eligibility import ImpactInMoney, impact_in_money
from tests.features.conftest import euro
from tests.rules_support import POLICIES_DIR, RULES_DIR, household

scenarios("rules_impact.feature")

ON = date(2026, 3, 1)
EURO = r"[0-9.]+,[0-9]{2} €"


class Impact:
    def __init__(self, folder: Path) -> None:
        self.rules = folder / "rules"
        shutil.copytree(RULES_DIR, self.rules)
        self.free_capacity = Decimal("0.00")
        self.applications: list[ImpactCase] = []
        self.draft: Path | None = None
        self.result: ImpactInMoney | None = None

    def money(self) -> ImpactInMoney:
        assert self.result is not None, "the impact was not computed"
        return self.result


@given(
    parsers.re(rf"un fondo con una capacità libera di (?P<amount>{EURO})"),
    target_fixture="impact",
)
def fund(tmp_path: Path, amount: str) -> Impact:
    impact = Impact(tmp_path)
    impact.free_capacity = euro(amount)
    return impact


@given("le domande aperte, tutte a Ivrea in 75 m²:")
def open_applications(impact: Impact, datatable: list[list[str]]) -> None:
    product = load_product(POLICIES_DIR / "garanzia-casa" / "v1.yaml")
    for number, isee, rent in datatable[1:]:
        facts = household(isee=euro(isee), monthly_rent=euro(rent))
        reserve = product.reserve_for(euro(rent))
        impact.applications.append(ImpactCase(number, facts, reserve=reserve))


@given(
    parsers.re(
        r"una bozza che ammette l'ISEE fino a (?P<passes>[0-9.]+) € "
        r"e lo fa verificare fino a (?P<review>[0-9.]+) €"
    )
)
def draft(impact: Impact, passes: str, review: str) -> None:
    current = (impact.rules / "eligibility" / "2026-01.yaml").read_text(encoding="utf-8")
    text = (
        current.replace('version: "2026-01"', 'version: "bozza"')
        .replace("pass_when: isee <= 26000", f"pass_when: isee <= {passes.replace('.', '')}")
        .replace("review_when: isee <= 35000", f"review_when: isee <= {review.replace('.', '')}")
    )
    impact.draft = impact.rules / "drafts" / "bozza.yaml"
    impact.draft.parent.mkdir()
    impact.draft.write_text(text, encoding="utf-8")


@when("guardo l'impatto della bozza")
def look(impact: Impact) -> None:
    assert impact.draft is not None
    impact.result = impact_in_money(
        impact.draft,
        impact.rules,
        impact.applications,
        DataFiles(),
        on=ON,
        free_capacity=lambda scheme: impact.free_capacity,
    )


@then(parsers.parse("cambiano esito {changed:d} domande su {examined:d}"))
def how_many(impact: Impact, changed: int, examined: int) -> None:
    report = impact.money().report
    assert (len(report.changes), report.examined) == (changed, examined)


@then(
    parsers.re(
        r'la domanda "(?P<number>[^"]+)" passa da "(?P<before>[^"]+)" a "(?P<after>[^"]+)" '
        rf'per la regola "(?P<rule>\w+)" e (?P<verb>impegna|libera) (?P<amount>{EURO})'
    )
)
def one_change(
    impact: Impact, number: str, before: str, after: str, rule: str, verb: str, amount: str
) -> None:
    [row] = [row for row in impact.money().rows() if row.application == number]
    assert (row.before, row.after) == (before, after)
    assert [label.split(" ")[0] for label in row.rules] == [rule]
    assert (row.taken if verb == "impegna" else row.freed) == euro(amount)


@then(
    parsers.re(
        rf"l'accantonamento impegnato è (?P<taken>{EURO}) e quello liberato (?P<freed>{EURO})"
    )
)
def totals(impact: Impact, taken: str, freed: str) -> None:
    money = impact.money()
    assert (money.reserve_taken, money.reserve_freed) == (euro(taken), euro(freed))


@then(parsers.re(rf"la capacità libera del fondo dopo la bozza è (?P<amount>{EURO})"))
def capacity_after(impact: Impact, amount: str) -> None:
    assert impact.money().free_capacity_after == euro(amount)


@then(
    parsers.parse(
        "il CSV ha una riga per ciascuna delle {count:d} domande, con gli esiti in italiano "
        "e nessun nome"
    )
)
def csv_rows(impact: Impact, count: int) -> None:
    text = impact.money().csv_text()
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert header[:3] == ["domanda", "esito con le regole in vigore", "esito con la bozza"]
    assert len(rows) == count
    words = {"ammissibile", "da verificare", "non ammissibile"}
    assert all(row[1] in words and row[2] in words for row in rows)
    assert "needs_review" not in text and "eligible" not in text
    assert all(row[0].startswith("DOM-") for row in rows)
