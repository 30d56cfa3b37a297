"""Request and response bodies of the JSON API (pydantic v2)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Generic, Protocol, TypeVar
from urllib.parse import urlencode

from litestar.connection import ASGIConnection
from litestar.params import Parameter
from pydantic import (
    Base64Bytes,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

from guarantee.domain.cover import ItemKind
from guarantee.domain.households import ContactChannel, ReferralSource
from guarantee.domain.landlords import LandlordKind
from guarantee.domain.mediation import MediationOutcome
from guarantee.domain.money import money
from guarantee.domain.receipts import ReceiptChannel

T = TypeVar("T")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


def _exact_numbers(value: object) -> object:
    # JSON numbers arrive as floats; the catalogue wants exact decimals (1234.56, not binary).
    if isinstance(value, dict):
        return {
            key: Decimal(repr(item)) if isinstance(item, float) else item
            for key, item in value.items()
        }
    return value


DeclaredFacts = Annotated[
    dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")], Any],
    BeforeValidator(_exact_numbers),
    Field(
        max_length=50,
        description="altri dati del catalogo (rules/facts.yaml) per nome: date come "
        "AAAA-MM-GG, importi come numeri",
    ),
]
# Money arrives as a JSON number or string and is kept as Decimal (never float).
Amount = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]
PositiveAmount = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
NonNegativeAmount = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
# Money goes out as a string with two decimals, always ("0.00", "1350.00"), whatever the
# exponent the database or the arithmetic left on the Decimal.
MONEY_PATTERN = r"^-?\d+\.\d{2}$"
Money = Annotated[
    Decimal,
    PlainSerializer(lambda amount: f"{money(amount):.2f}", return_type=str, when_used="json"),
    Field(json_schema_extra={"pattern": MONEY_PATTERN}),
]


# The shapes the schema can say; the check digits are verified by the domain (422 if wrong).
# A person's codice fiscale (letters where omocodia may replace digits: LMNPQRSTUV).
PERSON_TAX_CODE = (
    "[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}"
    "[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]"
)
# Country, check digits, then the national account (spaces between groups allowed).
Iban = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=15,
        max_length=42,
        pattern=r"^[A-Za-z]{2}[0-9]{2}[A-Za-z0-9 ]{11,38}$",
    ),
]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# The query parameters of every paged list: a page number (or ``after``, the keyset cursor of
# the previous page's ``next``) and its size.
PageNumber = Annotated[int, Parameter(ge=1, le=100_000)]
PageSize = Annotated[int, Parameter(ge=1, le=500)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    # Exact up to 1,000; beyond, the database's estimate (total_estimated), never a scan.
    total: int
    page: int
    page_size: int
    total_estimated: bool = False
    has_more: bool = False
    # The next page by keyset (the same query with ``after``): as cheap on the last page as on
    # the first. None on the last page.
    next: str | None = None


class FoundRows(Protocol):
    """A page of plain rows as the read models return it."""

    @property
    def items(self) -> list[dict[str, Any]]: ...

    @property
    def total(self) -> int: ...

    @property
    def page(self) -> int: ...

    @property
    def page_size(self) -> int: ...

    @property
    def has_more(self) -> bool: ...

    @property
    def after(self) -> str | None: ...

    @property
    def total_estimated(self) -> bool: ...


M = TypeVar("M", bound=BaseModel)


def next_link(path: str, query: Mapping[str, Any], found: FoundRows) -> str | None:
    """The request's own path and query with ``after`` the last row and the page after."""
    if not found.has_more or found.after is None:
        return None
    items = [
        (key, value)
        for key in query
        if key not in {"after", "page"}
        for value in (query.getall(key) if hasattr(query, "getall") else [query[key]])
    ]
    items += [("page", found.page + 1), ("after", found.after)]
    return f"{path}?{urlencode(items)}"


def page_of(
    found: FoundRows, model: type[M], request: ASGIConnection[Any, Any, Any, Any] | None = None
) -> Page[M]:
    """A read model's page of rows as the API's page of ``model`` (with its ``next`` link when
    the request is given)."""
    link = None if request is None else next_link(request.url.path, request.query_params, found)
    return Page[model](  # type: ignore[valid-type]
        items=[model.model_validate(row) for row in found.items],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
        total_estimated=found.total_estimated,
        has_more=found.has_more,
        next=link,
    )


class LoginIn(In):
    username: Text
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime | None = None


Password = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PasswordChangeIn(In):
    current_password: Password
    new_password: Password


class PasswordResetRequestIn(In):
    username: Text


class PasswordResetIn(In):
    token: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    new_password: Password


class AccountIn(In):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    full_name: Text
    role: Annotated[str, Field(pattern="^(fund_manager|mediator|operator|landlord|auditor)$")]
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    landlord_id: str | None = None


class AccountOut(BaseModel):
    id: str
    username: str
    full_name: str
    role: str
    email: str | None
    landlord_id: str | None
    status: str
    created_at: datetime
    last_login_at: datetime | None


class AccountReasonIn(In):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class LandlordIn(In):
    kind: LandlordKind
    name: Text
    # A company's partita IVA (11 digits) or a person's codice fiscale.
    tax_code: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=11,
            max_length=16,
            pattern=f"^(\\d{{11}}|{PERSON_TAX_CODE})$",
        ),
    ]
    iban: Iban
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    phone: str | None = None
    address: str | None = None


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
TaxCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=16, max_length=16, pattern=f"^{PERSON_TAX_CODE}$"
    ),
]


class LandlordOut(BaseModel):
    id: str
    kind: LandlordKind
    name: str
    tax_code: str
    iban: str
    # The day the IBAN last changed: payments wait for a second fund manager for the
    # product's hold days from it.
    iban_changed_on: date | None = None
    email: str
    phone: str | None
    address: str | None
    legal_representative_name: str | None = None
    legal_representative_tax_code: str | None = None
    created_at: datetime
    updated_at: datetime | None = None


class LandlordDetailOut(LandlordOut):
    history: list[HistoryOut] = []  # staff only: it names who changed what


class LandlordIbanIn(In):
    iban: Iban
    reason: Reason


class LandlordContactsIn(In):
    email: Email
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None
    reason: Reason


class LegalRepresentativeIn(In):
    full_name: Text
    tax_code: TaxCode
    reason: Reason


class PropertyIn(In):
    landlord_id: Text
    address: Text
    municipality_istat_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    cadastral_reference: Text
    floor_area_m2: Annotated[int, Field(gt=0, le=2000)]


class PropertyOut(BaseModel):
    id: str
    landlord_id: str
    address: str
    municipality_istat_code: str
    cadastral_reference: str
    floor_area_m2: int
    created_at: datetime


class MemberIn(In):
    full_name: Text
    tax_code: TaxCode
    birth_date: date | None = None
    is_main_tenant: bool = False


class ContactsIn(In):
    """Where the tenant household's letters go: by email, or on paper (print batch)."""

    postal_address: Annotated[str, StringConstraints(max_length=300)] | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    preferred_channel: ContactChannel = ContactChannel.POST


class HouseholdContactsIn(ContactsIn):
    reason: Reason


class IncomeIn(In):
    net_monthly_income: NonNegativeAmount
    valid_from: date
    document: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    reason: Reason


class MembersIn(In):
    members: Annotated[list[MemberIn], Field(min_length=1, max_length=20)]
    reason: Reason


class MemberOut(BaseModel):
    full_name: str
    tax_code: str
    birth_date: date | None
    is_main_tenant: bool


class HouseholdOut(BaseModel):
    id: str
    main_tenant_tax_code: str
    members: list[MemberOut]
    isee: Money
    net_monthly_income: Money
    income_valid_from: date | None
    income_document: str | None
    postal_address: str | None
    email: str | None
    phone: str | None
    preferred_channel: ContactChannel | None
    referral_source: ReferralSource
    referrer: str | None
    created_at: datetime
    updated_at: datetime | None
    history: list[HistoryOut]


class LeaseIn(In):
    # checked against rules/reference/lease-types.csv through the fact catalogue
    lease_type: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]
    start: date
    end: date
    monthly_rent: PositiveAmount
    monthly_charges: NonNegativeAmount = Decimal("0.00")
    registered: bool
    registration_reference: str | None = None
    rent_due_day: Annotated[int, Field(ge=1, le=28)] = 5


ProductCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]


class ApplicationIn(In):
    property_id: Text
    members: Annotated[list[MemberIn], Field(min_length=1, max_length=20)]
    isee: NonNegativeAmount
    net_monthly_income: NonNegativeAmount
    referral_source: ReferralSource
    referrer: str | None = None
    declared_relatives: bool = False
    lease: LeaseIn
    submit: bool = True
    contacts: ContactsIn | None = None
    facts: DeclaredFacts = Field(default_factory=dict)
    # the product applied for; its scheme's eligibility rules judge the application
    product_code: ProductCode = "garanzia-casa"


class ReasonIn(In):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class IssueIn(ReasonIn):
    fund_id: str | None = None


class RenewalLeaseIn(In):
    """The renewed lease: same tenancy (its start stays), a later end, the new rent."""

    end: date
    monthly_rent: PositiveAmount
    monthly_charges: NonNegativeAmount = Decimal("0.00")
    registered: bool = True
    registration_reference: str | None = None
    lease_type: (
        Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)] | None
    ) = None
    rent_due_day: Annotated[int, Field(ge=1, le=28)] | None = None


class RenewalIn(ReasonIn):
    """``reason``: a fund manager accepting rules that ask for a review."""

    lease: RenewalLeaseIn
    declared_relatives: bool = False
    # declared again for the new term; the others stay as last declared
    facts: DeclaredFacts = Field(default_factory=dict)


class AttestationIn(In):
    members: Annotated[list[MemberIn], Field(min_length=1, max_length=20)]
    isee: NonNegativeAmount
    net_monthly_income: NonNegativeAmount
    referral_source: ReferralSource
    referrer: str | None = None
    contacts: ContactsIn
    facts: DeclaredFacts = Field(default_factory=dict)
    # the product whose scheme's rules judge the household
    product_code: ProductCode = "garanzia-casa"


class AttestationApplyIn(In):
    property_id: Text
    lease: LeaseIn
    declared_relatives: bool = False
    # declared now, over the attestation's own
    facts: DeclaredFacts = Field(default_factory=dict)


class AttestationWithdrawIn(In):
    reason: Text


class AttestationOut(BaseModel):
    """As the help desk and the fund read it: the household's verdicts, the rules still to
    check once the lease is known, the maximum rent (plus charges) and its validity."""

    number: str
    code: str
    status: str
    valid: bool
    household_id: str
    maximum_rent: Money
    issued_on: date
    valid_until: date
    product_code: str
    product_version: str
    ruleset_version: str
    eligibility: dict[str, Any]
    application_number: str | None = None
    used_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None
    created_at: datetime
    created_by: str


class HistoryOut(BaseModel):
    occurred_at: datetime
    actor_id: str
    actor_role: str
    action: str
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str | None


class GuaranteeOut(BaseModel):
    id: str
    number: str | None
    application_number: str
    status: str
    landlord_id: str
    landlord_name: str
    property_id: str
    property_address: str
    municipality_istat_code: str
    household_id: str | None = None  # not shown to a landlord
    lease_type: str
    lease_start: date
    lease_end: date
    monthly_rent: Money
    monthly_charges: Money
    lease_registered: bool
    registration_reference: str | None
    product_code: str
    product_version: str
    ruleset_version: str | None = None
    fund_id: str | None = None
    maximum_exposure: Money
    reserve_amount: Money | None = None  # the fund's figure: staff only
    paid_amount: Money
    starts_on: date | None
    ends_on: date | None
    term: int = 1  # the current term; a renewal starts the next
    term_starts_on: date | None = None
    issued_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None = None
    created_at: datetime
    updated_at: datetime


class CoverLineOut(BaseModel):
    """One cap of a guarantee: ``overall``, ``arrears`` (rent and charges), ``damages``,
    ``legal_costs``; committed = decided and not yet paid."""

    line: str
    label: str
    cap: Money
    paid: Money
    committed: Money
    remaining: Money


class TimelineOut(BaseModel):
    occurred_at: datetime
    label: str


class TermOut(BaseModel):
    """A term that ended by renewal, as it was (the reserve is the fund's: staff only)."""

    term: int
    starts_on: date
    ends_on: date
    monthly_rent: Money
    monthly_charges: Money
    lease_end: date
    maximum_exposure: Money
    reserve_amount: Money | None = None
    certificate_code: str | None
    renewed_at: datetime


class GuaranteeDetailOut(GuaranteeOut):
    """As the reader's role may see it (``read.access``): a landlord gets the promise, its
    dates and cover and a timeline without names; staff also the eligibility and history."""

    terms: list[TermOut] = []
    renewals_left: int | None = None
    cover: list[CoverLineOut] = []
    eligibility: dict[str, Any] | None = None
    allowed_actions: list[str]
    history: list[HistoryOut] = []
    timeline: list[TimelineOut] = []


class FundIn(In):
    name: Text
    territory: Text
    # the scheme (misura) whose eligibility rules the fund applies
    scheme: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")] = "garanzia-casa"


class FundOut(BaseModel):
    id: str
    name: str
    territory: str
    scheme: str = "garanzia-casa"
    # The day the figures are taken at the end of; None for the figures now.
    as_of: date | None = None
    balance: Money
    reserved: Money
    free_capacity: Money
    exposure: Money
    leverage: Decimal | None
    contributions: Money
    claims_paid: Money
    recoveries: Money
    write_offs: Money
    loss_ratio: Decimal | None
    live_guarantees: int
    # False when the running balances disagree with the day totals of the entries
    # (`garanzia audit verify` names the difference); figures as of a day come from the
    # day totals and are always consistent with them.
    books_agree: bool = True


class ContributionIn(In):
    amount: PositiveAmount
    donor: Text
    on: date
    reference: Text


class EntryOut(BaseModel):
    id: str
    fund_id: str
    kind: str
    occurred_on: date
    description: str
    reference: str | None
    amount: Money


class LedgerLineOut(BaseModel):
    entry_id: str
    occurred_on: date
    kind: str
    description: str
    reference: str | None
    recorded_at: datetime
    recorded_by: str
    account: str
    side: str
    amount: Money


class DocumentOut(BaseModel):
    id: str
    kind: str
    title: str
    revision: int
    protocol_number: str
    template_version: str
    sha256: str
    size: int
    media_type: str
    created_at: datetime


class PrintBatchOut(BaseModel):
    id: str
    day: date
    letters: int
    status: str
    sha256: str
    posted_at: datetime | None
    posted_by: str | None


class VerificationOut(BaseModel):
    """A certificate (``kind`` certificate: the guarantee's number and dates) or an
    eligibility attestation (``kind`` attestation: until when and the maximum rent plus
    charges) — nothing personal either way."""

    code: str
    kind: str = "certificate"
    valid: bool
    guarantee_number: str | None = None
    status: str
    starts_on: date | None = None
    ends_on: date | None = None
    attestation_number: str | None = None
    valid_until: date | None = None
    maximum_rent: Money | None = None
    # False when an archived copy of the certificate no longer matches its SHA-256.
    document_intact: bool = True


class EligibilityCheckIn(In):
    """The facts of a what-if check; nothing is stored.

    ``facts`` carries any other fact of the catalogue (rules/facts.yaml) by name, e.g. the
    applicant's birth date for a scheme with an age limit; ``scheme`` picks the scheme
    (default: garanzia-casa).
    """

    isee: NonNegativeAmount
    net_monthly_income: NonNegativeAmount
    monthly_rent: PositiveAmount
    monthly_charges: NonNegativeAmount = Decimal("0.00")
    municipality_istat_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    floor_area_m2: Annotated[int, Field(gt=0, le=2000)]
    # any code: the rules (reference/lease-types.csv) decide whether it is allowed
    lease_type: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
    lease_registered: bool
    lease_months: Annotated[int, Field(ge=0, le=600)]
    referral_source: ReferralSource
    other_live_guarantees: Annotated[int, Field(ge=0)] = 0
    declared_relatives: bool = False
    on: date | None = None
    scheme: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")] | None = None
    facts: DeclaredFacts = Field(default_factory=dict)


class VerdictOut(BaseModel):
    code: str
    message: str
    kind: str
    result: str
    facts_seen: dict[str, Any]
    detail: str = ""


class EligibilityOut(BaseModel):
    outcome: str
    ruleset_version: str
    scheme: str = "garanzia-casa"
    verdicts: list[VerdictOut]


# -- arrears, mediation, claims, recovery -----------------------------------------------------

LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class UnpaidRentIn(In):
    due_on: date
    rent: NonNegativeAmount
    charges: NonNegativeAmount = Decimal("0.00")


class ReceivedIn(In):
    """Staff only, for a report or claim that came by post, PEC or at the desk: the day it
    reached the fund (deadlines are judged on it), how, and its reference (the registered
    letter's number, the PEC message id). Landlords filing online are received today."""

    received_on: date | None = None
    channel: ReceiptChannel | None = None
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = (
        None
    )


class ArrearsReportIn(ReceivedIn):
    guarantee_number: Text
    rents: Annotated[list[UnpaidRentIn], Field(min_length=1, max_length=36)]
    notes: LongText = ""


class MeetingOut(BaseModel):
    id: str
    on: date
    at: time
    place: str
    participants: str
    notes: str


class NoteOut(BaseModel):
    id: str
    written_at: datetime
    author: str
    text: str


class InstalmentOut(BaseModel):
    id: str
    number: int
    due_on: date
    amount: Money
    status: str
    paid_on: date | None
    missed_on: date | None


class MediationCaseOut(BaseModel):
    number: str
    status: str
    guarantee_number: str | None
    reason: str
    opened_on: date
    first_contact_due: date
    first_contact_on: date | None
    overdue: bool
    mediator_id: str | None = None  # staff only, as the name
    mediator_name: str | None = None
    outcome: str | None
    outcome_on: date | None
    outcome_reason: str | None = None
    agreement_total: Money | None
    agreement_broken_on: date | None
    closed_at: datetime | None


class MediationCaseDetailOut(MediationCaseOut):
    meetings: list[MeetingOut]
    notes: list[NoteOut] = []  # the mediator's notes: staff only
    instalments: list[InstalmentOut]
    allowed_actions: list[str]


class ArrearsReportOut(BaseModel):
    id: str
    guarantee_number: str | None
    reported_on: date  # the day it reached the fund
    reported_at: datetime  # when it was entered
    received_via: ReceiptChannel | None
    received_reference: str | None
    deadline: date | None
    covered_amount: Money
    total_amount: Money
    mediation_case: MediationCaseDetailOut


class AssignIn(In):
    """Omit ``mediator_id`` to assign by workload (the mediator with fewest open cases)."""

    mediator_id: Text | None = None
    reason: LongText | None = None


class FirstContactIn(In):
    on: date
    note: LongText = ""


class MeetingIn(In):
    on: date
    at: time
    place: Text
    participants: Text
    notes: LongText = ""


class MeetingHeldIn(In):
    """After a meeting: who came, and the minutes if any."""

    attended: Text
    notes: LongText = ""


class NoteIn(In):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class RepaymentIn(In):
    total: PositiveAmount
    instalments: Annotated[int, Field(ge=1, le=120)]
    first_due_on: date


class OutcomeIn(In):
    outcome: MediationOutcome
    on: date
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    repayment: RepaymentIn | None = None


class InstalmentIn(In):
    """``paid``: the tenant paid it (on ``on``, default today); else it was missed."""

    paid: bool
    on: date | None = None
    reason: LongText | None = None


class ClaimItemIn(In):
    kind: ItemKind
    loss_on: date
    claimed: PositiveAmount
    description: LongText = ""


class EvidenceIn(In):
    """One evidence file sent with the claim, its bytes in base64 (PDF, JPEG or PNG)."""

    file_name: Text
    media_type: Annotated[str, StringConstraints(max_length=60)]
    content_base64: Base64Bytes
    description: LongText = ""


class ClaimIn(ReceivedIn):
    guarantee_number: Text
    items: Annotated[list[ClaimItemIn], Field(min_length=1, max_length=60)]
    # A damages claim needs its evidence at filing; other evidence may follow by upload.
    evidence: Annotated[list[EvidenceIn], Field(max_length=20)] = []


class ClaimItemOut(BaseModel):
    id: str
    kind: ItemKind
    loss_on: date
    claimed: Money
    description: str
    approved: Money | None
    refused: Money | None
    reason: str | None


class EvidenceOut(BaseModel):
    id: str
    file_name: str
    media_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime


class ClaimOut(BaseModel):
    number: str
    status: str
    guarantee_number: str | None
    filed_on: date  # the day it reached the fund (deadlines are judged on it)
    filed_at: datetime  # when it was entered
    received_via: ReceiptChannel | None  # None: filed before channels were recorded
    received_reference: str | None
    decided_at: datetime | None
    decision_note: str | None
    paid_amount: Money
    paid_at: datetime | None
    payment_reference: str | None
    paid_to_iban: str | None
    recovered_amount: Money
    written_off_amount: Money
    closed_at: datetime | None


class PaymentProposalOut(BaseModel):
    proposed_by: str
    proposed_at: datetime
    reference: str | None
    note: str | None


class ClaimDetailOut(ClaimOut):
    items: list[ClaimItemOut]
    evidence: list[EvidenceOut]
    claimed_total: Money
    approved_total: Money
    cover: list[CoverLineOut]
    four_eyes_threshold: Money | None = None
    # A recent IBAN change holds every payment for a second fund manager until this day.
    iban_held_until: date | None
    needs_two_managers: bool | None = None
    payment_proposal: PaymentProposalOut | None = None  # names a fund manager: staff only
    allowed_actions: list[str]
    recovery_plan_number: str | None


class ItemDecisionIO(In):
    item_id: Text
    approved: NonNegativeAmount
    reason: LongText | None = None


class DecisionIn(In):
    decisions: Annotated[list[ItemDecisionIO], Field(min_length=1, max_length=60)]
    note: LongText | None = None


class PayIn(In):
    payment_reference: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = None
    on: date | None = None
    note: LongText | None = None


class ProposePaymentIn(In):
    payment_reference: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = None
    note: LongText | None = None


class RequiredReasonIn(In):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class PaymentOut(BaseModel):
    number: str
    status: str
    amount: Money
    iban: str
    payment_reference: str
    paid_at: datetime
    entry_id: str
    guarantee_status: str
    proposed_by: str | None = None
    authorised_by: str


class RecoveryPlanIn(In):
    claim_number: Text
    first_due_on: date
    instalments: Annotated[int, Field(ge=1, le=120)] | None = None


class RecoveryPlanOut(BaseModel):
    number: str
    status: str
    claim_number: str
    amount: Money
    net_monthly_income: Money
    instalment_cap: Money
    planned_amount: Money
    proposed_write_off: Money
    proposal_decided: bool
    written_off: Money
    write_off_reason: str | None
    recovered: Money
    balance: Money
    # A re-plan closes a plan (replaced) and hands what was still owed to the next one.
    carried_over: Money
    replaces_plan_number: str | None
    replaced_by_plan_number: str | None
    instalments: list[InstalmentOut]


class WriteOffIn(In):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    proposed_only: bool = False


class ReplanIn(In):
    """After the household's income changed: the rest at the share of the new income."""

    first_due_on: date
    reason: Reason
    instalments: Annotated[int, Field(ge=1, le=120)] | None = None
