"""What each role may read: one table for the API and the pages alike.

Which *rows* an actor reaches (a landlord only its own guarantees, a help desk its own
referrals, a mediator the cases assigned to it) is ``rows_of(actor)``: the read functions take
the actor and narrow their queries by it, so controllers and pages only pass the actor along.
This module also decides *which fields* of a row each audience sees, which documents it may
download, which steps of a timeline it is shown, and which actions it is offered. A field not
listed for an audience is never sent to it: adding a column to a read model shows it to
nobody until it is listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from guarantee.domain.actors import Actor, Role
from guarantee.domain.documents import DocumentKind
from guarantee.domain.errors import NotFound, PermissionDenied
from guarantee.services import commands as c
from guarantee.services.permissions import ALLOWED


class Audience(StrEnum):
    FUND = "fund"  # fund managers, auditors, the system: everything
    MEDIATION = "mediation"  # mediators: their cases and what they need to handle them
    HELP_DESK = "help_desk"  # help-desk operators: the households they referred
    LANDLORD = "landlord"  # landlords: their guarantees, never the household's means
    NOBODY = "nobody"


def audience_of(actor: Actor) -> Audience:
    return {
        Role.FUND_MANAGER: Audience.FUND,
        Role.AUDITOR: Audience.FUND,
        Role.SYSTEM: Audience.FUND,
        Role.MEDIATOR: Audience.MEDIATION,
        Role.OPERATOR: Audience.HELP_DESK,
        Role.LANDLORD: Audience.LANDLORD,
    }.get(actor.role, Audience.NOBODY)


# Fund managers, auditors and the system read every row.
_READ_ALL = frozenset({Role.FUND_MANAGER, Role.AUDITOR, Role.SYSTEM})
_NO_ROW = "(nessuno)"  # a key no row has: a scoped role without its key reaches nothing


@dataclass(frozen=True)
class RowScope:
    """Which rows an actor reaches: everything, one landlord's, its own referrals (a help
    desk), or the guarantees and cases assigned to it (a mediator). Each key is None unless
    it narrows this actor's reads."""

    actor: Actor
    everything: bool
    landlord_id: str | None = None
    created_by: str | None = None
    mediator_id: str | None = None

    def _refuse(self, what: str) -> PermissionDenied:
        return PermissionDenied(self.actor.role.value, f"leggere {what}")

    def require_someone(self, what: str) -> None:
        """Nobody (a request without an account) reads any row."""
        if not (self.everything or self.landlord_id or self.created_by or self.mediator_id):
            raise self._refuse(what)

    def require_staff(self, what: str) -> None:
        if not self.everything:
            raise self._refuse(what)

    def require_staff_or_landlord(self, what: str) -> None:
        """The fund reads all of it, a landlord its own; nobody else any of it."""
        if not self.everything and self.landlord_id is None:
            raise self._refuse(what)

    def require_staff_or_help_desk(self, what: str) -> None:
        """The fund reads all of it, a help desk what it made; nobody else any of it."""
        if not self.everything and self.created_by is None:
            raise self._refuse(what)

    def require_staff_or_mediation(self, what: str) -> None:
        """Staff, mediators (their cases) and landlords (theirs): not a help desk."""
        self.require_someone(what)
        if self.created_by is not None:
            raise self._refuse(what)


def rows_of(actor: Actor) -> RowScope:
    if actor.role in _READ_ALL:
        return RowScope(actor, everything=True)
    if actor.role is Role.LANDLORD:
        return RowScope(actor, False, landlord_id=actor.landlord_id or _NO_ROW)
    if actor.role is Role.OPERATOR:
        return RowScope(actor, False, created_by=actor.user_id or _NO_ROW)
    if actor.role is Role.MEDIATOR:
        return RowScope(actor, False, mediator_id=actor.account_id or actor.user_id or _NO_ROW)
    return RowScope(actor, everything=False)


EVERYTHING = None  # every field of the row

# What a landlord reads of its own guarantee: the promise and its dates; never the
# household's means, the eligibility facts, the reserve, the fund, or who did what.
_GUARANTEE_FOR_LANDLORD = frozenset(
    {
        "id",
        "application_number",
        "landlord_id",
        "property_id",
        "created_at",
        "updated_at",
        "timeline",
        "number",
        "status",
        "landlord_name",
        "property_address",
        "municipality_istat_code",
        "lease_type",
        "lease_start",
        "lease_end",
        "monthly_rent",
        "monthly_charges",
        "lease_registered",
        "registration_reference",
        "product_code",
        "product_version",
        "maximum_exposure",
        "paid_amount",
        "starts_on",
        "ends_on",
        "term",
        "term_starts_on",
        "terms",
        "renewals_left",
        "issued_at",
        "ended_at",
        "cover",
        "allowed_actions",
    }
)
# What a landlord reads of a past term of its guarantee: never the fund's reserve.
_TERM_FOR_LANDLORD = frozenset(
    {
        "term",
        "starts_on",
        "ends_on",
        "monthly_rent",
        "monthly_charges",
        "lease_end",
        "maximum_exposure",
        "certificate_code",
        "renewed_at",
    }
)
# A mediator handling a case reads the guarantee's terms, not the household's means.
_GUARANTEE_FOR_MEDIATION = _GUARANTEE_FOR_LANDLORD | {"landlord_id", "household_id"}

VISIBLE: dict[str, dict[Audience, frozenset[str] | None]] = {
    "guarantee": {
        Audience.FUND: EVERYTHING,
        Audience.HELP_DESK: EVERYTHING,  # the application they filled in for the household
        Audience.MEDIATION: _GUARANTEE_FOR_MEDIATION,
        Audience.LANDLORD: _GUARANTEE_FOR_LANDLORD,
    },
    "claim": {
        Audience.FUND: EVERYTHING,
        Audience.LANDLORD: frozenset(
            {
                "number",
                "status",
                "guarantee_number",
                "filed_on",
                "decided_at",
                "decision_note",
                "paid_amount",
                "paid_at",
                "payment_reference",
                "paid_to_iban",
                "closed_at",
                "items",
                "evidence",
                "claimed_total",
                "approved_total",
                "cover",
                "allowed_actions",
                "recovered_amount",
                "written_off_amount",
                "recovery_plan_number",
                "filed_at",
                "received_via",
                "received_reference",
                "iban_held_until",
            }
        ),
    },
    "mediation_case": {
        Audience.FUND: EVERYTHING,
        Audience.MEDIATION: EVERYTHING,
        Audience.LANDLORD: frozenset(
            {
                "number",
                "status",
                "guarantee_number",
                "reason",
                "opened_on",
                "first_contact_due",
                "first_contact_on",
                "outcome",
                "outcome_on",
                "agreement_total",
                "agreement_broken_on",
                "closed_at",
                "meetings",
                "instalments",
                "overdue",
                "allowed_actions",
            }
        ),
    },
    "household": {
        Audience.FUND: EVERYTHING,
        Audience.HELP_DESK: EVERYTHING,
        # To reach the tenant on a case of its own: who and how, never the household's means.
        Audience.MEDIATION: frozenset(
            {"id", "main_tenant_name", "email", "phone", "postal_address", "preferred_channel"}
        ),
    },
    "landlord": {
        Audience.FUND: EVERYTHING,
        # Its own record, without the history of who changed it.
        Audience.LANDLORD: frozenset(
            {
                "id",
                "kind",
                "name",
                "tax_code",
                "iban",
                "iban_changed_on",
                "email",
                "phone",
                "address",
                "legal_representative_name",
                "legal_representative_tax_code",
                "created_at",
                "updated_at",
            }
        ),
        Audience.HELP_DESK: frozenset({"id", "kind", "name", "email", "phone", "address"}),
        Audience.MEDIATION: frozenset({"id", "kind", "name", "email", "phone", "address"}),
    },
    # Attestations: the fund, and the help desk that issued them (rows scoped by creator).
    "attestation": {Audience.FUND: EVERYTHING, Audience.HELP_DESK: EVERYTHING},
    "recovery_plan": {Audience.FUND: EVERYTHING},
    "fund": {Audience.FUND: EVERYTHING},
    "account": {Audience.FUND: EVERYTHING},
}

# Who may download a document: its addressees, and the fund.
DOCUMENT_READERS: dict[DocumentKind, frozenset[Audience]] = {
    DocumentKind.GUARANTEE_CONTRACT: frozenset({Audience.FUND, Audience.LANDLORD}),
    DocumentKind.CERTIFICATE: frozenset({Audience.FUND, Audience.LANDLORD}),
    DocumentKind.ELIGIBILITY_OUTCOME: frozenset({Audience.FUND, Audience.HELP_DESK}),
    DocumentKind.CLAIM_ACKNOWLEDGEMENT: frozenset({Audience.FUND, Audience.LANDLORD}),
    DocumentKind.CLAIM_DECISION: frozenset({Audience.FUND, Audience.LANDLORD}),
    DocumentKind.PAYMENT_NOTICE: frozenset({Audience.FUND, Audience.LANDLORD}),
    DocumentKind.MEDIATION_CONVOCATION: frozenset(
        {Audience.FUND, Audience.LANDLORD, Audience.MEDIATION}
    ),
    # The tenant's plan: its means and debt are nobody else's business.
    DocumentKind.REPAYMENT_PLAN: frozenset({Audience.FUND}),
    DocumentKind.EXPIRY_REMINDER: frozenset({Audience.FUND, Audience.LANDLORD}),
    DocumentKind.GUARANTEE_NOTICE: frozenset({Audience.FUND, Audience.LANDLORD}),
    # Letters to the tenant household: the fund and the help desk that accompanies it.
    DocumentKind.HOUSEHOLD_NOTICE: frozenset({Audience.FUND, Audience.HELP_DESK}),
    # The household's attestation: it shows it to landlords itself; landlords check the code.
    DocumentKind.ELIGIBILITY_ATTESTATION: frozenset({Audience.FUND, Audience.HELP_DESK}),
}

# The steps of a guarantee's life a landlord is shown, in its words (no names, no reasons).
LANDLORD_TIMELINE = {
    "issue": "Garanzia emessa",
    "activate": "Garanzia in vigore",
    "suspend": "Garanzia sospesa per una richiesta di escussione",
    "resume": "Garanzia di nuovo in vigore",
    "claim_payment": "Pagamento disposto dal Fondo",
    "expire": "Garanzia scaduta",
    "terminate": "Garanzia cessata",
    "cancel": "Garanzia annullata",
    "exhaust": "Massimale esaurito",
    "renew": "Garanzia rinnovata per un nuovo periodo",
}

# Lifecycle actions and the command that carries each out, to offer only what may be done.
GUARANTEE_ACTIONS: dict[str, type[c.GuaranteeCommand]] = {
    "approve": c.ApproveApplication,
    "refuse": c.RefuseApplication,
    "issue": c.IssueGuarantee,
    "activate": c.ActivateGuarantee,
    "cancel": c.CancelGuarantee,
    "terminate": c.TerminateGuarantee,
    "expire": c.ExpireGuarantee,
    "resume": c.ResumeGuarantee,
    "exhaust": c.ExhaustGuarantee,
    "renew": c.RenewGuarantee,
}
_CLAIM_ACTIONS: dict[str, type[c.Command]] = {
    "start_review": c.StartClaimReview,
    "decide": c.DecideClaim,
    "revoke_decision": c.RevokeClaimDecision,
    "propose_payment": c.ProposeClaimPayment,
    "refuse_payment": c.RefuseClaimPayment,
    "mark_paid": c.PayClaim,
    "withdraw": c.WithdrawClaim,
    "add_evidence": c.AddClaimEvidence,
}
_CASE_ACTIONS: dict[str, type[c.Command]] = {
    "assign": c.AssignMediationCase,
    "reassign": c.AssignMediationCase,
    "record_first_contact": c.RecordFirstContact,
    "schedule_meeting": c.ScheduleMeeting,
    "add_note": c.AddCaseNote,
    "reach_agreement": c.RecordMediationOutcome,
    "record_no_agreement": c.RecordMediationOutcome,
    "withdraw": c.RecordMediationOutcome,
    "record_instalment_paid": c.RecordAgreementInstalment,
    "record_instalment_missed": c.RecordAgreementInstalment,
    "close": c.CloseMediationCase,
}
ACTION_COMMANDS: dict[str, Mapping[str, type[c.Command]]] = {
    "guarantee": GUARANTEE_ACTIONS,
    "claim": _CLAIM_ACTIONS,
    "mediation_case": _CASE_ACTIONS,
}


def actions_for(actor: Actor, resource: str, lifecycle_actions: Iterable[str]) -> list[str]:
    """Of the moves the state allows, those this actor's role may carry out."""
    commands = ACTION_COMMANDS.get(resource, {})
    return [
        action
        for action in lifecycle_actions
        if action in commands and actor.role in ALLOWED.get(commands[action], frozenset())
    ]


def can_read(resource: str, actor: Actor) -> bool:
    return audience_of(actor) in VISIBLE.get(resource, {})


def shaped(resource: str, actor: Actor, row: Mapping[str, Any], key: str = "") -> dict[str, Any]:
    """The row as this actor may see it; a resource it may not read does not exist for it."""
    fields = VISIBLE.get(resource, {}).get(audience_of(actor), frozenset())
    if fields is not None and not fields:
        raise NotFound(resource, key or str(row.get("number", "")))
    if fields is None:
        return dict(row)
    visible = {name: value for name, value in row.items() if name in fields}
    if resource == "guarantee" and "terms" in visible:
        visible["terms"] = [
            {k: v for k, v in term.items() if k in _TERM_FOR_LANDLORD} for term in visible["terms"]
        ]
    return visible


def may_download(actor: Actor, kind: DocumentKind | str) -> bool:
    audience = audience_of(actor)
    return audience is Audience.FUND or audience in DOCUMENT_READERS.get(
        DocumentKind(kind), frozenset()
    )


def landlord_timeline(history: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A guarantee's audit history told to its landlord: milestones and their dates only."""
    return [
        {"occurred_at": event["occurred_at"], "label": LANDLORD_TIMELINE[event["action"]]}
        for event in history
        if event["action"] in LANDLORD_TIMELINE
    ]


def guarantee_view(actor: Actor, row: Mapping[str, Any]) -> dict[str, Any]:
    """A guarantee as this actor may read it: its fields, the actions it may take now, and
    for everyone a timeline in words (staff also get the full history)."""
    lifecycle = row.get("allowed_actions", [])
    enriched = {
        **row,
        "allowed_actions": actions_for(actor, "guarantee", lifecycle),
        "timeline": landlord_timeline(row.get("history", [])),
    }
    return shaped("guarantee", actor, enriched, str(row.get("number") or ""))


def claim_view(actor: Actor, row: Mapping[str, Any]) -> dict[str, Any]:
    enriched = {
        **row,
        "allowed_actions": actions_for(actor, "claim", row.get("allowed_actions", [])),
    }
    return shaped("claim", actor, enriched, str(row.get("number") or ""))


def case_view(actor: Actor, row: Mapping[str, Any]) -> dict[str, Any]:
    lifecycle = row.get("allowed_actions", [])
    enriched = {**row, "allowed_actions": actions_for(actor, "mediation_case", lifecycle)}
    return shaped("mediation_case", actor, enriched, str(row.get("number") or ""))
