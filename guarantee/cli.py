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


def cli_actor() -> Actor:
    """Who acts from the command line: the operating-system user, as a system actor."""
    import getpass

    return Actor(user_id=f"cli:{getpass.getuser()}", role=Role.SYSTEM)


if __name__ == "__main__":
    main()
