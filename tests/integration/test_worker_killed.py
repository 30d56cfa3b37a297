"""A worker process killed in the middle of sending: the notice still arrives exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from guarantee.bootstrap import System
from tests.support import builders
from tests.support.servers import redis_server, smtp_server


def start_worker(
    system: System, broker_url: str, smtp_url: str, log: Path
) -> subprocess.Popen[bytes]:
    settings = system.settings
    env = {
        **os.environ,
        "GARANZIA_DATABASE_URL": settings.database_url,
        "GARANZIA_BROKER_URL": broker_url,
        "GARANZIA_SMTP_URL": smtp_url,
        "GARANZIA_STORAGE_DIR": str(settings.storage_dir),
        "GARANZIA_OUTBOX_REDISPATCH_SECONDS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "guarantee.cli", "worker", "--threads", "1"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def test_a_worker_killed_while_sending_does_not_lose_or_double_the_notice(
    system: System, tmp_path: Path
) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    guarantee = builders.issued_guarantee(system, fund.id)
    log = tmp_path / "worker.log"
    with redis_server(tmp_path) as redis, smtp_server(stall_first=8.0) as (inbox, smtp_url):
        first = start_worker(system, redis.url, smtp_url, log)
        try:
            assert inbox.stalled.wait(90), log.read_text(errors="replace")
            first.send_signal(signal.SIGKILL)  # mid-transaction: the message was never sent
            first.wait(timeout=10)
            second = start_worker(system, redis.url, smtp_url, log)
            try:
                inbox.wait_for(1, timeout=90)
                time.sleep(10)  # the stalled transaction ends; room for a duplicate to show up
            finally:
                second.terminate()
                second.wait(timeout=20)
        finally:
            if first.poll() is None:
                first.kill()
    assert len(inbox.accepted) == 1, "exactly one notice reached the landlord"
    assert guarantee.number in str(inbox.accepted[0]["Subject"])
