"""Background jobs. Actors take ids or nothing, reload through the service layer, and are
idempotent, so a redelivered message changes nothing twice."""

from __future__ import annotations

from dataclasses import dataclass

import dramatiq
import structlog

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.services import commands as c

log = structlog.get_logger(__name__)
SCHEDULER = Actor.system("scheduler")


@dataclass
class Jobs:
    """The actors bound to one broker and one system (declared per process, not at import)."""

    broker: dramatiq.Broker
    expire_due_guarantees: dramatiq.Actor  # type: ignore[type-arg]


def declare_jobs(broker: dramatiq.Broker, system: System) -> Jobs:
    def expire_due_guarantees() -> None:
        expired = system.bus.handle(c.ExpireDueGuarantees(), SCHEDULER)
        log.info("daily expiry", expired=len(expired), numbers=expired)

    return Jobs(
        broker=broker,
        expire_due_guarantees=dramatiq.actor(
            broker=broker, actor_name="expire_due_guarantees", max_retries=5
        )(expire_due_guarantees),
    )
