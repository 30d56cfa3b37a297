"""Read side: mediation cases, claims and recovery plans as plain rows (no aggregates).

Every read takes the actor: a landlord follows only its own guarantees' cases and claims, a
mediator the cases assigned to it (``access.rows_of``); a row outside the scope is "not
found", never "forbidden".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, select

from guarantee.adapters.db import tables
from guarantee.domain.actors import Actor
from guarantee.domain.claims import CLAIM_LIFECYCLE, ClaimStatus
from guarantee.domain.errors import NotFound
from guarantee.domain.landlords import iban_hold_until
from guarantee.domain.mediation import MEDIATION_LIFECYCLE, MediationStatus
from guarantee.domain.recovery import RecoveryStatus
from guarantee.read.access import RowScope, rows_of
from guarantee.read.cover import cover_lines, cover_state
from guarantee.read.paging import Page, keyset_page
from guarantee.services.ports import ProductCatalog

m, cl, rp, g, u = (
    tables.mediation_cases.c,
    tables.claims.c,
    tables.recovery_plans.c,
    tables.guarantees.c,
    tables.users.c,
)
_WAITING_FOR_CONTACT = [MediationStatus.OPENED.value, MediationStatus.ASSIGNED.value]


def _scoped(statement: Select[Any], guarantee_id: Any, scope: RowScope) -> Select[Any]:
    if scope.landlord_id is None:
        return statement
    owned = select(g.id).where(g.landlord_id == scope.landlord_id)
    return statement.where(guarantee_id.in_(owned))


def _cases_within(statement: Select[Any], scope: RowScope) -> Select[Any]:
    """The cases this reader reaches: all (the fund), its guarantees' (a landlord), those
    assigned to it (a mediator); a help desk none."""
    scope.require_staff_or_mediation("le pratiche di mediazione")
    statement = _scoped(statement, m.guarantee_id, scope)
    if scope.mediator_id is not None:
        statement = statement.where(m.mediator_id == scope.mediator_id)
    return statement


def _rows(conn: Connection, statement: Select[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(statement).mappings()]


# -- mediation cases -------------------------------------------------------------------------

_CASE = (
    m.id,
    m.number,
    m.status,
    g.number.label("guarantee_number"),
    m.reason,
    m.opened_on,
    m.first_contact_due,
    m.first_contact_on,
    m.mediator_id,
    u.full_name.label("mediator_name"),
    m.outcome,
    m.outcome_on,
    m.outcome_reason,
    m.agreement_total,
    m.agreement_broken_on,
    m.closed_at,
)


def _case_query() -> Select[Any]:
    joined = tables.mediation_cases.join(tables.guarantees, g.id == m.guarantee_id).outerjoin(
        tables.users, u.id == m.mediator_id
    )
    return select(*_CASE).select_from(joined)


def _with_overdue(row: dict[str, Any], today: date) -> dict[str, Any]:
    row["overdue"] = (
        row["first_contact_on"] is None
        and row["status"] in _WAITING_FOR_CONTACT
        and today > row["first_contact_due"]
    )
    return row


def list_cases(
    conn: Connection,
    *,
    actor: Actor,
    today: date,
    overdue: bool | None = None,
    status: MediationStatus | None = None,
    guarantee_number: str | None = None,
    page: int = 1,
    page_size: int = 50,
    after: str | None = None,
) -> Page:
    """The cases the reader reaches, by first-contact deadline (keyset paged: a mediator's
    years of cases cost what one page does)."""
    statement = _cases_within(_case_query(), rows_of(actor))
    if status is not None:
        statement = statement.where(m.status == status.value)
    if guarantee_number is not None:
        statement = statement.where(m.guarantee_id == _guarantee_id(guarantee_number))
    if overdue is not None:
        late = (
            m.first_contact_on.is_(None)
            & m.status.in_(_WAITING_FOR_CONTACT)
            & (m.first_contact_due < today)
        )
        statement = statement.where(late if overdue else ~late)
    found = keyset_page(
        conn,
        statement,
        (m.first_contact_due, m.number),
        page=page,
        page_size=page_size,
        after=after,
    )
    return found.shaped(lambda row: _with_overdue(row, today))


def _guarantee_id(number: str) -> Any:
    """The guarantee's id by its number, for a filter that walks the guarantee_id index."""
    return select(g.id).where(g.number == number).scalar_subquery()


def case_detail(
    conn: Connection,
    number: str,
    *,
    actor: Actor,
    today: date,
) -> dict[str, Any]:
    statement = _cases_within(_case_query(), rows_of(actor)).where(m.number == number)
    row = conn.execute(statement).mappings().one_or_none()
    if row is None:
        raise NotFound("pratica di mediazione", number)
    case = _with_overdue(dict(row), today)
    mm, mn, ai = (
        tables.mediation_meetings.c,
        tables.mediation_notes.c,
        tables.agreement_instalments.c,
    )
    case["meetings"] = _rows(
        conn,
        select(mm.id, mm.on, mm.at, mm.place, mm.participants, mm.notes)
        .where(mm.case_id == case["id"])
        .order_by(mm.scheduled_at, mm.id),
    )
    case["notes"] = _rows(
        conn,
        select(mn.id, mn.written_at, mn.author, mn.text)
        .where(mn.case_id == case["id"])
        .order_by(mn.written_at, mn.id),
    )
    case["instalments"] = _rows(
        conn,
        select(ai.id, ai.number, ai.due_on, ai.amount, ai.status, ai.paid_on, ai.missed_on)
        .where(ai.case_id == case["id"])
        .order_by(ai.number),
    )
    case["allowed_actions"] = MEDIATION_LIFECYCLE.allowed_actions(MediationStatus(case["status"]))
    return case


# -- claims ----------------------------------------------------------------------------------

_CLAIM = (
    cl.id,
    cl.number,
    cl.status,
    cl.guarantee_number,
    # the day it reached the fund (deadlines), and when and how it was entered
    cl.filed_on,
    cl.filed_at,
    cl.received_via,
    cl.received_reference,
    cl.filed_by,
    cl.decided_at,
    cl.decision_note,
    cl.paid_amount,
    cl.paid_at,
    cl.payment_reference,
    cl.paid_to_iban,
    cl.recovered_amount,
    cl.written_off_amount,
    cl.closed_at,
)


def list_claims(
    conn: Connection,
    *,
    actor: Actor,
    status: ClaimStatus | None = None,
    guarantee_number: str | None = None,
    page: int = 1,
    page_size: int = 50,
    after: str | None = None,
) -> Page:
    """The fund's claims, or a landlord's own, newest first (keyset paged); nobody else
    reads claims."""
    scope = rows_of(actor)
    scope.require_staff_or_landlord("le richieste di escussione")
    statement = _scoped(select(*_CLAIM), cl.guarantee_id, scope)
    if status is not None:
        statement = statement.where(cl.status == status.value)
    if guarantee_number is not None:
        statement = statement.where(cl.guarantee_id == _guarantee_id(guarantee_number))
    return keyset_page(
        conn,
        statement,
        (cl.number,),
        page=page,
        page_size=page_size,
        after=after,
        descending=True,
    )


def claim_detail(
    conn: Connection,
    number: str,
    *,
    actor: Actor,
    products: ProductCatalog,
    today: date,
) -> dict[str, Any]:
    """One claim with its items, evidence, the guarantee's cover (cap, paid, committed and
    remaining per line) and the payment proposal waiting for a second fund manager (needed
    above the threshold, or while the landlord's IBAN is held after a change)."""
    scope = rows_of(actor)
    scope.require_staff_or_landlord("le richieste di escussione")
    statement = (
        _scoped(
            select(
                *_CLAIM,
                cl.guarantee_id,
                cl.payment_proposed_by,
                cl.payment_proposed_at,
                cl.payment_proposal_reference,
                cl.payment_proposal_note,
                g.product_code,
                g.product_version,
                g.monthly_rent,
                tables.landlords.c.iban_changed_on,
            )
            .join_from(tables.claims, tables.guarantees, g.id == cl.guarantee_id)
            .join(tables.landlords, tables.landlords.c.id == g.landlord_id),
            cl.guarantee_id,
            scope,
        )
    ).where(cl.number == number)
    row = conn.execute(statement).mappings().one_or_none()
    if row is None:
        raise NotFound("richiesta di escussione", number)
    claim = dict(row)
    ci, ce = tables.claim_items.c, tables.claim_evidence.c
    claim["items"] = _rows(
        conn,
        select(
            ci.id,
            ci.kind,
            ci.loss_on,
            ci.claimed,
            ci.description,
            ci.approved,
            ci.refused,
            ci.reason,
        )
        .where(ci.claim_id == claim["id"])
        .order_by(ci.loss_on, ci.kind),
    )
    claim["evidence"] = _rows(
        conn,
        select(ce.id, ce.file_name, ce.media_type, ce.size_bytes, ce.sha256, ce.uploaded_at)
        .where(ce.claim_id == claim["id"])
        .order_by(ce.uploaded_at, ce.file_name),
    )
    claim["claimed_total"] = sum((i["claimed"] for i in claim["items"]), start=Decimal(0))
    claim["approved_total"] = sum((i["approved"] or 0 for i in claim["items"]), start=Decimal(0))
    claim["allowed_actions"] = CLAIM_LIFECYCLE.allowed_actions(ClaimStatus(claim["status"]))
    product = products.get(claim["product_code"], claim["product_version"]).product
    cover = cover_state(conn, claim["guarantee_id"], product, claim["monthly_rent"])
    claim["cover"] = cover_lines(cover)
    claim["four_eyes_threshold"] = product.four_eyes_threshold
    hold = iban_hold_until(claim.pop("iban_changed_on"), product.iban_change_hold_days, today)
    claim["iban_held_until"] = hold
    claim["needs_two_managers"] = product.needs_four_eyes(claim["approved_total"]) or (
        hold is not None
    )
    claim["payment_proposal"] = (
        None
        if claim["payment_proposed_by"] is None
        else {
            "proposed_by": claim["payment_proposed_by"],
            "proposed_at": claim["payment_proposed_at"],
            "reference": claim["payment_proposal_reference"],
            "note": claim["payment_proposal_note"],
        }
    )
    # The plan in force (the latest: replaced ones came before it).
    plan = conn.scalar(
        select(rp.number)
        .where(rp.claim_id == claim["id"])
        .order_by(rp.created_at.desc(), rp.number.desc())
        .limit(1)
    )
    claim["recovery_plan_number"] = plan
    return claim


# -- recovery plans --------------------------------------------------------------------------


def plan_detail(conn: Connection, number: str, *, actor: Actor) -> dict[str, Any]:
    """A recovery plan: the household's debt and means, for the fund only."""
    rows_of(actor).require_staff("i piani di rientro")
    before, after = tables.recovery_plans.alias("before"), tables.recovery_plans.alias("after")
    statement = (
        select(
            rp.id,
            rp.number,
            rp.status,
            cl.number.label("claim_number"),
            rp.amount,
            rp.net_monthly_income,
            rp.instalment_cap,
            rp.planned_amount,
            rp.proposed_write_off,
            rp.proposal_decided,
            rp.written_off,
            rp.write_off_reason,
            rp.created_at,
            rp.ended_at,
            before.c.number.label("replaces_plan_number"),
            after.c.number.label("replaced_by_plan_number"),
        )
        .select_from(
            tables.recovery_plans.join(tables.claims, cl.id == rp.claim_id)
            .outerjoin(before, before.c.id == rp.replaces_plan_id)
            .outerjoin(after, after.c.id == rp.replaced_by_plan_id)
        )
        .where(rp.number == number)
    )
    row = conn.execute(statement).mappings().one_or_none()
    if row is None:
        raise NotFound("piano di rientro", number)
    plan = dict(row)
    ri = tables.recovery_instalments.c
    plan["instalments"] = _rows(
        conn,
        select(ri.id, ri.number, ri.due_on, ri.amount, ri.status, ri.paid_on, ri.missed_on)
        .where(ri.plan_id == plan["id"])
        .order_by(ri.number),
    )
    paid = [i["amount"] for i in plan["instalments"] if i["status"] == "paid"]
    plan["recovered"] = sum(paid, start=0)
    rest = plan["amount"] - plan["recovered"] - plan["written_off"]
    # A replaced plan handed what was still owed to the plan that took over.
    replaced = plan["status"] == RecoveryStatus.REPLACED.value
    plan["carried_over"] = rest if replaced else Decimal("0.00")
    plan["balance"] = Decimal("0.00") if replaced else rest
    plan["open"] = plan["status"] == RecoveryStatus.ACTIVE.value
    return plan


# -- for the back office's claim and case pages ------------------------------------------------


def mediation_ended(conn: Connection, guarantee_id: str) -> bool:
    """Whether arrears on the guarantee may be paid as far as mediation goes: a case closed
    without agreement, or an agreement broken (``MediationCase.opens_claim_path``)."""
    closed_without = (m.status == MediationStatus.CLOSED.value) & (m.outcome == "no_agreement")
    found = conn.scalar(
        select(m.id)
        .where(m.guarantee_id == guarantee_id, closed_without | m.agreement_broken_on.is_not(None))
        .limit(1)
    )
    return found is not None


def cases_on_guarantee(conn: Connection, guarantee_id: str) -> list[dict[str, Any]]:
    """The mediation cases of one guarantee, oldest first: number and state."""
    statement = (
        select(m.number, m.status)
        .where(m.guarantee_id == guarantee_id)
        .order_by(m.opened_on, m.number)
    )
    return _rows(conn, statement)


def evidence_file(conn: Connection, claim_number: str, evidence_id: str) -> dict[str, Any]:
    """One evidence file of a claim: its name, type and the key of its bytes in the store."""
    ce = tables.claim_evidence.c
    row = (
        conn.execute(
            select(ce.file_name, ce.media_type, ce.sha256)
            .join_from(tables.claim_evidence, tables.claims, cl.id == ce.claim_id)
            .where(cl.number == claim_number, ce.id == evidence_id)
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound("prova", evidence_id)
    return dict(row)


def case_parties(conn: Connection, number: str) -> dict[str, dict[str, Any]]:
    """Whom a mediator must reach on a case: the landlord and the household's main tenant,
    with their contacts (the pages shape each through ``read.access``)."""
    la, h, hm = tables.landlords.c, tables.households.c, tables.household_members.c
    landlord = (
        conn.execute(
            select(la.id, la.kind, la.name, la.email, la.phone, la.address)
            .select_from(
                tables.mediation_cases.join(tables.guarantees, g.id == m.guarantee_id).join(
                    tables.landlords, la.id == g.landlord_id
                )
            )
            .where(m.number == number)
        )
        .mappings()
        .one_or_none()
    )
    if landlord is None:
        raise NotFound("pratica di mediazione", number)
    household = (
        conn.execute(
            select(
                h.id,
                hm.full_name.label("main_tenant_name"),
                h.email,
                h.phone,
                h.postal_address,
                h.preferred_channel,
            )
            .select_from(
                tables.mediation_cases.join(tables.guarantees, g.id == m.guarantee_id)
                .join(tables.households, h.id == g.household_id)
                .outerjoin(
                    tables.household_members,
                    (hm.household_id == h.id) & hm.is_main_tenant.is_(True),
                )
            )
            .where(m.number == number)
            .limit(1)
        )
        .mappings()
        .one_or_none()
    )
    return {"landlord": dict(landlord), "household": dict(household) if household else {}}
