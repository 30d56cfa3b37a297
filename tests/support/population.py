"""A generated population for statistics: landlords, households, guarantees and their
histories (claims with items, mediation cases), inserted in bulk.

Statistics read tables, not the books, so these rows skip the bus (no fund, no ledger): the
point is volume and variety — skewed municipalities so some cells are small, every status,
outcome and band. Every personal value is recorded in ``Population.personal`` so a test can
look for it in what was published.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert

from guarantee.adapters.db import tables

MUNICIPALITIES = [f"001{n:03d}" for n in range(1, 43)]
STATUSES = [
    ("active", 30),
    ("issued", 10),
    ("expired", 12),
    ("terminated", 6),
    ("cancelled", 3),
    ("exhausted", 1),
    ("ineligible", 12),
    ("needs_review", 5),
    ("submitted", 5),
    ("approved", 4),
]
RULES = [
    "isee_max",
    "reddito_minimo",
    "rapporto_canone_reddito",
    "residenza",
    "contratto_registrato",
]
START = datetime(2024, 1, 1, 9, tzinfo=UTC)


@dataclass
class Population:
    guarantees: int
    personal: set[str] = field(default_factory=set)


def _uid() -> str:
    return str(uuid.uuid4())


def _tax_code(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHLMNPRSTVZ") for _ in range(6))
    return f"{letters}{rng.randint(40, 99)}A{rng.randint(10, 70)}L219{rng.choice('ABCXYZ')}"


def _eligibility(rng: random.Random, status: str) -> dict[str, Any] | None:
    if status in {"submitted"}:
        return None
    failing = rng.choice(RULES)
    verdicts = []
    for code in RULES:
        result = "pass"
        if status == "ineligible" and code == failing:
            result = "fail"
        elif status == "needs_review" and code == failing:
            result = "review"
        verdicts.append({"code": code, "result": result, "message": "m", "kind": "blocking"})
    return {"outcome": "x", "verdicts": verdicts, "ruleset_version": "2026.1"}


def populate(engine: Engine, count: int, seed: int = 17) -> Population:
    rng = random.Random(seed)
    population = Population(count)
    landlords, properties, households, members, guarantees = [], [], [], [], []
    claims, items, cases = [], [], []
    weights = [1 / (i + 1) ** 1.1 for i in range(len(MUNICIPALITIES))]
    statuses, status_weights = zip(*STATUSES, strict=True)
    for i in range(count):
        landlord_id, property_id, household_id, guarantee_id = _uid(), _uid(), _uid(), _uid()
        if i % 4 == 0 or not landlords:
            name = f"Locatore{i} Rossi"
            tax = _tax_code(rng)
            landlords.append(
                {
                    "id": landlord_id,
                    "kind": "person",
                    "name": name,
                    "tax_code": tax,
                    "iban": f"IT60X0542811101000000{i:06d}",
                    "email": f"locatore{i}@example.it",
                    "address": f"Via dei Locatori {i}, Ivrea",
                    "created_at": START,
                }
            )
            population.personal |= {name, tax, f"locatore{i}@example.it"}
        else:
            landlord_id = landlords[-1]["id"]
        address = f"Via Generata {i}, Ivrea"
        properties.append(
            {
                "id": property_id,
                "landlord_id": landlord_id,
                "address": address,
                "municipality_istat_code": rng.choices(MUNICIPALITIES, weights)[0],
                "cadastral_reference": f"F{i} P{i}",
                "floor_area_m2": rng.randint(30, 120),
                "created_at": START,
            }
        )
        main_tax = _tax_code(rng)
        isee = Decimal(rng.randint(0, 3_000_000)) / 100
        households.append(
            {
                "id": household_id,
                "main_tenant_tax_code": main_tax,
                "isee": isee,
                "net_monthly_income": Decimal(rng.randint(50_000, 250_000)) / 100,
                "referral_source": rng.choice(
                    ["help_desk", "social_services", "social_services", "self", "other"]
                ),
                "referrer": f"Operatrice Bianchi {i}",
                "created_at": START,
            }
        )
        size = rng.choice([1, 1, 2, 2, 3, 4, 5, 6])
        for n in range(size):
            full_name = f"Persona{i}x{n} Verdi"
            tax = main_tax if n == 0 else _tax_code(rng)
            members.append(
                {
                    "id": _uid(),
                    "household_id": household_id,
                    "full_name": full_name,
                    "tax_code": tax,
                    "birth_date": date(1960, 1, 1) + timedelta(days=rng.randint(0, 20000)),
                    "is_main_tenant": n == 0,
                }
            )
            population.personal |= {full_name, tax}
        population.personal |= {address, f"Operatrice Bianchi {i}"}
        created = START + timedelta(days=rng.randint(0, 900), hours=rng.randint(0, 8))
        status = rng.choices(statuses, status_weights)[0]
        issued = status in {"active", "issued", "expired", "terminated", "cancelled", "exhausted"}
        issued_at = created + timedelta(days=rng.randint(5, 40)) if issued else None
        ended_at = (
            issued_at + timedelta(days=rng.randint(60, 600))
            if issued_at and status in {"expired", "terminated", "cancelled", "exhausted"}
            else None
        )
        rent = Decimal(rng.randint(30_000, 90_000)) / 100
        guarantees.append(
            {
                "id": guarantee_id,
                "application_number": f"DOM-{i:07d}",
                "number": f"GC-{i:07d}" if issued else None,
                "status": status,
                "landlord_id": landlord_id,
                "property_id": property_id,
                "household_id": household_id,
                "lease_type": rng.choice(
                    [
                        "canone_libero_4_4",
                        "canone_concordato_3_2",
                        "canone_concordato_3_2",
                        "transitorio",
                        "studenti",
                    ]
                ),
                "lease_start": created.date(),
                "lease_end": created.date() + timedelta(days=4 * 365),
                "monthly_rent": rent,
                "monthly_charges": Decimal("50.00"),
                "lease_registered": True,
                "rent_due_day": 5,
                "product_code": "garanzia-casa",
                "product_version": "2026.1",
                "eligibility": _eligibility(rng, status),
                "maximum_exposure": rent * 12,
                "reserve_amount": Decimal("0.00"),
                "paid_amount": Decimal("0.00"),
                "issued_at": issued_at,
                "ended_at": ended_at,
                "end_reason": f"motivo riservato {i}" if ended_at else None,
                "created_at": created,
                "created_by": "generatore",
                "updated_at": created,
                "version": 1,
            }
        )
        if issued_at and rng.random() < 0.18:
            opened = (issued_at + timedelta(days=rng.randint(30, 300))).date()
            outcome = rng.choice(["agreement", "no_agreement", "withdrawn", None])
            note = f"nota riservata sul caso {i}"
            cases.append(
                {
                    "id": _uid(),
                    "number": f"MED-{i:07d}",
                    "guarantee_id": guarantee_id,
                    "status": "closed" if outcome else "in_progress",
                    "reason": note,
                    "opened_on": opened,
                    "opened_at": START,
                    "opened_by": "generatore",
                    "first_contact_due": opened + timedelta(days=7),
                    "first_contact_on": opened + timedelta(days=rng.randint(1, 12)),
                    "outcome": outcome,
                    "outcome_on": opened + timedelta(days=rng.randint(10, 90)) if outcome else None,
                    "outcome_reason": f"esito riservato {i}" if outcome else None,
                    "updated_at": START,
                    "version": 1,
                }
            )
            population.personal.add(note)
            if outcome == "no_agreement" or rng.random() < 0.3:
                claim_id = _uid()
                paid = Decimal(rng.randint(0, 400_000)) / 100
                claims.append(
                    {
                        "id": claim_id,
                        "number": f"ESC-{i:07d}",
                        "guarantee_id": guarantee_id,
                        "product_code": "garanzia-casa",
                        "product_version": "2026.1",
                        "status": "paid" if paid else "submitted",
                        "filed_on": opened + timedelta(days=30),
                        "filed_at": START,
                        "filed_by": "generatore",
                        "paid_amount": paid,
                        "recovered_amount": (paid * rng.choice([0, 0, 1, 2]) / 4).quantize(
                            Decimal("0.01")
                        ),
                        "written_off_amount": Decimal("0.00"),
                        "decision_note": f"decisione riservata {i}",
                        "updated_at": START,
                        "version": 1,
                    }
                )
                for kind in rng.sample(["arrears", "charges", "damages", "legal_costs"], 2):
                    claimed = Decimal(rng.randint(10_000, 300_000)) / 100
                    items.append(
                        {
                            "id": _uid(),
                            "claim_id": claim_id,
                            "kind": kind,
                            "loss_on": opened,
                            "claimed": claimed,
                            "description": f"descrizione riservata {i}",
                            "approved": claimed if rng.random() < 0.7 else None,
                        }
                    )
                population.personal.add(f"descrizione riservata {i}")
    with engine.begin() as conn:
        for table, rows in (
            (tables.landlords, landlords),
            (tables.properties, properties),
            (tables.households, households),
            (tables.household_members, members),
            (tables.guarantees, guarantees),
            (tables.mediation_cases, cases),
            (tables.claims, claims),
            (tables.claim_items, items),
        ):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start : start + 5000])
    return population
