"""Reads of a person's record, written to the audit trail like changes (SPEC §8: staff
reading personal data leave a trace). One use case for every page that opens a record."""

from __future__ import annotations

from guarantee.domain.audit import AuditEvent
from guarantee.domain.errors import InvalidField
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.unit_of_work import UnitOfWork

# Kept apart from the record's own history (its changes): a read is not a change to it.
READ_ENTITY = "record_read"
SUBJECTS = frozenset({"landlord", "household"})


def record_personal_data_read(
    cmd: c.RecordPersonalDataRead, uow: UnitOfWork, deps: Dependencies
) -> None:
    if cmd.subject not in SUBJECTS:
        raise InvalidField("subject", "si registra la lettura di un locatore o di un nucleo")
    with uow:
        uow.audit.append(
            [
                AuditEvent(
                    occurred_at=deps.clock.now(),
                    actor_id=uow.actor.user_id,
                    actor_role=uow.actor.role.value,
                    actor_account_id=uow.actor.account_id,
                    entity_type=READ_ENTITY,
                    entity_id=cmd.subject_id,
                    action=f"read_{cmd.subject}",
                    before={},
                    after={"subject": cmd.subject, "via": cmd.via[:100]},
                )
            ]
        )
        uow.commit()
