"""Realistic demo data, written through the service layer so the books and audit trail are real."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from schwifty import IBAN
from sqlalchemy import func, select
from stdnum import luhn
from stdnum.it import codicefiscale

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System, bootstrap
from guarantee.domain.actors import Actor, Role
from guarantee.domain.cover import ItemKind
from guarantee.domain.errors import Conflict
from guarantee.domain.guarantees import Guarantee
from guarantee.domain.households import ContactChannel, ReferralSource
from guarantee.domain.landlords import LandlordKind
from guarantee.domain.leases import LeaseType, add_months
from guarantee.domain.mediation import MediationOutcome
from guarantee.services import commands as c

MANAGER = Actor("gestore", Role.FUND_MANAGER)
# Four eyes: payments above the threshold are proposed by one fund manager, authorised by this.
SECOND_MANAGER = Actor("gestore2", Role.FUND_MANAGER)
HELP_DESK = Actor("sportello", Role.OPERATOR)

FIRST_NAMES = [
    "Giulia",
    "Marco",
    "Fatima",
    "Luca",
    "Ana",
    "Paolo",
    "Chiara",
    "Ion",
    "Sara",
    "Davide",
    "Amina",
    "Giorgio",
    "Elena",
    "Youssef",
    "Marta",
    "Andrea",
    "Irina",
    "Stefano",
    "Grace",
    "Franco",
]
LAST_NAMES = [
    "Rossi",
    "Bianchi",
    "Ferrero",
    "Bertolino",
    "El Amrani",
    "Popescu",
    "Gallo",
    "Perino",
    "Okafor",
    "Chiantore",
    "Ricci",
    "Vercellino",
    "Diallo",
    "Bosio",
    "Marino",
    "Costa",
    "Gili",
    "Savio",
    "Rinaldi",
    "Pession",
]
STREETS = [
    "Via Arduino",
    "Corso Cavour",
    "Via Palestro",
    "Via Jervis",
    "Corso Nigra",
    "Via San Lorenzo",
    "Via Torino",
    "Via Circonvallazione",
    "Piazza Ottinetti",
    "Via dei Mulini",
]
# ISTAT codes of consortium municipalities (Ivrea weighs more, as it does in real life).
MUNICIPALITIES = [
    "001125",
    "001125",
    "001125",
    "001020",
    "001160",
    "001181",
    "001235",
    "001077",
    "001030",
    "001027",
]

# How many of the 50 demo guarantees end in each state.
PLAN = {
    "draft": 3,
    "eligible": 4,
    "needs_review": 4,
    "ineligible": 4,
    "approved": 3,
    "issued": 4,
    "active": 18,
    "expired": 4,
    "terminated": 3,
    "cancelled": 3,
}


@dataclass
class Demo:
    system: System
    clock: FixedClock
    rnd: random.Random
    fund_id: str = ""

    def at(self, day: date) -> None:
        self.clock.set(datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC))


def load_demo(seed: int = 2026, system: System | None = None) -> list[dict[str, str]]:
    """Fill an empty database; returns the demo accounts with their passwords."""
    real_now = datetime.now(UTC)
    clock = FixedClock(datetime(2023, 2, 1, 9, 30, tzinfo=UTC))
    system = system or bootstrap(clock=clock)
    if not isinstance(system.deps.clock, FixedClock):
        raise ValueError("demo data needs a settable clock")
    clock = system.deps.clock
    with system.engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(tables.guarantees)):
            raise Conflict(
                "il database contiene già dati: la demo si carica solo su un database vuoto"
            )
    demo = Demo(system, clock, random.Random(seed))
    _fund(demo)
    landlords = [_landlord(demo, n) for n in range(1, 21)]
    states = [state for state, howmany in PLAN.items() for _ in range(howmany)]
    demo.rnd.shuffle(states)
    guarantees: list[tuple[str, Guarantee]] = []
    for n, state in enumerate(states):
        _, property_ids = landlords[n % len(landlords)]
        guarantees.append((state, _guarantee(demo, n, state, property_ids[n % len(property_ids)])))
    demo.at(real_now.date())
    system.bus.handle(c.ExpireDueGuarantees(), Actor.system("scheduler"))
    credentials = _accounts(demo, landlords, guarantees)
    _when_things_go_wrong(
        demo, [g for state, g in guarantees if state == "active"], real_now.date()
    )
    _attestations(demo)
    return credentials


def _attestations(demo: Demo) -> None:
    """Two households the help desk attested before they found a lease (their own random
    stream leaves the rest of the demo as it was)."""
    own = random.Random(20_000)
    for name, income in (("Giulia Perotti", "1350.00"), ("Karim Benali", "1820.00")):
        demo.system.bus.handle(
            c.IssueAttestation(
                members=(c.MemberData(name, _tax_code(own, name.startswith("G")), None, True),),
                isee=Decimal("9800.00"),
                net_monthly_income=Decimal(income),
                referral_source=ReferralSource.HELP_DESK,
                referrer="Sportello Casa Ivrea",
                contacts=c.ContactsData(postal_address="Via Arduino 48, 10015 Ivrea (TO)"),
            ),
            HELP_DESK,
        )


def _rents_before(guarantee: Guarantee, day: date) -> tuple[c.UnpaidRentData, ...]:
    """The two rents that fell due last before ``day`` (on the lease's rent day)."""
    due = date(day.year, day.month, guarantee.lease.rent_due_day)
    if due >= day:
        due = add_months(due, -1)
    lease = guarantee.lease
    return tuple(
        c.UnpaidRentData(d, lease.monthly_rent, lease.monthly_charges)
        for d in (add_months(due, -1), due)
    )


def _when_things_go_wrong(demo: Demo, active: list[Guarantee], today: date) -> None:
    """Four households in trouble: a case just opened and assigned, one whose first contact
    is overdue, one settled by an agreement, and one paid by the fund and being repaid."""
    bus = demo.system.bus
    ready = [g for g in active if g.number and g.lease.start <= today - timedelta(days=200)]
    if len(ready) < 4:
        return
    opened, late, agreed, paid = ready[:4]

    def report(guarantee: Guarantee, on: date) -> str:
        demo.at(on)
        assert guarantee.number is not None
        done = bus.handle(c.ReportArrears(guarantee.number, _rents_before(guarantee, on)), MANAGER)
        number: str = done.case.number
        return number

    report(opened, today)
    report(late, today - timedelta(days=12))

    case = report(agreed, today - timedelta(days=40))
    bus.handle(c.RecordFirstContact(case, today - timedelta(days=38)), MANAGER)
    total = sum(
        (r.rent + r.charges for r in _rents_before(agreed, today - timedelta(days=40))), Decimal(0)
    )
    bus.handle(
        c.RecordMediationOutcome(
            case,
            MediationOutcome.AGREEMENT,
            today - timedelta(days=30),
            "la conduttrice restituisce gli arretrati in 4 rate",
            c.RepaymentTermsData(total, 4, today - timedelta(days=25)),
        ),
        MANAGER,
    )

    start = today - timedelta(days=110)
    case = report(paid, start)
    bus.handle(c.RecordFirstContact(case, start + timedelta(days=2)), MANAGER)
    demo.at(start + timedelta(days=20))
    bus.handle(
        c.RecordMediationOutcome(
            case, MediationOutcome.NO_AGREEMENT, start + timedelta(days=20), "nessun accordo"
        ),
        MANAGER,
    )
    bus.handle(c.CloseMediationCase(case), MANAGER)
    demo.at(start + timedelta(days=25))
    assert paid.number is not None
    items = tuple(
        c.ClaimItemData(ItemKind.ARREARS, r.due_on, r.rent + r.charges)
        for r in _rents_before(paid, start)
    )
    claim = bus.handle(c.FileClaim(paid.number, items), MANAGER).number
    bus.handle(c.StartClaimReview(claim), MANAGER)
    suggestion = bus.handle(c.SuggestClaimDecision(claim), MANAGER)
    demo.at(start + timedelta(days=30))
    bus.handle(
        c.DecideClaim(
            claim, tuple(c.ItemDecisionData(d.item_id, d.approved, d.reason) for d in suggestion)
        ),
        MANAGER,
    )
    bus.handle(c.ProposeClaimPayment(claim, note="arretrati verificati"), MANAGER)
    bus.handle(c.PayClaim(claim, idempotency_key=f"demo-{claim}"), SECOND_MANAGER)
    demo.at(start + timedelta(days=35))
    plan = bus.handle(c.CreateRecoveryPlan(claim, start + timedelta(days=45)), MANAGER)
    first = plan.instalments[0]
    demo.at(first.due_on)
    bus.handle(c.RecordRecoveryInstalment(plan.number, first.id, paid=True), MANAGER)
    demo.at(today)
    if len(ready) > 4:
        _damages_waiting_for_second_manager(demo, ready[4], today)


def _damages_waiting_for_second_manager(demo: Demo, guarantee: Guarantee, today: date) -> None:
    """A damages claim approved and its payment proposed by "gestore": "gestore2" (or any
    other fund manager, never "gestore") authorises it."""
    bus = demo.system.bus
    assert guarantee.number is not None
    demo.at(today - timedelta(days=6))
    photo = c.EvidenceUpload("verbale-sopralluogo.pdf", "application/pdf", b"%PDF-1.4 demo")
    item = c.ClaimItemData(
        ItemKind.DAMAGES, today - timedelta(days=8), Decimal("1800.00"), "infiltrazione bagno"
    )
    claim = bus.handle(c.FileClaim(guarantee.number, (item,), (photo,)), MANAGER).number
    bus.handle(c.StartClaimReview(claim), MANAGER)
    demo.at(today - timedelta(days=2))
    decided = bus.handle(c.SuggestClaimDecision(claim), MANAGER)
    bus.handle(
        c.DecideClaim(claim, tuple(c.ItemDecisionData(d.item_id, d.approved) for d in decided)),
        MANAGER,
    )
    bus.handle(c.ProposeClaimPayment(claim, note="preventivo dell'idraulico verificato"), MANAGER)
    demo.at(today)


def _fund(demo: Demo) -> None:
    demo.at(date(2023, 2, 1))
    fund = demo.system.bus.handle(
        c.CreateFund(
            name="Fondo Garanzia Casa Eporediese", territory="Consorzio IN.RE.TE. (Ivrea)"
        ),
        MANAGER,
    )
    demo.fund_id = fund.id
    for day, donor, amount, reference in [
        (
            date(2023, 2, 15),
            "Fondazione di Comunità del Canavese",
            "60000.00",
            "convenzione 3/2023",
        ),
        (date(2023, 3, 1), "Consorzio IN.RE.TE.", "40000.00", "delibera CdA 14/2023"),
        (date(2024, 5, 20), "Comune di Ivrea", "25000.00", "determina 211/2024"),
        (
            date(2025, 11, 3),
            "Donazioni private (campagna 'Una casa per tutti')",
            "8350.00",
            "rendiconto 2025",
        ),
    ]:
        demo.at(day)
        demo.system.bus.handle(
            c.RecordContribution(
                fund_id=fund.id, amount=Decimal(amount), donor=donor, on=day, reference=reference
            ),
            MANAGER,
        )


def _tax_code(rnd: random.Random, female: bool) -> str:
    letters = "".join(rnd.choice("BCDFGLMNPRSTVZ") for _ in range(6))
    day = rnd.randint(1, 28) + (40 if female else 0)
    body = f"{letters}{rnd.randint(55, 99):02d}{rnd.choice('ABCDEHLMPRST')}{day:02d}E379"
    return body + codicefiscale.calc_check_digit(body)


def _iban(n: int) -> str:
    return str(
        IBAN.generate("IT", bank_code="03069", branch_code="30540", account_code=f"{n:012d}")
    )


def _contacts(demo: Demo, n: int, property_id: str, main_tenant: str) -> c.ContactsData:
    """The tenant lives in the dwelling; about half read email, the others get letters by post.
    Its own random stream leaves the rest of the demo as it was."""
    with demo.system.engine.connect() as conn:
        p = tables.properties.c
        address = conn.scalar(select(p.address).where(p.id == property_id))
    own = random.Random(10_000 + n)
    by_email = own.random() < 0.5
    local = main_tenant.lower().replace(" ", ".").replace("'", "")
    return c.ContactsData(
        postal_address=address,
        email=f"{local}{n}@example.it" if by_email or own.random() < 0.3 else None,
        phone=f"+39 3{own.randint(10, 49)} {own.randint(1_000_000, 9_999_999)}",
        preferred_channel=ContactChannel.EMAIL if by_email else ContactChannel.POST,
    )


def _landlord(demo: Demo, n: int) -> tuple[str, list[str]]:
    rnd = demo.rnd
    demo.at(date(2023, 2, 20) + timedelta(days=n))
    if n % 5 == 0:
        body = f"{rnd.randint(1, 9_999_999):07d}001"
        kind, name, tax = (
            "company",
            f"Immobiliare {LAST_NAMES[n % 20]} S.r.l.",
            body + luhn.calc_check_digit(body),
        )
    else:
        first, last = FIRST_NAMES[(n * 7) % 20], LAST_NAMES[(n * 3) % 20]
        kind, name, tax = "person", f"{first} {last}", _tax_code(rnd, first.endswith("a"))
    landlord = demo.system.bus.handle(
        c.EnrolLandlord(
            kind=LandlordKind(kind),
            name=name,
            tax_code=tax,
            iban=_iban(1000 + n),
            email=f"locatore{n}@example.it",
            phone=f"+39 0125 {rnd.randint(100000, 999999)}",
        ),
        MANAGER,
    )
    if kind == "company":
        # Who signs for the company; its own random stream leaves the rest of the demo as it was.
        own = random.Random(n)
        first = own.choice(FIRST_NAMES)
        demo.system.bus.handle(
            c.ChangeLegalRepresentative(
                landlord.id,
                f"{first} {own.choice(LAST_NAMES)}",
                _tax_code(own, first.endswith("a")),
                "visura camerale all'iscrizione",
            ),
            MANAGER,
        )
    properties = []
    for _ in range(1 + (n % 3 == 0)):
        dwelling = demo.system.bus.handle(
            c.AddProperty(
                landlord_id=landlord.id,
                address=f"{rnd.choice(STREETS)} {rnd.randint(1, 80)}",
                municipality_istat_code=rnd.choice(MUNICIPALITIES),
                cadastral_reference=(
                    f"Foglio {rnd.randint(1, 40)}, particella {rnd.randint(1, 900)}, "
                    f"sub. {rnd.randint(1, 20)}"
                ),
                floor_area_m2=rnd.choice([74, 78, 85, 92, 95]),
            ),
            MANAGER,
        )
        properties.append(dwelling.id)
    return landlord.id, properties


def _guarantee(demo: Demo, n: int, state: str, property_id: str) -> Guarantee:
    rnd, bus = demo.rnd, demo.system.bus
    ended = state in {"expired", "terminated"}
    opened = (
        date(2023, 4, 3) + timedelta(days=7 * n)
        if ended
        else date(2025, 9, 1) + timedelta(days=5 * n)
    )
    demo.at(opened)
    start = date(opened.year + (opened.month == 12), opened.month % 12 + 1, 1)
    months = 24 if state == "expired" else rnd.choice([36, 48])
    end = date(start.year + months // 12, start.month, 1) - timedelta(days=1)
    rent = Decimal(rnd.randrange(38000, 62000, 500)) / 100
    income = (rent + 60) * Decimal(rnd.choice(["3.0", "2.8", "3.4"]))
    isee = Decimal(rnd.randrange(4000, 22000, 250))
    if state == "needs_review":
        isee = Decimal(rnd.randrange(26500, 34000, 250))
    if state == "ineligible":
        isee = Decimal(rnd.randrange(36000, 45000, 250))
    female = rnd.random() < 0.6
    first = rnd.choice([f for f in FIRST_NAMES if f.endswith("a") == female])
    members = [
        c.MemberData(f"{first} {rnd.choice(LAST_NAMES)}", _tax_code(rnd, female), None, True)
    ]
    for _ in range(rnd.randint(0, 3)):
        members.append(
            c.MemberData(
                f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}",
                _tax_code(rnd, rnd.random() < 0.5),
            )
        )
    application: Guarantee = bus.handle(
        c.SubmitApplication(
            property_id=property_id,
            members=tuple(members),
            isee=isee,
            net_monthly_income=income.quantize(Decimal("1")),
            referral_source=ReferralSource(rnd.choice(["help_desk", "social_services"])),
            referrer=rnd.choice(
                ["Sportello Casa Ivrea", "Servizio sociale di Banchette", "Caritas diocesana"]
            ),
            lease=c.LeaseData(
                lease_type=rnd.choice([LeaseType.AGREED_3_2, LeaseType.FREE_MARKET_4_4]).value,
                start=start,
                end=end,
                monthly_rent=rent,
                monthly_charges=Decimal(rnd.choice([40, 60, 80])),
                registered=True,
                registration_reference=f"Agenzia Entrate Ivrea, serie 3T n. {1000 + n}",
            ),
            submit=state != "draft",
            contacts=_contacts(demo, n, property_id, members[0].full_name),
        ),
        HELP_DESK,
    )
    number = application.application_number
    if state in {"draft", "eligible", "needs_review", "ineligible"}:
        return application
    bus.handle(c.ApproveApplication(number=number, reason="istruttoria completa"), MANAGER)
    if state == "approved":
        return application
    demo.at(opened + timedelta(days=10))
    guarantee: Guarantee = bus.handle(
        c.IssueGuarantee(number=number, fund_id=demo.fund_id), MANAGER
    )
    number = guarantee.number or number
    if state == "cancelled":
        bus.handle(
            c.CancelGuarantee(number=number, reason="il locatore ha rinunciato alla locazione"),
            MANAGER,
        )
        return guarantee
    if state == "issued":
        return guarantee
    demo.at(start)
    bus.handle(c.ActivateGuarantee(number=number), MANAGER)
    if state == "terminated":
        demo.at(start + timedelta(days=400))
        bus.handle(
            c.TerminateGuarantee(number=number, reason="recesso anticipato del conduttore"), MANAGER
        )
    return guarantee


def _accounts(
    demo: Demo, landlords: list[tuple[str, list[str]]], guarantees: list[tuple[str, Guarantee]]
) -> list[dict[str, str]]:
    with_guarantees = []
    for _, g in guarantees:
        if g.number and g.landlord_id not in with_guarantees:
            with_guarantees.append(g.landlord_id)
    people = [
        ("fund_manager", "gestore", "Laura Gestore", None),
        ("fund_manager", "gestore2", "Marco Secondo Gestore", None),
        ("mediator", "mediatore", "Paolo Mediatore", None),
        ("operator", "sportello", "Sportello Casa Ivrea", None),
        ("auditor", "revisore", "Collegio dei revisori", None),
        ("landlord", "locatore1", "Primo locatore", with_guarantees[0]),
        ("landlord", "locatore2", "Secondo locatore", with_guarantees[1]),
    ]
    credentials = []
    for role, username, full_name, landlord_id in people:
        password = secrets.token_urlsafe(12)
        demo.system.bus.handle(
            c.CreateAccount(
                username=username,
                full_name=full_name,
                role=Role(role),
                email=f"{username}@demo.garanziacasa.example.it",
                landlord_id=landlord_id,
                password=password,
            ),
            Actor.system("demo"),
        )
        credentials.append({"role": role, "username": username, "password": password})
    return credentials
