"""A worker process killed in the middle of sending: the notice still arrives exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from tests.support import builders
from tests.support.servers import redis_server, smtp_server, wait_until


def start_worker(
    system: System, broker_url: str, smtp_url: str, log: Path, *, lease_seconds: int = 30
) -> subprocess.Popen[bytes]:
    settings = system.settings
    env = {
        **os.environ,
        "GARANZIA_DATABASE_URL": settings.database_url,
        "GARANZIA_BROKER_URL": broker_url,
        "GARANZIA_SMTP_URL": smtp_url,
        "GARANZIA_STORAGE_DIR": str(settings.storage_dir),
        "GARANZIA_OUTBOX_REDISPATCH_SECONDS": "2",
        "GARANZIA_OUTBOX_LEASE_SECONDS": str(lease_seconds),
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "guarantee.cli", "worker", "--threads", "1"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def all_done(system: System) -> bool:
    """Every outbox event handled and every mail sent: no worker has anything left to send."""
    o, m = tables.outbox.c, tables.outgoing_mails.c
    with system.engine.connect() as conn:
        events = set(conn.scalars(select(o.status)))
        mails = set(conn.scalars(select(m.status)))
    return events <= {"done"} and mails <= {"sent"}


def test_a_worker_killed_while_sending_does_not_lose_or_double_the_notice(
    system: System, tmp_path: Path
) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    guarantee = builders.issued_guarantee(system, fund.id)
    log = tmp_path / "worker.log"
    # A short lease (renewed every second) so the dead worker's event is free in seconds,
    # not the production 30.
    with redis_server(tmp_path) as redis, smtp_server(stall_first=4.0) as (inbox, smtp_url):
        first = start_worker(system, redis.url, smtp_url, log, lease_seconds=3)
        try:
            assert inbox.stalled.wait(90), log.read_text(errors="replace")
            first.send_signal(signal.SIGKILL)  # mid-transaction: the message was never sent
            first.wait(timeout=10)
            second = start_worker(system, redis.url, smtp_url, log, lease_seconds=3)
            try:
                inbox.wait_for(1, timeout=90)
                # Room for a duplicate to show up: the stalled transaction is over, and
                # nothing is left for any worker to send.
                assert inbox.stall_over.wait(30)
                wait_until(lambda: all_done(system), timeout=60, what="every event done")
            finally:
                second.terminate()
                second.wait(timeout=20)
        finally:
            if first.poll() is None:
                first.kill()
    assert len(inbox.accepted) == 1, "exactly one notice reached the landlord"
    assert guarantee.number in str(inbox.accepted[0]["Subject"])
