"""Accounts for tests, opened through the message bus as the server's command line does."""

from __future__ import annotations

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.services import commands as c

PASSWORD = "una-password-lunga-42"
CLI = Actor.system("cli")


def open_account(
    system: System,
    username: str,
    role: Role,
    *,
    full_name: str | None = None,
    landlord_id: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
) -> Actor:
    """A new active account; returns the actor it logs in as (with its stable id)."""
    account = system.bus.handle(
        c.CreateAccount(
            username=username,
            full_name=full_name or username.title(),
            role=role,
            email=email,
            landlord_id=landlord_id,
            password=password,
        ),
        CLI,
    )
    actor: Actor = account.as_actor()
    return actor
