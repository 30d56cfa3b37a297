"""Running jobs: a dramatiq worker, the outbox relay and the daily schedule — in a worker
process, or inside `garanzia serve` on the embedded default."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta

import dramatiq
import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from guarantee.adapters.clock import ROME
from guarantee.adapters.db.evidence_chain import seal
from guarantee.adapters.mailer import make_mailer
from guarantee.adapters.pdf import PdfRenderer
from guarantee.adapters.storage import FileStore
from guarantee.adapters.templating import Branding, DocumentRenderer
from guarantee.bootstrap import System
from guarantee.jobs.actors import Jobs, declare_jobs
from guarantee.jobs.archive import DocumentArchive, PdfMaker
from guarantee.jobs.broker import make_broker
from guarantee.jobs.reactions import Reactions
from guarantee.jobs.relay import relay_once

log = structlog.get_logger(__name__)


def make_reactions(system: System, pdf: PdfMaker | None = None) -> Reactions:
    settings = system.settings
    branding = Branding(
        fund_name=settings.fund_name,
        consortium_name=settings.consortium_name,
        base_url=settings.base_url,
        logo_path=settings.logo_path,
        address=settings.fund_address,
        contact=settings.fund_contact,
    )
    store = FileStore(settings.storage_dir)
    archive = DocumentArchive(
        system.engine,
        DocumentRenderer(branding, settings.templates_dir),
        pdf or PdfRenderer(),
        store,
        system.deps.clock,
    )
    return Reactions(system, archive, store, make_mailer(settings.smtp_url, settings.outbox_dir))


class JobRunner:
    def __init__(
        self,
        system: System,
        *,
        threads: int = 2,
        namespace: str = "garanzia",
        relay_interval: float = 1.0,
        reactions: Reactions | None = None,
    ) -> None:
        self.system = system
        self.broker = make_broker(system.settings.broker_url, namespace=namespace)
        self.jobs: Jobs = declare_jobs(self.broker, system, reactions or make_reactions(system))
        self.worker = dramatiq.Worker(self.broker, worker_threads=threads)
        self.relay_interval = relay_interval
        self._stopping = threading.Event()
        self._relay_thread = threading.Thread(
            target=self._relay_loop, name="outbox-relay", daemon=True
        )
        self.scheduler = BackgroundScheduler(timezone=ROME)
        # Every worker schedules, so a schedule survives the loss of any worker; each job
        # claims its (job, day) row in scheduled_runs first, so it runs once per day however
        # many schedulers fire, and a reminder is keyed by guarantee and term besides.
        for actor, hour in (
            (self.jobs.expire_due_guarantees, 1),
            (self.jobs.send_expiry_reminders, 2),
            # After the night's letters, before the office opens.
            (self.jobs.make_print_batch, 6),
        ):
            self.scheduler.add_job(
                actor.send,
                CronTrigger(hour=hour, minute=5, timezone=ROME),
                id=actor.actor_name,
                coalesce=True,
                misfire_grace_time=6 * 3600,
            )

    def relay(self) -> int:
        clock = self.system.deps.clock
        relayed = relay_once(
            self.system.engine,
            self.jobs.process_outbox.send,
            clock.now(),
            redispatch_after=timedelta(seconds=self.system.settings.outbox_redispatch_seconds),
        )
        self.seal()
        return relayed

    def seal(self) -> int:
        """Chain the audit events committed since the last round (evidence_chain.seal): the
        business transactions only stage them, so that none waits on the chain's lock."""
        with self.system.engine.begin() as conn:
            return seal(conn)

    def _relay_loop(self) -> None:
        while not self._stopping.wait(self.relay_interval):
            try:
                self.relay()
            except Exception:  # the loop must outlive a database restart
                log.exception("outbox relay round failed")

    def start(self, *, schedule: bool = True) -> None:
        self.worker.start()
        self._relay_thread.start()
        if schedule:
            self.scheduler.start()
        log.info("jobs started", broker=type(self.broker).__name__)

    def stop(self, timeout: float = 600) -> None:
        """Stop taking jobs and wait up to ``timeout`` seconds for those in flight (twice at
        most: dramatiq waits that long for its workers, then for its consumers)."""
        self._stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.worker.stop(timeout=int(timeout * 1000))
        self.broker.close()

    def run_forever(self) -> None:
        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        self.start()
        stopping.wait()
        # A deployment waits for a stopping worker as for a server: a job still running then
        # is left behind (dramatiq's threads are daemons); its event's lease runs out and
        # another worker takes it over, and everything an event does is idempotent.
        self.stop(timeout=self.system.settings.shutdown_timeout)
