"""Anonymised statistics for the governance table, from the command line."""

from __future__ import annotations

import subprocess
from datetime import datetime
from importlib import metadata
from pathlib import Path

import click

from guarantee.cli.errors import friendly_errors
from guarantee.settings import PROJECT_ROOT, get_settings

_DATE = click.DateTime(["%Y-%m-%d"])


@click.group()
def stats() -> None:
    """Anonymised statistics: export for the governance table and the observatory."""


def code_version() -> str:
    """The package version and, in a checkout, the commit it runs."""
    version = metadata.version("garanzia-casa")
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+{commit}" if commit else version


@stats.command("export")
@click.option("--from", "date_from", type=_DATE, required=True, help="dal giorno (AAAA-MM-GG)")
@click.option("--to", "date_to", type=_DATE, required=True, help="al giorno (AAAA-MM-GG)")
@click.option(
    "--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="cartella"
)
@click.option(
    "--k", type=click.IntRange(min=2), help="soglia di soppressione (default: da configurazione)"
)
@friendly_errors
def export(date_from: datetime, date_to: datetime, out: Path, k: int | None) -> None:
    """CSV files (UTF-8 with BOM, `;`, decimal comma) and datapackage.json describing them."""
    from guarantee.adapters.data_files import load_office_closures, office_closures_path
    from guarantee.adapters.db.engine import build_engine
    from guarantee.domain.calendar import WorkingCalendar
    from guarantee.read.stats_export import export_statistics

    if date_to < date_from:
        raise click.BadParameter("la data finale precede quella iniziale", param_hint="--to")
    settings = get_settings()
    threshold = k or settings.stats_k
    # Working days as the mediation service counts them: holidays and the offices' closures.
    calendar = WorkingCalendar(load_office_closures(office_closures_path(settings.rules_dir)))
    engine = build_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            files = export_statistics(
                conn.execution_options(readonly=True),
                date_from.date(),
                date_to.date(),
                out,
                k=threshold,
                code_version=code_version(),
                calendar=calendar,
            )
    finally:
        engine.dispose()
    for file in files:
        click.echo(f"{file.name}: {file.rows} righe, SHA-256 {file.sha256}")
    click.echo(f"datapackage.json scritto in {out} (k = {threshold})")
