"""Commands: what a user asks the system to do. Entrypoints build them; handlers carry them out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from guarantee.domain.households import ReferralSource
from guarantee.domain.landlords import LandlordKind
from guarantee.domain.leases import LeaseType


@dataclass(frozen=True)
class Command:
    pass


@dataclass(frozen=True)
class EnrolLandlord(Command):
    kind: LandlordKind
    name: str
    tax_code: str
    iban: str
    email: str
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class AddProperty(Command):
    landlord_id: str
    address: str
    municipality_istat_code: str
    cadastral_reference: str
    floor_area_m2: int


@dataclass(frozen=True)
class MemberData:
    full_name: str
    tax_code: str
    birth_date: date | None = None
    is_main_tenant: bool = False


@dataclass(frozen=True)
class LeaseData:
    lease_type: LeaseType
    start: date
    end: date
    monthly_rent: Decimal
    monthly_charges: Decimal
    registered: bool
    registration_reference: str | None = None
    rent_due_day: int = 5


@dataclass(frozen=True)
class SubmitApplication(Command):
    """An application (domanda): household, dwelling and lease; evaluated on submission."""

    property_id: str
    members: tuple[MemberData, ...]
    isee: Decimal
    net_monthly_income: Decimal
    referral_source: ReferralSource
    lease: LeaseData
    declared_relatives: bool = False
    referrer: str | None = None
    product_code: str = "garanzia-casa"
    submit: bool = True


@dataclass(frozen=True)
class GuaranteeCommand(Command):
    """A lifecycle action on one guarantee, by its guarantee or application number."""

    number: str
    reason: str | None = None


@dataclass(frozen=True)
class ApproveApplication(GuaranteeCommand):
    pass


@dataclass(frozen=True)
class RefuseApplication(GuaranteeCommand):
    pass


@dataclass(frozen=True)
class IssueGuarantee(GuaranteeCommand):
    fund_id: str | None = None


@dataclass(frozen=True)
class ActivateGuarantee(GuaranteeCommand):
    pass


@dataclass(frozen=True)
class CancelGuarantee(GuaranteeCommand):
    pass


@dataclass(frozen=True)
class TerminateGuarantee(GuaranteeCommand):
    pass


@dataclass(frozen=True)
class ExpireGuarantee(GuaranteeCommand):
    pass


@dataclass(frozen=True)
class ExpireDueGuarantees(Command):
    """The daily job: expire every live guarantee past its end date."""


@dataclass(frozen=True)
class CreateFund(Command):
    name: str
    territory: str


@dataclass(frozen=True)
class RecordContribution(Command):
    fund_id: str
    amount: Decimal
    donor: str
    on: date
    reference: str


# -- the fund's books after a claim (called by the claims and recovery code) ------------------


@dataclass(frozen=True)
class RecordClaimPayment(Command):
    """Money paid to the landlord on a guarantee; its reserve follows what is still at risk."""

    number: str
    amount: Decimal
    reference: str | None = None
    on: date | None = None


@dataclass(frozen=True)
class RecordRecovery(Command):
    """Money back from the tenant on a guarantee (rivalsa): an instalment of a plan, or more."""

    number: str
    amount: Decimal
    reference: str
    on: date | None = None


@dataclass(frozen=True)
class WriteOffRecovery(Command):
    """Give up (stralcio) part of what the tenant still owes on a guarantee, with a reason."""

    number: str
    amount: Decimal
    reason: str
    on: date | None = None
