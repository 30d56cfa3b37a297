"""Imperative mapping: the domain classes stay plain Python; SQLAlchemy learns them here."""

from __future__ import annotations

from sqlalchemy.orm import composite, registry, relationship

from guarantee.adapters.db import tables
from guarantee.domain.funds import Fund
from guarantee.domain.guarantees import Guarantee
from guarantee.domain.households import Household, Member
from guarantee.domain.landlords import Landlord, Property
from guarantee.domain.leases import Lease

mapper_registry = registry(metadata=tables.metadata)
_started = False


def start_mappers() -> None:
    """Idempotent: the web app, workers, CLI and tests may each call it."""
    global _started
    if _started:
        return
    _started = True
    mapper_registry.map_imperatively(Landlord, tables.landlords)
    mapper_registry.map_imperatively(Property, tables.properties)
    mapper_registry.map_imperatively(Member, tables.household_members)
    mapper_registry.map_imperatively(
        Household,
        tables.households,
        properties={
            "members": relationship(
                Member,
                cascade="all, delete-orphan",
                order_by=tables.household_members.c.is_main_tenant.desc(),
                lazy="selectin",
            )
        },
    )
    g = tables.guarantees.c
    mapper_registry.map_imperatively(
        Guarantee,
        tables.guarantees,
        properties={
            "lease": composite(
                Lease,
                g.lease_type,
                g.lease_start,
                g.lease_end,
                g.monthly_rent,
                g.monthly_charges,
                g.lease_registered,
                g.registration_reference,
                g.rent_due_day,
            ),
        },
        # Optimistic locking: two writers of one guarantee cannot both win.
        version_id_col=g.version,
    )
    mapper_registry.map_imperatively(Fund, tables.funds, version_id_col=tables.funds.c.version)
