"""The audit trail from the command line: verify chain, books and archive; seal; export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from guarantee.cli.errors import friendly_errors
from guarantee.settings import get_settings

_SHOWN = 200


@click.group()
def audit() -> None:
    """Tamper-evident audit trail: verification and export for auditors."""


def _head_option(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    position, _, digest = value.partition(":")
    if not position.isdigit() or len(digest) != 64:
        raise click.BadParameter("atteso POSIZIONE:IMPRONTA (64 caratteri esadecimali)")
    return int(position), digest.lower()


@audit.command("verify")
@click.option(
    "--head",
    "expected_head",
    help="testa della catena annotata in precedenza (POSIZIONE:IMPRONTA): rileva una coda tagliata",
)
@friendly_errors
def verify(expected_head: str | None) -> None:
    """Recompute the chain, every fund's balances and day totals, and every archived file."""
    from guarantee.adapters.db.engine import build_engine
    from guarantee.adapters.db.evidence_chain import chain_everything_pending
    from guarantee.read.audit_verify import verify_all

    wanted = _head_option(expected_head)
    settings = get_settings()
    engine = build_engine(settings.database_url)
    try:
        # Documents archived by jobs since the last commit that chained: chain them first.
        with engine.begin() as conn:
            chain_everything_pending(conn)
        with engine.connect() as conn:
            result = verify_all(conn.execution_options(readonly=True), settings.storage_dir, wanted)
    finally:
        engine.dispose()
    # A truncated table is thousands of findings: the first ones say what happened.
    for finding in result.findings[:_SHOWN]:
        click.echo(f"NON CORRISPONDE  {finding.subject}: {finding.message}")
    if len(result.findings) > _SHOWN:
        click.echo(f"… e altre {len(result.findings) - _SHOWN} differenze")
    head = result.head
    where = f"posizione {head.position}, impronta {head.chain_hash}" if head else "catena vuota"
    click.echo(
        f"Catena: {where}. Fondi verificati: {result.funds}. Documenti verificati: "
        f"{result.documents}."
    )
    if result.ok:
        click.echo("Verifica superata: nessuna differenza.")
        return
    click.echo(f"Verifica NON superata: {len(result.findings)} differenze.", err=True)
    sys.exit(1)


@audit.command("seal")
@friendly_errors
def seal() -> None:
    """Chain whatever is not chained yet (documents archived by jobs)."""
    from guarantee.adapters.db.engine import build_engine
    from guarantee.adapters.db.evidence_chain import chain_everything_pending

    engine = build_engine(get_settings().database_url)
    try:
        with engine.begin() as conn:
            count = chain_everything_pending(conn)
    finally:
        engine.dispose()
    click.echo(f"{count} registrazioni aggiunte alla catena")


@audit.command("export")
@click.option("--guarantee", "number", required=True, help="numero della garanzia")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="file .csv"
)
@friendly_errors
def export(number: str, out: Path) -> None:
    """The trail of one guarantee as CSV, with its SHA-256 beside it (FILE.sha256)."""
    from guarantee.adapters.db.engine import build_engine
    from guarantee.read.audit_trail import write_trail

    engine = build_engine(get_settings().database_url)
    try:
        with engine.connect() as conn:
            count, digest = write_trail(conn.execution_options(readonly=True), number, out)
    finally:
        engine.dispose()
    click.echo(f"{count} eventi scritti in {out}; SHA-256 {digest} in {out}.sha256")
