"""Core tables: the schema Alembic migrates and the mapping maps the domain onto."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    false,
    func,
    text,
)

from guarantee.adapters.db.types import Cents, StrEnumType, UtcDateTime
from guarantee.domain.accounts import AccountStatus
from guarantee.domain.actors import Role
from guarantee.domain.attestations import AttestationStatus
from guarantee.domain.claims import ClaimStatus
from guarantee.domain.cover import ItemKind
from guarantee.domain.guarantees import APPLICATION_STATES, GuaranteeStatus
from guarantee.domain.households import ContactChannel, ReferralSource
from guarantee.domain.instalments import InstalmentStatus
from guarantee.domain.landlords import LandlordKind
from guarantee.domain.ledger import Account, EntryKind, Side
from guarantee.domain.mediation import MediationOutcome, MediationStatus
from guarantee.domain.receipts import ReceiptChannel
from guarantee.domain.recovery import RecoveryStatus

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UUID = String(36)

landlords = Table(
    "landlords",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("kind", StrEnumType(LandlordKind), nullable=False),
    Column("name", String(200), nullable=False),
    Column("tax_code", String(16), nullable=False, unique=True),
    Column("iban", String(34), nullable=False),
    Column("email", String(254), nullable=False),
    Column("phone", String(40)),
    Column("address", String(300)),
    Column("created_at", UtcDateTime(), nullable=False),
    # Kept current by staff (migration 0007): an IBAN change is confirmed to the previous
    # email too and holds payments for the product's days from ``iban_changed_on``.
    Column("updated_at", UtcDateTime()),
    Column("previous_email", String(254)),
    Column("iban_changed_on", Date),
    Column("legal_representative_name", String(200)),
    Column("legal_representative_tax_code", String(16)),
    Index("ix_landlords_name_id", "name", "id"),
)

properties = Table(
    "properties",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("landlord_id", UUID, ForeignKey("landlords.id"), nullable=False, index=True),
    Column("address", String(300), nullable=False),
    Column("municipality_istat_code", String(6), nullable=False, index=True),
    Column("cadastral_reference", String(100), nullable=False),
    Column("floor_area_m2", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_properties_created_id", "created_at", "id"),
    Index("ix_properties_landlord_created", "landlord_id", "created_at", "id"),
)

households = Table(
    "households",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("main_tenant_tax_code", String(16), nullable=False, index=True),
    Column("isee", Cents(), nullable=False),
    Column("net_monthly_income", Cents(), nullable=False),
    Column("referral_source", StrEnumType(ReferralSource), nullable=False),
    Column("referrer", String(200)),
    Column("created_at", UtcDateTime(), nullable=False),
    # Kept current by staff (migration 0007): the income from the day it holds and the
    # document it rests on; where the tenant's letters go.
    Column("income_valid_from", Date),
    Column("income_document", String(300)),
    Column("postal_address", String(300)),
    Column("email", String(254)),
    Column("phone", String(40)),
    Column("preferred_channel", StrEnumType(ContactChannel)),
    Column("updated_at", UtcDateTime()),
)

household_members = Table(
    "household_members",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("household_id", UUID, ForeignKey("households.id"), nullable=False, index=True),
    Column("full_name", String(200), nullable=False),
    Column("tax_code", String(16), nullable=False, index=True),
    Column("birth_date", Date),
    Column("is_main_tenant", Boolean, nullable=False),
)

# The search by part of a name (the landlords' `q`, the back office's search) on PostgreSQL:
# a LIKE '%…%' cannot use a b-tree, a trigram index answers it (migration 0016, pg_trgm).
# SQLite reads the table.
Index(
    "ix_landlords_name_trgm",
    func.lower(landlords.c.name).label("lowered"),
    postgresql_using="gin",
    postgresql_ops={"lowered": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")
Index(
    "ix_household_members_name_trgm",
    func.lower(household_members.c.full_name).label("lowered"),
    postgresql_using="gin",
    postgresql_ops={"lowered": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")

# The statuses of an application, as the partial index of the applications list names them.
APPLICATION_STATUSES_SQL = ", ".join(sorted(f"'{status.value}'" for status in APPLICATION_STATES))

# The back office's queues: each walks a partial index whose predicate is the queue's filter
# and whose columns are its sort key (migration 0015), so a page and its bounded count read
# only the rows they show. The read side (read/backoffice_queues.py) uses these same words.
QUEUE_TO_CHECK = ("eligible", "needs_review", "submitted")
QUEUE_LIVE = ("active", "issued", "suspended")
QUEUE_CLAIMS_TO_DECIDE = ("awaiting_mediation", "submitted", "under_review")
QUEUE_CLAIMS_DECIDED = ("approved", "partially_approved")
REVIEW_FIRST_SQL = "CASE WHEN status = 'needs_review' THEN 0 ELSE 1 END"


def in_sql(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{status}'" for status in statuses) + ")"


guarantees = Table(
    "guarantees",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("application_number", String(20), nullable=False, unique=True),
    Column("number", String(20), unique=True),
    # Printed on the certificate; random, unguessable, never derived from the number.
    Column("certificate_code", String(19), unique=True),
    Column("status", StrEnumType(GuaranteeStatus), nullable=False, index=True),
    Column("landlord_id", UUID, ForeignKey("landlords.id"), nullable=False, index=True),
    Column("property_id", UUID, ForeignKey("properties.id"), nullable=False, index=True),
    Column("household_id", UUID, ForeignKey("households.id"), nullable=False, index=True),
    # a code of rules/reference/lease-types.csv (data, not an enum)
    Column("lease_type", String(32), nullable=False),
    Column("lease_start", Date, nullable=False),
    Column("lease_end", Date, nullable=False),
    Column("monthly_rent", Cents(), nullable=False),
    Column("monthly_charges", Cents(), nullable=False),
    Column("lease_registered", Boolean, nullable=False),
    Column("registration_reference", String(100)),
    Column("rent_due_day", Integer, nullable=False),
    Column("product_code", String(50), nullable=False),
    Column("product_version", String(20), nullable=False),
    Column("ruleset_version", String(50)),
    Column("eligibility", JSON),
    Column("fund_id", UUID, ForeignKey("funds.id"), index=True),
    Column("maximum_exposure", Cents(), nullable=False),
    Column("reserve_amount", Cents(), nullable=False),
    Column("paid_amount", Cents(), nullable=False),
    Column("starts_on", Date),
    Column("ends_on", Date, index=True),
    Column("issued_at", UtcDateTime()),
    Column("ended_at", UtcDateTime()),
    Column("end_reason", Text),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    # The current term (1 until a renewal) and the day it began; past terms: guarantee_terms.
    Column("term", Integer, nullable=False, server_default="1"),
    Column("term_starts_on", Date),
    CheckConstraint("monthly_rent > 0", name="rent_positive"),
    CheckConstraint("monthly_charges >= 0", name="charges_not_negative"),
    CheckConstraint("lease_end > lease_start", name="lease_dates"),
    CheckConstraint("reserve_amount >= 0", name="reserve_not_negative"),
    # The back office's queues walk these in order and stop at the page (migration 0011);
    # applications by state oldest first, approved ones by approval, live ones by ending.
    Index("ix_guarantees_status_created", "status", "created_at", "id"),
    Index("ix_guarantees_ends_on_status", "ends_on", "status"),
    # The lists' sort keys, each behind the filter it serves (migration 0014): a page walks
    # one index from where the last one ended, whatever the table's size.
    Index(
        "ix_guarantees_issued",
        "issued_at",
        "id",
        postgresql_where=text("number IS NOT NULL"),
    ),
    Index("ix_guarantees_landlord_issued", "landlord_id", "issued_at", "id"),
    Index("ix_guarantees_fund_issued", "fund_id", "issued_at", "id"),
    Index("ix_guarantees_created_by", "created_by", "created_at", "id"),
    Index(
        "ix_guarantees_applications",
        "created_at",
        "id",
        postgresql_where=text(f"status IN ({APPLICATION_STATUSES_SQL})"),
    ),
    Index("ix_guarantees_status_updated", "status", "updated_at", "id"),
    Index("ix_guarantees_ends_on_id", "ends_on", "id"),
    Index(
        "ix_guarantees_queue_to_check",
        text(f"({REVIEW_FIRST_SQL})"),
        "created_at",
        "id",
        postgresql_where=text(in_sql(QUEUE_TO_CHECK)),
    ),
    Index(
        "ix_guarantees_queue_live_ending",
        "ends_on",
        "id",
        postgresql_where=text(in_sql(QUEUE_LIVE)),
    ),
)

# The terms of a guarantee that ended by renewal, as they were (the current one is on the
# guarantee): dates, rent, exposure, reserve and the certificate of each.
guarantee_terms = Table(
    "guarantee_terms",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("guarantee_id", UUID, ForeignKey("guarantees.id"), nullable=False, index=True),
    Column("term", Integer, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("monthly_rent", Cents(), nullable=False),
    Column("monthly_charges", Cents(), nullable=False),
    Column("lease_end", Date, nullable=False),
    Column("maximum_exposure", Cents(), nullable=False),
    Column("reserve_amount", Cents(), nullable=False),
    Column("certificate_code", String(19), unique=True),
    Column("product_version", String(20), nullable=False),
    Column("renewed_at", UtcDateTime(), nullable=False),
    UniqueConstraint("guarantee_id", "term"),
)

# Eligibility attestations: a household found eligible before it has a lease.
attestations = Table(
    "attestations",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("number", String(20), nullable=False, unique=True),
    Column("code", String(19), nullable=False, unique=True),
    Column("status", StrEnumType(AttestationStatus), nullable=False, index=True),
    Column("household_id", UUID, ForeignKey("households.id"), nullable=False, index=True),
    Column("maximum_rent", Cents(), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("product_code", String(50), nullable=False),
    Column("product_version", String(20), nullable=False),
    Column("ruleset_version", String(50), nullable=False),
    Column("eligibility", JSON, nullable=False),
    Column("guarantee_id", UUID, ForeignKey("guarantees.id"), unique=True),
    Column("used_at", UtcDateTime()),
    Column("withdrawn_at", UtcDateTime()),
    Column("withdrawal_reason", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(100), nullable=False, index=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("maximum_rent >= 0", name="maximum_rent_not_negative"),
    CheckConstraint("valid_until >= issued_on", name="validity"),
    # The list, latest first: the fund's and a help desk's own (migration 0017).
    Index("ix_attestations_created_number", "created_at", "number"),
    Index("ix_attestations_created_by_created", "created_by", "created_at", "number"),
)

funds = Table(
    "funds",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("territory", String(200), nullable=False),
    # The scheme whose eligibility rules the fund applies (migration 0012).
    Column("scheme", String(60), nullable=False, server_default="garanzia-casa"),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("balance", Cents(), nullable=False),
    Column("reserved", Cents(), nullable=False),
    Column("contributions", Cents(), nullable=False),
    Column("claims_paid", Cents(), nullable=False),
    Column("recoveries", Cents(), nullable=False),
    Column("write_offs", Cents(), nullable=False),
    Column("exposure", Cents(), nullable=False),
    Column("live_guarantees", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    # The promise that matters: the fund never reserves more than it holds.
    CheckConstraint("reserved <= balance", name="never_overcommitted"),
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("fund_id", UUID, ForeignKey("funds.id"), nullable=False),
    Column("kind", StrEnumType(EntryKind), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("description", String(300), nullable=False),
    Column("reference", String(100)),
    Column("guarantee_id", UUID, ForeignKey("guarantees.id"), index=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    # Entries are written unposted, given their postings, then sealed: the database checks
    # on sealing that debits equal credits, and refuses any later change (migrations/sql).
    Column("posted", Boolean, nullable=False, server_default=false()),
    Index("ix_journal_entries_fund_date", "fund_id", "occurred_on"),
)

postings = Table(
    "postings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", UUID, ForeignKey("journal_entries.id"), nullable=False, index=True),
    Column("fund_id", UUID, ForeignKey("funds.id"), nullable=False),
    Column("account", StrEnumType(Account), nullable=False),
    Column("side", StrEnumType(Side), nullable=False),
    Column("amount", Cents(), nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
    Index("ix_postings_fund_account", "fund_id", "account"),
)

# Per fund and day, what that day changed: each account's natural balance (a column per
# account), the exposure still at risk and the number of live guarantees. Written in the same
# transaction as the entries, so the figures as of any day sum at most one row per day.
fund_daily_totals = Table(
    "fund_daily_totals",
    metadata,
    Column("fund_id", UUID, ForeignKey("funds.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("entries", Integer, nullable=False),
    *(Column(account.value, Cents(), nullable=False) for account in Account),
    Column("exposure", Cents(), nullable=False),
    Column("live_guarantees", Integer, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    # seq orders events that share a timestamp; id is the event's stable public identity.
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", UUID, nullable=False, unique=True),
    Column("occurred_at", UtcDateTime(), nullable=False, index=True),
    Column("actor_id", String(100), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("actor_account_id", UUID),
    Column("entity_type", String(32), nullable=False),
    Column("entity_id", String(36), nullable=False),
    Column("action", String(64), nullable=False),
    Column("before", JSON, nullable=False),
    Column("after", JSON, nullable=False),
    Column("reason", Text),
    Index("ix_audit_events_entity", "entity_type", "entity_id"),
)

# The hash chain over audit events and archived documents (guarantee.domain.evidence_chain).
# Positions are gapless and given out under one lock at commit, so the chain's order is the
# order in which the records were committed; append-only, like the trail it protects.
evidence_chain = Table(
    "evidence_chain",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("record_type", String(20), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("record_hash", String(64), nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("chain_hash", String(64), nullable=False),
    Column("chained_at", UtcDateTime(), nullable=False),
    UniqueConstraint("record_type", "record_id"),
    # The last document chained, found without walking the audit links after it.
    Index("ix_evidence_chain_type_position", "record_type", "position"),
)

# Audit events staged by the transaction that wrote them, with the hash of the row as written,
# waiting for the sealer to append them to evidence_chain (guarantee.adapters.db.evidence_chain):
# staging takes no lock, so concurrent commits never queue on the chain.
evidence_pending = Table(
    "evidence_pending",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("record_type", String(20), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("record_hash", String(64), nullable=False),
    Column("staged_at", UtcDateTime(), nullable=False),
    # Nobody reads the seq back: staging one event sends no RETURNING, so a pipelined commit
    # need not wait for its answer (guarantee.adapters.db.pipeline).
    implicit_returning=False,
)

# Gapless per-year sequences (guarantee numbers, application numbers, protocol numbers):
# the row is updated inside the business transaction, so a rollback leaves no hole.
counters = Table(
    "counters",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", StrEnumType(Role), nullable=False),
    Column("full_name", String(200), nullable=False),
    Column("landlord_id", UUID, ForeignKey("landlords.id")),
    # Kept equal to status == 'active': the token check reads this one column.
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("status", StrEnumType(AccountStatus), nullable=False, server_default="active"),
    Column("email", String(200)),
    Column("password_changed_at", UtcDateTime()),
    Column("disabled_at", UtcDateTime()),
    Column("last_login_at", UtcDateTime()),
    # Self-enrolment: the privacy notice accepted, which version and when.
    Column("privacy_notice_version", String(20)),
    Column("privacy_accepted_at", UtcDateTime()),
)

# Failed logins per account and per address, shared by every app process: a key is locked
# for a while once its failures in the window reach the limit.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_started_at", UtcDateTime(), nullable=False),
    Column("locked_until", UtcDateTime()),
)

# Single-use links to set a new password (also the invitation of a new account).
password_resets = Table(
    "password_resets",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", UUID, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime()),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    # Only the SHA-256 of a token is stored: a stolen database yields no usable token.
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", UUID, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    # "api" (bearer token) or "session" (a page's cookie; its CSRF token derives from it)
    Column("kind", String(16), nullable=False, server_default="api"),
)

# -- documents and notices (transactional outbox) ---------------------------------------------

# Events written in the same transaction as the change that caused them; a relay hands them
# to the broker, and the job that handles one marks it done (redelivery then does nothing).
outbox = Table(
    "outbox",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("topic", String(64), nullable=False),
    Column("entity_type", String(32), nullable=False),
    Column("entity_id", String(36), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("actor_id", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("available_at", UtcDateTime(), nullable=False),
    Column("dispatched_at", UtcDateTime()),
    Column("done_at", UtcDateTime()),
    Column("last_error", Text),
    # Set for events that must exist once per period (a reminder per guarantee per term):
    # two schedulers inserting the same key leave one row.
    Column("dedup_key", String(200)),
    # A worker handling the event holds it until lease_until and renews it by heartbeat; the
    # relay hands an event whose lease ran out to another worker.
    Column("lease_until", UtcDateTime()),
    Index("ix_outbox_status_available", "status", "available_at"),
    Index("ux_outbox_dedup_key", "dedup_key", unique=True),
)

# One row per scheduled job and period (the day): whichever scheduler inserts it runs the job.
scheduled_runs = Table(
    "scheduled_runs",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("period", String(32), primary_key=True),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("done_at", UtcDateTime()),
)

# A protocol number is taken in a short transaction together with the letter's final HTML,
# before the slow PDF rendering; the document row is stored later with the same number. A
# worker that dies in between leaves this row, and the retry renders it with its number:
# numbers are neither skipped nor used twice, and no lock is held while rendering.
document_numbers = Table(
    "document_numbers",
    metadata,
    Column("protocol_year", Integer, primary_key=True),
    Column("protocol_sequence", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("source_event_id", UUID, nullable=False),
    Column("guarantee_id", UUID),
    Column("title", String(200), nullable=False),
    Column("template_version", String(20), nullable=False),
    Column("html", Text, nullable=False),
    Column("reserved_at", UtcDateTime(), nullable=False),
    Column("document_id", UUID),
    UniqueConstraint("source_event_id", "kind", name="uq_document_numbers_event_kind"),
)

# Archived documents: immutable; regenerating makes a new revision with a new protocol number.
documents = Table(
    "documents",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("title", String(200), nullable=False),
    Column("guarantee_id", UUID, ForeignKey("guarantees.id"), index=True),
    Column("revision", Integer, nullable=False),
    Column("protocol_year", Integer, nullable=False),
    Column("protocol_sequence", Integer, nullable=False),
    Column("template_version", String(20), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("media_type", String(60), nullable=False),
    Column("storage_key", String(200), nullable=False),
    Column("source_event_id", UUID),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(100), nullable=False),
    UniqueConstraint("protocol_year", "protocol_sequence"),
    # One document of a kind per event: a redelivered event finds it and renders nothing.
    UniqueConstraint("source_event_id", "kind"),
)

outgoing_mails = Table(
    "outgoing_mails",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("outbox_id", UUID, ForeignKey("outbox.id"), nullable=False),
    # Who the mail is for (landlord, household, landlord_previous): one mail per event each.
    Column("addressee", String(20), nullable=False, server_default="landlord"),
    Column("to_address", String(254), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text),
    Column("document_ids", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("message_id", String(200), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
    Column("last_error", Text),
    # queued → sending → sent; sending → awaiting_retry (with retry_after) → sending …;
    # → failed after the last attempt, or bounced when the receiving server says so later.
    Column("retry_after", UtcDateTime()),
    # Times a worker died while the SMTP server held the message: resent with the same
    # Message-ID, and counted so the operator sees how often the promise was tested.
    Column("unknown_outcomes", Integer, nullable=False, server_default="0"),
    UniqueConstraint("outbox_id", "addressee"),
)

# Letters for an addressee without e-mail: collected each day into one print batch (a PDF with
# a cover sheet per letter) that staff post and then mark as posted.
print_batches = Table(
    "print_batches",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("day", Date, nullable=False, unique=True),
    Column("letters", Integer, nullable=False),
    Column("storage_key", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # ready → posted
    Column("created_at", UtcDateTime(), nullable=False),
    Column("posted_at", UtcDateTime()),
    Column("posted_by", String(100)),
)

postal_letters = Table(
    "postal_letters",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("outbox_id", UUID, ForeignKey("outbox.id"), nullable=False),
    Column("addressee", String(20), nullable=False),
    Column("recipient_name", String(200), nullable=False),
    Column("recipient_address", String(300), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("document_ids", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("batch_id", UUID, ForeignKey("print_batches.id"), index=True),
    UniqueConstraint("outbox_id", "addressee"),
)

# -- when things go wrong: arrears, mediation, claims, recovery --------------------------------

arrears_reports = Table(
    "arrears_reports",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("guarantee_id", UUID, ForeignKey("guarantees.id"), nullable=False, index=True),
    Column("guarantee_number", String(20)),
    Column("product_code", String(50), nullable=False),
    Column("product_version", String(20), nullable=False),
    Column("reported_on", Date, nullable=False),
    Column("reported_at", UtcDateTime(), nullable=False),
    Column("reported_by", String(100), nullable=False),
    Column("notes", Text, nullable=False),
    Column("deadline", Date),
    # How it reached the fund; ``reported_on`` is the day it did (migration 0007).
    Column("received_via", StrEnumType(ReceiptChannel)),
    Column("received_reference", String(100)),
)

unpaid_rents = Table(
    "unpaid_rents",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("report_id", UUID, ForeignKey("arrears_reports.id"), nullable=False, index=True),
    Column("due_on", Date, nullable=False),
    Column("rent", Cents(), nullable=False),
    Column("charges", Cents(), nullable=False),
    Column("covered", Boolean, nullable=False),
    UniqueConstraint("report_id", "due_on"),
)

mediation_cases = Table(
    "mediation_cases",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("number", String(20), nullable=False, unique=True),
    Column("guarantee_id", UUID, ForeignKey("guarantees.id"), nullable=False, index=True),
    Column("arrears_report_id", UUID, ForeignKey("arrears_reports.id"), index=True),
    Column("status", StrEnumType(MediationStatus), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("opened_by", String(100), nullable=False),
    Column("first_contact_due", Date, nullable=False, index=True),
    Column("first_contact_on", Date),
    # A mediator is a user with the mediator role; workload counts their open cases.
    Column("mediator_id", UUID, ForeignKey("users.id"), index=True),
    Column("assigned_at", UtcDateTime()),
    Column("outcome", StrEnumType(MediationOutcome)),
    Column("outcome_on", Date),
    Column("outcome_reason", Text),
    Column("agreement_total", Cents()),
    Column("agreement_broken_on", Date),
    Column("closed_at", UtcDateTime()),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    # The cases list by deadline, keyset paged (migration 0017).
    Index("ix_mediation_cases_due_number", "first_contact_due", "number"),
    Index("ix_mediation_cases_mediator_due", "mediator_id", "first_contact_due", "number"),
    Index("ix_mediation_cases_status_due", "status", "first_contact_due", "number"),
)

mediation_meetings = Table(
    "mediation_meetings",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("case_id", UUID, ForeignKey("mediation_cases.id"), nullable=False, index=True),
    Column("on", Date, nullable=False),
    Column("at", Time, nullable=False),
    Column("place", String(300), nullable=False),
    Column("participants", Text, nullable=False),
    Column("scheduled_by", String(100), nullable=False),
    Column("scheduled_at", UtcDateTime(), nullable=False),
    Column("notes", Text, nullable=False),
)

mediation_notes = Table(
    "mediation_notes",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("case_id", UUID, ForeignKey("mediation_cases.id"), nullable=False, index=True),
    Column("written_at", UtcDateTime(), nullable=False),
    Column("author", String(100), nullable=False),
    Column("text", Text, nullable=False),
)


def _instalment_columns() -> list[Column[object]]:
    return [
        Column("id", UUID, primary_key=True),
        Column("number", Integer, nullable=False),
        Column("due_on", Date, nullable=False),
        Column("amount", Cents(), nullable=False),
        Column("status", StrEnumType(InstalmentStatus), nullable=False),
        Column("paid_on", Date),
        Column("missed_on", Date),
    ]


agreement_instalments = Table(
    "agreement_instalments",
    metadata,
    Column("case_id", UUID, ForeignKey("mediation_cases.id"), nullable=False, index=True),
    *_instalment_columns(),
    CheckConstraint("amount > 0", name="amount_positive"),
    UniqueConstraint("case_id", "number"),
)

claims = Table(
    "claims",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("number", String(20), nullable=False, unique=True),
    Column("guarantee_id", UUID, ForeignKey("guarantees.id"), nullable=False, index=True),
    Column("guarantee_number", String(20)),
    Column("product_code", String(50), nullable=False),
    Column("product_version", String(20), nullable=False),
    Column("arrears_report_id", UUID, ForeignKey("arrears_reports.id"), index=True),
    Column("status", StrEnumType(ClaimStatus), nullable=False, index=True),
    Column("filed_on", Date, nullable=False),
    Column("filed_at", UtcDateTime(), nullable=False),
    Column("filed_by", String(100), nullable=False),
    # How it reached the fund; ``filed_on`` is the day it did (migration 0007).
    Column("received_via", StrEnumType(ReceiptChannel)),
    Column("received_reference", String(100)),
    Column("decided_at", UtcDateTime()),
    Column("decided_by", String(100)),
    Column("decision_note", Text),
    # A payment above the four-eyes threshold, proposed and waiting for a second manager.
    Column("payment_proposed_by", String(100)),
    Column("payment_proposed_by_account", String(100)),
    Column("payment_proposed_at", UtcDateTime()),
    Column("payment_proposal_reference", String(100)),
    Column("payment_proposal_note", Text),
    Column("payment_proposal_iban", String(34)),  # migration 0007
    Column("paid_amount", Cents(), nullable=False),
    Column("paid_at", UtcDateTime()),
    Column("payment_reference", String(100)),
    Column("paid_to_iban", String(34)),
    Column("recovery_plan_id", UUID),
    Column("recovered_amount", Cents(), nullable=False),
    Column("written_off_amount", Cents(), nullable=False),
    Column("closed_at", UtcDateTime()),
    Column("close_reason", Text),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    # The claim queues, oldest first, stop at the page (migration 0011).
    Index("ix_claims_status_filed", "status", "filed_on", "number"),
    # The claims list, newest first, by status (migration 0017).
    Index("ix_claims_status_number", "status", "number"),
    Index(
        "ix_claims_queue_to_decide",
        "filed_on",
        "number",
        postgresql_where=text(in_sql(QUEUE_CLAIMS_TO_DECIDE)),
    ),
    Index(
        "ix_claims_queue_decided",
        "filed_on",
        "number",
        postgresql_where=text(in_sql(QUEUE_CLAIMS_DECIDED)),
    ),
)

claim_items = Table(
    "claim_items",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("claim_id", UUID, ForeignKey("claims.id"), nullable=False, index=True),
    Column("kind", StrEnumType(ItemKind), nullable=False),
    Column("loss_on", Date, nullable=False),
    Column("claimed", Cents(), nullable=False),
    Column("description", Text, nullable=False),
    Column("approved", Cents()),
    Column("refused", Cents()),
    Column("reason", Text),
    CheckConstraint("claimed > 0", name="claimed_positive"),
)

claim_evidence = Table(
    "claim_evidence",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("claim_id", UUID, ForeignKey("claims.id"), nullable=False, index=True),
    Column("file_name", String(200), nullable=False),
    Column("media_type", String(60), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    # The bytes live in the shared file store under their SHA-256.
    Column("sha256", String(64), nullable=False),
    Column("uploaded_at", UtcDateTime(), nullable=False),
    Column("uploaded_by", String(100), nullable=False),
    Column("description", Text, nullable=False),
    UniqueConstraint("claim_id", "sha256"),
)

recovery_plans = Table(
    "recovery_plans",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("number", String(20), nullable=False, unique=True),
    # A claim's recovery may be re-planned: one plan per claim is active, older ones are
    # closed as replaced and point at their successor (migration 0007).
    Column("claim_id", UUID, ForeignKey("claims.id"), nullable=False, index=True),
    Column("guarantee_id", UUID, ForeignKey("guarantees.id"), nullable=False, index=True),
    Column("household_id", UUID, ForeignKey("households.id"), nullable=False, index=True),
    Column("replaces_plan_id", UUID),
    Column("replaced_by_plan_id", UUID),
    Column("product_code", String(50), nullable=False),
    Column("product_version", String(20), nullable=False),
    Column("status", StrEnumType(RecoveryStatus), nullable=False, index=True),
    Column("amount", Cents(), nullable=False),
    Column("net_monthly_income", Cents(), nullable=False),
    Column("instalment_cap", Cents(), nullable=False),
    Column("planned_amount", Cents(), nullable=False),
    Column("proposed_write_off", Cents(), nullable=False),
    Column("proposal_decided", Boolean, nullable=False),
    Column("written_off", Cents(), nullable=False),
    Column("write_off_reason", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime()),
    Column("version", Integer, nullable=False),
)

recovery_instalments = Table(
    "recovery_instalments",
    metadata,
    Column("plan_id", UUID, ForeignKey("recovery_plans.id"), nullable=False, index=True),
    *_instalment_columns(),
    CheckConstraint("amount > 0", name="amount_positive"),
    UniqueConstraint("plan_id", "number"),
)

# A repeated request with the same Idempotency-Key gets the first answer back; the same key
# with a different body is refused. Written in the business transaction it protects.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("actor_id", String(100), primary_key=True),
    Column("command", String(60), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
