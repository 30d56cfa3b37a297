"""Records staff keep current: a household's income, members and contacts; a landlord's
IBAN (and the hold it puts on payments), contacts and legal representative; how a report
or claim reached the fund."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from guarantee.domain.claim_items import ClaimItem, ItemDecision
from guarantee.domain.claims import Claim
from guarantee.domain.cover import CoverState, ItemKind
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.domain.households import (
    ContactChannel,
    Household,
    HouseholdContacts,
    Member,
    ReferralSource,
)
from guarantee.domain.landlords import Landlord, LandlordKind, LegalRepresentative
from guarantee.domain.receipts import Receipt, ReceiptChannel
from tests.support import builders
from tests.support.claims import GARANZIA_CASA, GUARANTEE, at, evidence

D = Decimal
APPLIED = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
MAIN = builders.tax_code(101)


def household() -> Household:
    return Household(
        members=[Member("Anna Bianchi", MAIN, None, True)],
        isee=D("9000.00"),
        net_monthly_income=D("1350.00"),
        referral_source=ReferralSource.HELP_DESK,
        created_at=APPLIED,
    )


def landlord(kind: LandlordKind = LandlordKind.PERSON) -> Landlord:
    tax = builders.vat_number(77) if kind is LandlordKind.COMPANY else builders.tax_code(77)
    return Landlord(
        kind=kind,
        name="Locatore",
        tax_code=tax,
        iban=builders.iban(1),
        email="Vecchio@Example.it",
        created_at=APPLIED,
    )


# -- households ------------------------------------------------------------------------------


def test_an_income_change_holds_from_its_day_rests_on_a_document_and_is_audited() -> None:
    family = household()
    family.change_income(
        net_monthly_income=D("900"),
        valid_from=date(2026, 12, 1),
        document="lettera di licenziamento",
        reason="perdita del lavoro",
        today=date(2026, 12, 1),
        now=LATER,
    )
    assert family.net_monthly_income == D("900.00")
    assert family.income_valid_from == date(2026, 12, 1)
    change = family.changes[-1]
    assert change.action == "income_changed"
    assert change.before["net_monthly_income"] == "1350.00"
    assert change.after == {
        "net_monthly_income": "900.00",
        "valid_from": "2026-12-01",
        "document": "lettera di licenziamento",
    }
    assert change.reason == "perdita del lavoro"


@pytest.mark.parametrize(
    ("valid_from", "document", "reason", "field", "message"),
    [
        (date(2026, 12, 2), "busta paga", "x", "valid_from", "non può essere nel futuro"),
        (date(2026, 11, 24), "busta paga", "x", "valid_from", "precede quella del reddito"),
        (date(2026, 12, 1), " ", "x", "document", "indicare il documento"),
        (date(2026, 12, 1), "busta paga", " ", "reason", "indicare il motivo"),
    ],
)
def test_an_income_change_is_refused_whole(
    valid_from: date, document: str, reason: str, field: str, message: str
) -> None:
    family = household()
    with pytest.raises(InvalidField) as refused:
        family.change_income(
            net_monthly_income=D("900"),
            valid_from=valid_from,
            document=document,
            reason=reason,
            today=date(2026, 12, 1),
            now=LATER,
        )
    assert refused.value.field == field
    assert message in refused.value.reason
    assert family.net_monthly_income == D("1350.00")
    assert family.changes == []


def test_members_are_replaced_whole_with_exactly_one_main_tenant() -> None:
    family = household()
    child = builders.tax_code(102)
    family.change_members(
        [Member("Anna Bianchi", MAIN, None, True), Member("Luca Bianchi", child)],
        reason="nascita",
        now=LATER,
    )
    assert [m.tax_code for m in family.members] == [MAIN, child]
    assert family.changes[-1].before["members"][0]["tax_code"] == MAIN
    with pytest.raises(InvalidField, match="esattamente un conduttore principale"):
        family.change_members([Member("Luca Bianchi", child)], reason="x", now=LATER)
    assert len(family.members) == 2


def test_contacts_must_reach_the_household_by_its_preferred_channel() -> None:
    with pytest.raises(InvalidField, match="email"):
        HouseholdContacts(preferred_channel=ContactChannel.EMAIL, postal_address="Via Jervis 4")
    with pytest.raises(InvalidField, match="postal_address"):
        HouseholdContacts(email="anna@example.it", preferred_channel=ContactChannel.POST)
    family = household()
    assert family.contacts is None  # recorded before contacts were kept
    family.change_contacts(
        HouseholdContacts(email=" Anna@Example.it ", preferred_channel=ContactChannel.EMAIL),
        reason="preferisce l'email",
        now=LATER,
    )
    assert family.contacts is not None and family.contacts.email == "anna@example.it"
    assert family.events[-1].name == "household_contacts_changed"


# -- landlords -------------------------------------------------------------------------------


def test_an_iban_change_is_revalidated_confirmed_to_both_emails_and_holds_payments() -> None:
    owner = landlord()
    owner.change_contacts(email="nuovo@example.it", phone=None, address=None, reason="x", now=LATER)
    new = builders.iban(2)
    owner.change_iban(new, reason="nuovo conto", today=date(2026, 12, 1), now=LATER)
    event = owner.events[-1]
    assert event.name == "landlord_iban_changed"
    assert event.data["confirm_to"] == ["nuovo@example.it", "vecchio@example.it"]
    assert owner.changes[-1].before["iban"] == builders.iban(1)
    assert owner.iban_hold(5, date(2026, 12, 5)) is not None
    assert owner.iban_hold(5, date(2026, 12, 6)) is None
    assert owner.iban_hold(0, date(2026, 12, 1)) is None
    hold = owner.iban_hold(5, date(2026, 12, 1))
    assert hold is not None and "fino al 5 dicembre 2026" in hold.message()
    with pytest.raises(InvalidField):
        owner.change_iban(
            "IT60X0542811101000000123457", reason="x", today=date(2026, 12, 2), now=LATER
        )
    with pytest.raises(DomainError, match="uguale"):
        owner.change_iban(new, reason="x", today=date(2026, 12, 2), now=LATER)
    assert owner.iban == new


def test_only_a_company_has_a_legal_representative() -> None:
    representative = LegalRepresentative("Maria Rossi", builders.tax_code(5))
    with pytest.raises(InvalidField, match="legal_representative"):
        landlord().change_legal_representative(representative, reason="x", now=LATER)
    company = landlord(LandlordKind.COMPANY)
    company.change_legal_representative(representative, reason="nomina", now=LATER)
    assert company.legal_representative_name == "Maria Rossi"
    assert company.changes[-1].before == {"full_name": None, "tax_code": None}


def decided_damages(amount: str) -> Claim:
    claim = Claim(
        guarantee=GUARANTEE,
        product=GARANZIA_CASA,
        items=[ClaimItem(ItemKind.DAMAGES, date(2027, 8, 1), D(amount))],
        filed_on=date(2027, 8, 2),
        filed_at=at(date(2027, 8, 2)),
        filed_by="locatore-1",
        evidence=[evidence()],
    )
    claim.start_review(now=at(date(2027, 8, 3)))
    claim.decide(
        [ItemDecision(claim.items[0].id, D(amount))],
        cover=CoverState.of(GARANZIA_CASA, GUARANTEE.monthly_rent),
        product=GARANZIA_CASA,
        mediation_cases=[],
        now=at(date(2027, 8, 4)),
        by="gestore",
    )
    return claim


def test_a_payment_under_the_threshold_needs_two_managers_while_the_iban_is_held() -> None:
    claim = decided_damages("300.00")
    owner = landlord()
    owner.change_iban(builders.iban(3), reason="x", today=date(2027, 8, 5), now=LATER)
    held = owner.iban_hold(GARANZIA_CASA.iban_change_hold_days, date(2027, 8, 7))
    when = at(date(2027, 8, 7))
    with pytest.raises(DomainError, match="cambiato il 5 agosto 2027") as refused:
        claim.mark_paid(
            "CRO 1", owner.iban, when, threshold=D("1000"), by="a", account="1", iban_hold=held
        )
    assert refused.value.code == "iban_change_hold"
    claim.propose_payment(threshold=D("1000"), by="a", account="1", now=when, iban_hold=held)
    with pytest.raises(DomainError, match="deve autorizzarlo un altro gestore"):
        claim.mark_paid(
            "CRO 1", owner.iban, when, threshold=D("1000"), by="a", account="1", iban_hold=held
        )
    claim.mark_paid(
        "CRO 1", owner.iban, when, threshold=D("1000"), by="b", account="2", iban_hold=held
    )
    assert claim.paid_to_iban == owner.iban
    assert claim.paid_amount == D("300.00")


# -- receipts --------------------------------------------------------------------------------


def test_a_receipt_entered_by_staff_is_checked() -> None:
    today = date(2029, 3, 2)
    pec = Receipt.entered_by_staff(
        received_on=date(2029, 3, 1), channel="pec", reference="opec.1", today=today
    )
    assert pec.channel is ReceiptChannel.PEC
    with pytest.raises(InvalidField, match="il numero della raccomandata"):
        Receipt.entered_by_staff(received_on=today, channel="post", reference=" ", today=today)
    with pytest.raises(InvalidField, match="non può essere nel futuro"):
        Receipt.entered_by_staff(
            received_on=date(2029, 3, 3), channel="desk", reference=None, today=today
        )
    with pytest.raises(InvalidField, match="channel"):
        Receipt.entered_by_staff(received_on=today, channel="online", reference=None, today=today)
    desk = Receipt.entered_by_staff(received_on=today, channel="desk", reference=None, today=today)
    assert desk.reference is None


def test_an_iban_change_after_a_proposal_voids_it() -> None:
    claim = decided_damages("1500.00")  # above the threshold: two fund managers
    when = at(date(2027, 8, 7))
    old, new = builders.iban(4), builders.iban(5)
    claim.propose_payment(threshold=D("1000"), by="a", account="1", now=when, iban=old)
    with pytest.raises(DomainError, match="va proposto di nuovo sul nuovo IBAN") as refused:
        claim.mark_paid("CRO 1", new, when, threshold=D("1000"), by="b", account="2")
    assert refused.value.code == "iban_changed_since_proposal"
    assert claim.paid_at is None
    claim.mark_paid("CRO 1", old, when, threshold=D("1000"), by="b", account="2")
    assert claim.paid_to_iban == old
