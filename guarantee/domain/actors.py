"""Who acts: every use case receives an Actor, so the audit trail and access rules know."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    FUND_MANAGER = "fund_manager"
    MEDIATOR = "mediator"
    OPERATOR = "operator"
    LANDLORD = "landlord"
    AUDITOR = "auditor"
    SYSTEM = "system"
    # Nobody logged in yet: may only log in, ask for a password reset, or enrol.
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: Role
    # A landlord sees only its own guarantees; an operator only its own referrals.
    landlord_id: str | None = None
    # The account's stable id (users.id). ``user_id`` is the username people read; two acts
    # are "the same person" (four eyes) when their accounts are the same, whatever the name.
    account_id: str | None = None

    @property
    def identity(self) -> str:
        """Who this is, for comparisons: the account where there is one, else the name."""
        return self.account_id or f"name:{self.user_id}"

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(user_id=name, role=Role.SYSTEM)

    @classmethod
    def anonymous(cls, address: str) -> Actor:
        """Someone not logged in, known only by the address the request came from."""
        return cls(user_id=f"anonimo@{address}"[:100], role=Role.ANONYMOUS)

    def __str__(self) -> str:
        return f"{self.user_id} ({self.role.value})"
