"""Database migrations."""

from __future__ import annotations

import sys

import click

from guarantee.cli.errors import friendly_errors
from guarantee.settings import get_settings


@click.group()
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
