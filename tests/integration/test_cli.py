"""The command line as an operator uses it: clear messages, no tracebacks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.cli import main
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
    assert tested.output.strip().endswith("passed, 0 failed")


def test_a_malformed_rules_file_is_refused_with_file_and_line(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    path = rules / "eligibility" / "2026-01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("pass_when: isee <= 26000", "pass_when: isse <= 26000"))
    line = text.splitlines().index("    pass_when: isee <= 26000") + 1
    monkeypatch.setenv("GARANZIA_RULES_DIR", str(rules))
    get_settings.cache_clear()
    result = cli.invoke(main, ["rules", "check"])
    assert result.exit_code == 2
    assert f"2026-01.yaml:{line}" in result.output
    assert "isse" in result.output
    assert "Traceback" not in result.output


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
    assert f"2026-01.yaml:{line}: rule 'not_relatives': kind" in result.output


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
    assert "esito needs_review" in result.output
    assert "[da verificare] isee:" in result.output
    assert result.output.count("\n  [") == 10


def test_rules_impact_lists_who_would_change_and_changes_nothing(
    cli: CliRunner, system: System, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landlord = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, landlord.id)
    borderline = builders.submit_application(system, dwelling.id, isee=Decimal("26500.00"))
    builders.submit_application(system, dwelling.id, isee=Decimal("12000.00"))
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    draft = rules / "drafts" / "2027-01.yaml"
    draft.parent.mkdir()
    current = (rules / "eligibility" / "2026-01.yaml").read_text(encoding="utf-8")
    draft.write_text(
        current.replace('version: "2026-01"', 'version: "2027-01"').replace(
            "pass_when: isee <= 26000", "pass_when: isee <= 27000"
        )
    )
    monkeypatch.setenv("GARANZIA_RULES_DIR", str(rules))
    get_settings.cache_clear()
    with system.engine.connect() as conn:
        before = conn.execute(select(tables.guarantees.c.status)).all()
    result = cli.invoke(main, ["rules", "impact", str(draft)])
    assert result.exit_code == 0, result.output
    assert "2 domande esaminate, 1 cambiano esito" in result.output
    assert f"{borderline.application_number}: needs_review → eligible per isee" in result.output
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
