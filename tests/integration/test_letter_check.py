"""The letter check: every kind of document, made through the real catalogue from a household's
whole story with the minimum settings, reads as a person would sign it — no empty field, no
None, no rule code, no ISO date, no 'il 8'."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.documents import DocumentKind
from guarantee.domain.households import ReferralSource
from guarantee.jobs.reminders import queue_expiry_reminders
from guarantee.jobs.runner import make_reactions
from guarantee.services import commands as c
from tests.support import builders
from tests.support.journeys import MANAGER, SECOND_MANAGER, approved_claim, at

EMPTY_FIELD = [
    r"e-mail\s*[,.;)]",
    r"tel\.\s*[,.;)]",
    r"\(\s*\)",
    r"\s,\s",
    r":\s*[.;,]",
    r"\bnon indicat[oi]\b",
    r"da comunicare",
    r"[,:]\s*—",  # a dash standing for a value nobody filled in
    r"non ancora protocollat",
]
GRAMMAR = [r"\b(il|dal|al|del) (8|11) ", r"\bentro il (8|11) "]
ISO_DATE = r"\b\d{4}-\d{2}-\d{2}\b"
CODE = r"\b[a-z]+_[a-z_]+\b"


def text_of(page: str) -> str:
    body = re.sub(r"<(style|script|head)\b.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r"</?(strong|em|b|i|span|a)\b[^>]*>", "", body)  # inline: no word break
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def handle_all(system: System) -> None:
    reactions = make_reactions(system)
    o = tables.outbox.c
    with system.engine.connect() as conn:
        pending = list(
            conn.scalars(select(o.id).where(o.status != "done").order_by(o.created_at, o.id))
        )
    for event in pending:
        reactions.handle(event)


def test_every_kind_made_from_a_real_story_reads_as_signed_with_the_minimum_settings(
    system: System, clock: FixedClock
) -> None:
    assert (system.settings.fund_email, system.settings.fund_phone) == ("", "")
    _, claim = approved_claim(system, clock)
    at(clock, "2027-07-28")
    system.bus.handle(c.ProposeClaimPayment(claim), MANAGER)
    system.bus.handle(c.PayClaim(claim, idempotency_key="bonifico-1"), SECOND_MANAGER)
    system.bus.handle(c.CreateRecoveryPlan(claim, date(2027, 9, 1)), MANAGER)
    g = tables.guarantees.c
    with system.engine.connect() as conn:
        ends_on = conn.execute(select(g.ends_on)).scalar_one()
    at(clock, (ends_on - timedelta(days=40)).isoformat())
    assert queue_expiry_reminders(system.engine, clock.today(), clock.now(), system.letters) == 1
    # A household attested before its lease: the attestation it shows landlords.
    system.bus.handle(
        c.IssueAttestation(
            members=(c.MemberData("Lucia Ferrero", builders.tax_code(), None, True),),
            isee=Decimal("12000.00"),
            net_monthly_income=Decimal("1350.00"),
            referral_source=ReferralSource.HELP_DESK,
            contacts=c.ContactsData(postal_address="Via Jervis 5, 10015 Ivrea (TO)"),
        ),
        Actor("sportello", Role.OPERATOR),
    )
    handle_all(system)
    n, o = tables.document_numbers.c, tables.outbox.c
    with system.engine.connect() as conn:
        pages = conn.execute(select(n.kind, n.html)).all()
        assert set(conn.scalars(select(o.status))) == {"done"}, "every letter went out"
    assert {kind for kind, _ in pages} == {k.value for k in DocumentKind}, "every kind is checked"
    problems = []
    for kind, page in pages:
        text = text_of(page)
        for pattern in [*EMPTY_FIELD, *GRAMMAR, ISO_DATE, CODE, r"\bNone\b"]:
            for found in re.finditer(pattern, text):
                around = text[max(0, found.start() - 40) : found.end() + 40]
                problems.append(f"{kind}: {pattern!r} in …{around}…")
    assert problems == [], "\n".join(problems)
