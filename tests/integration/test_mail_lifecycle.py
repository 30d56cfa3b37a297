"""A notice mail's life: kept with its error and retried after a back-off when the mail server
is down, sent once when it is back; a mail whose outcome a dead worker never learnt is resent
with the same Message-ID and counted; documents and mails are in the audit trail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.jobs.notices import record_bounce
from guarantee.jobs.runner import make_reactions
from tests.support import builders
from tests.support.servers import free_port, smtp_server


def events(system: System) -> list[str]:
    o = tables.outbox.c
    with system.engine.connect() as conn:
        return list(conn.scalars(select(o.id).order_by(o.created_at, o.id)))


def mails(system: System) -> list[dict[str, object]]:
    m = tables.outgoing_mails.c
    with system.engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(select(tables.outgoing_mails).order_by(m.created_at)).mappings()
        ]


def test_a_mail_server_down_keeps_the_error_retries_later_and_sends_once(
    system: System, clock: FixedClock
) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    guarantee = builders.issued_guarantee(system, fund.id)
    system.settings.smtp_url = f"smtp://127.0.0.1:{free_port()}"  # nobody listens
    for event in events(system):
        make_reactions(system).handle(event)
    (mail,) = mails(system)
    assert mail["status"] == "awaiting_retry"
    assert "Connection" in str(mail["last_error"]) or "refused" in str(mail["last_error"])
    assert mail["retry_after"] > clock.now()  # type: ignore[operator]
    o = tables.outbox.c
    with system.engine.connect() as conn:
        issued = conn.execute(
            select(o.status, o.available_at).where(o.topic == "guarantee_issued")
        ).one()
    assert issued.status == "pending" and issued.available_at > clock.now()
    with smtp_server() as (inbox, url):
        system.settings.smtp_url = url
        clock.set(clock.now() + timedelta(minutes=5))
        for event in events(system):
            make_reactions(system).handle(event)
            make_reactions(system).handle(event)
    assert len(inbox.accepted) == 1
    assert guarantee.number in str(inbox.accepted[0]["Subject"])
    (mail,) = mails(system)
    assert (mail["status"], mail["attempts"], mail["last_error"]) == ("sent", 2, None)
    a = tables.audit_events.c
    with system.engine.connect() as conn:
        trail = {
            (row.entity_type, row.action)
            for row in conn.execute(
                select(a.entity_type, a.action).where(a.entity_type.in_(["document", "mail"]))
            )
        }
    assert {
        ("document", "archive"),
        ("mail", "queue"),
        ("mail", "awaiting_retry"),
        ("mail", "send"),
    } <= trail


def test_a_mail_whose_outcome_is_unknown_is_resent_with_the_same_message_id_and_counted(
    system: System, clock: FixedClock
) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    builders.issued_guarantee(system, fund.id)
    with smtp_server() as (inbox, url):
        system.settings.smtp_url = url
        for event in events(system):
            make_reactions(system).handle(event)
        (first,) = inbox.accepted
        # As if the worker had died after the server took the message, before it answered.
        o = tables.outbox.c
        with system.engine.begin() as conn:
            conn.execute(update(tables.outgoing_mails).values(status="sending"))
            conn.execute(
                update(tables.outbox)
                .where(o.topic == "guarantee_issued")
                .values(status="processing", lease_until=clock.now())
            )
        clock.set(clock.now() + timedelta(seconds=1))
        for event in events(system):
            make_reactions(system).handle(event)
    assert len(inbox.accepted) == 2
    assert inbox.accepted[1]["Message-ID"] == first["Message-ID"]
    (mail,) = mails(system)
    assert (mail["status"], mail["unknown_outcomes"]) == ("sent", 1)


def test_a_bounce_marks_the_mail_so_staff_send_the_letter_by_post(
    system: System, clock: FixedClock
) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    builders.issued_guarantee(system, fund.id)
    with smtp_server() as (inbox, url):
        system.settings.smtp_url = url
        for event in events(system):
            make_reactions(system).handle(event)
        (sent,) = inbox.accepted
    assert record_bounce(
        system.engine, str(sent["Message-ID"]), "550 utente sconosciuto", clock.now()
    )
    assert not record_bounce(system.engine, "<altro@example.it>", "550", clock.now())
    (mail,) = mails(system)
    assert (mail["status"], mail["last_error"]) == ("bounced", "550 utente sconosciuto")
