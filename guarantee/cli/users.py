"""User accounts."""

from __future__ import annotations

import click

from guarantee.cli.errors import friendly_errors
from guarantee.domain.actors import Role


@click.group()
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
