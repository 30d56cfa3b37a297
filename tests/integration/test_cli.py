"""The command line as an operator uses it: clear messages, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.cli import main
from guarantee.domain.formats import euro_it
from guarantee.settings import PROJECT_ROOT, get_settings
from tests.support import builders


@pytest.fixture
def cli(system: System, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("GARANZIA_DATABASE_URL", system.settings.database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_rules_check_and_the_examples_they_carry(cli: CliRunner) -> None:
    checked = cli.invoke(main, ["rules", "check"])
    assert checked.exit_code == 0, checked.output
    tested = cli.invoke(main, ["rules", "test"])
    assert tested.exit_code == 0, tested.output
    assert tested.output.strip().endswith("tornano, 0 non tornano")


def test_a_malformed_rules_file_is_refused_with_file_and_line(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    path = rules / "eligibility" / "2026-01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("pass_when: isee <= 26000", "pass_when: isse <= 26000"))
    line = text.splitlines().index("    pass_when: isee <= 26000") + 1
    # The person stands in the folder holding the rules they edit: those are checked.
    monkeypatch.chdir(tmp_path)
    result = cli.invoke(main, ["rules", "check"])
    assert result.exit_code == 2
    assert f"regole: {rules.resolve()} (cartella rules/ della directory corrente)" in result.output
    assert f"2026-01.yaml:{line}" in result.output
    assert "isse" in result.output
    assert "Traceback" not in result.output


def test_rules_check_says_which_folder_it_checked(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "elsewhere" / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    monkeypatch.setenv("GARANZIA_RULES_DIR", str(rules))
    get_settings.cache_clear()
    by_variable = cli.invoke(main, ["rules", "check"])
    assert by_variable.exit_code == 0, by_variable.output
    assert f"regole: {rules.resolve()} (GARANZIA_RULES_DIR)" in by_variable.output
    assert f"prodotti: {(PROJECT_ROOT / 'policies').resolve()} (cartella predefinita" in (
        by_variable.output
    )
    (rules / "eligibility" / "2023-01.examples.yaml").unlink()
    by_option = cli.invoke(main, ["rules", "check", "--dir", str(rules)])
    assert by_option.exit_code == 2
    assert f"regole: {rules.resolve()} (indicata con --dir)" in by_option.output
    assert "le regole 2023-01 non hanno esempi" in by_option.output


def test_rules_without_examples_do_not_pass_their_tests(cli: CliRunner, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    for examples in (rules / "eligibility").glob("*.examples.yaml"):
        examples.unlink()
    result = cli.invoke(main, ["rules", "test", "--dir", str(rules)])
    assert result.exit_code == 1
    assert "nessun esempio: ogni versione delle regole deve avere i suoi" in result.output
    assert "0 tornano" not in result.output


def test_the_server_refuses_to_start_on_a_malformed_rules_file(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    path = rules / "eligibility" / "2026-01.yaml"
    text = path.read_text(encoding="utf-8")
    line = text.splitlines().index("    kind: review") + 1
    path.write_text(text.replace("    kind: review", "    kind: maybe", 1))
    monkeypatch.setenv("GARANZIA_RULES_DIR", str(rules))
    get_settings.cache_clear()
    result = cli.invoke(main, ["serve", "--port", "1"])
    assert result.exit_code == 2, result.output
    assert "errore nei dati di configurazione" in result.output
    assert f"2026-01.yaml:{line}: regola 'not_relatives', chiave 'kind'" in result.output


def test_rules_eval_explains_every_rule(cli: CliRunner, tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        "isee: 26000.01\nnet_monthly_income: 1700.00\nmonthly_rent: 600.00\n"
        "monthly_charges: 80.00\nmunicipality_istat_code: '001125'\nfloor_area_m2: 75\n"
        "lease_type: canone_concordato_3_2\nlease_registered: true\nlease_months: 36\n"
        "referral_source: help_desk\nother_live_guarantees: 0\ndeclared_relatives: false\n"
    )
    result = cli.invoke(main, ["rules", "eval", "--facts", str(facts), "--on", "2026-11-25"])
    assert result.exit_code == 0, result.output
    assert "esito da verificare (needs_review)" in result.output
    assert "[da verificare] isee:" in result.output
    assert result.output.count("\n  [") == 10


def rules_with_fixture_schemes(folder: Path) -> Path:
    """The project's rules plus the two fixture schemes written only as data."""
    shutil.copytree(PROJECT_ROOT / "rules", folder)
    schemes = PROJECT_ROOT / "tests" / "fixtures" / "schemes"
    for sub in ("eligibility", "reference", "parameters"):
        shutil.copytree(schemes / sub, folder / sub, dirs_exist_ok=True)
    return folder


def young_applicant(folder: Path) -> Path:
    facts = folder / "giovane.yaml"
    facts.write_text(
        "applicant_birth_date: 2008-06-02\napplication_date: 2026-06-01\n"
        "employment_status: dipendente_tempo_determinato\njob_start_date: 2026-01-01\n"
        "isee: 20000.00\nmonthly_rent: 600.00\nmonthly_charges: 0\n"
        "net_monthly_income: 2000.00\nlease_start: 2026-07-01\n"
    )
    return facts


def test_rules_eval_reads_the_rules_folder_one_stands_in_like_check_and_test(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fund manager editing rules/ tries a case on the rules being edited, not on the ones
    the server uses; the JSON answer stays JSON (the folder is said on standard error)."""
    rules_with_fixture_schemes(tmp_path / "rules")
    facts = young_applicant(tmp_path)
    monkeypatch.chdir(tmp_path)
    asked = ["rules", "eval", "--facts", str(facts), "--on", "2026-06-01"]

    result = cli.invoke(main, [*asked, "--scheme", "casa-giovani"])
    assert result.exit_code == 0, result.output
    assert f"regole: {(tmp_path / 'rules').resolve()} (cartella rules/ della directory" in (
        result.stderr
    )
    assert "misura casa-giovani, regole 2026-01: esito non ammissibile" in result.stdout
    as_json = cli.invoke(main, [*asked, "--scheme", "casa-giovani", "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["scheme"] == "casa-giovani"


def test_rules_eval_uses_the_rules_of_the_scheme_asked_for(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = rules_with_fixture_schemes(tmp_path / "rules")
    facts = young_applicant(tmp_path)
    asked = ["rules", "eval", "--facts", str(facts), "--on", "2026-06-01", "--dir", str(rules)]

    young = cli.invoke(main, [*asked, "--scheme", "casa-giovani"])
    assert young.exit_code == 0, young.output
    assert "misura casa-giovani, regole 2026-01: esito non ammissibile" in young.output
    assert "[NON superata] adult:" in young.output
    # without --scheme: Garanzia Casa's rules, which need facts this file does not give
    default = cli.invoke(main, asked)
    assert default.exit_code != 0
    assert "lease_type: dato mancante" in default.output
    unknown = cli.invoke(main, [*asked, "--scheme", "casa-anziani"])
    assert unknown.exit_code != 0
    assert (
        "nessuna regola per la misura 'casa-anziani': le misure con regole sono casa-giovani, "
        "garanzia-casa, residenti-valle"
    ) in unknown.output
    assert "Traceback" not in unknown.output


def test_rules_impact_lists_who_would_change_and_changes_nothing(
    cli: CliRunner, system: System, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builders.fund_with(system, Decimal("100000.00"))
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    borderline = builders.submit_application(system, dwelling.id, isee=Decimal("26500.00"))
    excluded = builders.submit_application(system, dwelling.id, isee=Decimal("35500.00"))
    builders.submit_application(system, dwelling.id, isee=Decimal("12000.00"))
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    draft = rules / "drafts" / "2027-01.yaml"
    draft.parent.mkdir()
    current = (rules / "eligibility" / "2026-01.yaml").read_text(encoding="utf-8")
    draft.write_text(
        current.replace('version: "2026-01"', 'version: "2027-01"')
        .replace("pass_when: isee <= 26000", "pass_when: isee <= 27000")
        .replace("review_when: isee <= 35000", "review_when: isee <= 36000")
    )
    monkeypatch.setenv("GARANZIA_RULES_DIR", str(rules))
    get_settings.cache_clear()
    with system.engine.connect() as conn:
        before = conn.execute(select(tables.guarantees.c.status)).all()
        rent = conn.execute(
            select(tables.guarantees.c.monthly_rent).where(tables.guarantees.c.id == excluded.id)
        ).scalar_one()
    # Issuing it would reserve 30% of 12 rents + 5,000 € (policies/garanzia-casa/v1.yaml).
    reserve = (Decimal("0.30") * (12 * rent + Decimal("5000.00"))).quantize(Decimal("0.01"))
    assert reserve > 0
    csv_file = tmp_path / "impatto.csv"
    result = cli.invoke(main, ["rules", "impact", str(draft), "--csv", str(csv_file)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "3 domande aperte esaminate, 2 cambiano esito" in out
    assert f"domanda {borderline.application_number}: da «da verificare» a «ammissibile»" in out
    assert f"domanda {excluded.application_number}: da «non ammissibile» a «da verificare»" in out
    assert "per la regola isee (ISEE del nucleo fino a 26.000 €" in out
    assert "needs_review" not in out and "Anna Bianchi" not in out
    taken = euro_it(reserve)
    assert f"accantonamento che sarebbe impegnato: {taken}" in out
    assert "accantonamento che sarebbe liberato: 0,00 €" in out
    after = euro_it(Decimal("100000.00") - reserve)
    assert (
        f"capacità libera dei fondi della misura garanzia-casa: ora 100.000,00 €, dopo {after}"
        in out
    )
    # For a spreadsheet, like the other exports: ';', decimal comma, UTF-8 with BOM.
    text = csv_file.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["domanda", "esito con le regole in vigore", "esito con la bozza"]
    assert [excluded.application_number, "non ammissibile", "da verificare"] in [
        row[:3] for row in rows
    ]
    cell = f"{reserve:.2f}".replace(".", ",")
    assert [row[4] for row in rows if row[0] == excluded.application_number] == [cell]
    with system.engine.connect() as conn:
        assert conn.execute(select(tables.guarantees.c.status)).all() == before


def test_db_check_and_users(cli: CliRunner, system: System) -> None:
    assert cli.invoke(main, ["db", "check"]).exit_code == 0
    short = cli.invoke(
        main,
        ["users", "add", "--username", "anna", "--role", "mediator", "--full-name", "Anna"],
        input="corta\ncorta\n",
    )
    assert short.exit_code == 1
    assert "password: almeno 12 caratteri" in short.output
    assert "Traceback" not in short.output
    made = cli.invoke(
        main,
        ["users", "add", "--username", "anna", "--role", "mediator", "--full-name", "Anna"],
        input="una-password-robusta\nuna-password-robusta\n",
    )
    assert made.exit_code == 0, made.output
    with system.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(tables.users)) == 1


BROKEN_RULES = {
    # A rule set of its own scheme, well formed, with one mistake per rule in what it says.
    "2030-01.yaml": """
        scheme: prova
        version: "2030-01"
        effective_from: 2030-01-01
        effective_to: 2029-12-31
        rules:
          - code: isee_max
            message: ISEE entro la soglia
            kind: blocking
            reads: [isse]
            pass_when: isse <= 26000
          - code: canone
            message: canone sostenibile
            kind: blocking
            reads: [monthly_rent]
            pass_when: monthly_rent <=
          - code: verifica
            message: da verificare
            kind: review
            reads: [isee, lease_months]
            pass_when: isee + 1
            review_when: isee <= 35000
          - code: tipo
            message: tipo di contratto
            kind: blocking
            reads: [lease_type]
            pass_when: lease_type == 3
          - code: tipo
            message: doppione
            kind: blocking
            reads: [isee]
            pass_when: isee <= $today
    """,
    # What a spreadsheet habit or a typo in a key produces: the schema's complaints.
    "2031-01.yaml": """
        scheme: Prova Due
        version: 2031
        effective_from: domani
        colour: blue
        rules:
          - code: Canone-Alto
            message: ""
            kind: advisory
            reads: isee
            pass_when: isee <= 26000
    """,
    # A reference list that is not where the file says.
    "2032-01.yaml": """
        scheme: prova-tre
        version: "2032-01"
        effective_from: 2032-01-01
        effective_to: null
        derived:
          in_lista:
            member_of:
              fact: municipality_istat_code
              file: ../reference/manca.csv
              column: istat_code
        rules:
          - code: comune
            message: comune in elenco
            kind: blocking
            reads: [in_lista]
            pass_when: in_lista
    """,
}


def test_rules_check_speaks_italian_about_every_broken_file(cli: CliRunner, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    for name, text in BROKEN_RULES.items():
        (rules / "eligibility" / name).write_text(textwrap.dedent(text).lstrip(), "utf-8")
    examples = rules / "eligibility" / "2026-01.examples.yaml"
    examples.write_text(examples.read_text("utf-8").replace("  isee: 18000.00", "  isse: 1"))

    result = cli.invoke(main, ["rules", "check", "--dir", str(rules)])

    assert result.exit_code == 2, result.output
    problems = [line for line in result.output.splitlines() if ".yaml:" in line]
    # every broken file is named, with the line of each mistake
    for name in (*BROKEN_RULES, "2026-01.examples.yaml"):
        assert any(f"eligibility/{name}:" in line for line in problems), name
    assert len(problems) >= 12, result.output
    # and what is wrong is said in Italian, with what to write instead
    assert "il dato 'isse' non è nel catalogo (rules/facts.yaml): forse 'isee'?" in result.output
    assert "deve essere uno tra blocking o review (trovato 'advisory')" in result.output
    assert "effective_to viene prima di effective_from" in result.output
    assert "codice già usato da un'altra regola" in result.output
    assert "è incompleta (finisce troppo presto)" in result.output
    assert "review_when vale solo per le regole blocking" in result.output
    assert "dà un numero invece di vero o falso" in result.output
    assert "il file '../reference/manca.csv' non esiste" in result.output
    assert "deve contenere solo lettere minuscole" in result.output
    # no English and no validation-library jargon reaches the person editing the files
    for jargon in (
        "must",
        "should",
        "malformed",
        "unknown",
        "expected",
        "missing",
        "not allowed",
        "did you mean",
        "String should match",
        "Input should",
        "Value error",
        "FLOAT",
        "STRING",
        "mismatch",
        "Traceback",
        "rule '",
    ):
        assert jargon not in result.output, (jargon, result.output)
