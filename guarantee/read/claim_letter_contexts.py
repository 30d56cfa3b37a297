"""Contexts of the letters about claims, mediation and recovery, snapshotted from the database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.claim_clock import PAYMENT_DAYS, REVIEW_DAYS
from guarantee.domain.cover import ItemKind
from guarantee.domain.errors import NotFound
from guarantee.domain.formats import month_it
from guarantee.domain.money import ZERO
from guarantee.domain.products import Product
from guarantee.read.cover import cover_lines, cover_state
from guarantee.read.letter_contexts import SIGNATORY, guarantee_row, letter_basics, municipalities

ITEM_LABELS = {
    ItemKind.ARREARS: "Canoni di locazione non pagati",
    ItemKind.CHARGES: "Oneri accessori non pagati",
    ItemKind.DAMAGES: "Danni all'immobile",
    ItemKind.LEGAL_COSTS: "Spese legali per la procedura di sfratto",
}
COVER_LABELS = {
    "overall": "Massimale complessivo",
    "arrears": "Canoni e oneri accessori non pagati",
    "damages": ITEM_LABELS[ItemKind.DAMAGES],
    "legal_costs": ITEM_LABELS[ItemKind.LEGAL_COSTS],
}
APPEAL_DAYS = 30


def _claim(conn: Connection, claim_id: str) -> dict[str, Any]:
    c = tables.claims.c
    row = conn.execute(select(tables.claims).where(c.id == claim_id)).mappings().one_or_none()
    if row is None:
        raise NotFound("sinistro", claim_id)
    items = tables.claim_items.c
    claim = dict(row)
    claim["items"] = [
        dict(r)
        for r in conn.execute(
            select(tables.claim_items)
            .where(items.claim_id == claim_id)
            .order_by(items.loss_on, items.kind)
        ).mappings()
    ]
    return claim


def _item_label(item: dict[str, Any]) -> str:
    """Every rent is named by its month: "Canone di novembre 2026", not "Canoni non pagati"."""
    kind = ItemKind(item["kind"])
    if kind is ItemKind.ARREARS and item.get("loss_on"):
        return f"Canone di {month_it(item['loss_on'])}"
    if kind is ItemKind.CHARGES and item.get("loss_on"):
        return f"Oneri accessori di {month_it(item['loss_on'])}"
    return ITEM_LABELS[kind]


def _landlord_recipient(row: dict[str, Any]) -> dict[str, str]:
    return {"name": row["landlord_name"], "address": row["landlord_address"] or "", "city": ""}


def _claim_header(claim: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": claim["number"],
        "guarantee_number": claim["guarantee_number"],
        "submitted_on": claim["filed_on"],
    }


def claim_acknowledgement_context(conn: Connection, claim_id: str, today: date) -> dict[str, Any]:
    claim = _claim(conn, claim_id)
    row = guarantee_row(conn, claim["guarantee_id"])
    e = tables.claim_evidence.c
    attachments = list(
        conn.scalars(select(e.file_name).where(e.claim_id == claim_id).order_by(e.uploaded_at))
    )
    return letter_basics(today) | {
        "recipient": _landlord_recipient(row),
        "claim": _claim_header(claim),
        "items": [{"label": _item_label(i), "amount": i["claimed"]} for i in claim["items"]],
        "total_claimed": sum((i["claimed"] for i in claim["items"]), ZERO),
        "attachments": attachments,
        "review_days": REVIEW_DAYS,
        "case_officer": {"name": SIGNATORY["name"], "email": "", "phone": ""},
    }


def _cover_rows(conn: Connection, guarantee_id: str, product: Product, rent: Any) -> list[Any]:
    return [
        {
            "label": COVER_LABELS[line["line"]],
            "cap": line["cap"],
            "paid": line["paid"],
            "committed": line["committed"],
            "remaining": line["remaining"],
        }
        for line in cover_lines(cover_state(conn, guarantee_id, product, rent))
    ]


def guarantee_notice_context(
    conn: Connection,
    guarantee_id: str,
    subject: str,
    paragraphs: list[str],
    product: Product,
    today: date,
) -> dict[str, Any]:
    """A change the landlord must know of, with the guarantee's cover as it now stands."""
    row = guarantee_row(conn, guarantee_id)
    return letter_basics(today) | {
        "recipient": _landlord_recipient(row),
        "guarantee_number": row["number"],
        "subject": subject,
        "paragraphs": paragraphs,
        "cover": _cover_rows(conn, guarantee_id, product, row["monthly_rent"]),
    }


def claim_number_of(conn: Connection, claim_id: str) -> str:
    number: str = conn.execute(
        select(tables.claims.c.number).where(tables.claims.c.id == claim_id)
    ).scalar_one()
    return number


def claim_decision_context(
    conn: Connection, claim_id: str, decision: str, product: Product, today: date
) -> dict[str, Any]:
    """``decision`` is the outcome recorded by the event: the claim may have moved on since."""
    claim = _claim(conn, claim_id)
    row = guarantee_row(conn, claim["guarantee_id"])
    # The cover as the books hold it now: this decision's approval is committed (or, if the
    # claim was paid meanwhile, paid); either way what remains is the same.
    cover = _cover_rows(conn, claim["guarantee_id"], product, row["monthly_rent"])
    total_claimed = sum((i["claimed"] for i in claim["items"]), ZERO)
    total_approved = sum((i["approved"] or ZERO for i in claim["items"]), ZERO)
    return letter_basics(today) | {
        "recipient": _landlord_recipient(row),
        "claim": _claim_header(claim),
        "decision": decision,
        "items": [
            {
                "label": _item_label(i),
                "claimed": i["claimed"],
                "approved": i["approved"] or ZERO,
                "refused": i["refused"]
                if i["refused"] is not None
                else i["claimed"] - (i["approved"] or ZERO),
                "reason": i["reason"] or "",
            }
            for i in claim["items"]
        ],
        "total_claimed": total_claimed,
        "total_approved": total_approved,
        "total_refused": total_claimed - total_approved,
        "cover": cover,
        "payment_days": PAYMENT_DAYS,
        "appeal_days": APPEAL_DAYS,
    }


def payment_notice_context(
    conn: Connection, claim_id: str, decision_protocol: str, decided_on: date, today: date
) -> dict[str, Any]:
    claim = _claim(conn, claim_id)
    row = guarantee_row(conn, claim["guarantee_id"])
    return letter_basics(today) | {
        "recipient": _landlord_recipient(row),
        "claim_number": claim["number"],
        "guarantee_number": claim["guarantee_number"],
        "decision": {"protocol_number": decision_protocol, "date": decided_on},
        "amount": claim["paid_amount"],
        "iban": claim["paid_to_iban"],
        "account_holder": row["landlord_name"],
        "payment_reference": claim["payment_reference"],
        "value_date": claim["paid_at"].date(),
    }


def repayment_plan_context(
    conn: Connection, plan_id: str, fund_iban: str, rules_dir: Path, today: date
) -> dict[str, Any]:
    p, ri = tables.recovery_plans.c, tables.recovery_instalments.c
    plan = conn.execute(select(tables.recovery_plans).where(p.id == plan_id)).mappings().one()
    claim = _claim(conn, plan["claim_id"])
    row = guarantee_row(conn, plan["guarantee_id"])
    town, province = municipalities(rules_dir).get(row["municipality_istat_code"], ("", ""))
    instalments = conn.execute(
        select(ri.number, ri.due_on, ri.amount).where(ri.plan_id == plan_id).order_by(ri.number)
    ).all()
    return letter_basics(today) | {
        "debtor": {
            "name": row["main_tenant_name"],
            "tax_code": row["main_tenant_tax_code"],
            "address": row["property_address"],
            "city": f"{town} ({province})" if town else "",
        },
        "plan": {
            "number": plan["number"],
            "claim_number": claim["number"],
            "guarantee_number": claim["guarantee_number"],
            "total_amount": plan["amount"],
            "net_monthly_income": plan["net_monthly_income"],
            "instalment_cap_ratio": (plan["instalment_cap"] / plan["net_monthly_income"]).quantize(
                Decimal("0.001")
            )
            if plan["net_monthly_income"]
            else Decimal("0"),
            "instalment_cap": plan["instalment_cap"],
            "write_off_proposed": plan["proposed_write_off"],
        },
        "instalments": [{"number": n, "due_date": d, "amount": a} for n, d, a in instalments],
        "payment": {
            "iban": fund_iban,
            "account_holder": "Fondo Garanzia Casa",
            "reference": plan["number"],
        },
        "missed_instalments_limit": 3,
    }


def convocation_context(
    conn: Connection, case_id: str, meeting_id: str, today: date
) -> dict[str, Any]:
    m, mm, u = tables.mediation_cases.c, tables.mediation_meetings.c, tables.users.c
    case = conn.execute(select(tables.mediation_cases).where(m.id == case_id)).mappings().one()
    meeting = (
        conn.execute(select(tables.mediation_meetings).where(mm.id == meeting_id)).mappings().one()
    )
    row = guarantee_row(conn, case["guarantee_id"])
    mediator = (
        conn.scalar(select(u.full_name).where(u.id == case["mediator_id"]))
        if case["mediator_id"]
        else None
    )
    return letter_basics(today) | {
        "case": {"number": case["number"], "guarantee_number": row["number"]},
        "subject": case["reason"],
        "meeting": {
            "date": meeting["on"],
            "start_time": meeting["at"],
            "place": meeting["place"],
            "address": meeting["place"],
        },
        "participants": [
            {"name": row["landlord_name"], "role": "locatore"},
            {"name": row["main_tenant_name"], "role": "conduttore"},
            {"name": meeting["participants"], "role": "altri partecipanti"},
        ],
        "mediator": {"name": mediator or "Servizio di mediazione", "phone": "", "email": ""},
        "confirm_by": meeting["on"] - timedelta(days=2),
    }
