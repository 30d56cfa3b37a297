"""Reading a fund's figures with 10,000 versus 1,000,000 ledger entries (goal: ratio ≤ 1.5).

    python -m bench.bench_fund_figures
    python -m bench.bench_fund_figures --small 10000 --large 1000000 --database-url postgresql://…

In a throwaway PostgreSQL database, two funds get their books bulk-loaded with COPY (not
through the bus): ``--small`` and ``--large`` journal entries spread over ``--days`` days
(contributions, reserves and releases, two postings each), with their day totals and running
balances. Then, for each fund, the median time of:

- the figures now (``read.funds.fund_figures``: the fund's running balances);
- the figures as of a day (the same function with ``as_of``: the sums of the day totals);
- for reference, the as-of balance computed by scanning the postings, which the day totals
  exist to avoid.

Loading switches triggers off for the session (``session_replication_role = replica``, so
a superuser is needed): the ledger guards would check every entry as it is sealed.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, text

from bench._postgres import DEFAULT_URL, throwaway_database
from guarantee.adapters.db.engine import build_engine
from guarantee.domain.ledger import Account
from guarantee.read.funds import fund_figures

START = date(2024, 1, 1)
RESERVE, EXPOSURE, GIFT = 384_000, 1_280_000, 500_000  # cents
ACCOUNTS = [a.value for a in Account]
NOW = datetime(2026, 11, 25, tzinfo=UTC)


@dataclass
class Day:
    entries: int = 0
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACCOUNTS, 0))
    exposure: int = 0
    live: int = 0


def load(conn: Connection, name: str, n: int, days: int) -> str:
    """Bulk-load a fund with ``n`` entries over ``days`` days; return its id."""
    fund_id = str(uuid.uuid4())
    totals: dict[date, Day] = {}
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    cursor.execute("SET session_replication_role = replica")
    entries = cursor.copy(
        "COPY journal_entries (id, fund_id, kind, occurred_on, description, reference, "
        "recorded_at, recorded_by, posted) FROM STDIN"
    )
    postings: list[tuple[str, str, str, str, int]] = []
    with entries as copy:
        for index in range(n):
            entry_id = str(uuid.uuid4())
            on = START + timedelta(days=index * days // n)
            day = totals.setdefault(on, Day())
            kind, debit, credit, amount = _event(index)
            copy.write_row((entry_id, fund_id, kind, on, kind, None, NOW, "bench", True))
            postings.append((entry_id, fund_id, debit, "debit", amount))
            postings.append((entry_id, fund_id, credit, "credit", amount))
            day.entries += 1
            day.sums[debit] += amount if debit in {"cash", "capital"} else -amount
            day.sums[credit] += amount if credit in {"contributions", "reserves"} else -amount
            if kind == "reserve":
                day.exposure, day.live = day.exposure + EXPOSURE, day.live + 1
            elif kind == "release":
                day.exposure, day.live = day.exposure - EXPOSURE, day.live - 1
    with cursor.copy("COPY postings (entry_id, fund_id, account, side, amount) FROM STDIN") as copy:
        for row in postings:
            copy.write_row(row)
    balance = sum(d.sums["cash"] for d in totals.values())
    reserved = sum(d.sums["reserves"] for d in totals.values())
    exposure = sum(d.exposure for d in totals.values())
    live = sum(d.live for d in totals.values())
    cursor.execute(
        "INSERT INTO funds (id, name, territory, created_at, balance, reserved, contributions, "
        "claims_paid, recoveries, write_offs, exposure, live_guarantees, version) "
        "VALUES (%s, %s, 'bench', %s, %s, %s, %s, 0, 0, 0, %s, %s, 1)",
        (fund_id, name, NOW, balance, reserved, balance, exposure, live),
    )
    columns = ", ".join(["fund_id", "day", "entries", *ACCOUNTS, "exposure", "live_guarantees"])
    with cursor.copy(f"COPY fund_daily_totals ({columns}) FROM STDIN") as copy:
        for on, day in totals.items():
            row = [fund_id, on, day.entries, *(day.sums[a] for a in ACCOUNTS)]
            copy.write_row([*row, day.exposure, day.live])
    cursor.execute("SET session_replication_role = origin")
    cursor.close()
    return fund_id


def _event(index: int) -> tuple[str, str, str, int]:
    """Contribution, reserve, release, in turn: the fund never reserves more than it holds."""
    step = index % 3
    if step == 0:
        return "contribution", "cash", "contributions", GIFT
    if step == 1:
        return "reserve", "capital", "reserves", RESERVE
    return "release", "reserves", "capital", RESERVE


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm-up: plans and caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def scan_balance(conn: Connection, fund_id: str, as_of: date) -> object:
    return conn.execute(
        text(
            "SELECT sum(CASE WHEN p.side = 'debit' THEN p.amount ELSE -p.amount END) "
            "FROM postings p JOIN journal_entries j ON j.id = p.entry_id "
            "WHERE j.fund_id = :f AND j.occurred_on <= :d AND p.account = 'cash'"
        ),
        {"f": fund_id, "d": as_of},
    ).scalar()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000, help="entries of the small fund")
    parser.add_argument("--large", type=int, default=1_000_000, help="entries of the large one")
    parser.add_argument("--days", type=int, default=3 * 365, help="days the entries span")
    parser.add_argument("--repeat", type=int, default=30, help="timed reads per measure")
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL server")
    args = parser.parse_args()
    as_of = START + timedelta(days=args.days * 2 // 3)

    with throwaway_database(args.database_url, "garanzia_bench") as url:
        engine = build_engine(url)
        try:
            funds = {}
            for label, n in (("small", args.small), ("large", args.large)):
                started = time.perf_counter()
                with engine.begin() as conn:
                    funds[label] = load(conn, f"Fondo {label}", n, args.days)
                print(f"loaded {n:,} entries ({label}) in {time.perf_counter() - started:.1f} s")
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            results: dict[str, dict[str, float]] = {}
            with engine.connect() as conn:
                for label, fund_id in funds.items():
                    current = fund_figures(conn, fund_id)
                    past = fund_figures(conn, fund_id, as_of)
                    assert past["balance"] * 100 == scan_balance(conn, fund_id, as_of)
                    assert current["balance"] >= past["balance"]
                    results[label] = {
                        "now": median_ms(lambda f=fund_id: fund_figures(conn, f), args.repeat),
                        "as_of": median_ms(
                            lambda f=fund_id: fund_figures(conn, f, as_of), args.repeat
                        ),
                        "scan": median_ms(
                            lambda f=fund_id: scan_balance(conn, f, as_of),
                            max(3, args.repeat // 10),
                        ),
                    }
        finally:
            engine.dispose()

    small, large = results["small"], results["large"]
    print(f"{args.days} days; as of {as_of}; median of {args.repeat} reads (ms)")
    print(f"{'read':<44}{args.small:>12,}{args.large:>12,}{'ratio':>8}")
    for key, label in (
        ("now", "figures now (running balances)"),
        ("as_of", "figures as of a day (day totals)"),
        ("scan", "as-of balance scanning postings (reference)"),
    ):
        print(f"{label:<44}{small[key]:>12.2f}{large[key]:>12.2f}{large[key] / small[key]:>8.2f}")


if __name__ == "__main__":
    main()
