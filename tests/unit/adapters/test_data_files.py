from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from guarantee.adapters.data_files import (
    DataFileError,
    load_examples,
    load_facts,
    load_product,
    load_products,
    load_ruleset,
    load_rulesets,
    published_schemas,
)
from tests.rules_support import DEFAULT_RULESET, POLICIES_DIR, ROOT, copy_rules, household


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path) -> Iterator[None]:
    # Error messages show paths relative to the working directory, as a CLI user sees them.
    before = Path.cwd()
    os.chdir(tmp_path)
    yield
    os.chdir(before)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


MINIMAL = """
    version: "t-1"
    effective_from: 2026-01-01
    effective_to: null
    rules:
      - code: isee_max
        message: ISEE entro la soglia
        kind: blocking
        reads: [isee]
        pass_when: isee <= 26000
        review_when: isee <= 35000
"""


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataFileError) as caught:
        load_ruleset(path)
    return [str(problem) for problem in caught.value.problems]


# --- the committed files ----------------------------------------------------------------


def test_the_default_files_load() -> None:
    ruleset = load_ruleset(DEFAULT_RULESET)
    assert ruleset.version == "2026-01"
    assert ruleset.effective_from == date(2026, 1, 1)
    assert ruleset.effective_to is None
    assert len(ruleset.codes) == 10
    assert load_rulesets(ROOT / "rules").effective(date(2026, 3, 1)).version == "2026-01"
    assert load_products(POLICIES_DIR).current("garanzia-casa", date(2026, 3, 1)).version == 1


def test_committed_json_schemas_match_the_models() -> None:
    for relative, text in published_schemas().items():
        committed = (ROOT / relative).read_text(encoding="utf-8")
        assert committed == text, (
            f"{relative} is stale: python -m guarantee.adapters.data_files._schemas"
        )


def test_the_reference_municipalities_are_the_consortium_list() -> None:
    ours = (ROOT / "rules/reference/consortium-municipalities.csv").read_text(encoding="utf-8")
    assert ours.splitlines()[0] == "istat_code,cadastral_code,name,province"
    assert len(ours.splitlines()) == 43


# --- rule-set files refused with file and line ------------------------------------------


def test_unknown_fact_is_refused_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", MINIMAL.replace("pass_when: isee", "pass_when: isse"))
    assert problems_of(path) == [
        "r.yaml:9: regola 'isee_max': il dato 'isse' non è nel catalogo (rules/facts.yaml): "
        "forse 'isee'?"
    ]


def test_unknown_fact_in_the_project_file_names_its_path(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    target = rules / "eligibility" / "2026-01.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("pass_when: isee <= 26000", "pass_when: isse <= 26000"))
    line = text.splitlines().index("    pass_when: isee <= 26000") + 1
    assert problems_of(target) == [
        f"rules/eligibility/2026-01.yaml:{line}: regola 'isee': il dato 'isse' non è nel "
        "catalogo (rules/facts.yaml): forse 'isee'?"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "isee <= 35000",
            "isee <=",
            "r.yaml:10: regola 'isee_max': la condizione «isee <=» è scritta",
        ),
        ("isee <= 35000", "isee <= 'molto'", "r.yaml:10: regola 'isee_max': la condizione"),
        (
            "kind: blocking",
            "kind: advisory",
            "r.yaml:7: regola 'isee_max', chiave 'kind': deve essere uno tra blocking o review",
        ),
        (
            "reads: [isee]",
            "reads: [isee, lease_months]",
            "r.yaml:8: regola 'isee_max': 'lease_months' è in",
        ),
        (
            "    message: ISEE entro la soglia\n",
            "",
            "r.yaml:5: regola 'isee_max', manca la chiave 'message'",
        ),
        (
            "effective_to: null",
            "effective_to: null\ncolour: blue",
            "r.yaml:4: chiave 'colour' sconosciuta",
        ),
        ('version: "t-1"', "version: 1", "r.yaml:1: chiave 'version': deve essere un testo"),
    ],
)
def test_malformed_rule_sets_are_refused_with_file_and_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    text = textwrap.dedent(MINIMAL).lstrip("\n")
    assert old in text
    path = write(tmp_path / "r.yaml", text.replace(old, new))
    found = problems_of(path)
    assert found[0].startswith(expected), found


def test_review_rule_with_two_thresholds_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", MINIMAL.replace("kind: blocking", "kind: review"))
    assert problems_of(path)[0].startswith("r.yaml:10: regola 'isee_max': review_when vale solo")


def test_duplicate_rule_code_is_refused_at_the_second_rule(tmp_path: Path) -> None:
    rule = textwrap.dedent(MINIMAL).split("rules:\n")[1]
    path = write(tmp_path / "r.yaml", textwrap.dedent(MINIMAL).lstrip("\n") + rule)
    assert problems_of(path) == [
        "r.yaml:11: regola 'isee_max': codice già usato da un'altra regola, sceglierne un altro"
    ]


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.yaml",
        MINIMAL.replace("kind: blocking", "kind: blocking\n        kind: review"),
    )
    assert problems_of(path) == [
        "r.yaml:8: la chiave 'kind' compare due volte: ne va tenuta una sola"
    ]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", MINIMAL.replace("reads: [isee]", "reads: [isee"))
    found = problems_of(path)
    assert found[0].startswith("r.yaml:") and "il file non è YAML valido" in found[0]


def test_all_problems_of_a_file_are_collected(tmp_path: Path) -> None:
    text = MINIMAL.replace("pass_when: isee", "pass_when: isse").replace(
        "review_when: isee <= 35000", "review_when: isee <="
    )
    found = problems_of(write(tmp_path / "r.yaml", text))
    assert [p.split(":")[1] for p in found] == ["9", "10"]


def test_empty_file_is_refused(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path / "r.yaml", "")) == ["r.yaml:1: il file è vuoto"]


def test_data_file_error_carries_path_line_and_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", MINIMAL.replace("pass_when: isee", "pass_when: isse"))
    with pytest.raises(DataFileError) as caught:
        load_ruleset(path)
    assert (caught.value.path, caught.value.line) == ("r.yaml", 9)
    assert caught.value.reason.startswith("regola 'isee_max': il dato 'isse' non è nel catalogo")


# --- reference data ---------------------------------------------------------------------

DERIVED = """
    version: "t-1"
    effective_from: 2026-01-01
    effective_to: null
    derived:
      rent_cap:
        band_lookup:
          key_fact: municipality_istat_code
          measure_fact: floor_area_m2
          bands: {file: bands.csv, band_column: band, min_column: min_m2, max_column: max_m2}
          values: {file: caps.csv, key_column: istat_code, value_column: eur}
    rules:
      - code: rent_within_cap
        message: Canone entro il massimo
        kind: blocking
        reads: [monthly_rent, rent_cap]
        pass_when: monthly_rent <= rent_cap
"""


def test_missing_reference_file_is_refused_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", DERIVED)
    found = problems_of(path)
    assert found[0] == (
        "r.yaml:9: dato calcolato 'rent_cap': il file 'bands.csv' non esiste (il percorso è "
        "relativo alla cartella di questo file)"
    )


def test_bad_csv_rows_are_refused_with_the_csv_line(tmp_path: Path) -> None:
    write(tmp_path / "bands.csv", "band,min_m2,max_m2\nS,0,50\nL,51,\n")
    write(tmp_path / "caps.csv", "istat_code,band,eur\n*,S,400.00\n*,L,molti\n")
    assert problems_of(write(tmp_path / "r.yaml", DERIVED)) == [
        "caps.csv:3: 'eur' deve essere un importo come 650.00, trovato 'molti'"
    ]


def test_missing_csv_column_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "bands.csv", "band,min,max_m2\nS,0,\n")
    write(tmp_path / "caps.csv", "istat_code,band,eur\n*,S,400.00\n")
    assert problems_of(write(tmp_path / "r.yaml", DERIVED)) == [
        "bands.csv:1: mancano le colonne 'min_m2' nella prima riga "
        "(intestazione trovata: band, min, max_m2)"
    ]


def test_bands_with_a_gap_are_refused(tmp_path: Path) -> None:
    write(tmp_path / "bands.csv", "band,min_m2,max_m2\nS,0,50\nL,60,\n")
    write(tmp_path / "caps.csv", "istat_code,band,eur\n*,S,400.00\n*,L,600.00\n")
    found = problems_of(write(tmp_path / "r.yaml", DERIVED))
    assert found == [
        "r.yaml:5: dato calcolato 'rent_cap': la fascia 'L' comincia da 60, dovrebbe "
        "cominciare da 51 (le fasce vanno una dopo l'altra, senza sovrapporsi né lasciare "
        "buchi)"
    ]


def test_a_band_without_default_cap_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "bands.csv", "band,min_m2,max_m2\nS,0,50\nL,51,\n")
    write(tmp_path / "caps.csv", "istat_code,band,eur\n*,S,400.00\n001125,L,600.00\n")
    assert problems_of(write(tmp_path / "r.yaml", DERIVED)) == [
        "r.yaml:5: dato calcolato 'rent_cap': la fascia 'L' non ha la riga predefinita: "
        "aggiungere una riga con chiave '*'"
    ]


def test_rent_caps_come_from_the_csv(tmp_path: Path) -> None:
    write(tmp_path / "bands.csv", "band,min_m2,max_m2\nS,0,50\nL,51,\n")
    write(tmp_path / "caps.csv", "istat_code,band,eur\n*,S,400.00\n*,L,600.00\n001125,L,700\n")
    ruleset = load_ruleset(write(tmp_path / "r.yaml", DERIVED))
    facts = {"monthly_rent": Decimal("650"), "municipality_istat_code": "001125"}
    assert ruleset.evaluate({**facts, "floor_area_m2": 51}).outcome == "eligible"
    assert ruleset.evaluate({**facts, "floor_area_m2": 50}).outcome == "ineligible"
    other = {**facts, "municipality_istat_code": "001020", "floor_area_m2": 80}
    verdict = ruleset.evaluate(other).verdict("rent_within_cap")
    assert (verdict.result, verdict.facts_seen["rent_cap"]) == ("fail", Decimal("600.00"))


# --- editing a copy changes outcomes --------------------------------------------------------


def test_changing_a_number_in_a_copied_rules_file_changes_the_outcome(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    target = rules / "eligibility" / "2026-01.yaml"
    facts = household(isee=Decimal("28000.00"))
    assert load_ruleset(target).evaluate(facts).outcome == "needs_review"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("isee <= 26000", "isee <= 30000"), encoding="utf-8")
    assert load_ruleset(target).evaluate(facts).outcome == "eligible"


def test_changing_reference_data_changes_outcome_and_digest(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    target = rules / "eligibility" / "2026-01.yaml"
    before = load_ruleset(target)
    caps = rules / "reference" / "rent-caps.csv"
    caps.write_text(
        caps.read_text(encoding="utf-8").replace("001125,Ivrea,L,720.00", "001125,Ivrea,L,650.00")
    )
    after = load_ruleset(target)
    facts = household(monthly_rent=Decimal("700.00"))
    assert before.evaluate(facts).outcome == "eligible"
    assert after.evaluate(facts).outcome == "ineligible"
    assert before.digest != after.digest


def test_decimals_in_yaml_are_exact(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", MINIMAL.replace("isee <= 26000", "isee <= 26000.10"))
    ruleset = load_ruleset(path)
    assert ruleset.evaluate({"isee": Decimal("26000.10")}).outcome == "eligible"
    assert ruleset.evaluate({"isee": Decimal("26000.11")}).outcome == "needs_review"


def test_overlapping_rule_sets_are_refused_with_the_file(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    text = (rules / "eligibility" / "2026-01.yaml").read_text(encoding="utf-8")
    draft = text.replace('version: "2026-01"', 'version: "2026-07"').replace(
        "effective_from: 2026-01-01", "effective_from: 2026-07-01"
    )
    (rules / "eligibility" / "2026-07.yaml").write_text(draft, encoding="utf-8")
    line = text.splitlines().index("effective_from: 2026-01-01") + 1
    with pytest.raises(DataFileError) as caught:
        load_rulesets(rules)
    assert [str(p) for p in caught.value.problems] == [
        f"rules/eligibility/2026-07.yaml:{line}: le regole '2026-07' sono in vigore in giorni "
        "in cui vale anche '2026-01': correggere effective_from o effective_to perché i "
        "periodi non si sovrappongano"
    ]


# --- examples and facts files --------------------------------------------------------------


def test_examples_carry_their_line_and_merge_base_facts() -> None:
    example_file = load_examples(ROOT / "rules/eligibility/2026-01.examples.yaml")
    assert example_file.ruleset_version == "2026-01"
    first = example_file.examples[0]
    assert first.line is not None and first.line > 1
    assert first.facts["isee"] == Decimal("18000.00")
    names = [example.name for example in example_file.examples]
    assert "ISEE 26.000,01 € → da verificare" in names


def test_examples_with_unknown_facts_or_twice_the_same_name_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "e.yaml",
        """
        ruleset: "t-1"
        base_facts: {isee: 1}
        examples:
          - name: uno
            facts: {isse: 2}
            outcome: eligible
          - name: uno
            outcome: eligible
        """,
    )
    with pytest.raises(DataFileError) as caught:
        load_examples(path)
    assert [str(p) for p in caught.value.problems] == [
        "e.yaml:5: il dato 'isse' non è nel catalogo (rules/facts.yaml): forse 'isee'?",
        "e.yaml:7: l'esempio 'uno' compare due volte: dare nomi diversi",
    ]


def test_facts_files_give_decimals(tmp_path: Path) -> None:
    yaml_facts = load_facts(write(tmp_path / "f.yaml", "isee: 26000.01\nlease_months: 12\n"))
    assert yaml_facts == {"isee": Decimal("26000.01"), "lease_months": 12}
    json_path = tmp_path / "f.json"
    json_path.write_text(json.dumps({"isee": 26000.01, "municipality_istat_code": "001125"}))
    assert load_facts(json_path) == {
        "isee": Decimal("26000.01"),
        "municipality_istat_code": "001125",
    }


def test_facts_file_with_unknown_fact_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as caught:
        load_facts(write(tmp_path / "f.yaml", "isee: 1\nisse: 2\n"))
    assert str(caught.value) == (
        "f.yaml:2: il dato 'isse' non è nel catalogo (rules/facts.yaml): forse 'isee'?"
    )


# --- product files ---------------------------------------------------------------------------


def product_copy(tmp_path: Path, old: str = "", new: str = "", name: str = "v1.yaml") -> Path:
    text = (POLICIES_DIR / "garanzia-casa" / "v1.yaml").read_text(encoding="utf-8")
    assert old in text
    return write(tmp_path / "policies" / "garanzia-casa" / name, text.replace(old, new))


def product_problems(path: Path) -> list[str]:
    with pytest.raises(DataFileError) as caught:
        load_product(path)
    return [str(p) for p in caught.value.problems]


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.lstrip().startswith(fragment))


def test_product_amounts_are_exact_decimals(tmp_path: Path) -> None:
    product = load_product(product_copy(tmp_path))
    assert product.damages_cap == Decimal("3000.00")
    assert isinstance(product.reserve_ratio, Decimal)


@pytest.mark.parametrize(
    ("old", "new", "fragment", "reason"),
    [
        (
            "damages_cap: 3000.00",
            "damages_cap: -1",
            "damages_cap",
            "chiave 'cover.damages_cap': deve essere almeno 0",
        ),
        (
            "damages_cap: 3000.00",
            "damages_cap: 3000.001",
            "damages_cap",
            "chiave 'cover.damages_cap': al massimo 2",
        ),
        (
            "reserve_ratio: 0.30",
            "reserve_ratio: 30",
            "reserve_ratio",
            "chiave 'reserve_ratio': deve essere al massimo 1",
        ),
        (
            "max_months: 36",
            "max_months: 36.5",
            "max_months",
            "chiave 'term.max_months': deve essere un numero intero",
        ),
        (
            "renewals: 1",
            "renewals: 1\n  extensions: 2",
            "extensions",
            "chiave 'extensions' sconosciuta",
        ),
        (
            "valid_to: null",
            "valid_to: 2022-01-01",
            "valid_to",
            "valid_to: viene prima di valid_from",
        ),
    ],
)
def test_malformed_products_are_refused_with_file_and_line(
    tmp_path: Path, old: str, new: str, fragment: str, reason: str
) -> None:
    path = product_copy(tmp_path, old, new)
    found = product_problems(path)
    expected = f"policies/garanzia-casa/v1.yaml:{line_of(path, fragment)}: {reason}"
    assert found[0].startswith(expected), found


def test_product_file_name_must_match_its_version(tmp_path: Path) -> None:
    path = product_copy(tmp_path, name="v2.yaml")
    assert product_problems(path) == [
        f"policies/garanzia-casa/v2.yaml:{line_of(path, 'version')}: "
        "versione 1 ma file 'v2.yaml': il file si chiama v1.yaml"
    ]


def test_overlapping_product_versions_are_refused(tmp_path: Path) -> None:
    product_copy(tmp_path)
    product_copy(tmp_path, "version: 1", "version: 2", name="v2.yaml")
    with pytest.raises(DataFileError) as caught:
        load_products(tmp_path / "policies")
    path = tmp_path / "policies" / "garanzia-casa" / "v2.yaml"
    assert str(caught.value) == (
        f"policies/garanzia-casa/v2.yaml:{line_of(path, 'valid_from')}: il prodotto "
        "'garanzia-casa' versione 2 vale in giorni in cui vale anche la versione 1: correggere "
        "valid_from o valid_to perché i periodi non si sovrappongano"
    )
