"""Background jobs. Actors take ids or nothing, reload what they need, and are idempotent,
so a redelivered message changes nothing twice."""

from __future__ import annotations

from dataclasses import dataclass

import dramatiq
import structlog

from guarantee.adapters.pdf import default_pdf_renderer
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.jobs import print_batch
from guarantee.jobs.reactions import Reactions
from guarantee.jobs.reminders import queue_expiry_reminders
from guarantee.jobs.schedule import claim_run, finish_run, period_of, release_run
from guarantee.services import commands as c

log = structlog.get_logger(__name__)
SCHEDULER = Actor.system("scheduler")


@dataclass
class Jobs:
    """The actors bound to one broker and one system (declared per process, not at import)."""

    broker: dramatiq.Broker
    expire_due_guarantees: dramatiq.Actor  # type: ignore[type-arg]
    send_expiry_reminders: dramatiq.Actor  # type: ignore[type-arg]
    process_outbox: dramatiq.Actor  # type: ignore[type-arg]
    make_print_batch: dramatiq.Actor  # type: ignore[type-arg]


def declare_jobs(broker: dramatiq.Broker, system: System, reactions: Reactions) -> Jobs:
    def expire_due_guarantees() -> None:
        clock = system.deps.clock
        period = period_of(clock.today())
        with system.engine.begin() as conn:
            if not claim_run(conn, "expire_due_guarantees", period, clock.now()):
                log.info("daily expiry already run", period=period)
                return
        try:
            expired = system.bus.handle(c.ExpireDueGuarantees(), SCHEDULER)
        except Exception:
            # Give the period back so dramatiq's retry (or another scheduler) runs it. A worker
            # killed here keeps the row: tomorrow's run expires whatever is past its end.
            with system.engine.begin() as conn:
                release_run(conn, "expire_due_guarantees", period)
            raise
        with system.engine.begin() as conn:
            finish_run(conn, "expire_due_guarantees", period, clock.now())
        log.info("daily expiry", expired=len(expired), numbers=expired)

    def send_expiry_reminders() -> None:
        clock = system.deps.clock
        queued = queue_expiry_reminders(system.engine, clock.today(), clock.now(), system.letters)
        log.info("expiry reminders queued", count=queued)

    def make_print_batch() -> None:
        clock = system.deps.clock
        batch = print_batch.make_print_batch(
            system.engine, system.settings, default_pdf_renderer(), clock.today(), clock.now()
        )
        log.info("print batch", batch_id=batch)

    def process_outbox(outbox_id: str) -> None:
        reactions.handle(outbox_id)

    def declare(fn: object, name: str, retries: int = 5) -> dramatiq.Actor:  # type: ignore[type-arg]
        return dramatiq.actor(  # type: ignore[call-overload,no-any-return]
            broker=broker, actor_name=name, max_retries=retries, min_backoff=1000
        )(fn)

    return Jobs(
        broker=broker,
        expire_due_guarantees=declare(expire_due_guarantees, "expire_due_guarantees"),
        send_expiry_reminders=declare(send_expiry_reminders, "send_expiry_reminders"),
        # The outbox row is the retry: back-off, attempts and the error live there.
        process_outbox=declare(process_outbox, "process_outbox", retries=0),
        make_print_batch=declare(make_print_batch, "make_print_batch"),
    )
