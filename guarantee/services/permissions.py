"""Who may do what: one table, checked in one place (the message bus) for every entrypoint."""

from __future__ import annotations

from guarantee.domain.actors import Actor, Role
from guarantee.domain.errors import PermissionDenied
from guarantee.services import commands as c

_STAFF = frozenset({Role.FUND_MANAGER, Role.SYSTEM})
_MEDIATION = _STAFF | {Role.MEDIATOR}
_PEOPLE = frozenset({Role.FUND_MANAGER, Role.MEDIATOR, Role.OPERATOR, Role.LANDLORD, Role.AUDITOR})
_ANYONE = _PEOPLE | {Role.ANONYMOUS, Role.SYSTEM}

ALLOWED: dict[type[c.Command], frozenset[Role]] = {
    c.EnrolLandlord: _STAFF,
    c.MarkPrintBatchPosted: _STAFF,
    c.AddProperty: _STAFF,
    # A landlord's bank details and contacts are the fund's to keep (a common fraud path).
    # A landlord changes its own IBAN and contacts (the handler checks whose): the change is
    # confirmed to both addresses and a new IBAN holds payments for a second fund manager.
    c.ChangeLandlordIban: _STAFF | {Role.LANDLORD},
    c.ChangeLandlordContacts: _STAFF | {Role.LANDLORD},
    c.ChangeLegalRepresentative: _STAFF,
    # Help-desk operators fill applications for the households they refer.
    c.SubmitApplication: _STAFF | {Role.OPERATOR},
    # ... and keep them current (an operator only the households it referred: the handler).
    c.ChangeHouseholdIncome: _STAFF | {Role.OPERATOR},
    c.ChangeHouseholdMembers: _STAFF | {Role.OPERATOR},
    c.ChangeHouseholdContacts: _STAFF | {Role.OPERATOR},
    # Help desks attest households before a lease and turn the attestation into an
    # application (an operator only the attestations it issued: the handler).
    c.IssueAttestation: _STAFF | {Role.OPERATOR},
    c.ApplyWithAttestation: _STAFF | {Role.OPERATOR},
    c.WithdrawAttestation: _STAFF | {Role.OPERATOR},
    # A landlord asks to renew its own guarantee (the handler checks whose), or the fund does.
    c.RenewGuarantee: _STAFF | {Role.LANDLORD},
    # Reading a person's record is itself recorded (whoever may read one).
    c.RecordPersonalDataRead: _STAFF | {Role.AUDITOR, Role.MEDIATOR, Role.OPERATOR},
    c.ApproveApplication: _STAFF,
    c.RefuseApplication: _STAFF,
    c.IssueGuarantee: _STAFF,
    c.ActivateGuarantee: _STAFF,
    c.CancelGuarantee: _STAFF,
    c.TerminateGuarantee: _STAFF,
    c.ExpireGuarantee: _STAFF,
    c.ResumeGuarantee: _STAFF,
    c.ExhaustGuarantee: _STAFF,
    c.ExpireDueGuarantees: _STAFF,
    c.CreateFund: _STAFF,
    c.RecordContribution: _STAFF,
    # Landlords report arrears and file claims on their own guarantees (checked in the handler).
    c.ReportArrears: _STAFF | {Role.LANDLORD},
    c.FileClaim: _STAFF | {Role.LANDLORD},
    c.AddClaimEvidence: _STAFF | {Role.LANDLORD},
    c.WithdrawClaim: _STAFF | {Role.LANDLORD},
    # Mediators handle mediation cases (a mediator only the cases assigned to them).
    c.AssignMediationCase: _MEDIATION,
    c.RecordFirstContact: _MEDIATION,
    c.ScheduleMeeting: _MEDIATION,
    c.AddCaseNote: _MEDIATION,
    c.RecordMeetingHeld: _MEDIATION,
    c.RecordMediationOutcome: _MEDIATION,
    c.RecordAgreementInstalment: _MEDIATION,
    c.CloseMediationCase: _MEDIATION,
    # Fund managers decide, pay, plan the recovery and write off; auditors may read a suggestion.
    c.StartClaimReview: _STAFF,
    c.SuggestClaimDecision: _STAFF | {Role.AUDITOR},
    c.DecideClaim: _STAFF,
    c.RevokeClaimDecision: _STAFF,
    # Four eyes: one fund manager proposes a large payment, another authorises (PayClaim) or
    # refuses it; the handler tells the two apart by account.
    c.ProposeClaimPayment: _STAFF,
    c.RefuseClaimPayment: _STAFF,
    c.PayClaim: _STAFF,
    c.CreateRecoveryPlan: _STAFF,
    c.ReplanRecovery: _STAFF,
    c.RecordRecoveryInstalment: _STAFF,
    c.WriteOffRecoveryPlan: _STAFF,
    # Accounts: anyone may try to log in or ask for a reset link; people manage their own
    # password; fund managers (and the server's command line) administer accounts.
    c.Login: _ANYONE,
    c.RequestPasswordReset: _ANYONE,
    c.ResetPassword: _ANYONE,
    c.EnrolOnline: frozenset({Role.ANONYMOUS}),
    c.Logout: _PEOPLE,
    c.ChangePassword: _PEOPLE,
    c.CreateAccount: _STAFF,
    c.DisableAccount: _STAFF,
    c.EnableAccount: _STAFF,
    c.ForcePasswordReset: _STAFF,
}


def check(command: c.Command, actor: Actor) -> None:
    allowed = ALLOWED.get(type(command))
    if allowed is None:
        # A command without an entry is a programming error, not an open door.
        raise PermissionDenied(actor.role.value, type(command).__name__)
    if actor.role not in allowed:
        raise PermissionDenied(actor.role.value, type(command).__name__)
