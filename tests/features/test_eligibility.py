"""Steps for eligibility.feature: the fund manager's words on the real default rules."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from pytest_bdd import given, parsers, scenarios, then, when

from guarantee.domain.eligibility import Evaluation, ImpactReport, RuleSet, impact
from tests.rules_support import RULES_DIR, default_ruleset, household

scenarios("eligibility.feature")

RESULTS = {"passa": "pass", "da verificare": "review", "non passa": "fail"}
OUTCOMES = {
    "ammissibile": "eligible",
    "da verificare": "needs_review",
    "non ammissibile": "ineligible",
}
MONTHS = {"gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6}
OUTSIDE_CONSORTIUM = {"Torino": "001272"}
EURO = r"[0-9.]+,[0-9]{2}"


def euro(text: str) -> Decimal:
    """Italian amount "26.000,01" → Decimal("26000.01")."""
    return Decimal(text.replace(".", "").replace(",", "."))


def istat_code(name: str) -> str:
    with (RULES_DIR / "reference" / "consortium-municipalities.csv").open(encoding="utf-8") as f:
        codes = {row["name"]: row["istat_code"] for row in csv.DictReader(f)}
    return codes.get(name) or OUTSIDE_CONSORTIUM[name]


class Case:
    """What a scenario builds up: the rule set, the household's facts, the results."""

    def __init__(self) -> None:
        self.ruleset: RuleSet = default_ruleset()
        self.facts: dict[str, object] = {}
        self.evaluation: Evaluation | None = None
        self.draft: RuleSet | None = None
        self.applications: list[tuple[str, dict[str, object]]] = []
        self.report: ImpactReport | None = None

    def evaluated(self) -> Evaluation:
        assert self.evaluation is not None, "the application was not evaluated"
        return self.evaluation


@given(
    parsers.re(
        r"le regole di ammissibilità in vigore il (?P<day>\d+) (?P<month>\w+) (?P<year>\d{4})"
    ),
    target_fixture="case",
)
def rules_in_force(day: str, month: str, year: str) -> Case:
    case = Case()
    on = date(int(year), MONTHS[month], int(day))
    assert case.ruleset.is_effective_on(on)
    return case


@given(parsers.re(r"un nucleo inviato dai servizi sociali e in regola: .*"))
def typical_household(case: Case) -> None:
    case.facts = household()
    assert case.facts["referral_source"] == "social_services"


@when(parsers.re(rf"l'ISEE del nucleo è (?P<amount>{EURO}) €"))
def isee_is(case: Case, amount: str) -> None:
    case.facts["isee"] = euro(amount)


@when(
    parsers.re(
        rf"il canone è (?P<rent>{EURO}) €, le spese (?P<charges>{EURO}) € "
        rf"e il reddito netto (?P<income>{EURO}) € al mese"
    )
)
def rent_charges_income(case: Case, rent: str, charges: str, income: str) -> None:
    case.facts.update(
        monthly_rent=euro(rent), monthly_charges=euro(charges), net_monthly_income=euro(income)
    )


@when(parsers.re(r"il contratto dura (?P<months>\d+) mesi"))
def lease_lasts(case: Case, months: str) -> None:
    case.facts["lease_months"] = int(months)


@when("il contratto non è registrato")
def lease_not_registered(case: Case) -> None:
    case.facts["lease_registered"] = False


@when(parsers.re(r'il contratto è di tipo "(?P<kind>\w+)"'))
def lease_type(case: Case, kind: str) -> None:
    case.facts["lease_type"] = kind


@when(parsers.re(r"l'alloggio è a (?P<name>[^,]+)"))
def dwelling_in(case: Case, name: str) -> None:
    case.facts["municipality_istat_code"] = istat_code(name)


@when(
    parsers.re(rf"l'alloggio è a (?P<name>[^,]+), di (?P<m2>\d+) m², con canone (?P<rent>{EURO}) €")
)
def dwelling_size_rent(case: Case, name: str, m2: str, rent: str) -> None:
    case.facts.update(
        municipality_istat_code=istat_code(name), floor_area_m2=int(m2), monthly_rent=euro(rent)
    )


@when(parsers.re(r'il nucleo arriva tramite "(?P<source>\w+)"'))
def referred_by(case: Case, source: str) -> None:
    case.facts["referral_source"] = source


@when(parsers.re(r"il nucleo ha (?P<count>\d+) altre garanzie attive"))
def other_guarantees(case: Case, count: str) -> None:
    case.facts["other_live_guarantees"] = int(count)


@when("locatore e conduttore si dichiarano parenti")
def relatives(case: Case) -> None:
    case.facts["declared_relatives"] = True


@when("valuto la domanda")
def evaluate(case: Case) -> None:
    case.evaluation = case.ruleset.evaluate(case.facts)


@then(parsers.re(r'l\'esito è "(?P<outcome>[^"]+)"'))
def outcome_is(case: Case, outcome: str) -> None:
    assert case.evaluated().outcome == OUTCOMES[outcome]


@then(parsers.re(r'la regola "(?P<code>\w+)" risulta "(?P<result>[^"]+)"'))
def rule_result(case: Case, code: str, result: str) -> None:
    assert case.evaluated().verdict(code).result == RESULTS[result]


@then(parsers.re(rf"il canone massimo letto è (?P<cap>{EURO}) €"))
def cap_seen(case: Case, cap: str) -> None:
    assert case.evaluated().verdict("rent_within_cap").facts_seen["rent_cap"] == euro(cap)


@then(
    parsers.re(
        r"vedo il verdetto di tutte le (?P<count>\d+) regole, con i dati che ciascuna ha letto"
    )
)
def every_rule_explained(case: Case, count: str) -> None:
    verdicts = case.evaluated().verdicts
    assert len(verdicts) == int(count)
    for verdict in verdicts:
        spec = case.ruleset.spec(verdict.code)
        assert set(spec.reads) <= set(verdict.facts_seen)
        assert verdict.message


@then(parsers.re(r'la valutazione riporta la versione "(?P<version>[^"]+)" delle regole'))
def version_recorded(case: Case, version: str) -> None:
    assert case.evaluated().ruleset_version == version


@then(parsers.re(r'le regole che non passano sono "(?P<codes>[^"]+)"'))
def failing_rules(case: Case, codes: str) -> None:
    failing = [v.code for v in case.evaluated().verdicts if v.result == "fail"]
    assert failing == codes.split(", ")


@then(parsers.re(r'le regole da verificare sono "(?P<codes>[^"]+)"'))
def review_rules(case: Case, codes: str) -> None:
    review = [v.code for v in case.evaluated().verdicts if v.result == "review"]
    assert review == codes.split(", ")


@given(parsers.re(rf"una bozza delle regole con la soglia ISEE portata a (?P<amount>{EURO}) €"))
def draft_with_isee(case: Case, amount: str) -> None:
    current = case.ruleset
    limit = euro(amount)
    specs = [
        replace(spec, pass_when=f"isee <= {limit}") if spec.code == "isee" else spec
        for spec in current.specs
    ]
    case.draft = RuleSet(
        version="bozza",
        effective_from=date(2026, 7, 1),
        effective_to=None,
        rules=specs,
        derived=current.derived,
        facts=current.facts,
    )


@given(parsers.re(r"le domande con ISEE (?P<amounts>.+)"))
def applications_with_isee(case: Case, amounts: str) -> None:
    for amount in re.findall(EURO, amounts):
        case.applications.append((amount, household(isee=euro(amount))))


@when("calcolo l'impatto della bozza")
def compute_impact(case: Case) -> None:
    assert case.draft is not None
    case.report = impact(case.ruleset, case.draft, case.applications)


@then(
    parsers.re(
        r"cambiano esito solo le domande con ISEE (?P<amounts>.+), "
        r'da "(?P<before>[^"]+)" a "(?P<after>[^"]+)", per la regola "(?P<code>\w+)"'
    )
)
def only_these_change(case: Case, amounts: str, before: str, after: str, code: str) -> None:
    assert case.report is not None
    expected = [
        (amount, OUTCOMES[before], OUTCOMES[after], (code,)) for amount in re.findall(EURO, amounts)
    ]
    assert [(c.key, c.before, c.after, c.rules) for c in case.report.changes] == expected
