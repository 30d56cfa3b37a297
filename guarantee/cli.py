"""The `garanzia` command line. Errors are messages, never tracebacks."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import DomainError
from guarantee.settings import get_settings

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn known failures into one clear line on stderr and exit code 1 (2 for bad input)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            click.echo(f"errore: {exc.message}", err=True)
            sys.exit(1)
        except Exception as exc:
            if isinstance(exc, click.ClickException | click.exceptions.Exit):
                raise
            from guarantee.adapters.data_files import DataFileError

            if isinstance(exc, DataFileError):
                click.echo(f"errore nei dati di configurazione:\n{exc}", err=True)
                sys.exit(2)
            from sqlalchemy.exc import OperationalError

            if isinstance(exc, OperationalError):
                click.echo(f"errore: database non raggiungibile ({exc.orig})", err=True)
                sys.exit(1)
            raise

    return wrapper  # type: ignore[return-value]


@click.group()
def main() -> None:
    """Garanzia Casa: the fund, its guarantees, claims and mediation."""
    from guarantee.adapters.logging import configure_logging

    configure_logging(get_settings().log_json)


# -- database ---------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@friendly_errors
def db_upgrade(revision: str) -> None:
    """Migrate the database up (creates it from empty)."""
    from guarantee.adapters.db import migrate
    from guarantee.adapters.db.engine import build_engine

    engine = build_engine(get_settings().database_url)
    migrate.upgrade(engine, revision)
    click.echo(f"database al livello {migrate.current_revision(engine)}")


@db.command("downgrade")
@click.option("--revision", default="-1", show_default=True)
@friendly_errors
def db_downgrade(revision: str) -> None:
    """Migrate the database down (default: one step)."""
    from guarantee.adapters.db import migrate
    from guarantee.adapters.db.engine import build_engine

    engine = build_engine(get_settings().database_url)
    migrate.downgrade(engine, revision)
    click.echo(f"database al livello {migrate.current_revision(engine) or 'vuoto'}")


@db.command("check")
@friendly_errors
def db_check() -> None:
    """Fail if the models and the migrated database disagree."""
    from guarantee.adapters.db import migrate
    from guarantee.adapters.db.engine import build_engine

    diff = migrate.differences(build_engine(get_settings().database_url))
    if diff:
        for item in diff:
            click.echo(f"differenza: {item}", err=True)
        sys.exit(1)
    click.echo("modelli e migrazioni coincidono")


# -- running ----------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application (and, when embedded, run jobs in-process)."""
    import uvicorn

    uvicorn.run(
        "guarantee.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
    )


@main.command()
@click.option("--threads", default=4, show_default=True, type=int)
@friendly_errors
def worker(threads: int) -> None:
    """Run background jobs (dramatiq actors and the daily schedule) until stopped."""
    from guarantee.bootstrap import bootstrap
    from guarantee.jobs.runner import JobRunner

    system = bootstrap()
    if not system.settings.broker_url:
        click.echo("nessun broker configurato: i lavori girano dentro `garanzia serve`", err=True)
    JobRunner(system, threads=threads).run_forever()


@main.command()
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


# -- users ------------------------------------------------------------------------------------


@main.group()
def users() -> None:
    """User accounts."""


@users.command("add")
@click.option("--username", required=True)
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role if r is not Role.SYSTEM])
)
@click.option("--full-name", required=True)
@click.option("--landlord-id")
@click.password_option()
@friendly_errors
def users_add(
    username: str, role: str, full_name: str, landlord_id: str | None, password: str
) -> None:
    """Create a user account."""
    from guarantee.adapters import accounts
    from guarantee.bootstrap import bootstrap

    system = bootstrap()
    with system.engine.begin() as conn:
        accounts.create_user(
            conn,
            username=username,
            password=password,
            role=Role(role),
            full_name=full_name,
            landlord_id=landlord_id,
            now=system.deps.clock.now(),
        )
    click.echo(f"utente {username} creato ({role})")


# -- eligibility rules ------------------------------------------------------------------------


@main.group()
def rules() -> None:
    """Eligibility rules and products kept as data (rules/, policies/)."""


@rules.command("check")
@friendly_errors
def rules_check() -> None:
    """Validate every rule set, example file and product file; list every problem."""
    from guarantee.adapters.data_files import DataFiles
    from guarantee.services import eligibility

    settings = get_settings()
    problems = eligibility.check_rules(settings.rules_dir, DataFiles())
    problems += eligibility.check_products(settings.policies_dir, DataFiles())
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        sys.exit(2)
    click.echo("regole e prodotti validi")


@rules.command("test")
@friendly_errors
def rules_test() -> None:
    """Run the examples each rule set carries (facts → expected outcome)."""
    from guarantee.adapters.data_files import DataFiles
    from guarantee.services import eligibility

    rules_dir = get_settings().rules_dir
    failures = eligibility.run_rule_examples(rules_dir, DataFiles())
    total = eligibility.count_rule_examples(rules_dir, DataFiles())
    for failure in failures:
        click.echo(str(failure), err=True)
    click.echo(f"{total - len(failures)} passed, {len(failures)} failed")
    if failures:
        sys.exit(1)


@rules.command("eval")
@click.option(
    "--facts",
    "facts_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="data di riferimento")
@click.option("--version", help="versione delle regole (default: quella in vigore)")
@click.option("--json", "as_json", is_flag=True, help="stampa la spiegazione completa in JSON")
@friendly_errors
def rules_eval(facts_path: Path, on: Any, version: str | None, as_json: bool) -> None:
    """Evaluate the facts in a YAML or JSON file and explain every rule's verdict."""
    from guarantee.adapters.clock import SystemClock
    from guarantee.adapters.data_files import DataFiles
    from guarantee.services import eligibility

    day = on.date() if on else SystemClock().today()
    evaluation = eligibility.evaluate_facts_file(
        facts_path, get_settings().rules_dir, DataFiles(), on=day, version=version
    )
    if as_json:
        click.echo(json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False))
        return
    labels = {"pass": "ok", "review": "da verificare", "fail": "NON superata"}
    click.echo(f"regole {evaluation.ruleset_version}: esito {evaluation.outcome}")
    for verdict in evaluation.verdicts:
        seen = ", ".join(f"{k}={v}" for k, v in verdict.facts_seen.items())
        click.echo(f"  [{labels[verdict.result]:<13}] {verdict.code}: {verdict.message} ({seen})")


@rules.command("impact")
@click.argument("ruleset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly_errors
def rules_impact(ruleset: Path) -> None:
    """Re-evaluate all open applications under a draft rule set; change nothing."""
    from guarantee.adapters.clock import SystemClock
    from guarantee.adapters.data_files import DataFiles
    from guarantee.adapters.db.engine import build_engine
    from guarantee.read.eligibility import open_applications
    from guarantee.services import eligibility

    engine = build_engine(get_settings().database_url)
    with engine.connect() as conn:
        conn = conn.execution_options(readonly=True)
        report = eligibility.impact_of_draft(
            ruleset,
            get_settings().rules_dir,
            open_applications(conn),
            DataFiles(),
            on=SystemClock().today(),
        )
    click.echo(
        f"regole in vigore {report.current_version} → bozza {report.draft_version}: "
        f"{report.examined} domande esaminate, {len(report.changes)} cambiano esito"
    )
    click.echo(f"regole cambiate: {', '.join(report.changed_rules) or 'nessuna'}")
    for (before, after), howmany in sorted(report.counts().items()):
        click.echo(f"  {before} → {after}: {howmany}")
    for change in report.changes:
        click.echo(
            f"  {change.key}: {change.before} → {change.after} per {', '.join(change.rules)}"
        )
    for key, reason in report.refused:
        click.echo(f"  {key}: non valutabile ({reason})", err=True)


def cli_actor() -> Actor:
    """Who acts from the command line: the operating-system user, as a system actor."""
    import getpass

    return Actor(user_id=f"cli:{getpass.getuser()}", role=Role.SYSTEM)


if __name__ == "__main__":
    main()
