"""Every letter exactly once, however many schedulers and workers run; protocol numbers with no
gap and no repeat, also when a worker dies between numbering and storing; and no write waits
while a PDF renders."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.adapters.pdf import PdfRenderer
from guarantee.bootstrap import System
from guarantee.jobs.reminders import insert_due_reminders, queue_expiry_reminders
from guarantee.jobs.runner import JobRunner, make_reactions
from tests.support import builders
from tests.support.journeys import at
from tests.support.servers import smtp_server


def run_until_quiet(*runners: JobRunner) -> None:
    """Relay from every runner until no event is pending, letting each worker finish a round."""
    for _ in range(20):
        handed = sum(runner.relay() for runner in runners)
        for runner in runners:
            runner.broker.join(runner.jobs.process_outbox.queue_name, timeout=120_000)
            runner.worker.join()
        if handed == 0:
            return


def ending_guarantees(system: System, count: int) -> list[str]:
    fund = builders.fund_with(system, builders.money("500000"))
    return [
        builders.issued_guarantee(
            system,
            fund.id,
            lease_data=builders.lease(start=date(2026, 3, 1), end=date(2027, 2, 28)),
        ).id
        for _ in range(count)
    ]


def reminder_documents(system: System) -> Counter[str]:
    d = tables.documents.c
    with system.engine.connect() as conn:
        return Counter(
            str(g) for g in conn.scalars(select(d.guarantee_id).where(d.kind == "expiry_reminder"))
        )


def test_two_schedulers_firing_together_send_one_reminder_per_guarantee_and_term(
    system: System, clock: FixedClock
) -> None:
    guarantees = ending_guarantees(system, 3)
    with smtp_server() as (inbox, url):
        system.settings.smtp_url = url
        runners = [
            JobRunner(system, threads=2, namespace=f"t-{uuid.uuid4().hex[:8]}") for _ in range(2)
        ]
        for runner in runners:
            runner.worker.start()
        try:
            run_until_quiet(*runners)  # the issuing letters first, so only reminders follow
            before = len(inbox.accepted)
            at(clock, "2026-12-30")
            start = threading.Barrier(2)

            def fire(runner: JobRunner) -> None:
                start.wait()
                runner.jobs.send_expiry_reminders.fn()

            with ThreadPoolExecutor(2) as pool:
                list(pool.map(fire, runners))
            run_until_quiet(*runners)
            reminders = inbox.accepted[before:]
        finally:
            for runner in runners:
                runner.stop()
    assert reminder_documents(system) == Counter({g: 1 for g in guarantees})
    recipients = Counter(str(m["To"]) for m in reminders)
    assert len(reminders) == 3 and all(n == 1 for n in recipients.values()), recipients
    assert all("scade tra 60 giorni" in str(m["Subject"]) for m in reminders)


def test_the_reminder_key_holds_without_the_day_s_run_row_and_a_new_term_is_reminded_again(
    system: System, clock: FixedClock
) -> None:
    """The (job, day) row stops a second run; the key per guarantee and term stops a second
    reminder even from two runs that both got past it (another day, or a run by hand)."""
    (guarantee_id,) = ending_guarantees(system, 1)
    at(clock, "2026-12-30")

    def raw_run(_: int) -> int:
        with system.engine.begin() as conn:
            return insert_due_reminders(conn, clock.today(), clock.now())

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(raw_run, range(2))) == [0, 1]
    at(clock, "2026-12-31")
    assert queue_expiry_reminders(system.engine, clock.today(), clock.now()) == 0
    # A new term (today a renewal would move the end; no renewal command exists yet).
    g = tables.guarantees.c
    with system.engine.begin() as conn:
        conn.execute(
            update(tables.guarantees).where(g.id == guarantee_id).values(ends_on=date(2027, 2, 27))
        )
    at(clock, "2027-01-02")
    assert queue_expiry_reminders(system.engine, clock.today(), clock.now()) == 1
    o = tables.outbox.c
    with system.engine.connect() as conn:
        keys = sorted(conn.scalars(select(o.dedup_key).where(o.topic == "expiry_reminder_due")))
    assert keys == [
        f"expiry_reminder:{guarantee_id}:2027-02-27",
        f"expiry_reminder:{guarantee_id}:2027-02-28",
    ]


WRITER = """
import sys, time
from guarantee.bootstrap import bootstrap
from guarantee.settings import Settings
from tests.support import builders
system = bootstrap(Settings())
print("took ready", flush=True)
for n, line in enumerate(sys.stdin, start=90_000):  # seeds the test process never uses
    started = time.perf_counter()
    builders.enrol_landlord(
        system, tax_code=builders.tax_code(n), iban=builders.iban(n), email=f"l{n}@example.it"
    )
    print("took", time.perf_counter() - started, flush=True)
"""


# How long a write may take before it counts as held: not a speed bound but a hang guard. A
# write held by the render would never finish, since the render waits for it.
HELD_AFTER_SECONDS = 120


class WriteDuringRender:
    """The real renderer; as it starts, another process (no shared interpreter lock) enrols a
    landlord, and the render goes on only once that write is done. Were anything the archive
    holds during a render in the write's way, the write would wait for the render and the
    render for the write: the write is reported held."""

    def __init__(self, writer: subprocess.Popen[str]) -> None:
        self.writer = writer
        self.real = PdfRenderer()
        self.written_during_render = 0
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.writer.stdout is not None
        for line in self.writer.stdout:
            self.lines.put(line)
        self.lines.put("")  # the writer ended

    def write(self) -> None:
        assert self.writer.stdin is not None
        self.writer.stdin.write("go\n")
        self.writer.stdin.flush()
        try:
            while not (line := self.lines.get(timeout=HELD_AFTER_SECONDS)).startswith("took "):
                assert line, "the writer died"
        except queue.Empty:
            raise AssertionError("the write was held while a document rendered") from None

    def to_pdf(self, html: str, base_url: str | None = None) -> bytes:
        self.write()
        self.written_during_render += 1
        return self.real.to_pdf(html, base_url)


def test_an_unrelated_write_is_not_held_while_a_document_renders(system: System) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    builders.issued_guarantee(system, fund.id)
    env = {
        **os.environ,
        "GARANZIA_DATABASE_URL": system.settings.database_url,
        "GARANZIA_STORAGE_DIR": str(system.settings.storage_dir),
    }
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        while not writer.stdout.readline().startswith("took ready"):
            pass
        pdf = WriteDuringRender(writer)
        pdf.write()  # one alone first: the writer works
        reactions = make_reactions(system, pdf)
        o = tables.outbox.c
        with system.engine.connect() as conn:
            events = list(conn.scalars(select(o.id).order_by(o.created_at)))
        for event in events:
            reactions.handle(event)
    finally:
        writer.kill()
        writer.wait(timeout=10)
    assert pdf.written_during_render == 3  # outcome, contract, certificate


KILLER = """
import os, signal, sys
from guarantee.bootstrap import bootstrap
from guarantee.jobs.runner import make_reactions
from guarantee.settings import Settings
system = bootstrap(Settings())
reactions = make_reactions(system)
reactions.archive.after_numbering = lambda number: os.kill(os.getpid(), signal.SIGKILL)
reactions.handle(sys.argv[1])
"""


def test_a_worker_killed_between_numbering_and_storing_leaves_no_gap_and_no_duplicate(
    system: System, clock: FixedClock, tmp_path: Path
) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    builders.issued_guarantee(system, fund.id)
    o, n, d = tables.outbox.c, tables.document_numbers.c, tables.documents.c
    with system.engine.connect() as conn:
        issued = conn.scalar(select(o.id).where(o.topic == "guarantee_issued"))
    env = {
        **os.environ,
        "GARANZIA_DATABASE_URL": system.settings.database_url,
        "GARANZIA_STORAGE_DIR": str(system.settings.storage_dir),
        "GARANZIA_OUTBOX_DIR": str(system.settings.outbox_dir),
    }
    worker = subprocess.run([sys.executable, "-c", KILLER, str(issued)], env=env, timeout=120)
    assert worker.returncode == -9, "the worker died by SIGKILL"
    with system.engine.connect() as conn:
        orphan = conn.execute(
            select(n.protocol_sequence, n.kind).where(n.document_id.is_(None))
        ).one()
        assert conn.scalar(select(d.id)) is None, "it died before storing anything"
    reactions = make_reactions(system)
    reactions.handle(str(issued))
    with system.engine.connect() as conn:
        assert conn.scalar(select(d.id)) is None, "the dead worker's lease still holds the event"
    # The dead worker renews nothing: once its lease (taken on the real clock) runs out, the
    # event is taken over.
    clock.set(datetime.now(UTC) + timedelta(seconds=system.settings.outbox_lease_seconds + 1))
    with system.engine.connect() as conn:
        events = list(conn.scalars(select(o.id).order_by(o.created_at)))
    for event in events:
        reactions.handle(event)
        reactions.handle(event)  # a redelivery makes nothing new
    with system.engine.connect() as conn:
        rows = conn.execute(select(d.protocol_sequence, d.kind, d.source_event_id)).all()
    assert sorted(seq for seq, _, _ in rows) == [1, 2, 3], "no gap, no duplicate"
    assert (orphan.protocol_sequence, orphan.kind, str(issued)) in {
        (seq, kind, str(event)) for seq, kind, event in rows
    }, "the number taken before the kill went to the retried document"


def all_handled(redis_url: str) -> bool:
    """Every message on the Redis broker acknowledged: dramatiq keeps a message's body in
    ``<namespace>:<queue>.msgs`` (delayed queues too) until a worker acks it."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return all(client.hlen(key) == 0 for key in client.scan_iter("garanzia:*.msgs"))
    finally:
        client.close()


def test_two_worker_processes_both_scheduling_send_one_reminder_per_guarantee(
    system: System, tmp_path: Path
) -> None:
    """Two `garanzia worker` processes on one broker; each one's scheduler fires the daily
    reminder job (here: its message is sent twice, as two schedulers do at 02:05)."""
    import dramatiq

    from guarantee.jobs.broker import make_broker
    from tests.support.jobs import all_done, run_jobs
    from tests.support.servers import redis_server, start_worker, wait_until

    # The workers run on the real clock: leases ending within the reminder window from today.
    today = datetime.now(UTC).date()
    fund = builders.fund_with(system, builders.money("500000"))
    guarantees = [
        builders.issued_guarantee(
            system,
            fund.id,
            lease_data=builders.lease(start=date(2025, 12, 1), end=today + timedelta(days=50 + i)),
        ).id
        for i in range(3)
    ]
    # The issuing letters (contract, certificate, their mails) are not what this is about:
    # sent here first, so the workers start with only the reminders to make.
    run_jobs(system)
    log = tmp_path / "workers.log"
    with redis_server(tmp_path) as redis, smtp_server() as (inbox, smtp_url):
        workers = [start_worker(system, redis.url, smtp_url, log) for _ in range(2)]
        try:
            broker = make_broker(redis.url)
            fire = dramatiq.actor(broker=broker, actor_name="send_expiry_reminders")(lambda: None)
            fire.send()
            fire.send()
            reminders = lambda: [m for m in inbox.accepted if "scade tra" in str(m["Subject"])]  # noqa: E731
            wait_until(lambda: len(reminders()) >= 3, timeout=120, what="three reminders")
            # Room for a second copy to show up: both job messages (and every message they
            # led to) handled, and nothing left in the outbox for any worker to send.
            wait_until(lambda: all_handled(redis.url) and all_done(system), timeout=60)
            broker.close()
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(timeout=30)
        got = reminders()
    assert len(got) == 3, log.read_text(errors="replace")[-3000:]
    assert reminder_documents(system) == Counter({g: 1 for g in guarantees})
