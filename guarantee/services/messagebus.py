"""The one door into the service layer: checks who may act, then runs the command's handler."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import structlog

from guarantee.domain.actors import Actor
from guarantee.services import commands as c
from guarantee.services import permissions
from guarantee.services.deps import Dependencies
from guarantee.services.handlers import (
    accounts,
    applications,
    attestations,
    claims,
    funds,
    guarantees,
    households,
    landlords,
    mediation,
    print_batches,
    reads,
    recovery,
    renewals,
)
from guarantee.services.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)

Handler = Callable[[Any, UnitOfWork, Dependencies], Any]

HANDLERS: dict[type[c.Command], Handler] = {
    c.EnrolLandlord: landlords.enrol_landlord,
    c.AddProperty: landlords.add_property,
    c.ChangeLandlordIban: landlords.change_landlord_iban,
    c.ChangeLandlordContacts: landlords.change_landlord_contacts,
    c.ChangeLegalRepresentative: landlords.change_legal_representative,
    c.ChangeHouseholdIncome: households.change_household_income,
    c.ChangeHouseholdMembers: households.change_household_members,
    c.ChangeHouseholdContacts: households.change_household_contacts,
    c.RecordPersonalDataRead: reads.record_personal_data_read,
    c.SubmitApplication: applications.submit_application,
    c.IssueAttestation: attestations.issue_attestation,
    c.ApplyWithAttestation: attestations.apply_with_attestation,
    c.WithdrawAttestation: attestations.withdraw_attestation,
    c.RenewGuarantee: renewals.renew_guarantee,
    c.ApproveApplication: applications.approve_application,
    c.RefuseApplication: applications.refuse_application,
    c.IssueGuarantee: guarantees.issue_guarantee,
    c.ActivateGuarantee: guarantees.activate_guarantee,
    c.CancelGuarantee: guarantees.cancel_guarantee,
    c.TerminateGuarantee: guarantees.terminate_guarantee,
    c.ExpireGuarantee: guarantees.expire_guarantee,
    c.ResumeGuarantee: claims.resume_guarantee,
    c.ExhaustGuarantee: claims.exhaust_guarantee,
    c.ExpireDueGuarantees: guarantees.expire_due_guarantees,
    c.CreateFund: funds.create_fund,
    c.RecordContribution: funds.record_contribution,
    c.ReportArrears: mediation.report_arrears,
    c.AssignMediationCase: mediation.assign_mediation_case,
    c.RecordFirstContact: mediation.record_first_contact,
    c.ScheduleMeeting: mediation.schedule_meeting,
    c.AddCaseNote: mediation.add_case_note,
    c.RecordMeetingHeld: mediation.record_meeting_held,
    c.RecordMediationOutcome: mediation.record_mediation_outcome,
    c.RecordAgreementInstalment: mediation.record_agreement_instalment,
    c.CloseMediationCase: mediation.close_mediation_case,
    c.FileClaim: claims.file_claim,
    c.AddClaimEvidence: claims.add_claim_evidence,
    c.StartClaimReview: claims.start_claim_review,
    c.SuggestClaimDecision: claims.suggest_claim_decision,
    c.DecideClaim: claims.decide_claim,
    c.RevokeClaimDecision: claims.revoke_claim_decision,
    c.WithdrawClaim: claims.withdraw_claim,
    c.ProposeClaimPayment: claims.propose_claim_payment,
    c.RefuseClaimPayment: claims.refuse_claim_payment,
    c.PayClaim: claims.pay_claim,
    c.CreateRecoveryPlan: recovery.create_recovery_plan,
    c.ReplanRecovery: recovery.replan_recovery,
    c.RecordRecoveryInstalment: recovery.record_recovery_instalment,
    c.WriteOffRecoveryPlan: recovery.write_off_recovery_plan,
    c.Login: accounts.login,
    c.Logout: accounts.logout,
    c.ChangePassword: accounts.change_password,
    c.CreateAccount: accounts.create_account,
    c.DisableAccount: accounts.disable_account,
    c.EnableAccount: accounts.enable_account,
    c.ForcePasswordReset: accounts.force_password_reset,
    c.RequestPasswordReset: accounts.request_password_reset,
    c.ResetPassword: accounts.reset_password,
    c.EnrolOnline: accounts.enrol_online,
    c.MarkPrintBatchPosted: print_batches.mark_print_batch_posted,
}

MAX_ATTEMPTS = 5


class MessageBus:
    def __init__(
        self,
        uow_factory: Callable[[Actor], UnitOfWork],
        deps: Dependencies,
        is_retryable: Callable[[BaseException], bool],
    ) -> None:
        self.uow_factory = uow_factory
        self.deps = deps
        self.is_retryable = is_retryable

    def handle(self, command: c.Command, actor: Actor) -> Any:
        permissions.check(command, actor)
        handler = HANDLERS[type(command)]
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                result = handler(command, self.uow_factory(actor), self.deps)
            except Exception as exc:
                # A lost race (deadlock, stale version, duplicate first number) is retried whole:
                # the transaction rolled back, so nothing of it remains.
                if attempt < MAX_ATTEMPTS and self.is_retryable(exc):
                    log.warning("retrying command", command=type(command).__name__, attempt=attempt)
                    time.sleep(0.01 * attempt)
                    continue
                raise
            log.debug("command handled", command=type(command).__name__, actor=str(actor))
            return result
        raise AssertionError("unreachable")
