"""Domain-only builders for arrears, mediation, claims and recovery (no database, no app).

The guarantee is the one of EXAMPLES §D: GC-2027-000001, lease from 2027-01-01 for
three years, rent 650,00 € + charges 80,00 € due on the 5th, product Garanzia Casa v1.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

from guarantee.domain.arrears import ArrearsReport, UnpaidRent
from guarantee.domain.calendar import ClosingDay, WorkingCalendar
from guarantee.domain.claim_decisions import suggest_decision
from guarantee.domain.claims import Claim, ClaimItem
from guarantee.domain.cover import CoverState, ItemKind
from guarantee.domain.evidence import EvidenceFile
from guarantee.domain.guarantee_facts import GuaranteeFacts
from guarantee.domain.mediation import MediationCase
from guarantee.domain.products import Product
from tests.support.products import product

PATRON_SAINT = ClosingDay(month=7, day=7, description="San Savino, patrono di Ivrea")
OFFICE = WorkingCalendar([PATRON_SAINT])
IBAN = "IT60X0542811101000000123456"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


GARANZIA_CASA = product()

GUARANTEE = GuaranteeFacts(
    guarantee_id="g-1",
    number="GC-2027-000001",
    product_code="garanzia-casa",
    product_version="1",
    lease_start=date(2027, 1, 1),
    lease_end=date(2029, 12, 31),
    monthly_rent=Decimal("650.00"),
    monthly_charges=Decimal("80.00"),
    rent_due_day=5,
    starts_on=date(2027, 1, 1),
    ends_on=date(2029, 12, 31),
)


def facts(**changes: object) -> GuaranteeFacts:
    return dataclasses.replace(GUARANTEE, **changes)  # type: ignore[arg-type]


def month(due_on: date) -> UnpaidRent:
    """One whole month unpaid: 650,00 € rent + 80,00 € charges."""
    return UnpaidRent(due_on=due_on, rent=Decimal("650.00"), charges=Decimal("80.00"))


def report(
    *due_dates: date,
    reported_on: date,
    guarantee: GuaranteeFacts = GUARANTEE,
    plan: Product = GARANZIA_CASA,
) -> ArrearsReport:
    return ArrearsReport(
        guarantee=guarantee,
        product=plan,
        rents=[month(d) for d in due_dates],
        reported_on=reported_on,
        reported_at=at(reported_on),
        reported_by="locatore-1",
    )


def mediation_without_agreement(arrears: ArrearsReport, on: date) -> MediationCase:
    """EXAMPLES §D step 2: the case an arrears report opened, closed without agreement."""
    case = MediationCase.for_arrears(arrears, OFFICE, now=at(arrears.reported_on), by="system")
    case.assign("med-anna", now=at(arrears.reported_on))
    case.record_first_contact(arrears.reported_on, now=at(arrears.reported_on), by="med-anna")
    case.record_no_agreement(on=on, reason="nessuna proposta sostenibile", now=at(on))
    case.close(now=at(on))
    return case


def evidence(name: str = "verbale-riconsegna.pdf", **changes: object) -> EvidenceFile:
    values: dict[str, object] = {
        "file_name": name,
        "media_type": "application/pdf",
        "size_bytes": 245_000,
        "sha256": hashlib.sha256(name.encode()).hexdigest(),
        "uploaded_at": datetime(2027, 7, 20, 9, tzinfo=UTC),
        "uploaded_by": "locatore-1",
    }
    values.update(changes)
    return EvidenceFile(**values)  # type: ignore[arg-type]


def examples_d_paid_claim() -> Claim:
    """EXAMPLES §D steps 1–5 through the domain: reported, mediated, claimed, decided, paid."""
    arrears = report(date(2027, 5, 5), date(2027, 6, 5), reported_on=date(2027, 6, 21))
    case = mediation_without_agreement(arrears, date(2027, 7, 15))
    claim = Claim(
        guarantee=GUARANTEE,
        product=GARANZIA_CASA,
        items=[
            *(
                ClaimItem(ItemKind.ARREARS, due_on, Decimal("730.00"))
                for due_on in (date(2027, 5, 5), date(2027, 6, 5), date(2027, 7, 5))
            ),
            ClaimItem(ItemKind.LEGAL_COSTS, date(2027, 7, 16), Decimal("2400.00")),
        ],
        filed_on=date(2027, 7, 20),
        filed_at=at(date(2027, 7, 20)),
        filed_by="locatore-1",
        arrears_report=arrears,
    )
    claim.start_review(now=at(date(2027, 7, 21)))
    cover = CoverState.of(GARANZIA_CASA, GUARANTEE.monthly_rent)
    claim.decide(
        suggest_decision(claim, cover, arrears_payable=True),
        cover=cover,
        product=GARANZIA_CASA,
        mediation_cases=[case],
        now=at(date(2027, 7, 28)),
        by="gestore",
    )
    pay_with_four_eyes(claim, "CRO 0000123456", at(date(2027, 7, 30)))
    return claim


def pay_with_four_eyes(claim: Claim, reference: str, when: datetime) -> Decimal:
    """Above the product's threshold: one fund manager proposes, another authorises."""
    threshold = GARANZIA_CASA.four_eyes_threshold
    if claim.payment_proposal is None and claim.approved_total > threshold:
        claim.propose_payment(threshold=threshold, by="gestore", account="acc-gestore", now=when)
    return claim.mark_paid(
        reference, IBAN, when, threshold=threshold, by="gestore-due", account="acc-gestore-due"
    )
