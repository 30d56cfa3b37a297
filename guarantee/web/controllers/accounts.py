"""Accounts over HTTP: logout, own password, reset links, and a fund manager's administration.

Login itself is in ``system`` (a fixed name other tools rely on). Every change goes through
the message bus; the anonymous ones (reset links) carry the caller's address.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED
from sqlalchemy import select

from guarantee.adapters.db import tables
from guarantee.domain.actors import Actor, Role
from guarantee.read.access import rows_of
from guarantee.services import commands as c
from guarantee.web.deps import ActorDep, ConnectionDep, SystemDep
from guarantee.web.schemas import (
    AccountIn,
    AccountOut,
    AccountReasonIn,
    PasswordChangeIn,
    PasswordResetIn,
    PasswordResetRequestIn,
)


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "sconosciuto"


def bearer_token(request: Request[Any, Any, Any]) -> str:
    return request.headers.get("authorization", "").partition(" ")[2].strip()


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ("auth",)

    @post("/logout", status_code=HTTP_200_OK, sync_to_thread=True)
    def logout(
        self, request: Request[Any, Any, Any], system: SystemDep, actor: ActorDep
    ) -> dict[str, str]:
        """End this token now (other tokens of the same person stay)."""
        system.bus.handle(c.Logout(bearer_token(request)), actor)
        return {"status": "uscito"}

    @post("/password", status_code=HTTP_200_OK, sync_to_thread=True)
    def change_password(
        self, data: JSONBody[PasswordChangeIn], system: SystemDep, actor: ActorDep
    ) -> dict[str, str]:
        """Change one's own password: every token of the account ends, log in again."""
        system.bus.handle(c.ChangePassword(data.current_password, data.new_password), actor)
        return {"status": "password cambiata: accedere di nuovo"}

    @post("/password-reset", status_code=HTTP_202_ACCEPTED, sync_to_thread=True)
    def request_reset(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PasswordResetRequestIn],
        system: SystemDep,
    ) -> dict[str, str]:
        """Ask for a reset link; the answer is the same whether or not the account exists."""
        address = client_address(request)
        system.bus.handle(c.RequestPasswordReset(data.username, address), Actor.anonymous(address))
        return {"status": "se l'utente esiste, riceverà un collegamento all'indirizzo registrato"}

    @post("/password-reset/confirm", status_code=HTTP_200_OK, sync_to_thread=True)
    def reset(
        self, request: Request[Any, Any, Any], data: JSONBody[PasswordResetIn], system: SystemDep
    ) -> dict[str, str]:
        """Choose a new password with the single-use link's token."""
        address = client_address(request)
        system.bus.handle(c.ResetPassword(data.token, data.new_password), Actor.anonymous(address))
        return {"status": "password impostata: ora si può accedere"}


def _accounts(conn: ConnectionDep, username: str | None = None) -> list[AccountOut]:
    u = tables.users.c
    statement = select(
        u.id,
        u.username,
        u.full_name,
        u.role,
        u.email,
        u.landlord_id,
        u.status,
        u.created_at,
        u.last_login_at,
    ).order_by(u.username)
    if username is not None:
        statement = statement.where(u.username == username)
    return [AccountOut.model_validate(dict(row)) for row in conn.execute(statement).mappings()]


def _account_out(conn: ConnectionDep, username: str) -> AccountOut:
    (account,) = _accounts(conn, username)
    return account


class AccountController(Controller):
    path = "/api/v1/accounts"
    tags = ("accounts",)

    @get("/", sync_to_thread=True)
    def list_accounts(self, conn: ConnectionDep, actor: ActorDep) -> list[AccountOut]:
        """Every account, for fund managers and auditors."""
        rows_of(actor).require_staff("gli account")
        return _accounts(conn)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def create(
        self, data: JSONBody[AccountIn], system: SystemDep, conn: ConnectionDep, actor: ActorDep
    ) -> AccountOut:
        """Open an account; the person receives a link to choose the password."""
        account = system.bus.handle(
            c.CreateAccount(
                data.username, data.full_name, Role(data.role), data.email, data.landlord_id
            ),
            actor,
        )
        return _account_out(conn, account.username)

    @post("/{username:str}/disable", status_code=HTTP_200_OK, sync_to_thread=True)
    def disable(
        self,
        username: str,
        data: JSONBody[AccountReasonIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> AccountOut:
        system.bus.handle(c.DisableAccount(username, data.reason), actor)
        return _account_out(conn, username)

    @post("/{username:str}/enable", status_code=HTTP_200_OK, sync_to_thread=True)
    def enable(
        self,
        username: str,
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
        data: JSONBody[AccountReasonIn | None] = None,
    ) -> AccountOut:
        """Enable a disabled account, or confirm a landlord's self-enrolment."""
        system.bus.handle(c.EnableAccount(username, data.reason if data else None), actor)
        return _account_out(conn, username)

    @post("/{username:str}/force-reset", status_code=HTTP_200_OK, sync_to_thread=True)
    def force_reset(
        self,
        username: str,
        data: JSONBody[AccountReasonIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> AccountOut:
        """The password stops working now; a reset link goes to the account's email."""
        system.bus.handle(c.ForcePasswordReset(username, data.reason), actor)
        return _account_out(conn, username)
