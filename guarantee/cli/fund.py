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
            disagreeing = [f["name"] for f in found if not read.books_agree(conn, f["id"])]
    finally:
        engine.dispose()
    if not found:
        click.echo("nessun fondo registrato")
    for name in disagreeing:
        click.echo(
            f"ATTENZIONE: i saldi del fondo {name} non corrispondono ai totali giornalieri "
            "delle scritture; eseguire «garanzia audit verify»",
            err=True,
        )
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


@fund.command("stress")
@click.option("--fund", "fund_id", required=True, help="identificativo del fondo")
@click.option("--horizon-months", default=36, type=click.IntRange(1, 120), show_default=True)
@click.option("--runs", default=10000, type=click.IntRange(100, 1_000_000), show_default=True)
@click.option(
    "--seed", default=1, type=int, show_default=True, help="seme: stesso seme, stesso esito"
)
@click.option(
    "--new-per-month", default=0, type=click.IntRange(0, 10_000), help="nuove garanzie al mese"
)
@click.option(
    "--product", default="garanzia-casa", show_default=True, help="prodotto dei parametri"
)
@click.option(
    "--max-intake/--no-max-intake",
    default=True,
    help="cerca il massimo di nuove garanzie al mese sotto la soglia di esaurimento",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="scrive la capienza libera mese per mese in un .csv",
)
@friendly_errors
def fund_stress(
    fund_id: str,
    horizon_months: int,
    runs: int,
    seed: int,
    new_per_month: int,
    product: str,
    max_intake: bool,
    csv_path: Path | None,
) -> None:
    """Monte Carlo stress test of the fund's live portfolio: exhaustion, losses, capacity."""
    from guarantee.adapters.clock import SystemClock
    from guarantee.adapters.data_files import load_stress, stress_path
    from guarantee.adapters.db.engine import build_engine
    from guarantee.domain.stress import largest_safe_intake, run_stress
    from guarantee.read.stress_inputs import stress_inputs

    settings = get_settings()
    priors, history = load_stress(stress_path(settings.policies_dir, product))
    engine = build_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            inputs = stress_inputs(
                conn.execution_options(readonly=True),
                fund_id,
                SystemClock().today(),
                priors,
                history,
            )
    finally:
        engine.dispose()
    result = run_stress(
        inputs.portfolio,
        inputs.balance,
        inputs.reserved,
        inputs.params,
        horizon=horizon_months,
        runs=runs,
        seed=seed,
        new_per_month=new_per_month,
    )
    click.echo(stress_text(inputs, result))
    if max_intake:
        intake = largest_safe_intake(
            inputs.portfolio,
            inputs.balance,
            inputs.reserved,
            inputs.params,
            horizon=horizon_months,
            runs=runs,
            seed=seed,
        )
        target = _percent(inputs.params.target_exhaustion_probability)
        if intake is None:
            click.echo(
                f"\nNuove garanzie al mese sostenibili (esaurimento sotto il {target}): "
                "nessuna, la soglia è superata già senza nuove garanzie"
            )
        else:
            click.echo(
                f"\nNuove garanzie al mese sostenibili (esaurimento sotto il {target}): {intake}"
            )
    if csv_path is not None:
        write_capacity_csv(result.free_capacity, csv_path)
        click.echo(f"Capienza libera mese per mese scritta in {csv_path}")


def stress_text(inputs: Any, result: Any) -> str:
    from guarantee.adapters.formatting import euro

    p = inputs.params
    lines = [
        f"Prova di stress del fondo {inputs.name}: {result.runs} simulazioni su "
        f"{result.horizon} mesi, {len(inputs.portfolio.cover)} garanzie in essere"
        + (f", {result.new_per_month} nuove al mese" if result.new_per_month else ""),
        "",
        "Parametri:",
        f"  Probabilità mensile di morosità   {_percent(p.arrears_monthly_probability)}"
        f"  ({inputs.sources['probabilità mensile di morosità']})",
        f"  Successo della mediazione         {_percent(p.mediation_success_rate)}"
        f"  ({inputs.sources['successo della mediazione']})",
        f"  Costo del sinistro                dal {_percent(p.severity_min_share)} al "
        f"{_percent(p.severity_max_share)} della copertura residua",
        f"  Pagamento dopo                    {p.payment_delay_months} mesi",
        f"  Tasso di recupero                 {_percent(p.recovery_rate)}, dopo "
        f"{p.recovery_delay_months} mesi  ({inputs.sources['tasso di recupero']})",
        "",
        "Esiti:",
        f"  Probabilità di esaurire la capienza  {_percent(result.exhaustion_probability)}"
        f" (± {_percent(result.exhaustion_standard_error)})",
        f"  Perdita attesa                       {euro(result.expected_loss)}",
        f"  Perdita al 95° percentile            {euro(result.loss_p95)}",
        f"  Perdita al 99° percentile            {euro(result.loss_p99)}",
        "",
        "Capienza libera a fine mese (percentili sulle simulazioni):",
        f"  {'mese':>4}  {'1°':>16}  {'5°':>16}  {'mediana':>16}  {'95°':>16}  {'media':>16}",
    ]
    for month, p1, p5, p50, p95, mean in result.free_capacity:
        lines.append(
            f"  {month:>4}  {euro(p1):>16}  {euro(p5):>16}  {euro(p50):>16}  "
            f"{euro(p95):>16}  {euro(mean):>16}"
        )
    return "\n".join(lines)


def write_capacity_csv(table: list[Any], path: Path) -> None:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(
            ["mese", "percentile_1", "percentile_5", "mediana", "percentile_95", "media"]
        )
        for month, *values in table:
            writer.writerow([month, *(format(v, "f").replace(".", ",") for v in values)])
