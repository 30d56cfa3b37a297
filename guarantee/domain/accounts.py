"""User accounts: who may log in, with which role, and the life of their credentials.

An account is created by a fund manager (or by a landlord's self-enrolment, waiting for a
fund manager's confirmation), may be disabled and enabled again, and may be forced to set a
new password. Passwords themselves never reach the domain: only an opaque hash from the
hasher port, and never into the audit trail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from guarantee.domain.actors import Actor, Role
from guarantee.domain.aggregate import Aggregate
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.domain.lifecycle import StateMachine


class AccountStatus(StrEnum):
    PENDING = "pending"  # a landlord's self-enrolment, not yet confirmed
    ACTIVE = "active"
    DISABLED = "disabled"


A = AccountStatus
ACCOUNT_LIFECYCLE: StateMachine[AccountStatus] = StateMachine(
    "account",
    {
        "confirm": ([A.PENDING], [A.ACTIVE]),
        "disable": ([A.PENDING, A.ACTIVE], [A.DISABLED]),
        "enable": ([A.DISABLED], [A.ACTIVE]),
    },
)

# NIST SP 800-63B §5.1.1.2: at least 8 characters (we ask 12 of a memorised secret that is
# the only factor), at least 64 allowed, every printable character and space accepted, and
# no password found in lists of common or breached ones.
MIN_PASSWORD_LENGTH = 12
# No hasher ever produces this: an account with it cannot log in until a reset.
UNUSABLE_PASSWORD = "!"
MAX_PASSWORD_LENGTH = 128


def check_new_password(
    password: str, *, username: str, full_name: str, is_common: Callable[[str], bool]
) -> None:
    """Refuse a password a person could be talked out of, naming the reason in Italian."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidField("password", f"almeno {MIN_PASSWORD_LENGTH} caratteri")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidField("password", f"al massimo {MAX_PASSWORD_LENGTH} caratteri")
    if "\x00" in password:
        raise InvalidField("password", "contiene un carattere non ammesso")
    lowered = password.lower()
    if len(set(lowered)) < 4:
        raise InvalidField("password", "troppo ripetitiva: usare almeno 4 caratteri diversi")
    names = [username.lower(), *(part.lower() for part in full_name.split() if len(part) >= 4)]
    if any(name and name in lowered for name in names):
        raise InvalidField("password", "non deve contenere il nome utente né il proprio nome")
    if is_common(lowered):
        raise InvalidField(
            "password", "è tra le password più comuni o già violate: sceglierne un'altra"
        )


class Account(Aggregate):
    entity_type = "account"

    def __init__(
        self,
        *,
        username: str,
        full_name: str,
        role: Role,
        email: str | None,
        password_hash: str,
        created_at: datetime,
        landlord_id: str | None = None,
        status: AccountStatus = A.ACTIVE,
        id: str | None = None,
    ) -> None:
        name = username.strip()
        if not name or len(name) > 80 or any(ch.isspace() for ch in name):
            raise InvalidField("username", "da 1 a 80 caratteri, senza spazi")
        if role is Role.SYSTEM or role is Role.ANONYMOUS:
            raise InvalidField("role", f"ruolo non assegnabile a un account: {role.value}")
        if role is Role.LANDLORD and landlord_id is None:
            raise InvalidField("landlord_id", "un utente locatore va collegato al suo locatore")
        if role is not Role.LANDLORD and landlord_id is not None:
            raise InvalidField("landlord_id", "solo un utente locatore è collegato a un locatore")
        if not full_name.strip():
            raise InvalidField("full_name", "campo obbligatorio")
        self.id = id or str(uuid.uuid4())
        self.username = name
        self.full_name = full_name.strip()
        self.role = role
        self.email = (email or "").strip() or None
        self.landlord_id = landlord_id
        self.password_hash = password_hash
        self.status = status
        self.active = status is A.ACTIVE
        self.created_at = created_at
        self.password_changed_at: datetime | None = created_at
        self.disabled_at: datetime | None = None
        self.last_login_at: datetime | None = None
        self.privacy_notice_version: str | None = None
        self.privacy_accepted_at: datetime | None = None
        self._record(
            "created",
            {},
            {
                "username": self.username,
                "role": role.value,
                "status": status.value,
                "landlord_id": landlord_id,
            },
        )

    def accept_privacy_notice(self, version: str, now: datetime) -> None:
        """The person read and accepted this version of the privacy notice, at this moment."""
        self.privacy_notice_version = version
        self.privacy_accepted_at = now
        self._record("privacy_notice_accepted", {}, {"version": version, "at": now.isoformat()})

    # -- lifecycle ---------------------------------------------------------------------------

    def confirm(self, now: datetime, reason: str | None = None) -> None:
        self._move("confirm", now, reason)

    def disable(self, now: datetime, reason: str) -> None:
        if not reason.strip():
            raise InvalidField("reason", "indicare perché l'account viene disattivato")
        self._move("disable", now, reason)
        self.disabled_at = now

    def enable(self, now: datetime, reason: str | None = None) -> None:
        self._move("enable", now, reason)
        self.disabled_at = None

    # -- credentials -------------------------------------------------------------------------

    def set_password(self, password_hash: str, now: datetime, *, reason: str) -> None:
        """A new password is in force; the hash itself never reaches the audit trail."""
        self.password_hash = password_hash
        self.password_changed_at = now
        self._record("password_changed", {}, {"at": now.isoformat()}, reason)
        self._emit("password_changed", username=self.username, email=self.email)

    def force_reset(self, now: datetime, reason: str) -> None:
        """A fund manager makes the user choose a new password: the old one stops working at
        once (the caller ends its sessions and sends the reset link)."""
        if not reason.strip():
            raise InvalidField("reason", "indicare perché si impone il cambio della password")
        self.password_hash = UNUSABLE_PASSWORD
        self._record("password_reset_forced", {}, {"at": now.isoformat()}, reason)

    def record_login(self, now: datetime, address: str) -> None:
        self.last_login_at = now
        self._record("login", {}, {"address": address})

    def record_failed_login(self, address: str, reason: str) -> None:
        self._record("login_failed", {}, {"address": address}, reason)

    def record_logout(self) -> None:
        self._record("logout", {}, {})

    def record_reset_request(self, address: str) -> None:
        self._record("password_reset_requested", {}, {"address": address})

    def link_issued(self, purpose: str, token: str) -> None:
        """A link to choose a password is due by mail: ``account_invited`` for a new account,
        ``password_reset_requested`` otherwise. The token travels to the mail job only."""
        if purpose not in {"account_invited", "password_reset_requested"}:
            raise ValueError(f"unknown link purpose: {purpose}")
        self._emit(purpose, username=self.username, email=self.email, token=token)

    # -- queries -----------------------------------------------------------------------------

    @property
    def can_log_in(self) -> bool:
        return self.status is A.ACTIVE

    def as_actor(self) -> Actor:
        return Actor(
            user_id=self.username,
            role=self.role,
            landlord_id=self.landlord_id,
            account_id=self.id,
        )

    def _move(self, action: str, now: datetime, reason: str | None) -> None:
        before = {"status": self.status.value}
        self.status = ACCOUNT_LIFECYCLE.target(self.status, action)
        self.active = self.status is A.ACTIVE
        self._record(action, before, {"status": self.status.value}, reason)


class LoginRefused(DomainError):
    """Wrong credentials, a disabled account or a lock: one message, whichever it was."""

    def __init__(self, retry_after_seconds: int | None = None) -> None:
        super().__init__("credenziali non valide", code="login_refused")
        self.retry_after_seconds = retry_after_seconds
