"""Run the background jobs in the test's process until nothing is pending."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.jobs.runner import JobRunner


def process_everything(runner: JobRunner) -> None:
    """Relay until nothing is pending, waiting for the worker each round."""
    for _ in range(10):
        if runner.relay() == 0:
            return
        runner.broker.join(runner.jobs.process_outbox.queue_name, timeout=60_000)
        runner.worker.join()


def run_jobs(system: System) -> None:
    runner = JobRunner(system, threads=1, namespace=f"t-{uuid.uuid4().hex[:8]}")
    runner.worker.start()
    try:
        process_everything(runner)
    finally:
        runner.stop()


def all_done(system: System) -> bool:
    """Every outbox event handled and every mail sent: no worker has anything left to send."""
    o, m = tables.outbox.c, tables.outgoing_mails.c
    with system.engine.connect() as conn:
        events = set(conn.scalars(select(o.status)))
        mails = set(conn.scalars(select(m.status)))
    return events <= {"done"} and mails <= {"sent"}
