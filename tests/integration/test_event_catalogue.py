"""Every event the domain emits has letters or is declared silent; an unknown event is an error
that is retried and reported; the notices a party must receive are sent (tenants' by post
until households have an e-mail on record)."""

from __future__ import annotations

import re
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.guarantees import GuaranteeStatus
from guarantee.jobs.reactions import MAX_ATTEMPTS
from guarantee.jobs.runner import make_reactions
from guarantee.read.letter_catalogue import COMPOSERS, SILENT
from guarantee.services import commands as c
from tests.support import builders
from tests.support.journeys import MANAGER, at
from tests.support.servers import Inbox, smtp_server

DOMAIN = Path(__file__).resolve().parents[2] / "guarantee" / "domain"


def emitted_events() -> set[str]:
    names: set[str] = set()
    for source in DOMAIN.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        names |= set(re.findall(r'_emit\(\s*"([a-z_]+)"', text))
        if 'f"guarantee_{self.status.value}"' in text:
            # Guarantee._end: every state a live guarantee can end in.
            names |= {f"guarantee_{s}" for s in ("expired", "terminated", "cancelled", "exhausted")}
    return names


def test_every_event_the_domain_emits_has_a_reaction_or_is_declared_silent() -> None:
    emitted = emitted_events() | {"expiry_reminder_due"}
    assert len(emitted) >= 20
    assert emitted - set(COMPOSERS) - set(SILENT) == set()
    assert set(COMPOSERS) & set(SILENT) == set(), "an event is either told or silent"
    assert {s for s in GuaranteeStatus if f"guarantee_{s.value}" in COMPOSERS} >= {
        GuaranteeStatus.EXPIRED,
        GuaranteeStatus.TERMINATED,
        GuaranteeStatus.CANCELLED,
    }


def test_an_unknown_event_is_retried_with_back_off_and_reported_failed_in_the_end(
    system: System, clock: FixedClock
) -> None:
    event_id = str(uuid.uuid4())
    with system.engine.begin() as conn:
        conn.execute(
            insert(tables.outbox).values(
                id=event_id,
                topic="guarantee_teleported",
                entity_type="guarantee",
                entity_id=str(uuid.uuid4()),
                payload={},
                actor_id="t",
                created_at=clock.now(),
                status="dispatched",
                attempts=1,
                available_at=clock.now(),
            )
        )
    reactions = make_reactions(system)
    reactions.handle(event_id)
    o = tables.outbox.c

    def row() -> dict[str, object]:
        with system.engine.connect() as conn:
            return dict(
                conn.execute(select(tables.outbox).where(o.id == event_id)).mappings().one()
            )

    first = row()
    assert first["status"] == "pending", "not done: it will be tried again"
    assert "guarantee_teleported" in str(first["last_error"])
    assert "sconosciuto" in str(first["last_error"])
    assert first["available_at"] > clock.now(), "after a back-off"
    reactions.handle(event_id)
    assert row() == first, "not tried again before its back-off"
    with system.engine.begin() as conn:
        conn.execute(tables.outbox.update().where(o.id == event_id).values(attempts=MAX_ATTEMPTS))
    clock.set(first["available_at"])  # type: ignore[arg-type]
    reactions.handle(event_id)
    assert row()["status"] == "failed", "after the last attempt it is reported, never done"


@pytest.fixture
def inbox(system: System) -> object:
    with smtp_server() as (received, url):
        system.settings.smtp_url = url
        yield received


def handle_all(system: System) -> None:
    reactions = make_reactions(system)
    o = tables.outbox.c
    with system.engine.connect() as conn:
        events = list(
            conn.scalars(select(o.id).where(o.status != "done").order_by(o.created_at, o.id))
        )
    for event in events:
        reactions.handle(event)


def postal(system: System) -> list[str]:
    p = tables.postal_letters.c
    with system.engine.connect() as conn:
        return list(conn.scalars(select(p.subject).order_by(p.created_at, p.subject)))


def test_expiry_and_termination_tell_the_landlord_by_mail_and_the_household_by_post(
    system: System, clock: FixedClock, inbox: Inbox
) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    ending = builders.issued_guarantee(
        system, fund.id, lease_data=builders.lease(start=date(2026, 3, 1), end=date(2027, 2, 28))
    )
    ended = builders.issued_guarantee(system, fund.id)
    system.bus.handle(c.ActivateGuarantee(ended.number or ""), MANAGER)
    system.bus.handle(c.TerminateGuarantee(ended.number or "", "rilascio anticipato"), MANAGER)
    at(clock, "2027-03-01")
    system.bus.handle(c.ExpireDueGuarantees(), MANAGER)
    handle_all(system)
    subjects = [" ".join(str(m["Subject"]).split()) for m in inbox.accepted]
    assert f"Garanzia {ending.number}: Garanzia scaduta" in subjects
    assert f"Garanzia {ended.number}: Risoluzione anticipata della garanzia" in subjects
    letters = postal(system)
    assert f"Garanzia {ending.number}: Garanzia scaduta" in letters
    assert f"Garanzia {ended.number}: Risoluzione anticipata della garanzia" in letters
    assert any("Esito dell'istruttoria" in s for s in letters), "the outcome goes to the tenant"
    expired = next(m for m in inbox.accepted if "scaduta" in str(m["Subject"]))
    text = next(
        p.get_payload(decode=True).decode()
        for p in expired.walk()
        if p.get_content_type() == "text/plain"
    )
    # Damages may be claimed for the product's days after the end, said with its date.
    assert "entro " in text and "2027" in text and "None" not in text
    before = len(inbox.accepted)
    handle_all(system)
    assert len(inbox.accepted) == before, "nothing twice"


def test_a_letter_says_what_was_true_at_the_event(
    system: System, clock: FixedClock, inbox: Inbox
) -> None:
    """The snapshot: a landlord renamed after the issue still reads the contract as issued."""
    fund = builders.fund_with(system, builders.money("100000"))
    guarantee = builders.issued_guarantee(system, fund.id)
    lo = tables.landlords.c
    with system.engine.begin() as conn:
        name = conn.scalar(select(lo.name).where(lo.id == guarantee.landlord_id))
        conn.execute(
            tables.landlords.update()
            .where(lo.id == guarantee.landlord_id)
            .values(name="Nome Nuovo")
        )
    handle_all(system)
    n = tables.document_numbers.c
    with system.engine.connect() as conn:
        html = conn.scalar(select(n.html).where(n.kind == "guarantee_contract"))
    assert name and str(name) in str(html) and "Nome Nuovo" not in str(html)


def test_a_changed_iban_is_told_to_the_landlord_s_previous_and_new_address(
    system: System, clock: FixedClock, inbox: Inbox
) -> None:
    """The event of issue 13 (landlords' contacts), declared here with its payload keys."""
    event_id = str(uuid.uuid4())
    with system.engine.begin() as conn:
        conn.execute(
            insert(tables.outbox).values(
                id=event_id,
                topic="landlord_iban_changed",
                entity_type="landlord",
                entity_id=str(uuid.uuid4()),
                payload={
                    "landlord_id": "l-1",
                    "old_email": "vecchia@example.it",
                    "new_email": "nuova@example.it",
                },
                actor_id="t",
                created_at=clock.now(),
                status="pending",
                attempts=0,
                available_at=clock.now(),
            )
        )
    make_reactions(system).handle(event_id)
    make_reactions(system).handle(event_id)
    assert sorted(str(m["To"]) for m in inbox.accepted) == [
        "nuova@example.it",
        "vecchia@example.it",
    ]
    text = next(
        p.get_payload(decode=True).decode()
        for p in inbox.accepted[0].walk()
        if p.get_content_type() == "text/plain"
    )
    assert "contatti subito il Fondo" in text


def test_the_outcome_of_a_review_is_told_to_the_household(system: System) -> None:
    owner = builders.enrol_landlord(system)
    dwelling = builders.add_property(system, owner.id)
    # ISEE above the threshold but within the review band: a person decides.
    application = builders.submit_application(system, dwelling.id, isee=builders.money("27000.00"))
    assert application.status is GuaranteeStatus.NEEDS_REVIEW
    system.bus.handle(
        c.ApproveApplication(application.application_number, "reddito in crescita documentato"),
        MANAGER,
    )
    handle_all(system)
    p = tables.postal_letters.c
    with system.engine.connect() as conn:
        letters = conn.execute(select(p.subject, p.recipient_name)).all()
    subjects = {subject for subject, _ in letters}
    assert any(s.endswith("Esito del riesame della domanda") for s in subjects), subjects
    assert {name for _, name in letters} == {"Anna Bianchi"}
    n = tables.document_numbers.c
    with system.engine.connect() as conn:
        notice = conn.scalar(select(n.html).where(n.kind == "household_notice"))
    assert "è stata accolta" in str(notice) and "reddito in crescita documentato" in str(notice)
