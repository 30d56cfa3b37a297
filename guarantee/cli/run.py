"""Running the system: web server, job worker, demo data."""

from __future__ import annotations

import json
from pathlib import Path

import click

from guarantee.cli.errors import friendly_errors
from guarantee.settings import get_settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@friendly_errors
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application (and, when embedded, run jobs in-process)."""
    import uvicorn

    check_data_files()
    uvicorn.run(
        "guarantee.web.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
        # On SIGTERM: stop accepting, let requests in flight finish for this long, cancel the
        # rest; the app then exits even if a thread is stuck (see create_served_app).
        timeout_graceful_shutdown=get_settings().shutdown_timeout,
    )


def check_data_files() -> None:
    """Refuse to start on a malformed product, rule or template file, naming file and line."""
    from guarantee.adapters.reference_data import load_eligibility, load_products
    from guarantee.adapters.templating import Branding, DocumentRenderer

    settings = get_settings()
    load_products(settings.policies_dir)
    load_eligibility(settings.rules_dir)
    DocumentRenderer(
        Branding(settings.fund_name, settings.consortium_name, settings.base_url),
        settings.templates_dir,
    )


@click.command()
@click.option("--threads", default=4, show_default=True, type=int)
@friendly_errors
def worker(threads: int) -> None:
    """Run background jobs (dramatiq actors and the daily schedule) until stopped."""
    from guarantee.bootstrap import bootstrap
    from guarantee.jobs.runner import JobRunner

    check_data_files()
    system = bootstrap()
    if not system.settings.broker_url:
        click.echo("nessun broker configurato: i lavori girano dentro `garanzia serve`", err=True)
    JobRunner(system, threads=threads).run_forever()


@click.command()
@click.option("--credentials-json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", default=2026, show_default=True, type=int)
@friendly_errors
def demo(credentials_json: Path | None, seed: int) -> None:
    """Load realistic demo data into an empty database and print the accounts."""
    from guarantee.demo import load_demo

    credentials = load_demo(seed=seed)
    click.echo("Account dimostrativi (ruolo, utente, password):")
    for item in credentials:
        click.echo(f"  {item['role']:<13} {item['username']:<12} {item['password']}")
    if credentials_json:
        credentials_json.write_text(json.dumps(credentials, indent=2), encoding="utf-8")
        click.echo(f"credenziali scritte in {credentials_json}")
