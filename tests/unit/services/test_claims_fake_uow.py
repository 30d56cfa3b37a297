"""Claims decided and paid, and what the tenant brings back, through the real bus over the
fake unit of work: cover is never exceeded, a large payment needs two fund managers, a
payment is made once, and a refusal writes nothing.

On the database (read models, the books' SQL guards, concurrency):
tests/integration/test_fund_payments.py, test_claims_api.py, test_claims_concurrency.py and
the claims features.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.claims import Claim, ClaimStatus
from guarantee.domain.cover import ItemKind
from guarantee.domain.errors import Conflict, DomainError, InvalidField, NotFound, PermissionDenied
from guarantee.domain.guarantees import Guarantee, GuaranteeStatus
from guarantee.domain.ledger import Account, EntryKind
from guarantee.domain.mediation import MediationOutcome
from guarantee.services import commands as c
from tests.support import builders
from tests.support.accounts import open_account
from tests.support.fake_uow import FakeStore, check_books
from tests.support.payments import AUTHORISER, PROPOSER, claim_items, past_lease

GIULIA, MARCO = PROPOSER, AUTHORISER  # two fund managers


def live(system: System, fund_id: str) -> str:
    """An active guarantee on a lease that started before today (losses can be claimed)."""
    issued = builders.issued_guarantee(system, fund_id, lease_data=past_lease())
    assert issued.number is not None
    system.bus.handle(c.ActivateGuarantee(number=issued.number), GIULIA)
    return issued.number


def file(system: System, number: str, amount: Decimal, name: str = "cucina") -> Claim:
    """Damages (with a photo) up to their cap, legal costs beyond, filed by the fund."""
    loss = system.deps.clock.today() - timedelta(days=1)
    photo = c.EvidenceUpload(f"{name}.jpg", "image/jpeg", f"{number} {name}".encode())
    claim: Claim = system.bus.handle(
        c.FileClaim(number, claim_items(amount, loss), (photo,)), GIULIA
    )
    system.bus.handle(c.StartClaimReview(claim.number), GIULIA)
    return claim


def decide_in_full(system: System, claim: Claim, by: Actor = GIULIA) -> Claim:
    decided: Claim = system.bus.handle(
        c.DecideClaim(
            claim.number, tuple(c.ItemDecisionData(i.id, i.claimed) for i in claim.items)
        ),
        by,
    )
    return decided


def pay(system: System, number: str, by: Actor = GIULIA, key: str | None = None) -> dict[str, str]:
    result: dict[str, str] = system.bus.handle(c.PayClaim(number, key or f"pay-{number}"), by)
    return result


def paid_on(system: System, number: str, amount: Decimal) -> str:
    """``amount`` paid on the guarantee through a claim decided in full (two pairs of eyes
    above the threshold); returns the claim's number."""
    claim = decide_in_full(system, file(system, number, amount, name=f"danno-{amount}"))
    if amount > Decimal("1000.00"):
        system.bus.handle(c.ProposeClaimPayment(claim.number), GIULIA)
        pay(system, claim.number, MARCO)
    else:
        pay(system, claim.number)
    assert claim.number is not None
    return claim.number


def guarantee(store: FakeStore, number: str) -> Guarantee:
    (found,) = [g for g in store.all("guarantees") if g.number == number]
    return found  # type: ignore[no-any-return]


def claim_in(store: FakeStore, number: str) -> Claim:
    (found,) = [claim for claim in store.all("claims") if claim.number == number]
    return found  # type: ignore[no-any-return]


@pytest.fixture
def fund_id(fake_system: System) -> str:
    return builders.fund_with(fake_system, Decimal("100000.00")).id


def test_a_paid_claim_moves_the_money_and_the_reserve_follows_what_is_still_at_risk(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    number = live(fake_system, fund_id)
    claim = decide_in_full(fake_system, file(fake_system, number, Decimal("500.00")))
    assert guarantee(store, number).status is GuaranteeStatus.SUSPENDED

    paid = pay(fake_system, claim.number)

    assert paid["amount"] == "500.00" and paid["guarantee_status"] == "active"
    kept = guarantee(store, number)
    assert kept.paid_amount == Decimal("500.00")
    assert kept.reserve_amount == Decimal("3690.00")  # 30% of 12.800,00 − 500,00
    figures = check_books(store, fund_id)
    assert figures.balance == Decimal("99500.00") and figures.claims_paid == Decimal("500.00")
    assert figures.reserved == Decimal("3690.00") and figures.exposure == Decimal("12300.00")
    payment = [e for e in store.ledger if e.kind is EntryKind.CLAIM_PAYMENT]
    assert [e.id for e in payment] == [paid["entry_id"]]
    cash = [p.signed for p in payment[0].postings if p.account is Account.CASH]
    assert cash == [Decimal("-500.00")]
    assert store.actions(claim_in(store, claim.number).id)[-1] == "mark_paid"


def test_two_decisions_never_take_the_same_euro_of_cover(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    number = live(fake_system, fund_id)
    kitchen = file(fake_system, number, Decimal("2000.00"), "cucina")
    bathroom = file(fake_system, number, Decimal("2000.00"), "bagno")
    decide_in_full(fake_system, kitchen)
    before = store.snapshot()

    with pytest.raises(DomainError, match=r"residui 1\.000,00 €") as refused:
        decide_in_full(fake_system, bathroom, MARCO)

    assert refused.value.code == "above_remaining_cover"
    assert store.snapshot() == before
    suggested = fake_system.bus.handle(c.SuggestClaimDecision(bathroom.number), MARCO)
    assert sum(d.approved for d in suggested) == Decimal("1000.00")
    decided = fake_system.bus.handle(c.DecideClaim(bathroom.number, tuple(suggested)), MARCO)
    assert decided.status is ClaimStatus.PARTIALLY_APPROVED


def test_a_decision_beyond_the_cover_left_writes_nothing(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    # Moved from tests/integration/test_fund_payments.py (the database set keeps example D).
    number = live(fake_system, fund_id)
    paid_on(fake_system, number, Decimal("5000.00"))  # the damages and legal-costs caps
    claim = file(fake_system, number, Decimal("0.01"), "graffio")
    entries = list(store.ledger)

    with pytest.raises(DomainError, match=r"copertura residua per danni all'alloggio") as refused:
        decide_in_full(fake_system, claim)

    assert not isinstance(refused.value, InvalidField), "no field the client sent is wrong"
    assert store.ledger == entries
    assert claim_in(store, claim.number).status is ClaimStatus.UNDER_REVIEW
    assert guarantee(store, number).paid_amount == Decimal("5000.00")
    check_books(store, fund_id)


def test_above_the_threshold_one_fund_manager_proposes_and_another_pays(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    number = live(fake_system, fund_id)
    claim = decide_in_full(fake_system, file(fake_system, number, Decimal("2000.00")))
    before = store.snapshot()

    with pytest.raises(DomainError) as alone:
        pay(fake_system, claim.number)
    assert alone.value.code == "four_eyes_required"
    assert store.snapshot() == before

    fake_system.bus.handle(c.ProposeClaimPayment(claim.number), GIULIA)
    proposed = store.snapshot()
    with pytest.raises(DomainError) as twice:
        pay(fake_system, claim.number, GIULIA, key="again")
    assert twice.value.code == "four_eyes_same_person"
    assert store.snapshot() == proposed
    assert check_books(store, fund_id).claims_paid == Decimal("0.00")

    paid = pay(fake_system, claim.number, MARCO)

    assert (paid["proposed_by"], paid["authorised_by"]) == ("gestore", "gestore-due")
    assert check_books(store, fund_id).claims_paid == Decimal("2000.00")
    actions = store.actions(claim_in(store, claim.number).id)
    assert actions[-2:] == ["propose_payment", "mark_paid"]


def test_a_refused_proposal_must_be_proposed_again(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    number = live(fake_system, fund_id)
    claim = decide_in_full(fake_system, file(fake_system, number, Decimal("2000.00")))
    fake_system.bus.handle(c.ProposeClaimPayment(claim.number), GIULIA)
    fake_system.bus.handle(c.RefuseClaimPayment(claim.number, "IBAN da verificare"), MARCO)

    with pytest.raises(DomainError) as refused:
        pay(fake_system, claim.number, MARCO)

    assert refused.value.code == "four_eyes_required"
    assert check_books(store, fund_id).claims_paid == Decimal("0.00")


def test_a_payment_is_made_once_whatever_the_retries(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    number = live(fake_system, fund_id)
    claim = decide_in_full(fake_system, file(fake_system, number, Decimal("800.00")))
    first = pay(fake_system, claim.number, key="bonifico-1")

    assert pay(fake_system, claim.number, key="bonifico-1") == first
    with pytest.raises(Conflict, match="Idempotency-Key"):
        fake_system.bus.handle(c.PayClaim(claim.number, "bonifico-1", "altro CRO"), GIULIA)
    assert len([e for e in store.ledger if e.kind is EntryKind.CLAIM_PAYMENT]) == 1
    assert check_books(store, fund_id).claims_paid == Decimal("800.00")


def test_a_withdrawn_claim_frees_its_commitment_and_the_guarantee_resumes(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    number = live(fake_system, fund_id)
    claim = decide_in_full(fake_system, file(fake_system, number, Decimal("2000.00")))
    fake_system.bus.handle(c.WithdrawClaim(claim.number, "danno riparato"), GIULIA)

    assert claim_in(store, claim.number).status is ClaimStatus.CLOSED
    assert guarantee(store, number).status is GuaranteeStatus.ACTIVE
    again = decide_in_full(fake_system, file(fake_system, number, Decimal("3000.00"), "bagno"))
    assert again.approved_total == Decimal("3000.00")


def test_an_ended_guarantee_can_still_be_paid_but_holds_no_reserve(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    # Moved from tests/integration/test_fund_payments.py. Damages are claimed after the lease
    # ends: the reserve was released at the end.
    number = live(fake_system, fund_id)
    fake_system.bus.handle(c.TerminateGuarantee(number=number, reason="fine locazione"), GIULIA)

    paid_on(fake_system, number, Decimal("1500.00"))

    figures = check_books(store, fund_id)
    assert guarantee(store, number).reserve_amount == Decimal("0.00")
    assert figures.balance == Decimal("98500.00") and figures.reserved == Decimal("0.00")


def test_recoveries_and_the_write_off_follow_what_the_tenant_owes(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    number = live(fake_system, fund_id)
    claim = paid_on(fake_system, number, Decimal("500.00"))
    plan = fake_system.bus.handle(c.CreateRecoveryPlan(claim, date(2027, 1, 5)), GIULIA)
    first = plan.instalments[0]

    fake_system.bus.handle(c.RecordRecoveryInstalment(plan.number, first.id, paid=True), GIULIA)

    figures = check_books(store, fund_id)
    assert figures.recoveries == first.amount
    assert figures.balance == Decimal("99500.00") + first.amount
    assert figures.reserved == Decimal("3690.00"), "money back does not restore the reserve"

    # Moved from tests/integration/test_fund_payments.py: recording the same instalment again
    # is refused and writes nothing; the write-off takes exactly what is still owed.
    before = store.snapshot()
    with pytest.raises(DomainError):
        fake_system.bus.handle(c.RecordRecoveryInstalment(plan.number, first.id, paid=True), GIULIA)
    assert store.snapshot() == before
    fake_system.bus.handle(c.WriteOffRecoveryPlan(plan.number, reason="irreperibile"), GIULIA)
    figures = check_books(store, fund_id)
    assert figures.write_offs == Decimal("500.00") - first.amount
    with pytest.raises(DomainError):
        fake_system.bus.handle(c.WriteOffRecoveryPlan(plan.number, reason="ancora"), GIULIA)
    assert check_books(store, fund_id) == figures


def test_a_landlord_cannot_claim_on_another_landlords_guarantee(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    number = live(fake_system, fund_id)
    other = builders.enrol_landlord(fake_system)
    stranger = Actor("altro-locatore", Role.LANDLORD, landlord_id=other.id)
    loss = date(2026, 11, 1)
    before = store.snapshot()

    with pytest.raises(NotFound):
        fake_system.bus.handle(
            c.FileClaim(number, claim_items(Decimal("100.00"), loss), ()), stranger
        )

    assert store.snapshot() == before


def test_an_auditor_may_see_a_suggested_decision_but_not_decide(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    claim = file(fake_system, live(fake_system, fund_id), Decimal("300.00"))
    auditor = Actor("revisore", Role.AUDITOR)
    before = store.snapshot()

    suggested = fake_system.bus.handle(c.SuggestClaimDecision(claim.number), auditor)
    with pytest.raises(PermissionDenied):
        fake_system.bus.handle(c.DecideClaim(claim.number, tuple(suggested)), auditor)

    assert sum(d.approved for d in suggested) == Decimal("300.00")
    assert store.snapshot() == before


def test_arrears_open_mediation_by_workload_and_their_claim_waits_for_it(
    fake_system: System, store: FakeStore, fund_id: str
) -> None:
    bruno = open_account(fake_system, "bruno", Role.MEDIATOR, full_name="Bruno Gallo")
    anna = open_account(fake_system, "anna", Role.MEDIATOR, full_name="Anna Ferrero")
    first, second = live(fake_system, fund_id), live(fake_system, fund_id)
    unpaid = tuple(
        c.UnpaidRentData(due_on, Decimal("650.00"), Decimal("80.00"))
        for due_on in (date(2026, 10, 5), date(2026, 11, 5))
    )

    reported = fake_system.bus.handle(c.ReportArrears(first, unpaid), GIULIA)
    other = fake_system.bus.handle(c.ReportArrears(second, unpaid), GIULIA)

    # A tie goes to the first name alphabetically, then to whoever has fewer open cases.
    assert (reported.case.mediator_id, other.case.mediator_id) == (
        anna.account_id,
        bruno.account_id,
    )
    assert guarantee(store, first).status is GuaranteeStatus.ACTIVE
    items = tuple(
        c.ClaimItemData(ItemKind.ARREARS, due_on, Decimal("730.00"), "canone non pagato")
        for due_on in (date(2026, 10, 5), date(2026, 11, 5))
    )
    claim = fake_system.bus.handle(c.FileClaim(first, items), GIULIA)
    fake_system.bus.handle(c.StartClaimReview(claim.number), GIULIA)
    assert claim_in(store, claim.number).status is ClaimStatus.AWAITING_MEDIATION

    case = reported.case.number
    fake_system.bus.handle(c.RecordFirstContact(case, date(2026, 11, 25)), anna)
    fake_system.bus.handle(
        c.RecordMediationOutcome(
            case, MediationOutcome.NO_AGREEMENT, date(2026, 11, 25), "nessuna proposta"
        ),
        anna,
    )
    fake_system.bus.handle(c.CloseMediationCase(case), anna)

    assert claim_in(store, claim.number).status is ClaimStatus.UNDER_REVIEW
    decided = fake_system.bus.handle(
        c.DecideClaim(
            claim.number,
            tuple(fake_system.bus.handle(c.SuggestClaimDecision(claim.number), GIULIA)),
        ),
        GIULIA,
    )
    assert decided.approved_total == Decimal("1460.00")
