"""The daily expiry runs as a dramatiq job: in-process when embedded, on Redis in production."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from guarantee.adapters.clock import FixedClock
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.jobs.runner import JobRunner
from guarantee.read.guarantees import guarantee_detail
from tests.conftest import REDIS_URL
from tests.support import builders

READER = Actor.system("tests")  # reads every row


def test_the_daily_job_expires_guarantees_past_their_end_and_only_those(
    system: System, clock: FixedClock
) -> None:
    system.settings.broker_url = REDIS_URL
    fund = builders.fund_with(system, builders.money("100000"))
    ending = builders.issued_guarantee(
        system, fund.id, lease_data=builders.lease(start=date(2026, 7, 1), end=date(2027, 6, 30))
    )
    lasting = builders.issued_guarantee(
        system, fund.id, lease_data=builders.lease(end=date(2029, 6, 30))
    )
    clock.set(datetime(2027, 7, 1, 1, 5, tzinfo=UTC))
    runner = JobRunner(system, threads=1, namespace=f"garanzia-test-{uuid.uuid4().hex[:8]}")
    runner.worker.start()
    try:
        runner.jobs.expire_due_guarantees.send()
        runner.broker.join(runner.jobs.expire_due_guarantees.queue_name, timeout=30_000)
        runner.worker.join()
    finally:
        runner.worker.stop()
        runner.broker.close()
    with system.engine.connect() as conn:
        assert guarantee_detail(conn, ending.number or "", actor=READER)["status"] == "expired"
        assert guarantee_detail(conn, lasting.number or "", actor=READER)["status"] == "issued"
        history = guarantee_detail(conn, ending.number or "", actor=READER)["history"]
    assert history[-1]["actor_id"] == "scheduler"
    assert history[-1]["action"] == "expire"
