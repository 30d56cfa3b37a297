"""Issuing throughput on PostgreSQL through the service layer, against bare INSERTs.

    python -m bench.bench_issuing                      # 300 guarantees, local PostgreSQL
    python -m bench.bench_issuing --n 100 --threads 4 --database-url postgresql://…

In a throwaway database (created, migrated, dropped after):
- guarantees/s of ``IssueGuarantee`` through ``system.bus.handle``, one after another: each
  locks the guarantee and the fund, checks capacity, takes a gapless number, and writes the
  guarantee, the fund's running balances, a sealed journal entry with its postings, the day
  totals and two audit records in one transaction;
- the same with ``--threads`` concurrent senders (all on one fund, so they queue on its lock);
- the baseline: as many bare one-row INSERTs, each in its own transaction, on the same server;
- the ratio baseline/ours: what one issue costs in bare single-row transactions.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select, text

from bench._postgres import DEFAULT_URL, throwaway_database
from guarantee.adapters.db import tables
from guarantee.adapters.logging import configure_logging
from guarantee.bootstrap import System, bootstrap
from guarantee.domain.actors import Actor, Role
from guarantee.services import commands as c
from guarantee.settings import Settings
from tests.support import builders

MANAGER = Actor("bench", Role.FUND_MANAGER)
WRITTEN = (
    tables.guarantees,
    tables.journal_entries,
    tables.postings,
    tables.fund_daily_totals,
    tables.audit_events,
)


def approved(system: System, property_id: str, n: int) -> list[str]:
    numbers = []
    for _ in range(n):
        application = builders.submit_application(system, property_id, MANAGER)
        number = application.application_number
        system.bus.handle(c.ApproveApplication(number=number, reason="bench"), MANAGER)
        numbers.append(number)
    return numbers


def issue_all(system: System, fund_id: str, numbers: list[str], threads: int) -> float:
    def issue(number: str) -> None:
        system.bus.handle(c.IssueGuarantee(number=number, fund_id=fund_id), MANAGER)

    start = time.perf_counter()
    if threads == 1:
        for number in numbers:
            issue(number)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(issue, numbers))
    return time.perf_counter() - start


def bare_inserts(system: System, n: int) -> float:
    with system.engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_baseline (id serial PRIMARY KEY, n integer)"))
    start = time.perf_counter()
    for index in range(n):
        with system.engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_baseline (n) VALUES (:n)"), {"n": index})
    return time.perf_counter() - start


def rows_written(system: System) -> int:
    with system.engine.connect() as conn:
        return sum(int(conn.scalar(select(func.count()).select_from(t)) or 0) for t in WRITTEN)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="guarantees per run")
    parser.add_argument("--threads", type=int, default=4, help="senders in the concurrent run")
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL server")
    args = parser.parse_args()
    configure_logging(json=False)  # INFO and above: the bus's per-command debug lines stay quiet

    with throwaway_database(args.database_url, "garanzia_bench") as url:
        folder = Path(tempfile.mkdtemp(prefix="garanzia-bench-"))
        settings = Settings(
            database_url=url, outbox_dir=folder / "outbox", storage_dir=folder / "storage"
        )
        system = bootstrap(settings)
        try:
            landlord = builders.enrol_landlord(system, MANAGER)
            property_id = builders.add_property(system, landlord.id, MANAGER).id
            fund = builders.fund_with(system, Decimal(4000 * 3 * args.n), MANAGER)
            print(f"preparing {2 * args.n} approved applications…", flush=True)
            sequential = approved(system, property_id, args.n)
            concurrent = approved(system, property_id, args.n)

            rows_before = rows_written(system)
            ours = issue_all(system, fund.id, sequential, 1)
            per_issue = (rows_written(system) - rows_before) / args.n
            together = issue_all(system, fund.id, concurrent, args.threads)
            bare = bare_inserts(system, args.n)
            with system.engine.connect() as conn:
                live = conn.scalar(select(tables.funds.c.live_guarantees))
            assert live == 2 * args.n, live
        finally:
            system.close()

    print(f"n={args.n} on {args.database_url}")
    print(f"{'path':<52}{'per s':>10}{'ms each':>10}")
    print(
        f"{'IssueGuarantee via the bus, sequential':<52}{args.n / ours:>10.1f}"
        f"{ours / args.n * 1000:>10.2f}"
    )
    label = f"IssueGuarantee via the bus, {args.threads} threads"
    print(f"{label:<52}{args.n / together:>10.1f}{together / args.n * 1000:>10.2f}")
    print(
        f"{'bare INSERT of one row, one transaction each':<52}{args.n / bare:>10.1f}"
        f"{bare / args.n * 1000:>10.2f}"
    )
    print(
        f"rows added per issue: {per_issue:.1f} (entry, postings, audit records; besides the "
        "updates of the guarantee, fund, counter and day-total rows)"
    )
    print(
        f"ratio ours/bare (sequential throughput): {bare / ours:.3f} "
        f"(one issue costs {ours / bare:.1f} bare one-row transactions)"
    )


if __name__ == "__main__":
    main()
