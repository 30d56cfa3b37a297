"""The fund's books from the command line: figures (now or as of a day) and the ledger as CSV."""

from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from guarantee.cli.errors import friendly_errors
from guarantee.domain.ledger import Account
from guarantee.settings import get_settings

_DATE = click.DateTime(["%Y-%m-%d"])


@click.group()
def fund() -> None:
    """The fund's books: figures and ledger export."""


@fund.command("report")
@click.option("--fund", "fund_id", help="identificativo del fondo (default: tutti i fondi)")
@click.option("--as-of", "as_of", type=_DATE, help="situazione a fine giornata (AAAA-MM-GG)")
@friendly_errors
def fund_report(fund_id: str | None, as_of: datetime | None) -> None:
    """Print balance, reserved, free capacity, exposure, leverage, loss ratio, live count."""
    from guarantee.adapters.db.engine import build_engine
    from guarantee.read import funds as read

    day = as_of.date() if as_of else None
    engine = build_engine(get_settings().database_url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(readonly=True)
            found = (
                [read.fund_figures(conn, fund_id, day)] if fund_id else read.list_funds(conn, day)
            )
    finally:
        engine.dispose()
    if not found:
        click.echo("nessun fondo registrato")
    for index, figures in enumerate(found):
        if index:
            click.echo("")
        click.echo(report_text(figures, day))


def report_text(figures: dict[str, Any], day: date | None) -> str:
    from guarantee.adapters.formatting import date_it, euro

    when = f"al {date_it(day)}" if day else "situazione attuale"
    lines = [
        ("Saldo (disponibilità)", euro(figures["balance"])),
        ("Accantonato", euro(figures["reserved"])),
        ("Capienza libera", euro(figures["free_capacity"])),
        ("Esposizione", euro(figures["exposure"])),
        ("Leva (esposizione / saldo)", _decimal(figures["leverage"])),
        ("Contributi ricevuti", euro(figures["contributions"])),
        ("Sinistri pagati", euro(figures["claims_paid"])),
        ("Recuperi", euro(figures["recoveries"])),
        ("Crediti stralciati", euro(figures["write_offs"])),
        ("Tasso di perdita", _percent(figures["loss_ratio"])),
        ("Garanzie in essere", str(figures["live_guarantees"])),
    ]
    width = max(len(label) for label, _ in lines)
    body = [f"  {label:<{width}}  {value:>16}" for label, value in lines]
    return "\n".join([f"{figures['name']} ({figures['territory']}), {when}", *body])


def _decimal(value: Decimal | None) -> str:
    from babel.numbers import format_decimal

    from guarantee.adapters.formatting import LOCALE

    return "n.d." if value is None else str(format_decimal(value, "#,##0.00", locale=LOCALE))


def _percent(value: Decimal | None) -> str:
    from babel.numbers import format_percent

    from guarantee.adapters.formatting import LOCALE

    return "n.d." if value is None else str(format_percent(value, "#,##0.00%", locale=LOCALE))


@fund.command("export-ledger")
@click.option("--fund", "fund_id", required=True, help="identificativo del fondo")
@click.option(
    "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="file .csv"
)
@click.option("--from", "date_from", type=_DATE, help="dal giorno (AAAA-MM-GG)")
@click.option("--to", "date_to", type=_DATE, help="al giorno (AAAA-MM-GG)")
@click.option("--account", type=click.Choice([a.value for a in Account]), help="un solo conto")
@friendly_errors
def export_ledger(
    fund_id: str,
    output: Path,
    date_from: datetime | None,
    date_to: datetime | None,
    account: str | None,
) -> None:
    """Write the ledger as a CSV for a spreadsheet: one row per posting, `;`, decimal comma."""
    from guarantee.adapters.db.engine import build_engine
    from guarantee.read import funds as read
    from guarantee.read.ledger_csv import write_ledger_csv

    engine = build_engine(get_settings().database_url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(readonly=True)
            name = read.fund_figures(conn, fund_id)["name"]  # an unknown fund is an error
            lines = read.ledger_lines(
                conn,
                fund_id,
                date_from=date_from.date() if date_from else None,
                date_to=date_to.date() if date_to else None,
                account=account,
            )
            try:
                with output.open("w", encoding="utf-8-sig", newline="") as out:
                    count = write_ledger_csv(lines, out)
            except OSError as exc:
                click.echo(f"errore: impossibile scrivere {output} ({exc.strerror})", err=True)
                sys.exit(1)
    finally:
        engine.dispose()
    click.echo(f"{count} movimenti del fondo {name} scritti in {output}")
