"""Numbers and codes a person writes one way and a program would read another: each is
refused in Italian, naming file and line and saying what to write instead."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from guarantee.adapters.data_files import DataFiles, load_product, load_ruleset
from guarantee.services.data_files import DataFileError
from guarantee.services.eligibility import check_products, check_rules
from tests.rules_support import POLICIES_DIR, copy_rules

FILES = DataFiles()
RULESET = "eligibility/2026-01.yaml"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path) -> Iterator[None]:
    # Problems name files relative to the working directory, as the person sees them.
    before = Path.cwd()
    os.chdir(tmp_path)
    yield
    os.chdir(before)


def edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` once; return the line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def refusal(load: object, path: Path) -> list[str]:
    with pytest.raises(DataFileError) as caught:
        load(path)  # type: ignore[operator]
    return [str(problem) for problem in caught.value.problems]


def products(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(POLICIES_DIR, target)
    return target


# --- rule files ---------------------------------------------------------------------------


def test_a_thousands_dot_in_a_condition_is_refused_not_read_as_26_euros(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    line = edit(rules / RULESET, "pass_when: isee <= 26000", "pass_when: isee <= 26.000")
    assert refusal(load_ruleset, rules / RULESET) == [
        f"rules/{RULESET}:{line}: nella condizione 'isee <= 26.000' il numero '26.000' "
        "verrebbe letto come 26 (il punto separa i decimali): per 26000 scrivere 26000, "
        "senza punto delle migliaia"
    ]


def test_an_italian_amount_with_comma_in_a_condition_is_refused(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    line = edit(rules / RULESET, "review_when: isee <= 35000", "review_when: isee <= 35.000,50")
    [found] = refusal(load_ruleset, rules / RULESET)
    assert found.startswith(f"rules/{RULESET}:{line}: nella condizione")
    assert found.endswith("il numero '35.000,50' è scritto all'italiana: scrivere 35000.50")


def test_a_thousands_dot_in_an_example_fact_is_refused(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    examples = rules / "eligibility" / "2026-01.examples.yaml"
    line = edit(examples, "isee: 18000.00", "isee: 18.000")
    found = [str(problem) for problem in check_rules(rules, FILES)]
    assert found[0].startswith(
        f"rules/eligibility/2026-01.examples.yaml:{line}: '18.000' è ambiguo"
    )
    assert "verrebbe letto come 18" in found[0] and "scrivere 18000" in found[0]


def test_a_text_in_a_condition_keeps_its_dots(tmp_path: Path) -> None:
    # Between quotes is text, compared as written: never taken for a number.
    rules = copy_rules(tmp_path)
    edit(
        rules / RULESET,
        "pass_when: referral_source in ['help_desk', 'social_services']",
        "pass_when: referral_source in ['help_desk', 'social_services', '1.000']",
    )
    assert load_ruleset(rules / RULESET).version == "2026-01"


# --- product files ------------------------------------------------------------------------


def test_a_damages_cap_of_4_000_is_refused_not_read_as_4_euros(tmp_path: Path) -> None:
    path = products(tmp_path) / "garanzia-casa" / "v1.yaml"
    line = edit(path, "damages_cap: 3000.00", "damages_cap: 4.000")
    assert refusal(load_product, path) == [
        f"policies/garanzia-casa/v1.yaml:{line}: '4.000' è ambiguo: verrebbe letto come 4 "
        "perché il punto separa i decimali; se si intende 4000 scrivere 4000 (senza punto "
        "delle migliaia), se si intende 4 scrivere 4"
    ]


def test_a_quoted_thousands_dot_is_refused_too(tmp_path: Path) -> None:
    path = products(tmp_path) / "garanzia-casa" / "v1.yaml"
    line = edit(path, "damages_cap: 3000.00", 'damages_cap: "4.000"')
    [found] = refusal(load_product, path)
    assert found.startswith(f"policies/garanzia-casa/v1.yaml:{line}: '4.000' è ambiguo")


def test_an_amount_with_decimal_comma_is_refused_with_what_to_write(tmp_path: Path) -> None:
    path = products(tmp_path) / "garanzia-casa" / "v1.yaml"
    line = edit(path, "legal_costs_cap: 2000.00", "legal_costs_cap: 1.234,56")
    assert refusal(load_product, path) == [
        f"policies/garanzia-casa/v1.yaml:{line}: '1.234,56' è un numero scritto all'italiana, "
        "con la virgola: nei file i decimali si separano con il punto e le migliaia non si "
        "separano; scrivere 1234.56"
    ]


def test_validation_messages_speak_italian_not_pydantic(tmp_path: Path) -> None:
    path = products(tmp_path) / "garanzia-casa" / "v1.yaml"
    line = edit(path, "code: garanzia-casa", "code: Garanzia Casa")
    [found, *_] = refusal(load_product, path)
    assert found == (
        f"policies/garanzia-casa/v1.yaml:{line}: chiave 'code': deve contenere solo lettere "
        "minuscole, cifre e '-', iniziando con una lettera (es. garanzia-casa) "
        "(trovato 'Garanzia Casa')"
    )
    assert "should" not in found and "pattern" not in found


def test_product_examples_are_checked(tmp_path: Path) -> None:
    policies = products(tmp_path)
    examples = policies / "garanzia-casa" / "v1.examples.yaml"
    line = edit(examples, "reserve: 3840.00", "reserve: 3900.00") - 3
    assert [str(p) for p in check_products(policies, FILES)] == [
        f"policies/garanzia-casa/v1.examples.yaml:{line}: esempio 'esempio A: canone 650,00 €': "
        "con canone 650.00 l'accantonamento è 3840.00, l'esempio dice 3900.00"
    ]


def test_a_product_without_examples_fails_the_check(tmp_path: Path) -> None:
    policies = products(tmp_path)
    (policies / "garanzia-casa" / "v1.examples.yaml").unlink()
    [found] = [str(p) for p in check_products(policies, FILES)]
    assert found.startswith("policies/garanzia-casa/v1.examples.yaml: il prodotto garanzia-casa")
    assert "non ha esempi" in found


# --- reference tables ---------------------------------------------------------------------


def test_an_istat_code_that_lost_its_zeros_is_refused_at_its_line(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    csv_path = rules / "reference" / "consortium-municipalities.csv"
    line = edit(csv_path, "001295,", "1295,")
    found = [str(p) for p in check_rules(rules, FILES)]
    assert found == [
        f"rules/reference/consortium-municipalities.csv:{line}: codice ISTAT '1295' in "
        "'istat_code' ha 4 cifre invece di 6: probabilmente un foglio di calcolo ha tolto gli "
        "zeri iniziali; scrivere '001295' (e salvare la colonna come testo)"
    ]


def test_a_problem_in_a_shared_csv_is_told_once(tmp_path: Path) -> None:
    # rent-caps.csv is read by both rule-set versions: one mistake, one line.
    rules = copy_rules(tmp_path)
    csv_path = rules / "reference" / "rent-caps.csv"
    line = edit(csv_path, "001125,Ivrea,L,720.00", "001125,Ivrea,L,720,00")
    found = [str(p) for p in check_rules(rules, FILES)]
    assert found == [
        f"rules/reference/rent-caps.csv:{line}: la riga ha un numero di campi diverso "
        "dall'intestazione (4)"
    ]


def test_a_thousands_dot_in_a_csv_amount_is_refused(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    csv_path = rules / "reference" / "rent-caps.csv"
    line = edit(csv_path, "001125,Ivrea,L,720.00", "001125,Ivrea,L,1.200")
    [found] = [str(p) for p in check_rules(rules, FILES)]
    assert found.startswith(
        f"rules/reference/rent-caps.csv:{line}: colonna 'max_monthly_rent_eur': '1.200' è ambiguo"
    )


def test_a_semicolon_separated_csv_is_recognised(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    csv_path = rules / "reference" / "size-bands.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    assert [str(p) for p in check_rules(rules, FILES)] == [
        "rules/reference/size-bands.csv:1: il file usa ';' come separatore: usare ',' (dal "
        "foglio di calcolo salvare come «CSV UTF-8 (delimitato da virgole)»)"
    ]


# --- examples -----------------------------------------------------------------------------


def test_a_rule_set_with_no_examples_fails_the_check(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    (rules / "eligibility" / "2023-01.examples.yaml").unlink()
    found = [str(p) for p in check_rules(rules, FILES)]
    assert found == [
        "rules/eligibility/2023-01.examples.yaml: le regole 2023-01 non hanno "
        "esempi: scrivere 2023-01.examples.yaml con un esempio al limite e uno appena oltre "
        "per ogni soglia (vedi rules/README.md)"
    ]


def test_missing_boundary_examples_are_listed(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    examples = rules / "eligibility" / "2023-01.examples.yaml"
    text = examples.read_text(encoding="utf-8")
    # Drop "ISEE 24.000,01 € va verificato": the limit stays covered, just past it not.
    start = text.index("  - name: ISEE 24.000,01")
    end = text.index("  - name: ISEE esattamente 33.000")
    examples.write_text(text[:start] + text[end:], encoding="utf-8")
    found = [str(p) for p in check_rules(rules, FILES)]
    assert found == [
        "rules/eligibility/2023-01.examples.yaml: regola 'isee': nessun esempio appena oltre "
        "il limite di 'isee <= 24000' "
        "(condizione 'isee <= 24000'); aggiungere uno con isee = 24000.01"
    ]
