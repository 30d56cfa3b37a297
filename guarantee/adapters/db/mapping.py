"""Imperative mapping: the domain classes stay plain Python; SQLAlchemy learns them here."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import composite, registry, relationship

from guarantee.adapters.db import tables
from guarantee.domain.accounts import Account
from guarantee.domain.arrears import ArrearsReport, UnpaidRent
from guarantee.domain.attestations import Attestation
from guarantee.domain.claim_items import ClaimItem
from guarantee.domain.claims import Claim
from guarantee.domain.evidence import EvidenceFile
from guarantee.domain.funds import Fund
from guarantee.domain.guarantees import Guarantee, GuaranteeTerm
from guarantee.domain.households import Household, Member
from guarantee.domain.landlords import Landlord, Property
from guarantee.domain.leases import Lease
from guarantee.domain.mediation import AgreementInstalment, CaseNote, MediationCase, Meeting
from guarantee.domain.print_batches import PrintBatch
from guarantee.domain.recovery import RecoveryInstalment, RecoveryPlan

mapper_registry = registry(metadata=tables.metadata)
_started = False


def start_mappers() -> None:
    """Idempotent: the web app, workers, CLI and tests may each call it."""
    global _started
    if _started:
        return
    _started = True
    mapper_registry.map_imperatively(Landlord, tables.landlords)
    mapper_registry.map_imperatively(PrintBatch, tables.print_batches)
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
    mapper_registry.map_imperatively(GuaranteeTerm, tables.guarantee_terms)
    mapper_registry.map_imperatively(
        Attestation, tables.attestations, version_id_col=tables.attestations.c.version
    )
    mapper_registry.map_imperatively(
        Guarantee,
        tables.guarantees,
        properties={
            # Past terms are read only when renewing or showing the history: loaded on access.
            "terms": relationship(
                GuaranteeTerm,
                cascade="all, delete-orphan",
                order_by=tables.guarantee_terms.c.term,
                lazy="select",
            ),
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
    mapper_registry.map_imperatively(Account, tables.users)
    _map_claims()


def _children(cls: type, order_by: Any) -> Any:
    return relationship(cls, cascade="all, delete-orphan", order_by=order_by, lazy="selectin")


def _map_claims() -> None:
    """Arrears reports, mediation cases, claims and recovery plans, each with its children."""
    t = tables
    mapper_registry.map_imperatively(UnpaidRent, t.unpaid_rents)
    mapper_registry.map_imperatively(
        ArrearsReport,
        t.arrears_reports,
        properties={"rents": _children(UnpaidRent, t.unpaid_rents.c.due_on)},
    )
    mapper_registry.map_imperatively(Meeting, t.mediation_meetings)
    mapper_registry.map_imperatively(CaseNote, t.mediation_notes)
    mapper_registry.map_imperatively(AgreementInstalment, t.agreement_instalments)
    mapper_registry.map_imperatively(
        MediationCase,
        t.mediation_cases,
        properties={
            "meetings": _children(
                Meeting, [t.mediation_meetings.c.scheduled_at, t.mediation_meetings.c.id]
            ),
            "notes": _children(CaseNote, [t.mediation_notes.c.written_at, t.mediation_notes.c.id]),
            "instalments": _children(AgreementInstalment, t.agreement_instalments.c.number),
        },
        version_id_col=t.mediation_cases.c.version,
    )
    mapper_registry.map_imperatively(ClaimItem, t.claim_items)
    mapper_registry.map_imperatively(EvidenceFile, t.claim_evidence)
    mapper_registry.map_imperatively(
        Claim,
        t.claims,
        properties={
            # ItemKind values sort as the domain orders kinds (arrears, charges, damages, legal)
            "items": _children(ClaimItem, [t.claim_items.c.loss_on, t.claim_items.c.kind]),
            "evidence": _children(
                EvidenceFile, [t.claim_evidence.c.uploaded_at, t.claim_evidence.c.file_name]
            ),
            # The proposal is a value of five columns, empty when there is none (a composite
            # would give an object of five Nones): the domain rebuilds it from these.
            "_proposed_by": t.claims.c.payment_proposed_by,
            "_proposed_by_account": t.claims.c.payment_proposed_by_account,
            "_proposed_at": t.claims.c.payment_proposed_at,
            "_proposal_reference": t.claims.c.payment_proposal_reference,
            "_proposal_note": t.claims.c.payment_proposal_note,
            "_proposal_iban": t.claims.c.payment_proposal_iban,
        },
        version_id_col=t.claims.c.version,
    )
    mapper_registry.map_imperatively(RecoveryInstalment, t.recovery_instalments)
    mapper_registry.map_imperatively(
        RecoveryPlan,
        t.recovery_plans,
        properties={"instalments": _children(RecoveryInstalment, t.recovery_instalments.c.number)},
        version_id_col=t.recovery_plans.c.version,
    )
