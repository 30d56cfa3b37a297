"""Accounts as use cases: login and logout, passwords, and a fund manager's administration.

Every step is audited through the account aggregate (logins and failures included). Login
failures are counted per account and per address in the database, so every app process
agrees on a lock; an unknown username is counted like a known one, so a lock reveals
nothing about which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from guarantee.domain.accounts import (
    UNUSABLE_PASSWORD,
    Account,
    AccountStatus,
    LoginRefused,
    check_new_password,
)
from guarantee.domain.actors import Role
from guarantee.domain.audit import AuditEvent
from guarantee.domain.errors import Conflict, DomainError, InvalidField, PermissionDenied
from guarantee.domain.landlords import Landlord
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.ports import PasswordHasher
from guarantee.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LoggedIn:
    token: str
    account_id: str
    username: str
    role: Role
    expires_at: datetime


def _passwords(deps: Dependencies) -> PasswordHasher:
    if deps.passwords is None:
        raise DomainError("gestione delle password non configurata", code="no_password_hasher")
    return deps.passwords


def _throttle_keys(username: str, address: str) -> tuple[str, str]:
    return f"account:{username.strip().lower()}", f"address:{address}"


def login(cmd: c.Login, uow: UnitOfWork, deps: Dependencies) -> LoggedIn:
    now, rules = deps.clock.now(), deps.access
    account_key, address_key = _throttle_keys(cmd.username, cmd.address)
    refused: LoginRefused | None = None
    with uow:
        locked = uow.login_throttle.locked_until([account_key, address_key], now)
        account = uow.accounts.find_username(cmd.username.strip())
        if locked is not None:
            # Even the right password waits for the lock to end.
            refused = LoginRefused(retry_after_seconds=int((locked - now).total_seconds()) + 1)
            _audit_failure(uow, account, cmd, now, "accesso bloccato da troppi tentativi")
        elif (
            account is not None
            and _passwords(deps).verify(cmd.password, account.password_hash)
            and account.can_log_in
        ):
            uow.login_throttle.clear(account_key)
            account.record_login(now, cmd.address)
            kind = "session" if cmd.kind == "session" else "api"
            token = uow.tokens.issue(account.id, now, rules.token_ttl, kind=kind)
            uow.commit()
            expires_at = now + rules.token_ttl
            return LoggedIn(token, account.id, account.username, account.role, expires_at)
        else:
            if account is None:
                _passwords(deps).verify(cmd.password, None)  # same time as a wrong password
            refused = LoginRefused()
            uow.login_throttle.fail(
                account_key,
                now,
                limit=rules.account_failures,
                window=rules.failure_window,
                lock=rules.lock,
            )
            uow.login_throttle.fail(
                address_key,
                now,
                limit=rules.address_failures,
                window=rules.failure_window,
                lock=rules.lock,
            )
            reason = "account non attivo" if account and not account.can_log_in else None
            _audit_failure(uow, account, cmd, now, reason or "credenziali errate")
        uow.commit()
    raise refused


def _audit_failure(
    uow: UnitOfWork, account: Account | None, cmd: c.Login, now: datetime, reason: str
) -> None:
    if account is not None:
        account.record_failed_login(cmd.address, reason)
        return
    uow.audit.append(
        [
            AuditEvent(
                occurred_at=now,
                actor_id=uow.actor.user_id,
                actor_role=uow.actor.role.value,
                entity_type="account",
                entity_id="sconosciuto",
                action="login_failed",
                before={},
                after={"username": cmd.username[:80], "address": cmd.address},
                reason="utente inesistente",
            )
        ]
    )


def logout(cmd: c.Logout, uow: UnitOfWork, deps: Dependencies) -> None:
    with uow:
        if uow.actor.account_id is not None and uow.tokens.revoke(cmd.token):
            uow.accounts.get(uow.actor.account_id).record_logout()
        uow.commit()


def change_password(cmd: c.ChangePassword, uow: UnitOfWork, deps: Dependencies) -> None:
    passwords = _passwords(deps)
    with uow:
        account = _own_account(uow)
        if not passwords.verify(cmd.current_password, account.password_hash):
            raise InvalidField("current_password", "la password attuale non è corretta")
        _set_password(account, cmd.new_password, passwords, deps, "cambiata dall'utente")
        uow.tokens.revoke_all(account.id)
        uow.commit()


def _own_account(uow: UnitOfWork) -> Account:
    if uow.actor.account_id is None:
        raise PermissionDenied(uow.actor.role.value, "cambiare la password senza un account")
    return uow.accounts.get(uow.actor.account_id, for_update=True)


def _set_password(
    account: Account, password: str, passwords: PasswordHasher, deps: Dependencies, why: str
) -> None:
    check_new_password(
        password,
        username=account.username,
        full_name=account.full_name,
        is_common=passwords.is_common,
    )
    account.set_password(passwords.hash(password), deps.clock.now(), reason=why)


def create_account(cmd: c.CreateAccount, uow: UnitOfWork, deps: Dependencies) -> Account:
    passwords = _passwords(deps)
    now = deps.clock.now()
    with uow:
        if uow.accounts.find_username(cmd.username.strip()) is not None:
            raise Conflict(f"utente già esistente: {cmd.username.strip()}")
        if cmd.landlord_id is not None:
            uow.landlords.get(cmd.landlord_id)  # a landlord that exists
        if cmd.password is not None and uow.actor.role is not Role.SYSTEM:
            raise InvalidField(
                "password", "la password la sceglie la persona, dal collegamento ricevuto"
            )
        if cmd.password is None and not (cmd.email or "").strip():
            raise InvalidField("email", "serve un indirizzo per inviare il collegamento")
        account = Account(
            username=cmd.username,
            full_name=cmd.full_name,
            role=cmd.role,
            email=cmd.email,
            password_hash=UNUSABLE_PASSWORD,
            created_at=now,
            landlord_id=cmd.landlord_id,
        )
        if cmd.password is not None:
            _set_password(account, cmd.password, passwords, deps, "scelta alla creazione")
        uow.accounts.add(account)
        if cmd.password is None:
            _send_link(uow, deps, account, "account_invited", deps.access.invitation_ttl)
        uow.commit()
        return account


def _send_link(
    uow: UnitOfWork, deps: Dependencies, account: Account, purpose: str, ttl: timedelta
) -> None:
    """A single-use link, mailed by the notices job (its outbox row holds the secret until
    the mail is sent, then forgets it)."""
    token = uow.password_resets.create(account.id, deps.clock.now(), ttl)
    account.link_issued(purpose, token)


def disable_account(cmd: c.DisableAccount, uow: UnitOfWork, deps: Dependencies) -> Account:
    with uow:
        account = uow.accounts.by_username(cmd.username, for_update=True)
        if account.id == uow.actor.account_id:
            raise DomainError("non si può disattivare il proprio account", code="own_account")
        account.disable(deps.clock.now(), cmd.reason)
        uow.tokens.revoke_all(account.id)
        uow.commit()
        return account


def enable_account(cmd: c.EnableAccount, uow: UnitOfWork, deps: Dependencies) -> Account:
    with uow:
        account = uow.accounts.by_username(cmd.username, for_update=True)
        if account.status is AccountStatus.PENDING:
            account.confirm(deps.clock.now(), cmd.reason)
        else:
            account.enable(deps.clock.now(), cmd.reason)
        uow.commit()
        return account


def force_password_reset(cmd: c.ForcePasswordReset, uow: UnitOfWork, deps: Dependencies) -> Account:
    with uow:
        account = uow.accounts.by_username(cmd.username, for_update=True)
        if not account.email:
            raise DomainError(
                f"l'utente {account.username} non ha un indirizzo e-mail: impossibile "
                "inviare il collegamento",
                code="no_email",
            )
        account.force_reset(deps.clock.now(), cmd.reason)
        uow.tokens.revoke_all(account.id)
        _send_link(uow, deps, account, "password_reset_requested", deps.access.reset_link_ttl)
        uow.commit()
        return account


def request_password_reset(
    cmd: c.RequestPasswordReset, uow: UnitOfWork, deps: Dependencies
) -> None:
    """Always the same answer; a link goes out only to an active account with an email."""
    with uow:
        account = uow.accounts.find_username(cmd.username.strip())
        if account is not None and account.can_log_in and account.email:
            account.record_reset_request(cmd.address)
            _send_link(uow, deps, account, "password_reset_requested", deps.access.reset_link_ttl)
        uow.commit()


def reset_password(cmd: c.ResetPassword, uow: UnitOfWork, deps: Dependencies) -> None:
    passwords = _passwords(deps)
    with uow:
        user_id = uow.password_resets.consume(cmd.token, deps.clock.now())
        if user_id is None:
            raise DomainError(
                "collegamento non valido, già usato o scaduto: chiederne uno nuovo",
                code="invalid_reset_link",
            )
        account = uow.accounts.get(user_id, for_update=True)
        if account.status is AccountStatus.DISABLED:
            raise DomainError("account disattivato", code="account_disabled")
        _set_password(account, cmd.new_password, passwords, deps, "scelta dal collegamento")
        uow.tokens.revoke_all(account.id)
        uow.login_throttle.clear(_throttle_keys(account.username, "")[0])
        uow.commit()


def enrol_online(cmd: c.EnrolOnline, uow: UnitOfWork, deps: Dependencies) -> Account:
    """The landlord's record and a pending account, in one transaction; nothing is visible
    to the new account until a fund manager confirms it."""
    passwords = _passwords(deps)
    now = deps.clock.now()
    with uow:
        # The fields first, in the order of the form; the privacy notice last.
        landlord = Landlord(
            kind=cmd.kind,
            name=cmd.name,
            tax_code=cmd.tax_code,
            iban=cmd.iban,
            email=cmd.email,
            phone=(cmd.phone or "").strip() or None,
            address=(cmd.postal_address or "").strip() or None,
            created_at=now,
        )
        if not cmd.privacy_accepted:
            raise InvalidField("privacy", "per iscriversi occorre accettare l'informativa privacy")
        if cmd.privacy_notice_version != deps.access.privacy_notice_version:
            raise InvalidField("privacy", "l'informativa è cambiata: ricaricare la pagina")
        if uow.accounts.find_username(cmd.username.strip()) is not None:
            raise InvalidField("username", "nome utente già in uso: sceglierne un altro")
        if uow.landlords.by_tax_code(landlord.tax_code) is not None:
            # Staff already hold this landlord: its account is opened by the fund.
            raise Conflict(
                "questo locatore è già registrato presso il Fondo: per l'accesso al portale "
                "contatti il Fondo"
            )
        account = Account(
            username=cmd.username,
            full_name=landlord.name,
            role=Role.LANDLORD,
            email=landlord.email,
            password_hash=UNUSABLE_PASSWORD,
            created_at=now,
            landlord_id=landlord.id,
            status=AccountStatus.PENDING,
        )
        _set_password(account, cmd.password, passwords, deps, "scelta all'iscrizione")
        account.accept_privacy_notice(cmd.privacy_notice_version, now)
        uow.landlords.add(landlord)
        uow.accounts.add(account)
        uow.commit()
        return account
