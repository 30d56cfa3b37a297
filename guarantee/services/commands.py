"""Commands: what a user asks the system to do. Entrypoints build them; handlers carry them out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from guarantee.domain.actors import Role
from guarantee.domain.cover import ItemKind
from guarantee.domain.households import ContactChannel, ReferralSource
from guarantee.domain.landlords import LandlordKind
from guarantee.domain.mediation import MediationOutcome
from guarantee.domain.receipts import ReceiptChannel


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
class ChangeLandlordIban(Command):
    """Re-validated; confirmed to the landlord's email and previous email; payments to it
    need a second fund manager for the product's hold days."""

    landlord_id: str
    iban: str
    reason: str


@dataclass(frozen=True)
class ChangeLandlordContacts(Command):
    landlord_id: str
    email: str
    reason: str
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class ChangeLegalRepresentative(Command):
    landlord_id: str
    full_name: str
    tax_code: str
    reason: str


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
class ContactsData:
    postal_address: str | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: ContactChannel = ContactChannel.POST


@dataclass(frozen=True)
class LeaseData:
    lease_type: str  # a code of rules/reference/lease-types.csv
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
    contacts: ContactsData | None = None
    # Facts the applicant declares that no record holds (employment status, ...): the
    # fact catalogue (rules/facts.yaml, source "declared") says which and checks them.
    facts: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class IssueAttestation(Command):
    """A household without a lease yet: the rules that need only its facts are judged and,
    if it is eligible, it gets an attestation of the highest rent it can take on."""

    members: tuple[MemberData, ...]
    isee: Decimal
    net_monthly_income: Decimal
    referral_source: ReferralSource
    referrer: str | None = None
    contacts: ContactsData | None = None
    product_code: str = "garanzia-casa"
    # Facts the household declares (rules/facts.yaml, source "declared"), kept with the
    # attestation's judgement and carried into the application made from it.
    facts: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ApplyWithAttestation(Command):
    """A landlord offers a lease: the attestation becomes an application (once). ``facts``
    declared now take the place of the attestation's own."""

    number: str
    property_id: str
    lease: LeaseData
    declared_relatives: bool = False
    facts: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class WithdrawAttestation(Command):
    number: str
    reason: str


# -- a household kept current after the application (help desk that refers it, fund) ----


@dataclass(frozen=True)
class ChangeHouseholdIncome(Command):
    household_id: str
    net_monthly_income: Decimal
    valid_from: date
    document: str
    reason: str


@dataclass(frozen=True)
class ChangeHouseholdMembers(Command):
    household_id: str
    members: tuple[MemberData, ...]
    reason: str


@dataclass(frozen=True)
class ChangeHouseholdContacts(Command):
    household_id: str
    contacts: ContactsData
    reason: str


@dataclass(frozen=True)
class RecordPersonalDataRead(Command):
    """A member of staff opened a person's record (a landlord's or a household's): who
    read whose data, when and from where goes into the audit trail, like a change."""

    subject: str  # "landlord" or "household"
    subject_id: str
    via: str  # where it was opened from, in words ("ricerca", "scheda")


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
class ResumeGuarantee(GuaranteeCommand):
    """A suspended guarantee back in force (no claim has money pending on it)."""


@dataclass(frozen=True)
class ExhaustGuarantee(GuaranteeCommand):
    """A fund manager ends a guarantee whose cover is spent (no claim has money pending)."""


@dataclass(frozen=True)
class RenewalLeaseData:
    """The lease terms of the renewed tenancy (its start does not move); type and due day
    stay as they were unless given."""

    end: date
    monthly_rent: Decimal
    monthly_charges: Decimal
    registered: bool = True
    registration_reference: str | None = None
    lease_type: str | None = None  # a code of rules/reference/lease-types.csv
    rent_due_day: int | None = None


@dataclass(frozen=True)
class RenewGuarantee(GuaranteeCommand):
    """The next term of a live guarantee, asked before its end by its landlord or the fund.
    ``reason`` is the fund manager's when it accepts rules that ask for a review."""

    lease: RenewalLeaseData | None = None
    declared_relatives: bool = False
    # Facts declared again for the new term; the others are those last declared.
    facts: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ExpireDueGuarantees(Command):
    """The daily job: expire every live guarantee past its end date."""


@dataclass(frozen=True)
class CreateFund(Command):
    name: str
    territory: str
    scheme: str = "garanzia-casa"


@dataclass(frozen=True)
class RecordContribution(Command):
    fund_id: str
    amount: Decimal
    donor: str
    on: date
    reference: str


# -- when things go wrong: arrears, mediation, claims, recovery --------------------------------


@dataclass(frozen=True)
class UnpaidRentData:
    due_on: date
    rent: Decimal
    charges: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class ReceiptData:
    """How a report or claim sent by post, PEC or at the desk reached the fund (staff only;
    a landlord filing online is received on the day of filing)."""

    received_on: date
    channel: ReceiptChannel
    reference: str | None = None


@dataclass(frozen=True)
class ReportArrears(Command):
    """The landlord reports unpaid rents; a mediation case opens in the same transaction."""

    guarantee_number: str
    rents: tuple[UnpaidRentData, ...]
    notes: str = ""
    received: ReceiptData | None = None


@dataclass(frozen=True)
class AssignMediationCase(Command):
    """To a named mediator (a user id), or by workload when ``mediator_id`` is None."""

    number: str
    mediator_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class RecordFirstContact(Command):
    number: str
    on: date
    note: str = ""


@dataclass(frozen=True)
class ScheduleMeeting(Command):
    number: str
    on: date
    at: time
    place: str
    participants: str
    notes: str = ""


@dataclass(frozen=True)
class RecordMeetingHeld(Command):
    """After a meeting: who came, and the minutes if any."""

    number: str
    meeting_id: str
    attended: str
    notes: str = ""


@dataclass(frozen=True)
class AddCaseNote(Command):
    number: str
    text: str


@dataclass(frozen=True)
class RepaymentTermsData:
    total: Decimal
    instalments: int
    first_due_on: date


@dataclass(frozen=True)
class RecordMediationOutcome(Command):
    """``outcome``: agreement (optionally with repayment terms), no_agreement or withdrawn."""

    number: str
    outcome: MediationOutcome
    on: date
    reason: str
    repayment: RepaymentTermsData | None = None


@dataclass(frozen=True)
class RecordAgreementInstalment(Command):
    number: str
    instalment_id: str
    paid: bool
    on: date | None = None
    reason: str | None = None


@dataclass(frozen=True)
class CloseMediationCase(Command):
    number: str
    reason: str | None = None


@dataclass(frozen=True)
class ClaimItemData:
    kind: ItemKind
    loss_on: date
    claimed: Decimal
    description: str = ""


@dataclass(frozen=True)
class EvidenceUpload:
    file_name: str
    media_type: str
    content: bytes
    description: str = ""


@dataclass(frozen=True)
class FileClaim(Command):
    guarantee_number: str
    items: tuple[ClaimItemData, ...]
    evidence: tuple[EvidenceUpload, ...] = ()
    received: ReceiptData | None = None


@dataclass(frozen=True)
class AddClaimEvidence(Command):
    number: str
    file: EvidenceUpload


@dataclass(frozen=True)
class StartClaimReview(Command):
    number: str


@dataclass(frozen=True)
class ItemDecisionData:
    item_id: str
    approved: Decimal
    reason: str | None = None


@dataclass(frozen=True)
class DecideClaim(Command):
    number: str
    decisions: tuple[ItemDecisionData, ...]
    note: str | None = None


@dataclass(frozen=True)
class SuggestClaimDecision(Command):
    """What the fund could pay on each item of a claim now (reads only)."""

    number: str


@dataclass(frozen=True)
class PayClaim(Command):
    """Pay an approved claim to the landlord's IBAN, once: a repeated ``idempotency_key``
    (same actor, same request) returns the first result and pays nothing more."""

    number: str
    idempotency_key: str
    payment_reference: str | None = None
    on: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class ProposeClaimPayment(Command):
    """First pair of eyes on a payment above the product's threshold; nothing moves yet."""

    number: str
    payment_reference: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class RefuseClaimPayment(Command):
    """The second fund manager turns a proposed payment down, with a reason."""

    number: str
    reason: str


@dataclass(frozen=True)
class RevokeClaimDecision(Command):
    """An unpaid decision is revoked (its commitment released), to be decided again."""

    number: str
    reason: str


@dataclass(frozen=True)
class WithdrawClaim(Command):
    """The landlord withdraws a claim that has not been paid."""

    number: str
    reason: str


@dataclass(frozen=True)
class CreateRecoveryPlan(Command):
    claim_number: str
    first_due_on: date
    instalments: int | None = None


@dataclass(frozen=True)
class ReplanRecovery(Command):
    """After the household's income changed: the plan is closed as it stands and a new one
    asks what is still owed at the product's share of the new income."""

    number: str
    first_due_on: date
    reason: str
    instalments: int | None = None


@dataclass(frozen=True)
class RecordRecoveryInstalment(Command):
    number: str
    instalment_id: str
    paid: bool
    on: date | None = None
    reason: str | None = None


@dataclass(frozen=True)
class WriteOffRecoveryPlan(Command):
    """Write off what the plan will not bring back: only the proposed part (what the
    instalments could not reach), or everything still owed, ending the plan."""

    number: str
    reason: str
    proposed_only: bool = False


# -- accounts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login(Command):
    """Credentials for a bearer token (``kind="api"``) or a page session (``"session"``)."""

    username: str
    password: str
    address: str
    kind: str = "api"


@dataclass(frozen=True)
class Logout(Command):
    token: str


@dataclass(frozen=True)
class ChangePassword(Command):
    """The logged-in user changes its own password (every other session ends)."""

    current_password: str
    new_password: str


@dataclass(frozen=True)
class CreateAccount(Command):
    """A fund manager opens an account; the person sets the password from the emailed link.
    ``password`` only from the server's command line (the system actor)."""

    username: str
    full_name: str
    role: Role
    email: str | None = None
    landlord_id: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class DisableAccount(Command):
    username: str
    reason: str


@dataclass(frozen=True)
class EnableAccount(Command):
    username: str
    reason: str | None = None


@dataclass(frozen=True)
class ForcePasswordReset(Command):
    """The old password stops working at once; a reset link goes to the account's email."""

    username: str
    reason: str


@dataclass(frozen=True)
class RequestPasswordReset(Command):
    """Anyone may ask; the answer never says whether the account exists."""

    username: str
    address: str


@dataclass(frozen=True)
class ResetPassword(Command):
    token: str
    new_password: str


@dataclass(frozen=True)
class EnrolOnline(Command):
    """A landlord enrols itself: its record and an account that waits for a fund manager's
    confirmation (``EnableAccount``) before it sees anything."""

    kind: LandlordKind
    name: str
    tax_code: str
    iban: str
    email: str
    username: str
    password: str
    privacy_notice_version: str
    privacy_accepted: bool
    phone: str | None = None
    postal_address: str | None = None


@dataclass(frozen=True)
class MarkPrintBatchPosted(Command):
    """Staff posted the day's print batch (the letters for households without e-mail)."""

    batch_id: str
