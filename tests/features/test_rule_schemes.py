"""Steps for rule_schemes.feature: other schemes' rules added as data beside the default."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from pytest_bdd import given, parsers, scenarios, then, when

from guarantee.adapters.data_files import DataFiles
from guarantee.domain.eligibility import DEFAULT_SCHEME, Evaluation, RuleSetCatalog
from guarantee.services.data_files import FileProblem
from guarantee.services.eligibility import check_rules, count_rule_examples, run_rule_examples
from tests.rules_support import copy_rules, household

scenarios("rule_schemes.feature")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "schemes"
MONTHS = {"gennaio": 1, "giugno": 6}
TOWNS = {"Ivrea": "001125", "Torino": "001272"}
OUTCOMES = {
    "ammissibile": "eligible",
    "da verificare": "needs_review",
    "non ammissibile": "ineligible",
}
RESULTS = {"passa": "pass", "non passa": "fail", "non si applica": "skipped"}
STATUSES = {
    "lavoratore autonomo": "autonomo",
    "lavoratore a tempo indeterminato": "dipendente_tempo_indeterminato",
}


def day(text: str) -> date:
    number, month, year = text.split()
    return date(int(year), MONTHS[month], int(number))


class Folder:
    def __init__(self, rules_dir: Path) -> None:
        self.rules_dir = rules_dir
        self.problems: list[FileProblem] = []
        self.failures: list[str] = []
        self.facts: dict[str, object] = {}
        self.evaluations: dict[str, Evaluation] = {}

    def catalog(self) -> RuleSetCatalog:
        return DataFiles().load_rulesets(self.rules_dir)


@given("la cartella delle regole del fondo", target_fixture="folder")
def rules_folder(tmp_path: Path) -> Folder:
    return Folder(copy_rules(tmp_path))


@given(parsers.re(r'le regole delle misure "casa-giovani" e "residenti-valle" aggiunte .*'))
def add_schemes(folder: Folder) -> None:
    # Only files are copied: rule sets, their examples, a reference list, a parameter.
    for sub in ("eligibility", "reference", "parameters"):
        target = folder.rules_dir / sub
        target.mkdir(exist_ok=True)
        for path in (FIXTURES / sub).iterdir():
            shutil.copy(path, target / path.name)


@when("controllo le regole e provo gli esempi")
def check_and_test(folder: Folder) -> None:
    files = DataFiles()
    folder.problems = check_rules(folder.rules_dir, files)
    folder.failures = [str(f) for f in run_rule_examples(folder.rules_dir, files)]


@then("il controllo non trova errori")
def no_problems(folder: Folder) -> None:
    assert [str(p) for p in folder.problems] == []


@then(
    parsers.parse(
        "tutti gli esempi tornano: {count:d} delle nuove misure e quelli di Garanzia Casa"
    )
)
def all_examples_pass(folder: Folder, count: int) -> None:
    assert folder.failures == []
    files = DataFiles()
    new = sum(
        len(files.load_examples(path).examples)
        for path in files.example_paths(folder.rules_dir)
        if files.load_examples(path).scheme != DEFAULT_SCHEME
    )
    assert new == count
    assert count_rule_examples(folder.rules_dir, files) > count


@then(parsers.re(r"le misure in vigore il (?P<when>\d+ \w+ \d{4}) sono (?P<names>.+)"))
def schemes_in_force(folder: Folder, when: str, names: str) -> None:
    expected = [part.strip().strip('"') for part in names.replace(" e ", ", ").split(",")]
    catalog = folder.catalog()
    assert list(catalog.schemes) == expected
    for scheme in expected:
        assert catalog.effective(day(when), scheme).scheme == scheme


@then("le nuove misure non contengono codice Python")
def no_python() -> None:
    assert [p for p in FIXTURES.rglob("*") if p.suffix == ".py"] == []


@given(
    parsers.re(
        r"una domanda presentata il (?P<when>\d+ \w+ \d{4}) da un (?P<status>lavoratore [^,]+?)"
        r"(?: dal (?P<since>\d+ \w+ \d{4}))?, nato il (?P<born>\d+ \w+ \d{4}), "
        r"residente a (?P<town>\w+)"
    )
)
def application(
    folder: Folder, when: str, status: str, since: str | None, born: str, town: str
) -> None:
    folder.facts = household(
        application_date=day(when),
        applicant_birth_date=day(born),
        employment_status=STATUSES[status],
        job_start_date=day(since) if since else date(2015, 1, 1),
        residence_istat_code=TOWNS[town],
        lease_start=date(2026, 7, 1),
    )


@when("la valuto con le regole in vigore di ciascuna misura")
def evaluate_each(folder: Folder) -> None:
    catalog = folder.catalog()
    on = folder.facts["application_date"]
    assert isinstance(on, date)
    folder.evaluations = {
        scheme: catalog.effective(on, scheme).evaluate(folder.facts) for scheme in catalog.schemes
    }


@then(parsers.re(r'per la misura "(?P<scheme>[^"]+)" l\'esito è "(?P<outcome>[^"]+)"$'))
def outcome_is(folder: Folder, scheme: str, outcome: str) -> None:
    assert folder.evaluations[scheme].outcome == OUTCOMES[outcome]


@then(
    parsers.re(
        r'per la misura "(?P<scheme>[^"]+)" l\'esito è "(?P<outcome>[^"]+)" '
        r'per la regola "(?P<code>\w+)"'
    )
)
def outcome_because(folder: Folder, scheme: str, outcome: str, code: str) -> None:
    evaluation = folder.evaluations[scheme]
    assert evaluation.outcome == OUTCOMES[outcome]
    not_passed = [v.code for v in evaluation.verdicts if v.result in ("fail", "review")]
    assert not_passed == [code]


@then(
    parsers.re(r'per la misura "(?P<scheme>[^"]+)" la regola "(?P<code>\w+)" "(?P<result>[^"]+)"')
)
def rule_result(folder: Folder, scheme: str, code: str, result: str) -> None:
    assert folder.evaluations[scheme].verdict(code).result == RESULTS[result]


@then(parsers.re(r'la spiegazione della regola "(?P<code>\w+)" dice "(?P<text>[^"]+)"'))
def explanation_says(folder: Folder, code: str, text: str) -> None:
    details = [
        evaluation.verdict(code).detail
        for evaluation in folder.evaluations.values()
        if code in evaluation.results()
    ]
    assert details and all(text in detail for detail in details), details
    # The explanation survives being stored with the application and read back.
    for evaluation in folder.evaluations.values():
        assert Evaluation.from_dict(evaluation.to_dict()) == evaluation


@then(parsers.re(r'ogni valutazione riporta la sua misura e la versione "(?P<version>[^"]+)"'))
def each_names_scheme(folder: Folder, version: str) -> None:
    for scheme, evaluation in folder.evaluations.items():
        assert (evaluation.scheme, evaluation.ruleset_version) == (scheme, version)
        assert evaluation.to_dict()["scheme"] == scheme


@then(
    parsers.re(
        r'la regola "(?P<code>\w+)" ha letto l\'età (?P<age>\d+) e i mesi di lavoro (?P<months>\d+)'
    )
)
def rule_read(folder: Folder, code: str, age: str, months: str) -> None:
    seen = folder.evaluations["casa-giovani"].verdict(code).facts_seen
    assert (seen["age"], seen["months_in_job"]) == (int(age), int(months))
