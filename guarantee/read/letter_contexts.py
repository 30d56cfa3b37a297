"""Document contexts snapshotted from the database: what each letter says, as of when it is made."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from guarantee.adapters.db import raw, tables
from guarantee.domain.errors import NotFound
from guarantee.domain.leases import LeaseType
from guarantee.domain.products import Product

SIGNATORY = {"name": "Il Responsabile del Fondo", "role": "Fondo Garanzia Casa"}
LEASE_TYPES = {
    LeaseType.FREE_MARKET_4_4: "a canone libero (4+4), art. 2, comma 1, della legge 431/1998",
    LeaseType.AGREED_3_2: "a canone concordato (3+2), art. 2, comma 3, della legge 431/1998",
    LeaseType.TRANSITIONAL: "transitorio, art. 5, comma 1, della legge 431/1998",
    LeaseType.STUDENTS: "per studenti universitari, art. 5, comma 2, della legge 431/1998",
}


@lru_cache(maxsize=4)
def municipalities(rules_dir: Path) -> dict[str, tuple[str, str]]:
    """ISTAT code → (name, province), from the consortium's reference list."""
    path = rules_dir / "reference" / "consortium-municipalities.csv"
    with path.open(encoding="utf-8") as handle:
        return {row["istat_code"]: (row["name"], row["province"]) for row in csv.DictReader(handle)}


def _guarantee_row_statement() -> Any:
    g, lo, p, h = tables.guarantees, tables.landlords, tables.properties, tables.households
    m = tables.household_members.c
    main_tenant = (
        select(m.full_name)
        .where(m.household_id == g.c.household_id, m.is_main_tenant)
        .limit(1)
        .scalar_subquery()
    )
    members = select(func.count()).where(m.household_id == g.c.household_id).scalar_subquery()
    return (
        select(
            g,
            lo.c.name.label("landlord_name"),
            lo.c.tax_code.label("landlord_tax_code"),
            lo.c.address.label("landlord_address"),
            lo.c.email.label("landlord_email"),
            p.c.address.label("property_address"),
            p.c.municipality_istat_code,
            p.c.cadastral_reference,
            h.c.main_tenant_tax_code,
            h.c.referrer,
            main_tenant.label("main_tenant_name"),
            members.label("members"),
        )
        .select_from(
            g.join(lo, g.c.landlord_id == lo.c.id)
            .join(p, g.c.property_id == p.c.id)
            .join(h, g.c.household_id == h.c.id)
        )
        .where(g.c.id == bindparam("guarantee_id"))
    )


# Built once, and compiled once for the driver (raw.fetch): every issue snapshots its letters
# with it, inside the issuing transaction.
_GUARANTEE_ROW = _guarantee_row_statement()


def guarantee_row(conn: Connection, guarantee_id: str) -> dict[str, Any]:
    """The guarantee with its parties, the main tenant's name and the household's size: one
    statement (letters are snapshotted inside the business transaction)."""
    rows = raw.fetch(conn, _GUARANTEE_ROW, {"guarantee_id": guarantee_id})
    if not rows:
        raise NotFound("garanzia", guarantee_id)
    data = rows[0]
    data["members"] = int(data["members"] or 0)
    return data


def _dwelling(row: dict[str, Any], rules_dir: Path) -> dict[str, str]:
    name, province = municipalities(rules_dir).get(
        row["municipality_istat_code"], (row["municipality_istat_code"], "")
    )
    return {
        "address": row["property_address"],
        "municipality": name,
        "province": province,
        "cadastral_reference": row["cadastral_reference"],
    }


def _coverage(product: Product, rent: Decimal, *, notes: bool) -> list[dict[str, Any]]:
    items = [
        (
            "Canoni e oneri accessori non pagati",
            product.arrears_cap(rent),
            f"fino a {product.arrears_cap_rents} mensilità del canone; "
            "gli oneri accessori concorrono al limite",
        ),
        ("Danni all'immobile", product.damages_cap, "accertati al rilascio e documentati"),
        (
            "Spese legali per la procedura di sfratto",
            product.legal_costs_cap,
            "spese documentate del procedimento",
        ),
    ]
    return [
        {"label": label, "cap": cap, **({"note": note} if notes else {})}
        for label, cap, note in items
    ]


def months_between(start: date, end: date) -> int:
    """Whole months a guarantee runs: 1 Jan 2027 to 31 Dec 2028 is 24 (not the product's 36)."""
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    return months if after.day >= start.day else months - 1


def letter_basics(today: date) -> dict[str, Any]:
    # The protocol number is added by the archive when it allocates one.
    return {"document_date": today, "signatory": dict(SIGNATORY)}


def term_start(row: Mapping[str, Any]) -> Any:
    """The first day of the guarantee's current term (its start until it is renewed)."""
    return row.get("term_starts_on") or row["starts_on"]


def contract_context(
    conn: Connection,
    guarantee_id: str,
    product: Product,
    rules_dir: Path,
    today: date,
    row: dict[str, Any] | None = None,
) -> dict[str, Any]:
    row = row if row is not None else guarantee_row(conn, guarantee_id)
    rent: Decimal = row["monthly_rent"]
    dwelling = _dwelling(row, rules_dir)
    return letter_basics(today) | {
        "guarantee": {
            "number": row["number"],
            "product_name": product.name,
            "product_version": str(product.version),
            # A renewed guarantee's contract is the current term's.
            "start_date": term_start(row),
            "end_date": row["ends_on"],
            "term_months": months_between(term_start(row), row["ends_on"]),
        },
        "landlord": {
            "name": row["landlord_name"],
            "tax_code": row["landlord_tax_code"],
            "address": row["landlord_address"] or "",
        },
        "household": {
            "main_tenant": row["main_tenant_name"],
            "tax_code": row["main_tenant_tax_code"],
            "members": row["members"],
        },
        "dwelling": dwelling,
        "lease": {
            # a type added in lease-types.csv after these descriptions: its code, readable
            "type": LEASE_TYPES.get(row["lease_type"], str(row["lease_type"]).replace("_", " ")),
            "start_date": row["lease_start"],
            "end_date": row["lease_end"],
            "monthly_rent": rent,
            "monthly_charges": row["monthly_charges"],
            "rent_due_day": row["rent_due_day"],
            "registration": row["registration_reference"] or "non indicati",
        },
        "coverage": _coverage(product, rent, notes=True),
        "maximum_exposure": row["maximum_exposure"],
        "waiting_period_days": product.waiting_period_days,
        "arrears_report_days": product.arrears_report_days,
        "damages_claim_days": product.damages_claim_days,
        "signing_place": dwelling["municipality"],
    }


def certificate_context(
    conn: Connection,
    guarantee_id: str,
    product: Product,
    rules_dir: Path,
    today: date,
    row: dict[str, Any] | None = None,
) -> dict[str, Any]:
    row = row if row is not None else guarantee_row(conn, guarantee_id)
    dwelling = _dwelling(row, rules_dir)
    return letter_basics(today) | {
        "certificate_code": row["certificate_code"],
        "guarantee": {
            "number": row["number"],
            "product_name": product.name,
            "start_date": term_start(row),
            "end_date": row["ends_on"],
        },
        "landlord_name": row["landlord_name"],
        "dwelling": {k: dwelling[k] for k in ("address", "municipality", "province")},
        "maximum_exposure": row["maximum_exposure"],
        "coverage": _coverage(product, row["monthly_rent"], notes=False),
    }


def eligibility_context(conn: Connection, guarantee_id: str, today: date) -> dict[str, Any]:
    row = guarantee_row(conn, guarantee_id)
    stored = row["eligibility"] or {}
    verdicts = [
        {"code": v["code"], "message": v["message"], "verdict": v["result"]}
        for v in stored.get("verdicts", [])
    ]
    return letter_basics(today) | {
        "recipient": {
            "name": row["main_tenant_name"],
            "address": f"presso {row['referrer'] or 'lo sportello che ha presentato la domanda'}",
            "city": "",
        },
        "referrer": row["referrer"] or "—",
        "application": {
            "number": row["application_number"],
            "submitted_on": row["created_at"].date(),
        },
        "rule_set_version": row["ruleset_version"],
        "outcome": str(stored.get("outcome", row["status"])),
        "verdicts": verdicts,
        "review_request_days": 30,
    }


def expiry_reminder_context(
    conn: Connection, guarantee_id: str, product: Product, rules_dir: Path, today: date
) -> dict[str, Any]:
    row = guarantee_row(conn, guarantee_id)
    dwelling = _dwelling(row, rules_dir)
    end: date = row["ends_on"]
    return letter_basics(today) | {
        "recipient": {
            "name": row["landlord_name"],
            "address": row["landlord_address"] or "",
            "city": "",
        },
        "guarantee": {"number": row["number"], "start_date": row["starts_on"], "end_date": end},
        "dwelling": {"address": dwelling["address"], "municipality": dwelling["municipality"]},
        "renewal_possible": product.renewals > 0,
        "renewal_request_by": end - timedelta(days=30),
        "damages_claim_days": product.damages_claim_days,
        "damages_claim_deadline": end + timedelta(days=product.damages_claim_days),
    }


def landlord_email(conn: Connection, guarantee_id: str) -> tuple[str, str, str | None]:
    """(email, name, guarantee number) of the landlord a guarantee's notices go to."""
    row = guarantee_row(conn, guarantee_id)
    return row["landlord_email"], row["landlord_name"], row["number"]


@dataclass(frozen=True)
class HouseholdContact:
    """Where the household's letters go: by e-mail when it has one, else by post."""

    name: str
    email: str | None
    postal_address: str


def household_contact(
    conn: Connection, household_id: str, rules_dir: Path | None = None
) -> HouseholdContact:
    """Where the tenant household's letters go: by e-mail when it chose e-mail and gave an
    address, otherwise by post to its postal address (the guaranteed dwelling if it gave
    none), addressed to the main tenant."""
    m, g, p, h = (
        tables.household_members.c,
        tables.guarantees.c,
        tables.properties.c,
        tables.households.c,
    )
    name = conn.scalar(select(m.full_name).where(m.household_id == household_id, m.is_main_tenant))
    on_file = conn.execute(
        select(h.email, h.postal_address, h.preferred_channel).where(h.id == household_id)
    ).first()
    email = None
    if on_file is not None and on_file.email and str(on_file.preferred_channel) == "email":
        email = str(on_file.email)
    if on_file is not None and on_file.postal_address:
        return HouseholdContact(str(name or ""), email, str(on_file.postal_address))
    dwelling = conn.execute(
        select(p.address, p.municipality_istat_code)
        .select_from(tables.guarantees.join(tables.properties, g.property_id == p.id))
        .where(g.household_id == household_id)
        .order_by(g.created_at.desc())
        .limit(1)
    ).first()
    address = ""
    if dwelling is not None:
        address = str(dwelling.address)
        if rules_dir is not None:
            town, province = municipalities(rules_dir).get(
                dwelling.municipality_istat_code, ("", "")
            )
            if town:
                address += f", {town} ({province})" if province else f", {town}"
    return HouseholdContact(name=str(name or ""), email=email, postal_address=address)


def household_notice_context(
    conn: Connection,
    guarantee_id: str,
    subject: str,
    paragraphs: list[str],
    rules_dir: Path,
    today: date,
) -> dict[str, Any]:
    """A change the household must know of, addressed to the main tenant at the dwelling."""
    row = guarantee_row(conn, guarantee_id)
    dwelling = _dwelling(row, rules_dir)
    return letter_basics(today) | {
        "recipient": {
            "name": row["main_tenant_name"],
            "address": row["property_address"],
            "city": f"{dwelling['municipality']} ({dwelling['province']})"
            if dwelling["province"]
            else dwelling["municipality"],
        },
        # Before issue a household knows its application, not yet a guarantee number.
        "reference": f"Garanzia n. {row['number']}"
        if row["number"]
        else f"Domanda n. {row['application_number']}",
        "subject": subject,
        "paragraphs": paragraphs,
    }
