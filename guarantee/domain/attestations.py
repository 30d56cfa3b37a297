"""The eligibility attestation (attestazione di ammissibilità): before a lease exists, a
household found eligible on its own facts gets a document it shows landlords, stating the
highest rent plus charges it can take on and until when. Anyone checks it at /verify/{code};
the help desk turns it into an application once a landlord offers a lease (it is then
used, once), and the fund may withdraw it.

    issued ──use──▶ used
       └──withdraw──▶ withdrawn

Expiry is not a state: an attestation is expired on the days after ``valid_until``, which
every use checks, so no job has to run for it to stop working.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from guarantee.domain.aggregate import Aggregate
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.domain.formats import amount_it, with_article
from guarantee.domain.lifecycle import StateMachine


class AttestationStatus(StrEnum):
    ISSUED = "issued"
    USED = "used"
    WITHDRAWN = "withdrawn"


A = AttestationStatus
LIFECYCLE: StateMachine[AttestationStatus] = StateMachine(
    "attestazione",
    {
        "use": ([A.ISSUED], [A.USED]),
        "withdraw": ([A.ISSUED], [A.WITHDRAWN]),
    },
)


class Attestation(Aggregate):
    entity_type = "attestation"

    def __init__(
        self,
        *,
        number: str,
        code: str,
        household_id: str,
        maximum_rent: Decimal,
        issued_on: date,
        valid_until: date,
        product_code: str,
        product_version: str,
        ruleset_version: str,
        eligibility: dict[str, Any],
        created_at: datetime,
        created_by: str,
        id: str | None = None,
    ) -> None:
        if valid_until < issued_on:
            raise InvalidField("valid_until", "la validità non può finire prima dell'emissione")
        self.id = id or str(uuid.uuid4())
        self.number = number
        self.code = code
        self.status = A.ISSUED
        self.household_id = household_id
        self.maximum_rent = maximum_rent
        self.issued_on = issued_on
        self.valid_until = valid_until
        self.product_code = product_code
        self.product_version = product_version
        self.ruleset_version = ruleset_version
        self.eligibility = eligibility
        self.guarantee_id: str | None = None
        self.used_at: datetime | None = None
        self.withdrawn_at: datetime | None = None
        self.withdrawal_reason: str | None = None
        self.created_at = created_at
        self.created_by = created_by
        self.updated_at = created_at
        self._record(
            "issue",
            {},
            {
                "status": self.status.value,
                "number": number,
                "maximum_rent": str(maximum_rent),
                "valid_until": valid_until.isoformat(),
                "ruleset": ruleset_version,
            },
        )
        self._emit("attestation_issued", number=number)

    def is_valid_on(self, day: date) -> bool:
        return self.status is A.ISSUED and self.issued_on <= day <= self.valid_until

    def check_usable(self, today: date) -> None:
        """Refuse (409) an attestation used, withdrawn or expired."""
        LIFECYCLE.check(self.status, "use")
        if today > self.valid_until:
            raise DomainError(
                f"l'attestazione {self.number} è scaduta {with_article(self.valid_until, 'il')}: "
                "non può essere usata",
                code="attestation_expired",
            )

    def use(
        self, *, guarantee_id: str, application_number: str, today: date, now: datetime
    ) -> None:
        """The household found a lease: the attestation becomes that application, once."""
        self.check_usable(today)
        self._move("use", now, extra={"application": application_number})
        self.guarantee_id = guarantee_id
        self.used_at = now

    def withdraw(self, now: datetime, reason: str) -> None:
        if not reason.strip():
            raise InvalidField("reason", "la revoca dell'attestazione richiede una motivazione")
        self._move("withdraw", now, reason=reason.strip())
        self.withdrawn_at = now
        self.withdrawal_reason = reason.strip()
        self._emit("attestation_withdrawn", number=self.number, reason=reason.strip())

    def describe_limit(self) -> str:
        return f"{amount_it(self.maximum_rent)} € al mese tra canone e spese"

    @property
    def allowed_actions(self) -> list[str]:
        return LIFECYCLE.allowed_actions(self.status)

    def _move(
        self,
        action: str,
        now: datetime,
        *,
        reason: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        new_status = LIFECYCLE.target(self.status, action)
        before = {"status": self.status.value}
        self.status = new_status
        self.updated_at = now
        self._record(action, before, {"status": new_status.value, **(extra or {})}, reason)
