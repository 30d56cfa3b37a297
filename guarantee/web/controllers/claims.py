"""When things go wrong: arrears reports, mediation cases, claims and recovery plans."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import Body, HeaderParameter, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from guarantee.domain.actors import Actor
from guarantee.domain.claims import ClaimStatus
from guarantee.domain.errors import InvalidField
from guarantee.domain.mediation import MediationStatus
from guarantee.read import access
from guarantee.read import claims as read
from guarantee.services import commands as c
from guarantee.services.handlers.mediation import ArrearsReported
from guarantee.web.deps import ActorDep, ConnectionDep, SystemDep
from guarantee.web.schemas import (
    ArrearsReportIn,
    ArrearsReportOut,
    AssignIn,
    ClaimDetailOut,
    ClaimIn,
    ClaimOut,
    DecisionIn,
    FirstContactIn,
    InstalmentIn,
    ItemDecisionIO,
    MediationCaseDetailOut,
    MediationCaseOut,
    MeetingHeldIn,
    MeetingIn,
    NoteIn,
    OutcomeIn,
    Page,
    PageNumber,
    PageSize,
    PayIn,
    PaymentOut,
    ProposePaymentIn,
    ReasonIn,
    ReceivedIn,
    RecoveryPlanIn,
    RecoveryPlanOut,
    ReplanIn,
    RequiredReasonIn,
    WriteOffIn,
    page_of,
)

# Evidence files are at most 10 MB (the domain's limit); the form around them adds a little.
MAX_UPLOAD_BYTES = 11 * 1024 * 1024
IdempotencyKey = Annotated[
    str,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Chiave scelta dal chiamante: ripetere la richiesta con la stessa chiave "
        "restituisce il primo esito senza pagare di nuovo.",
    ),
]


def _case_out(
    system: SystemDep, conn: ConnectionDep, actor: Actor, number: str
) -> MediationCaseDetailOut:
    row = read.case_detail(conn, number, actor=actor, today=system.deps.clock.today())
    return MediationCaseDetailOut.model_validate(access.case_view(actor, row))


def _claim_out(system: SystemDep, conn: ConnectionDep, actor: Actor, number: str) -> ClaimDetailOut:
    row = read.claim_detail(
        conn, number, actor=actor, products=system.deps.products, today=system.deps.clock.today()
    )
    return ClaimDetailOut.model_validate(access.claim_view(actor, row))


def _received(data: ReceivedIn) -> c.ReceiptData | None:
    """How a report or claim reached the fund, when staff say so (all or nothing)."""
    if data.received_on is None and data.channel is None and not data.reference:
        return None
    if data.received_on is None:
        raise InvalidField("received_on", "indicare il giorno in cui è arrivata al fondo")
    if data.channel is None:
        raise InvalidField("channel", "indicare come è arrivata: posta, PEC o sportello")
    return c.ReceiptData(data.received_on, data.channel, data.reference or None)


class ArrearsReportController(Controller):
    path = "/api/v1/arrears-reports"
    tags = ("claims",)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def report_arrears(
        self,
        data: JSONBody[ArrearsReportIn],
        system: SystemDep,
        actor: ActorDep,
        conn: ConnectionDep,
    ) -> ArrearsReportOut:
        """A landlord (on its own guarantee) or a fund manager reports unpaid rents; a
        mediation case opens at once, assigned by workload when mediators exist."""
        done: ArrearsReported = system.bus.handle(
            c.ReportArrears(
                guarantee_number=data.guarantee_number,
                rents=tuple(c.UnpaidRentData(r.due_on, r.rent, r.charges) for r in data.rents),
                notes=data.notes,
                received=_received(data),
            ),
            actor,
        )
        assert done.case.number is not None
        return ArrearsReportOut(
            id=done.report.id,
            guarantee_number=done.report.guarantee_number,
            reported_on=done.report.reported_on,
            reported_at=done.report.reported_at,
            received_via=done.report.received_via,
            received_reference=done.report.received_reference,
            deadline=done.report.deadline,
            covered_amount=done.report.covered_amount,
            total_amount=done.report.total_amount,
            mediation_case=_case_out(system, conn, actor, done.case.number),
        )


class MediationCaseController(Controller):
    path = "/api/v1/mediation-cases"
    tags = ("mediation",)

    @get("/", sync_to_thread=True)
    def list_cases(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
        overdue: bool | None = None,
        status: MediationStatus | None = None,
        guarantee_number: str | None = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        after: str | None = None,
    ) -> Page[MediationCaseOut]:
        """By first-contact deadline; ``overdue=true``: cases whose first contact is past due
        and not yet made. Paged: follow ``next`` (a keyset cursor) for the next page."""
        found = read.list_cases(
            conn,
            actor=actor,
            today=system.deps.clock.today(),
            overdue=overdue,
            status=status,
            guarantee_number=guarantee_number,
            page=page,
            page_size=page_size,
            after=after,
        )
        shaped = found.shaped(lambda row: access.case_view(actor, row))
        return page_of(shaped, MediationCaseOut, request)

    @get("/{number:str}", sync_to_thread=True)
    def case_detail(
        self, number: str, system: SystemDep, conn: ConnectionDep, actor: ActorDep
    ) -> MediationCaseDetailOut:
        return _case_out(system, conn, actor, number)

    def _act(
        self, system: SystemDep, conn: ConnectionDep, actor: Actor, command: c.Command
    ) -> MediationCaseDetailOut:
        case = system.bus.handle(command, actor)
        return _case_out(system, conn, actor, case.number)

    @post("/{number:str}/assign", status_code=HTTP_200_OK, sync_to_thread=True)
    def assign(
        self,
        number: str,
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
        data: JSONBody[AssignIn | None] = None,
    ) -> MediationCaseDetailOut:
        body = data or AssignIn()
        command = c.AssignMediationCase(number, body.mediator_id, body.reason)
        return self._act(system, conn, actor, command)

    @post("/{number:str}/first-contact", status_code=HTTP_200_OK, sync_to_thread=True)
    def first_contact(
        self,
        number: str,
        data: JSONBody[FirstContactIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> MediationCaseDetailOut:
        return self._act(system, conn, actor, c.RecordFirstContact(number, data.on, data.note))

    @post("/{number:str}/meetings", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def meeting(
        self,
        number: str,
        data: JSONBody[MeetingIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> MediationCaseDetailOut:
        command = c.ScheduleMeeting(
            number, data.on, data.at, data.place, data.participants, data.notes
        )
        return self._act(system, conn, actor, command)

    @post(
        "/{number:str}/meetings/{meeting_id:str}/held",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def meeting_held(
        self,
        number: str,
        meeting_id: str,
        data: JSONBody[MeetingHeldIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> MediationCaseDetailOut:
        """After the meeting: who came (the invited list is kept in the audit trail)."""
        command = c.RecordMeetingHeld(number, meeting_id, data.attended, data.notes)
        return self._act(system, conn, actor, command)

    @post("/{number:str}/notes", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def note(
        self,
        number: str,
        data: JSONBody[NoteIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> MediationCaseDetailOut:
        return self._act(system, conn, actor, c.AddCaseNote(number, data.text))

    @post("/{number:str}/outcome", status_code=HTTP_200_OK, sync_to_thread=True)
    def outcome(
        self,
        number: str,
        data: JSONBody[OutcomeIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> MediationCaseDetailOut:
        """agreement (optionally with ``repayment``), no_agreement or withdrawn."""
        repayment = None
        if data.repayment is not None:
            r = data.repayment
            repayment = c.RepaymentTermsData(r.total, r.instalments, r.first_due_on)
        command = c.RecordMediationOutcome(number, data.outcome, data.on, data.reason, repayment)
        return self._act(system, conn, actor, command)

    @post(
        "/{number:str}/instalments/{instalment_id:str}",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def instalment(
        self,
        number: str,
        instalment_id: str,
        data: JSONBody[InstalmentIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> MediationCaseDetailOut:
        """An agreed instalment paid, or missed (a missed one reopens the path to a claim)."""
        command = c.RecordAgreementInstalment(
            number, instalment_id, data.paid, data.on, data.reason
        )
        return self._act(system, conn, actor, command)

    @post("/{number:str}/close", status_code=HTTP_200_OK, sync_to_thread=True)
    def close(
        self,
        number: str,
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
        data: JSONBody[ReasonIn | None] = None,
    ) -> MediationCaseDetailOut:
        reason = data.reason if data else None
        return self._act(system, conn, actor, c.CloseMediationCase(number, reason))


@dataclass
class EvidenceForm:
    """multipart/form-data: ``file`` (PDF, JPEG or PNG, at most 10 MB) and a description."""

    file: UploadFile
    description: str = ""


def _with_reason(
    name: str, path: str, command: Callable[[str, str], c.Command], summary: str
) -> HTTPRouteHandler:
    """A claim step that needs only a reason (refuse a proposed payment, revoke a decision,
    withdraw): the command on the bus, then the claim as this actor reads it."""

    def step(
        self: Controller,
        number: str,
        data: JSONBody[RequiredReasonIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> ClaimDetailOut:
        system.bus.handle(command(number, data.reason), actor)
        return _claim_out(system, conn, actor, number)

    step.__name__ = step.__qualname__ = name
    return post(path, status_code=HTTP_200_OK, sync_to_thread=True, description=summary)(step)


class ClaimController(Controller):
    path = "/api/v1/claims"
    tags = ("claims",)

    @get("/", sync_to_thread=True)
    def list_claims(
        self,
        request: Request[Any, Any, Any],
        conn: ConnectionDep,
        actor: ActorDep,
        status: ClaimStatus | None = None,
        guarantee_number: str | None = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        after: str | None = None,
    ) -> Page[ClaimOut]:
        """Newest first. Paged: follow ``next`` (a keyset cursor) for the next page."""
        found = read.list_claims(
            conn,
            actor=actor,
            status=status,
            guarantee_number=guarantee_number,
            page=page,
            page_size=page_size,
            after=after,
        )
        return page_of(found.shaped(lambda row: access.claim_view(actor, row)), ClaimOut, request)

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        # Up to a few evidence files in base64 (a third larger than their bytes).
        request_max_body_size=3 * MAX_UPLOAD_BYTES,
    )
    def file_claim(
        self, data: JSONBody[ClaimIn], system: SystemDep, conn: ConnectionDep, actor: ActorDep
    ) -> ClaimDetailOut:
        """File a claim, with its evidence in base64 (a damages claim needs it at filing);
        more evidence can be uploaded afterwards (``POST /{number}/evidence``)."""
        claim = system.bus.handle(
            c.FileClaim(
                guarantee_number=data.guarantee_number,
                items=tuple(
                    c.ClaimItemData(i.kind, i.loss_on, i.claimed, i.description) for i in data.items
                ),
                evidence=tuple(
                    c.EvidenceUpload(e.file_name, e.media_type, e.content_base64, e.description)
                    for e in data.evidence
                ),
                received=_received(data),
            ),
            actor,
        )
        return _claim_out(system, conn, actor, claim.number)

    @get("/{number:str}", sync_to_thread=True)
    def claim_detail(
        self, number: str, system: SystemDep, conn: ConnectionDep, actor: ActorDep
    ) -> ClaimDetailOut:
        return _claim_out(system, conn, actor, number)

    @post(
        "/{number:str}/evidence",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024,
    )
    def add_evidence(
        self,
        number: str,
        data: Annotated[EvidenceForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> ClaimDetailOut:
        """Upload one evidence file as multipart/form-data (fields ``file`` and
        ``description``): PDF, JPEG or PNG, at most 10 MB; stored with its SHA-256."""
        upload = data.file
        content = upload.file.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            raise InvalidField("file", "il file supera la dimensione massima")
        command = c.AddClaimEvidence(
            number,
            c.EvidenceUpload(
                file_name=upload.filename or "",
                media_type=upload.content_type or "",
                content=content,
                description=data.description,
            ),
        )
        system.bus.handle(command, actor)
        return _claim_out(system, conn, actor, number)

    @post("/{number:str}/review", status_code=HTTP_200_OK, sync_to_thread=True)
    def review(
        self, number: str, system: SystemDep, conn: ConnectionDep, actor: ActorDep
    ) -> ClaimDetailOut:
        system.bus.handle(c.StartClaimReview(number), actor)
        return _claim_out(system, conn, actor, number)

    @get("/{number:str}/suggested-decision", sync_to_thread=True)
    def suggested_decision(
        self, number: str, system: SystemDep, actor: ActorDep
    ) -> list[ItemDecisionIO]:
        """What the remaining cover and the mediation allow on each item, with reasons."""
        suggestion = system.bus.handle(c.SuggestClaimDecision(number), actor)
        return [
            ItemDecisionIO(item_id=d.item_id, approved=d.approved, reason=d.reason)
            for d in suggestion
        ]

    @post("/{number:str}/decide", status_code=HTTP_200_OK, sync_to_thread=True)
    def decide(
        self,
        number: str,
        data: JSONBody[DecisionIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> ClaimDetailOut:
        """Approve, approve in part or reject: an approved amount per item, and a reason for
        every euro refused; never above the remaining cover."""
        command = c.DecideClaim(
            number,
            tuple(c.ItemDecisionData(d.item_id, d.approved, d.reason) for d in data.decisions),
            data.note,
        )
        system.bus.handle(command, actor)
        return _claim_out(system, conn, actor, number)

    @post("/{number:str}/pay", status_code=HTTP_200_OK, sync_to_thread=True)
    def pay(
        self,
        number: str,
        idempotency_key: IdempotencyKey,
        system: SystemDep,
        actor: ActorDep,
        data: JSONBody[PayIn | None] = None,
    ) -> PaymentOut:
        """Pay the approved amount to the landlord's IBAN through the fund's books. The
        ``Idempotency-Key`` header is required: the same key returns the first result and
        pays nothing more; the same key with a different body is a 409."""
        body = data or PayIn()
        result = system.bus.handle(
            c.PayClaim(number, idempotency_key, body.payment_reference, body.on, body.note),
            actor,
        )
        return PaymentOut.model_validate(result)

    @post("/{number:str}/payment-proposal", status_code=HTTP_200_OK, sync_to_thread=True)
    def propose_payment(
        self,
        number: str,
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
        data: JSONBody[ProposePaymentIn | None] = None,
    ) -> ClaimDetailOut:
        """Four eyes, first pair: propose paying an amount above the product's threshold.
        Nothing moves until another fund manager authorises it with ``/pay``."""
        body = data or ProposePaymentIn()
        system.bus.handle(c.ProposeClaimPayment(number, body.payment_reference, body.note), actor)
        return _claim_out(system, conn, actor, number)

    refuse_payment = _with_reason(
        "refuse_payment",
        "/{number:str}/payment-proposal/refuse",
        c.RefuseClaimPayment,
        "Turn a proposed payment down, with a reason; the decision stands.",
    )
    revoke_decision = _with_reason(
        "revoke_decision",
        "/{number:str}/revoke-decision",
        c.RevokeClaimDecision,
        "Revoke an unpaid decision (its commitment is released); the claim is reviewed and "
        "decided again.",
    )
    withdraw = _with_reason(
        "withdraw",
        "/{number:str}/withdraw",
        c.WithdrawClaim,
        "The landlord withdraws its claim before it is paid.",
    )


class RecoveryPlanController(Controller):
    path = "/api/v1/recovery-plans"
    tags = ("recovery",)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def create_plan(
        self,
        data: JSONBody[RecoveryPlanIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> RecoveryPlanOut:
        """For a paid claim: monthly instalments within the household's income share."""
        plan = system.bus.handle(
            c.CreateRecoveryPlan(data.claim_number, data.first_due_on, data.instalments), actor
        )
        return RecoveryPlanOut.model_validate(read.plan_detail(conn, plan.number, actor=actor))

    @get("/{number:str}", sync_to_thread=True)
    def plan_detail(self, number: str, conn: ConnectionDep, actor: ActorDep) -> RecoveryPlanOut:
        return RecoveryPlanOut.model_validate(read.plan_detail(conn, number, actor=actor))

    @post(
        "/{number:str}/instalments/{instalment_id:str}",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def instalment(
        self,
        number: str,
        instalment_id: str,
        data: JSONBody[InstalmentIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> RecoveryPlanOut:
        """Paid (the money goes back to the fund) or missed."""
        system.bus.handle(
            c.RecordRecoveryInstalment(number, instalment_id, data.paid, data.on, data.reason),
            actor,
        )
        return RecoveryPlanOut.model_validate(read.plan_detail(conn, number, actor=actor))

    @post("/{number:str}/replan", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def replan(
        self,
        number: str,
        data: JSONBody[ReplanIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> RecoveryPlanOut:
        """After the household's income changed: this plan is closed as it stands (what was
        paid stays paid) and the new plan returned asks the rest at the new income's share."""
        command = c.ReplanRecovery(number, data.first_due_on, data.reason, data.instalments)
        plan = system.bus.handle(command, actor)
        return RecoveryPlanOut.model_validate(read.plan_detail(conn, plan.number, actor=actor))

    @post("/{number:str}/write-off", status_code=HTTP_200_OK, sync_to_thread=True)
    def write_off(
        self,
        number: str,
        data: JSONBody[WriteOffIn],
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
    ) -> RecoveryPlanOut:
        """Write off what will not come back: the proposed part only, or all that is owed."""
        system.bus.handle(c.WriteOffRecoveryPlan(number, data.reason, data.proposed_only), actor)
        return RecoveryPlanOut.model_validate(read.plan_detail(conn, number, actor=actor))
