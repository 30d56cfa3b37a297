"""Running jobs: a dramatiq worker and the daily schedule, in their own process or in-process."""

from __future__ import annotations

import signal
import threading

import dramatiq
import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from guarantee.adapters.clock import ROME
from guarantee.bootstrap import System
from guarantee.jobs.actors import Jobs, declare_jobs
from guarantee.jobs.broker import make_broker

log = structlog.get_logger(__name__)


class JobRunner:
    def __init__(self, system: System, *, threads: int = 2, namespace: str = "garanzia") -> None:
        self.broker = make_broker(system.settings.broker_url, namespace=namespace)
        self.jobs: Jobs = declare_jobs(self.broker, system)
        self.worker = dramatiq.Worker(self.broker, worker_threads=threads)
        self.scheduler = BackgroundScheduler(timezone=ROME)
        # The expiry job is idempotent (it touches only live guarantees past their end), so a
        # schedule that fires in two worker processes at once does no harm.
        self.scheduler.add_job(
            self.jobs.expire_due_guarantees.send,
            CronTrigger(hour=1, minute=5, timezone=ROME),
            id="expire_due_guarantees",
            coalesce=True,
            misfire_grace_time=6 * 3600,
        )

    def start(self) -> None:
        self.worker.start()
        self.scheduler.start()
        log.info("jobs started", broker=type(self.broker).__name__)

    def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
        self.worker.stop()
        self.broker.close()

    def run_forever(self) -> None:
        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        self.start()
        stopping.wait()
        self.stop()
