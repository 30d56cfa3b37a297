"""`garanzia fund report` and `garanzia fund export-ledger` on the test database."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from guarantee.bootstrap import System
from guarantee.cli import main
from guarantee.services import commands as c
from guarantee.settings import get_settings
from tests.support import builders
from tests.support.payments import past_lease, pay_on

MANAGER = builders.MANAGER


@pytest.fixture
def cli(system: System, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("GARANZIA_DATABASE_URL", system.settings.database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def run(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(main, list(args), catch_exceptions=False)


def books(system: System) -> tuple[str, str]:
    fund = builders.fund_with(system, Decimal("0"))
    for amount, on, reference in (
        ("60000.00", date(2026, 1, 15), "delibera 1/2026"),
        ("40000.00", date(2026, 3, 1), '=HYPERLINK("http://x")'),
    ):
        system.bus.handle(
            c.RecordContribution(
                fund_id=fund.id, amount=Decimal(amount), donor="d", on=on, reference=reference
            ),
            MANAGER,
        )
    number = builders.issued_guarantee(system, fund.id, lease_data=past_lease()).number
    assert number is not None
    pay_on(system, number, Decimal("4190.00"), reference=f"bonifico {number}")
    return fund.id, number


def test_report_now_and_as_of_a_past_day_in_italian(system: System, cli: CliRunner) -> None:
    fund_id, _ = books(system)
    now = run(cli, "fund", "report", "--fund", fund_id)
    assert now.exit_code == 0, now.output
    assert "situazione attuale" in now.output
    assert "95.810,00\xa0€" in now.output  # balance after paying 4.190,00 €
    assert "2.583,00\xa0€" in now.output  # reserve at 30% of what is still at risk
    assert "4,19%" in now.output
    past = run(cli, "fund", "report", "--fund", fund_id, "--as-of", "2026-02-01")
    assert past.exit_code == 0, past.output
    assert "al 1 febbraio 2026" in past.output
    assert "60.000,00\xa0€" in past.output and "95.810,00" not in past.output
    every = run(cli, "fund", "report")
    assert every.exit_code == 0 and "95.810,00\xa0€" in every.output


def test_export_ledger_is_a_csv_an_italian_spreadsheet_opens(
    system: System, cli: CliRunner, tmp_path: Path
) -> None:
    fund_id, number = books(system)
    target = tmp_path / "libro.csv"
    answer = run(cli, "fund", "export-ledger", "--fund", fund_id, "--output", str(target))
    assert answer.exit_code == 0, answer.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == [
        "scrittura",
        "data",
        "tipo",
        "descrizione",
        "riferimento",
        "conto",
        "dare",
        "avere",
    ]
    body = rows[1:]
    # 2 contributions, 1 reserve (2 legs each) and a payment (6 legs)
    assert len(body) == 2 + 2 + 2 + 6
    assert f"{len(body)} movimenti" in answer.output
    assert body[0][1] == "2026-01-15" and body[0][2] == "contributo"
    assert body[0][5] == "disponibilità del fondo" and body[0][6:] == ["60000,00", ""]
    assert body[1][6:] == ["", "60000,00"]
    assert body[2][4] == '\'=HYPERLINK("http://x")', "typed text is never a formula"
    payment = [r for r in body if r[2] == "pagamento sinistro"]
    assert {r[4] for r in payment} == {f"bonifico {number}"}
    dare = sum(Decimal(r[6].replace(",", ".")) for r in body if r[6])
    avere = sum(Decimal(r[7].replace(",", ".")) for r in body if r[7])
    assert dare == avere

    only_cash = tmp_path / "cassa.csv"
    run(
        cli,
        "fund",
        "export-ledger",
        "--fund",
        fund_id,
        "--output",
        str(only_cash),
        "--account",
        "cash",
        "--to",
        "2026-02-01",
    )
    lines = only_cash.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].endswith(";60000,00;")


def test_errors_are_messages_not_tracebacks(system: System, cli: CliRunner, tmp_path: Path) -> None:
    unknown = run(cli, "fund", "report", "--fund", "nessuno")
    assert unknown.exit_code == 1
    assert "errore: fondo non trovato: nessuno" in unknown.output
    assert "Traceback" not in unknown.output
    fund_id, _ = books(system)
    nowhere = tmp_path / "manca" / "libro.csv"
    refused = run(cli, "fund", "export-ledger", "--fund", fund_id, "--output", str(nowhere))
    assert refused.exit_code == 1 and "impossibile scrivere" in refused.output
    bad_date = run(cli, "fund", "report", "--as-of", "25/11/2026")
    assert bad_date.exit_code == 2 and "Traceback" not in bad_date.output
