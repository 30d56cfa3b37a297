"""`garanzia fund stress` on a real fund: Italian output, reproducible from its seed, and
parameters refused with file and line when stress.yaml is wrong."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from guarantee.adapters.data_files import load_stress
from guarantee.bootstrap import System
from guarantee.cli import main
from guarantee.services.data_files import DataFileError
from guarantee.settings import PROJECT_ROOT, get_settings
from tests.support import builders

STRESS = PROJECT_ROOT / "policies" / "garanzia-casa" / "stress.yaml"


@pytest.fixture
def cli(system: System, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("GARANZIA_DATABASE_URL", system.settings.database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_the_stress_test_of_a_fund_in_italian_and_reproducible(
    system: System, cli: CliRunner, tmp_path: Path
) -> None:
    fund = builders.fund_with(system, Decimal("60000"))
    for _ in range(3):
        builders.issued_guarantee(system, fund.id)
    args = ["fund", "stress", "--fund", fund.id, "--runs", "2000", "--seed", "9"]
    first = cli.invoke(main, [*args, "--csv", str(tmp_path / "c.csv")], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "3 garanzie in essere" in first.output
    assert "Probabilità di esaurire la capienza" in first.output
    assert "Perdita al 99° percentile" in first.output
    assert "Nuove garanzie al mese sostenibili (esaurimento sotto il 5,00%)" in first.output
    assert "priore (stress.yaml)" in first.output
    again = cli.invoke(main, [*args, "--csv", str(tmp_path / "d.csv")], catch_exceptions=False)
    assert again.output.replace("d.csv", "c.csv") == first.output
    rows = (tmp_path / "c.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "mese;percentile_1;percentile_5;mediana;percentile_95;media"
    assert len(rows) == 37 and "," in rows[1]


def test_a_wrong_stress_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "stress.yaml"
    shutil.copyfile(STRESS, path)
    text = path.read_text(encoding="utf-8").replace("success_rate: 0.50", "success_rate: 1.50")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_stress(path)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "success_rate" in row)
    assert caught.value.problems[0].line == line
    assert "stress.yaml" in str(caught.value.problems[0])
    params, _ = load_stress(STRESS)
    assert params.target_exhaustion_probability == Decimal("0.05")


def test_with_enough_history_the_funds_own_figures_replace_the_priors(system: System) -> None:
    from datetime import date

    from guarantee.adapters.data_files import HistoryModel
    from guarantee.read.stress_inputs import stress_inputs
    from tests.support.payments import past_lease

    fund = builders.fund_with(system, Decimal("60000"))
    for _ in range(2):
        builders.issued_guarantee(system, fund.id, lease_data=past_lease())
    priors, _ = load_stress(STRESS)
    lenient = HistoryModel(min_guarantee_months=1, min_closed_mediations=1, min_paid_claims=1)
    with system.engine.connect() as conn:
        inputs = stress_inputs(conn, fund.id, date(2027, 11, 25), priors, lenient)
        strict = stress_inputs(conn, fund.id, date(2027, 11, 25), priors, load_stress(STRESS)[1])
    # Two guarantees a year old, no arrears: the fund's own rate (0) replaces the prior.
    assert inputs.params.arrears_monthly_probability == Decimal("0")
    assert inputs.sources["probabilità mensile di morosità"].startswith("storia del fondo: 0 ")
    # No closed mediation and no paid claim yet: those stay priors.
    assert inputs.params.mediation_success_rate == priors.mediation_success_rate
    assert strict.params == priors
    assert len(inputs.portfolio.cover) == 2
