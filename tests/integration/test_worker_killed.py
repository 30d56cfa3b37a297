"""A worker process killed in the middle of sending: the notice still arrives exactly once."""

from __future__ import annotations

import signal
from pathlib import Path

from guarantee.bootstrap import System
from tests.support import builders
from tests.support.jobs import all_done
from tests.support.servers import redis_server, smtp_server, start_worker, wait_until


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
