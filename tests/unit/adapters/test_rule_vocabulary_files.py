"""Rule-set files with tables, parameters, alternatives and schemes: refused at file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from guarantee.adapters.data_files import load_fact_catalogue, load_ruleset, load_rulesets
from guarantee.services.data_files import DataFileError
from tests.rules_support import copy_rules

TABLE_RULES = """\
scheme: prova
version: "2026-01"
effective_from: 2026-01-01
effective_to: null
derived:
  max_share:
    table:
      inputs: [age]
      hit_policy: {policy}
      output: number
      default: 30
      rows:
        - when: ["..29"]
          then: 40
        - when: ["30..35"]
          then: 35
        - when: ["35.."]
          then: 33
rules:
  - code: share
    message: quota del reddito
    kind: blocking
    reads: [rent_to_income_share, max_share]
    pass_when: rent_to_income_share <= max_share
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / "eligibility" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_overlapping_rows_under_unique_are_refused_at_the_row(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    path = write(rules, "prova.yaml", TABLE_RULES.format(policy="unique"))
    with pytest.raises(DataFileError) as caught:
        load_ruleset(path)
    assert [(p.line, p.reason) for p in caught.value.problems] == [
        (
            17,
            "le righe 2 e 3 si sovrappongono: con hit_policy 'unique' al massimo una riga può "
            "applicarsi",
        )
    ]


def test_the_same_rows_are_fine_under_first(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    ruleset = load_ruleset(write(rules, "prova.yaml", TABLE_RULES.format(policy="first")))
    assert ruleset.scheme == "prova"


def test_a_cell_that_is_not_a_range_is_refused_at_its_line(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    text = TABLE_RULES.format(policy="first").replace('"30..35"', '"30...35"')
    with pytest.raises(DataFileError) as caught:
        load_ruleset(write(rules, "prova.yaml", text))
    problem = caught.value.problems[0]
    assert problem.line == 15
    assert "tabella 'max_share', riga 2" in problem.reason


def test_two_schemes_may_use_the_same_version_and_days(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    write(rules, "prova.yaml", TABLE_RULES.format(policy="first"))
    catalog = load_rulesets(rules)
    assert catalog.schemes == ("garanzia-casa", "prova")
    assert catalog.get("2026-01", "prova").scheme == "prova"
    assert catalog.get("2026-01").scheme == "garanzia-casa"


def test_a_parameter_file_gives_its_history(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    (rules / "parameters").mkdir()
    (rules / "parameters" / "ceiling.yaml").write_text(
        "values:\n  2025-01-01: 30000.00\n  2026-07-01: 32000.00\n", encoding="utf-8"
    )
    text = TABLE_RULES.format(policy="first").replace(
        "derived:\n",
        "derived:\n  ceiling:\n    parameter:\n      file: ../parameters/ceiling.yaml\n"
        "      at: application_date\n",
    )
    text = text.replace(
        "reads: [rent_to_income_share, max_share]\n"
        "    pass_when: rent_to_income_share <= max_share",
        "reads: [isee, ceiling]\n    pass_when: isee <= ceiling",
    )
    ruleset = load_ruleset(write(rules, "prova.yaml", text))
    assert ruleset.inputs == ("isee", "application_date")


def test_the_catalogue_refuses_a_computed_fact_of_the_wrong_kind(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    path = rules / "facts.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  age:\n    kind: integer", "  age:\n    kind: money"), "utf-8")
    with pytest.raises(DataFileError) as caught:
        load_fact_catalogue(path)
    assert [p.reason for p in caught.value.problems] == [
        "dato 'age': dichiarato money, ma il calcolo dà integer"
    ]


def test_a_code_fact_takes_its_list_from_a_reference_file() -> None:
    catalogue = load_fact_catalogue(Path("rules/facts.yaml"))
    assert "autonomo" in catalogue.supplied["employment_status"].choices
    assert catalogue.declared().keys() >= {"employment_status", "job_start_date"}


def test_the_catalogue_is_part_of_every_rule_set_s_digest(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    before = load_rulesets(rules).get("2026-01").digest
    # a list only the catalogue reads (2026-01 itself never looks at employment)
    statuses = rules / "reference" / "employment-statuses.csv"
    statuses.write_text(statuses.read_text("utf-8") + "apprendista,apprendistato\n", "utf-8")
    assert load_rulesets(rules).get("2026-01").digest != before
