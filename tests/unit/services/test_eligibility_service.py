from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from guarantee.adapters.data_files import DataFiles
from guarantee.domain.errors import InvalidFacts, NotFound
from guarantee.services.data_files import DataFileError
from guarantee.services.eligibility import (
    check_products,
    check_rules,
    count_rule_examples,
    evaluate_facts_file,
    impact_of_draft,
    parallel_impact,
    run_rule_examples,
)
from tests.rules_support import POLICIES_DIR, RULES_DIR, copy_rules, default_ruleset, household

FILES = DataFiles()
EXAMPLES = Path("rules/eligibility/2026-01.examples.yaml")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(tmp_path)
    yield
    os.chdir(before)


def test_the_project_rules_and_products_check_clean() -> None:
    assert check_rules(RULES_DIR, FILES) == []
    assert check_products(POLICIES_DIR, FILES) == []


def test_every_project_example_holds() -> None:
    assert run_rule_examples(RULES_DIR, FILES) == []
    assert count_rule_examples(RULES_DIR, FILES) >= 30


def test_check_rules_lists_problems_of_every_file(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    ruleset_file = rules / "eligibility" / "2026-01.yaml"
    ruleset_file.write_text(
        ruleset_file.read_text(encoding="utf-8").replace("kind: review", "kind: advisory")
    )
    examples = rules / "eligibility" / "2026-01.examples.yaml"
    examples.write_text(examples.read_text(encoding="utf-8").replace("isee: 18000.00", "isse: 1"))
    found = [str(problem) for problem in check_rules(rules, FILES)]
    assert len(found) == 2
    assert found[0].startswith("rules/eligibility/2026-01.yaml:")
    assert "regola 'not_relatives', chiave 'kind':" in found[0]
    assert found[1].startswith("rules/eligibility/2026-01.examples.yaml:")
    assert found[1].endswith("il dato 'isse' non è nel catalogo (rules/facts.yaml): forse 'isee'?")


def test_check_rules_catches_examples_naming_unknown_rules(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    examples = rules / "eligibility" / "2026-01.examples.yaml"
    text = examples.read_text(encoding="utf-8")
    examples.write_text(text.replace("verdicts: {isee: pass}", "verdicts: {isee_max: pass}", 1))
    found = [str(problem) for problem in check_rules(rules, FILES)]
    assert len(found) == 1
    assert "la regola 'isee_max' non è nelle regole 2026-01" in found[0]


def test_a_failing_example_is_reported_with_name_and_line(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    ruleset_file = rules / "eligibility" / "2026-01.yaml"
    text = ruleset_file.read_text(encoding="utf-8")
    ruleset_file.write_text(text.replace("isee <= 26000", "isee <= 25000"))
    failures = [str(failure) for failure in run_rule_examples(rules, FILES)]
    example_text = (rules / "eligibility" / "2026-01.examples.yaml").read_text(encoding="utf-8")
    line = example_text.splitlines().index("  - name: ISEE 26.000,00 € → passa") + 1
    assert failures == [
        f"{EXAMPLES}:{line}: esempio 'ISEE 26.000,00 € → passa': esito atteso ammissibile "
        "(eligible), risulta da verificare (needs_review); regola 'isee': attesa «passa "
        "(pass)», risulta «da verificare (review)»"
    ]


def test_examples_of_a_missing_rule_set_are_an_error(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    examples = rules / "eligibility" / "2026-01.examples.yaml"
    examples.write_text(
        examples.read_text(encoding="utf-8").replace('ruleset: "2026-01"', 'ruleset: "2030-01"')
    )
    with pytest.raises(DataFileError) as caught:
        run_rule_examples(rules, FILES)
    assert caught.value.reason == "le regole '2030-01' non esistono"


def test_evaluate_facts_file(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    lines = [
        f"{name}: {value!r}" if isinstance(value, str) else f"{name}: {value}"
        for name, value in household(isee=Decimal("26000.01")).items()
    ]
    facts.write_text("\n".join(lines).replace("True", "true").replace("False", "false"))
    evaluation = evaluate_facts_file(facts, RULES_DIR, FILES, on=date(2026, 5, 1))
    assert evaluation.outcome == "needs_review"
    assert evaluation.verdict("isee").facts_seen == {"isee": Decimal("26000.01")}
    same = evaluate_facts_file(facts, RULES_DIR, FILES, on=date(2020, 1, 1), version="2026-01")
    assert same == evaluation


def test_evaluate_facts_file_names_wrong_facts(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("isee: 1000\nmunicipality_istat_code: 1125\n")
    with pytest.raises(InvalidFacts) as caught:
        evaluate_facts_file(facts, RULES_DIR, FILES, on=date(2026, 5, 1))
    assert caught.value.problems["municipality_istat_code"].startswith("atteso un testo")
    assert caught.value.problems["lease_months"] == "dato mancante"


def test_a_code_written_without_quotes_is_refused_before_it_loses_its_zeros(
    tmp_path: Path,
) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("isee: 1000\nmunicipality_istat_code: 001125\n")
    with pytest.raises(DataFileError) as caught:
        evaluate_facts_file(facts, RULES_DIR, FILES, on=date(2026, 5, 1))
    assert caught.value.line == 2
    assert "'001125' senza virgolette è letto come numero" in caught.value.reason
    assert 'scritto tra virgolette, "001125"' in caught.value.reason


def test_no_rule_set_in_force_is_not_found(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("isee: 1000\n")
    with pytest.raises(NotFound):
        evaluate_facts_file(facts, RULES_DIR, FILES, on=date(2022, 12, 31))


def write_draft(tmp_path: Path, old: str, new: str) -> Path:
    rules = copy_rules(tmp_path)
    draft = rules / "drafts" / "2026-07.yaml"
    draft.parent.mkdir()
    text = (rules / "eligibility" / "2026-01.yaml").read_text(encoding="utf-8")
    draft.write_text(text.replace(old, new).replace('version: "2026-01"', 'version: "2026-07"'))
    return draft


def applications() -> list[tuple[str, dict[str, object]]]:
    isee_values = ["20000", "26000", "26500", "27000", "27000.01", "30000", "32000", "36000"]
    return [(f"A-{value}", household(isee=Decimal(value))) for value in isee_values]


def test_impact_of_a_draft_file(tmp_path: Path) -> None:
    draft = write_draft(tmp_path, "isee <= 26000", "isee <= 27000")
    report = impact_of_draft(draft, RULES_DIR, applications(), FILES, on=date(2026, 5, 1))
    assert (report.current_version, report.draft_version) == ("2026-01", "2026-07")
    assert [(c.key, c.before, c.after, c.rules) for c in report.changes] == [
        ("A-26500", "needs_review", "eligible", ("isee",)),
        ("A-27000", "needs_review", "eligible", ("isee",)),
    ]


def test_impact_over_two_processes_equals_one(tmp_path: Path) -> None:
    draft = FILES.load_ruleset(write_draft(tmp_path, "isee <= 35000", "isee <= 30000"))
    apps = applications() * 3
    alone = parallel_impact(default_ruleset(), draft, apps)
    together = parallel_impact(default_ruleset(), draft, apps, workers=2, chunk_size=4)
    assert together == alone
    # only ISEE 32000 moves (review → fail), once per copy of the list
    assert [(c.key, c.after) for c in alone.changes] == [("A-32000", "ineligible")] * 3
