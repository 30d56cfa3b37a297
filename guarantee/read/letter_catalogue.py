"""The event catalogue: for every event the domain emits, the letters it sends — or a reason
why it sends none. An event in neither table is an error (retried and reported), never
silently done.

The composers (``letter_steps``, ``letter_notices``) read the database in the transaction of
the business change (see ``snapshots``), so the letters say what was true at the event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from guarantee.read import attestation_letters as attestations
from guarantee.read import letter_notices as notices
from guarantee.read import letter_steps as steps
from guarantee.read.letter_steps import DECISION_OF_CLAIM
from guarantee.read.letters import Event, Letter, LetterEnv, MissingSetting

Composer = Callable[[Connection, Event, LetterEnv], list[Letter]]

__all__ = ["COMPOSERS", "DECISION_OF_CLAIM", "SILENT", "MissingSetting", "compose"]

COMPOSERS: dict[str, Composer] = {
    "guarantee_issued": steps.guarantee_issued,
    "guarantee_renewed": attestations.guarantee_renewed,
    "attestation_issued": attestations.attestation_issued,
    "attestation_withdrawn": attestations.attestation_withdrawn,
    "eligibility_recorded": steps.eligibility_recorded,
    "application_reviewed": notices.application_reviewed,
    "expiry_reminder_due": steps.expiry_reminder_due,
    "guarantee_expired": notices.guarantee_expired,
    "guarantee_terminated": notices.guarantee_terminated,
    "guarantee_cancelled": notices.guarantee_cancelled,
    "guarantee_exhausted": notices.guarantee_exhausted,
    "arrears_reported": notices.arrears_reported,
    "mediation_opened": notices.mediation_opened,
    "mediation_meeting_scheduled": steps.mediation_meeting_scheduled,
    "mediation_agreement_broken": notices.mediation_agreement_broken,
    "claim_submitted": steps.claim_submitted,
    "claim_decided": steps.claim_decided,
    "claim_decision_revoked": notices.claim_decision_revoked,
    "claim_withdrawn": notices.claim_withdrawn,
    "claim_paid": steps.claim_paid,
    "recovery_plan_created": steps.recovery_plan_created,
    "recovery_written_off": notices.recovery_written_off,
    # Emitted by the landlords' contacts (issue 13); the payload names both addresses.
    "landlord_iban_changed": notices.landlord_iban_changed,
    "landlord_email_changed": notices.landlord_email_changed,
    "account_invited": notices.account_invited,
    "password_reset_requested": notices.password_reset_requested,
}

# Events no one is written to about, and why.
SILENT: dict[str, str] = {
    "mediation_agreement_fulfilled": "the parties kept the agreement they signed themselves",
    "mediation_closed": "its outcome is told by the agreement, the broken agreement or a claim",
    "recovery_instalment_paid": "the receipt is the bank's; the plan's end is what is told",
    "recovery_plan_ended": "a completed plan needs no letter; a written-off rest has its own",
    "password_changed": "the person changed it themselves, in the page that confirms it",
    "household_income_changed": "the household declared it at the help desk, with its document",
    "household_contacts_changed": "the household gave them at the help desk itself",
}


def compose(conn: Connection, event: Event, env: LetterEnv) -> list[Letter] | None:
    """The letters of an event; None for a silent event. KeyError for an unknown one."""
    if event.topic in SILENT:
        return None
    letters = COMPOSERS[event.topic](conn, event, env)
    for letter in letters:
        for enclosure in letter.enclosures:
            _sign(enclosure.context, env)
    return letters


def _sign(context: dict[str, Any], env: LetterEnv) -> None:
    """The signatory and the fund's contacts from settings; deadlines the fund sets on a
    working day."""
    fund = env.fund
    if "signatory" in context:
        context["signatory"] = {"name": fund.signatory_name, "role": fund.signatory_role}
    for person in ("case_officer", "mediator"):
        if person in context:
            who = context[person]
            who["email"] = who.get("email") or fund.email
            who["phone"] = who.get("phone") or fund.phone
    if "case_officer" in context:
        context["case_officer"]["name"] = fund.signatory_name
    for deadline in ("confirm_by", "renewal_request_by"):
        if deadline in context:
            context[deadline] = env.working_day_by(context[deadline])
