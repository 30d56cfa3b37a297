"""Which data is personal: one list of columns and JSON keys that every export, statistic and
log consults, instead of each picking columns by hand.

Personal means it identifies a person or says something about one: names, tax codes,
addresses, birth dates, contact details, bank accounts, means (ISEE, income), network
addresses, and free text (a note can say anything). Anything not listed here may be
published in aggregate; whatever is listed never leaves the system except to a role that
may read it inside the application.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REDACTED = "«riservato»"

# Free text: whatever a person typed, about whom we cannot know.
FREE_TEXT = frozenset(
    {
        "notes",
        "text",
        "description",
        "reason",
        "decision_note",
        "outcome_reason",
        "end_reason",
        "close_reason",
        "write_off_reason",
        "payment_proposal_note",
        "participants",
        "place",
        "body_text",
        "subject",
    }
)

PERSONAL_COLUMNS: Mapping[str, frozenset[str]] = {
    "landlords": frozenset({"name", "tax_code", "iban", "email", "phone", "address"}),
    "properties": frozenset({"address", "cadastral_reference"}),
    "households": frozenset({"main_tenant_tax_code", "isee", "net_monthly_income", "referrer"}),
    "household_members": frozenset({"full_name", "tax_code", "birth_date"}),
    "guarantees": frozenset({"eligibility", "registration_reference", "end_reason"}),
    "users": frozenset({"username", "full_name", "email", "password_hash", "last_login_at"}),
    "audit_events": frozenset({"actor_id", "before", "after", "reason"}),
    "outbox": frozenset({"payload", "actor_id"}),
    "outgoing_mails": frozenset({"to_address", "subject", "body_text"}),
    "arrears_reports": frozenset({"notes", "reported_by"}),
    "mediation_cases": frozenset({"reason", "outcome_reason", "opened_by"}),
    "mediation_meetings": frozenset({"place", "participants", "notes", "scheduled_by"}),
    "mediation_notes": frozenset({"text", "author"}),
    "claims": frozenset(
        {
            "decision_note",
            "paid_to_iban",
            "close_reason",
            "payment_proposal_note",
            "filed_by",
            "decided_by",
            "payment_proposed_by",
        }
    ),
    "claim_items": frozenset({"description", "reason"}),
    "claim_evidence": frozenset({"file_name", "description", "uploaded_by"}),
    "recovery_plans": frozenset({"net_monthly_income", "write_off_reason", "created_by"}),
    "login_throttle": frozenset({"key"}),
    "journal_entries": frozenset({"description", "recorded_by"}),
    # What a household can afford says what it earns.
    "attestations": frozenset({"eligibility", "maximum_rent", "withdrawal_reason", "created_by"}),
}

# Keys inside JSON values (audit before/after, event payloads, eligibility facts).
PERSONAL_KEYS = FREE_TEXT | frozenset(
    {
        "name",
        "full_name",
        "tax_code",
        "main_tenant_tax_code",
        "address",
        "birth_date",
        "email",
        "phone",
        "iban",
        "paid_to_iban",
        "isee",
        "net_monthly_income",
        "income",
        "referrer",
        "members",
        "username",
        "to_address",
        "donor",
    }
)


def is_personal_column(table: str, column: str) -> bool:
    return column in PERSONAL_COLUMNS.get(table, frozenset()) or column in FREE_TEXT


def redact(value: Any) -> Any:
    """A copy with every personal key's value replaced, at any depth."""
    if isinstance(value, Mapping):
        return {k: (REDACTED if k in PERSONAL_KEYS else redact(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def publishable(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row without its personal columns, and its JSON values redacted."""
    return {k: redact(v) for k, v in row.items() if not is_personal_column(table, k)}
