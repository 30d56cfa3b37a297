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
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role if r not in {Role.SYSTEM, Role.ANONYMOUS}]),
)
@click.option("--full-name", required=True)
@click.option("--email")
@click.option("--landlord-id")
@click.password_option()
@friendly_errors
def users_add(
    username: str,
    role: str,
    full_name: str,
    email: str | None,
    landlord_id: str | None,
    password: str,
) -> None:
    """Create a user account (through the message bus, audited as the command line)."""
    from guarantee.bootstrap import bootstrap
    from guarantee.domain.actors import Actor
    from guarantee.services import commands as c

    system = bootstrap()
    system.bus.handle(
        c.CreateAccount(
            username=username,
            full_name=full_name,
            role=Role(role),
            email=email,
            landlord_id=landlord_id,
            password=password,
        ),
        Actor.system("riga di comando"),
    )
    click.echo(f"utente {username} creato ({role})")
