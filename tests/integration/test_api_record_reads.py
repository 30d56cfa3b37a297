"""Staff reading a person's record through the JSON API leave the same audit row as on the
back-office pages; a record not found, or a landlord reading its own, leave none."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from tests.support import builders
from tests.support.http import api_client, login_as

A = tables.audit_events.c


def _last_seq(system: System) -> int:
    with system.engine.connect() as conn:
        return int(conn.scalar(select(A.seq).order_by(A.seq.desc()).limit(1)) or 0)


def _reads_since(system: System, seq: int) -> list[tuple[Any, ...]]:
    with system.engine.connect() as conn:
        rows = conn.execute(
            select(A.actor_id, A.actor_role, A.entity_id, A.action, A.after)
            .where(A.seq > seq, A.entity_type == "record_read")
            .order_by(A.seq)
        ).all()
    return [tuple(r) for r in rows]


def test_staff_api_reads_of_a_person_are_in_the_audit_trail(system: System) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    guarantee = builders.issued_guarantee(system, fund.id)
    household, landlord = guarantee.household_id, guarantee.landlord_id
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER, username="gestore-api")
        auditor = login_as(client, system, Role.AUDITOR, username="revisore-api")
        before = _last_seq(system)
        read = client.get(f"/api/v1/households/{household}", headers=manager)
        assert read.status_code == 200, read.text
        assert client.get(f"/api/v1/landlords/{landlord}", headers=auditor).status_code == 200
        assert _reads_since(system, before) == [
            (
                "gestore-api",
                "fund_manager",
                household,
                "read_household",
                {"subject": "household", "via": "api"},
            ),
            (
                "revisore-api",
                "auditor",
                landlord,
                "read_landlord",
                {"subject": "landlord", "via": "api"},
            ),
        ]


def test_no_read_is_recorded_for_a_404_or_a_landlord_reading_its_own_record(
    system: System,
) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    guarantee = builders.issued_guarantee(system, fund.id)
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER, username="gestore-api")
        owner = login_as(
            client, system, Role.LANDLORD, landlord_id=guarantee.landlord_id, username="rossi"
        )
        before = _last_seq(system)
        assert client.get("/api/v1/households/non-esiste", headers=manager).status_code == 404
        assert client.get("/api/v1/landlords/non-esiste", headers=manager).status_code == 404
        own = client.get(f"/api/v1/landlords/{guarantee.landlord_id}", headers=owner)
        assert own.status_code == 200, own.text
        # The household of its guarantee is not the landlord's to read: not found, no trace.
        household = f"/api/v1/households/{guarantee.household_id}"
        assert client.get(household, headers=owner).status_code == 404
        assert _reads_since(system, before) == []
