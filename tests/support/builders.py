"""Valid test data and short flows through the service layer, so tests read as stories."""

from __future__ import annotations

import itertools
import random
from datetime import date
from decimal import Decimal
from typing import Any

from schwifty import IBAN
from stdnum import luhn
from stdnum.it import codicefiscale

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.funds import Fund
from guarantee.domain.guarantees import Guarantee
from guarantee.domain.landlords import Landlord, Property
from guarantee.domain.money import money
from guarantee.services import commands as c

MANAGER = Actor("gestore", Role.FUND_MANAGER)
IVREA = "001125"
_counter = itertools.count(1)
_CONSONANTS = "BCDFGHLMNPRSTVZ"
_MONTHS = "ABCDEHLMPRST"


def tax_code(seed: int | None = None) -> str:
    """A codice fiscale with a correct check character (not a real person's)."""
    rnd = random.Random(seed if seed is not None else next(_counter))
    letters = "".join(rnd.choice(_CONSONANTS) for _ in range(6))
    body = (
        f"{letters}{rnd.randint(40, 99):02d}{rnd.choice(_MONTHS)}"
        f"{rnd.randint(1, 28) + rnd.choice([0, 40]):02d}E379"
    )
    return body + codicefiscale.calc_check_digit(body)


def vat_number(seed: int) -> str:
    # Partita IVA: 7 digits of number, 3 of province office (here 001, Torino), Luhn check.
    body = f"{seed % 10_000_000:07d}001"
    return body + luhn.calc_check_digit(body)


def iban(seed: int | None = None) -> str:
    n = seed if seed is not None else next(_counter)
    return str(
        IBAN.generate("IT", bank_code="05428", branch_code="11101", account_code=f"{n:012d}")
    )


def enrol_landlord(system: System, actor: Actor = MANAGER, **overrides: Any) -> Landlord:
    n = next(_counter)
    fields: dict[str, Any] = {
        "kind": "person",
        "name": f"Locatore {n}",
        "tax_code": tax_code(n),
        "iban": iban(n),
        "email": f"locatore{n}@example.it",
    }
    fields.update(overrides)
    landlord: Landlord = system.bus.handle(c.EnrolLandlord(**fields), actor)
    return landlord


def add_property(
    system: System, landlord_id: str, actor: Actor = MANAGER, **overrides: Any
) -> Property:
    fields: dict[str, Any] = {
        "landlord_id": landlord_id,
        "address": "Via Arduino 10, Ivrea",
        "municipality_istat_code": IVREA,
        "cadastral_reference": "Foglio 12, particella 345, sub. 6",
        "floor_area_m2": 75,
    }
    fields.update(overrides)
    dwelling: Property = system.bus.handle(c.AddProperty(**fields), actor)
    return dwelling


def lease(**overrides: Any) -> c.LeaseData:
    fields: dict[str, Any] = {
        "lease_type": "canone_concordato_3_2",
        "start": date(2027, 1, 1),
        "end": date(2029, 12, 31),
        "monthly_rent": Decimal("650.00"),
        "monthly_charges": Decimal("80.00"),
        "registered": True,
        "registration_reference": "Agenzia Entrate Ivrea, serie 3T n. 1234",
    }
    fields.update(overrides)
    return c.LeaseData(**fields)


def submit_application(
    system: System,
    property_id: str,
    actor: Actor = MANAGER,
    *,
    lease_data: c.LeaseData | None = None,
    main_tenant: str | None = None,
    **overrides: Any,
) -> Guarantee:
    fields: dict[str, Any] = {
        "property_id": property_id,
        "members": (c.MemberData("Anna Bianchi", main_tenant or tax_code(), None, True),),
        "isee": Decimal("12000.00"),
        "net_monthly_income": Decimal("1900.00"),
        "referral_source": "help_desk",
        "referrer": "Sportello Casa Ivrea",
        "lease": lease_data or lease(),
    }
    fields.update(overrides)
    application: Guarantee = system.bus.handle(c.SubmitApplication(**fields), actor)
    return application


def fund_with(system: System, amount: Decimal, actor: Actor = MANAGER) -> Fund:
    fund: Fund = system.bus.handle(
        c.CreateFund(name=f"Fondo {next(_counter)}", territory="Eporediese"), actor
    )
    if amount > 0:
        system.bus.handle(
            c.RecordContribution(
                fund_id=fund.id,
                amount=amount,
                donor="Fondazione di comunità",
                on=date(2026, 1, 15),
                reference="delibera 12/2026",
            ),
            actor,
        )
    return fund


def issued_guarantee(system: System, fund_id: str | None = None, **overrides: Any) -> Guarantee:
    landlord = enrol_landlord(system)
    dwelling = add_property(system, landlord.id)
    application = submit_application(system, dwelling.id, **overrides)
    system.bus.handle(
        c.ApproveApplication(number=application.application_number, reason="ok"), MANAGER
    )
    guarantee: Guarantee = system.bus.handle(
        c.IssueGuarantee(number=application.application_number, fund_id=fund_id), MANAGER
    )
    return guarantee


__all__ = ["money"]
