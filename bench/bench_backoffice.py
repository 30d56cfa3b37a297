"""The back office's queue pages and fund dashboard: 100,000 guarantees and 1,000,000 ledger
entries against 1,000 guarantees and 10,000 entries (goal: each page ≤ 1.5× slower).

    python -m bench.bench_backoffice
    python -m bench.bench_backoffice --rounds 5 --repeat 15 --database-url postgresql://…

Two throwaway PostgreSQL databases, each seeded fast: one guarantee issued through the bus
as a template, cloned by SQL (``generate_series``) with its landlord, dwelling, household
and members into a mix of states (applications to check, approved, live with endings spread
over three years, suspended, expired) in 250 municipalities; one claim every 20 guarantees
in the queues' states; the fund's ledger bulk-loaded with COPY (``bench_fund_figures.load``:
entries, postings, day totals, running balances) over three years. Then the pages are asked
through the real app (Litestar's in-process client, a logged-in fund manager's session):
the home (every queue's count), each queue's first page, the dashboard and a search by
number. Rounds alternate which size goes first; each page's median over all rounds is
printed for both sizes with the ratio large / small.
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import Connection, text

from bench._postgres import DEFAULT_URL, throwaway_database
from bench.bench_fund_figures import load as load_ledger
from guarantee.bootstrap import System, bootstrap
from guarantee.domain.actors import Actor, Role
from guarantee.read import fund_dashboard
from guarantee.services import commands as c
from guarantee.settings import Settings
from guarantee.web.app import create_app
from tests.support import builders
from tests.support.bulk import clone as _clone

MANAGER = Actor("bench", Role.FUND_MANAGER)
USERNAME, PASSWORD = "bench-gestore", "una-password-lunga-42"
GOAL = 1.5
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
QUEUES = ("domande", "da-emettere", "richieste", "pagamenti", "da-pagare", "in-scadenza")
# i % 20 → state of the cloned guarantee: 3 in 20 are applications, the rest issued.
STATES = (
    "CASE i % 20 WHEN 0 THEN 'needs_review' WHEN 1 THEN 'eligible' WHEN 2 THEN 'approved' "
    "WHEN 3 THEN 'suspended' WHEN 4 THEN 'expired' ELSE 'active' END"
)
APPLICATION = "i % 20 IN (0, 1, 2)"
CLAIM_STATES = (
    "CASE i % 5 WHEN 0 THEN 'submitted' WHEN 1 THEN 'under_review' WHEN 2 THEN 'approved' "
    "WHEN 3 THEN 'partially_approved' ELSE 'paid' END"
)


def seed(system: System, guarantees: int, entries: int) -> str:
    """The database behind ``system``: ``guarantees`` guarantees, ``entries`` ledger
    entries; returns the fund's id."""
    fund = builders.fund_with(system, Decimal(1_000_000), MANAGER)
    template = builders.issued_guarantee(system, fund.id)
    landlords = max(1, guarantees // 100)
    uuid = "md5('{}' || i)::uuid::text"
    with system.engine.begin() as conn:
        ledger_fund = load_ledger(conn, f"Fondo del bench {guarantees}", entries, days=1060)
        _clone(
            conn,
            "landlords",
            {
                "id": uuid.format("l"),
                "name": "t.name || ' ' || i",
                "tax_code": "'BL' || lpad(i::text, 14, '0')",
            },
            landlords,
            f"t.id = '{template.landlord_id}'",
        )
        _clone(
            conn,
            "properties",
            {
                "id": uuid.format("p"),
                "landlord_id": f"md5('l' || (1 + i % {landlords}))::uuid::text",
                "municipality_istat_code": "lpad((1000 + i % 250)::text, 6, '0')",
            },
            guarantees,
            f"t.id = '{template.property_id}'",
        )
        _clone(
            conn,
            "households",
            {"id": uuid.format("h")},
            guarantees,
            f"t.id = '{template.household_id}'",
        )
        _clone(
            conn,
            "household_members",
            {
                "id": uuid.format("m"),
                "household_id": uuid.format("h"),
                "full_name": "t.full_name || ' ' || i",
                "tax_code": "'BM' || lpad(i::text, 14, '0')",
            },
            guarantees,
            f"t.household_id = '{template.household_id}'",
        )
        _clone(
            conn,
            "guarantees",
            {
                "id": uuid.format("g"),
                "status": STATES,
                "number": f"CASE WHEN {APPLICATION} THEN NULL "
                "ELSE 'B' || lpad(i::text, 7, '0') END",
                "application_number": "'BA' || lpad(i::text, 7, '0')",
                "certificate_code": f"CASE WHEN {APPLICATION} THEN NULL "
                "ELSE substr(md5('c' || i), 1, 19) END",
                "landlord_id": f"md5('l' || (1 + i % {landlords}))::uuid::text",
                "property_id": uuid.format("p"),
                "household_id": uuid.format("h"),
                "fund_id": f"CASE WHEN {APPLICATION} THEN NULL ELSE '{ledger_fund}' END",
                "ends_on": "current_date + (i % 1000)",
                "created_at": "t.created_at - (i || ' minutes')::interval",
                "updated_at": "t.updated_at - (i || ' minutes')::interval",
                "issued_at": "t.issued_at - (i || ' minutes')::interval",
            },
            guarantees,
            f"t.id = '{template.id}'",
        )
        _claims(conn, guarantees // 20)
    with system.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    system.bus.handle(
        c.CreateAccount(USERNAME, "Gestore del bench", Role.FUND_MANAGER, password=PASSWORD),
        Actor.system("bench"),
    )
    return ledger_fund


def _claims(conn: Connection, count: int) -> None:
    """One claim every 20 guarantees (on live ones), spread over the queues' states."""
    conn.execute(
        text(
            "INSERT INTO claims (id, number, guarantee_id, guarantee_number, product_code, "
            "product_version, status, filed_on, filed_at, filed_by, payment_proposed_by, "
            "paid_amount, recovered_amount, written_off_amount, updated_at, version) "
            "SELECT md5('k' || i)::uuid::text, 'BK' || lpad(i::text, 7, '0'), "
            "md5('g' || (i * 20 + 5))::uuid::text, 'B' || lpad((i * 20 + 5)::text, 7, '0'), "
            f"'garanzia-casa', '1', {CLAIM_STATES}, current_date - (i % 400), now(), 'bench', "
            "CASE WHEN i % 10 = 3 THEN 'altro-gestore' END, 0, 0, 0, now(), 1 "
            "FROM generate_series(1, :count) i WHERE i * 20 + 5 <= :guarantees"
        ),
        {"count": count, "guarantees": count * 20},
    )


@contextmanager
def world(server_url: str, guarantees: int, entries: int) -> Iterator[tuple[Any, str, System]]:
    """A seeded database, the app on it and a logged-in manager's client; the fund's id."""
    with ExitStack() as stack:
        url = stack.enter_context(throwaway_database(server_url, "bench_backoffice"))
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        system = bootstrap(
            Settings(database_url=url, outbox_dir=folder / "outbox", storage_dir=folder / "s")
        )
        stack.callback(system.close)
        started = time.perf_counter()
        fund = seed(system, guarantees, entries)
        print(
            f"seeded {guarantees:,} guarantees and {entries:,} entries "
            f"in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        client = stack.enter_context(TestClient(app=create_app(system)))
        form = client.get("/backoffice/accesso").text
        token = CSRF.search(form)
        assert token is not None
        answer = client.post(
            "/backoffice/accesso",
            data={"username": USERNAME, "password": PASSWORD, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        yield client, fund, system


def pages(fund: str) -> dict[str, str]:
    return {
        "scrivania (conteggi)": "/backoffice/",
        **{f"coda {slug}": f"/backoffice/coda/{slug}" for slug in QUEUES},
        "cruscotto del fondo": f"/backoffice/fondo?fondo={fund}",
        "cruscotto, 36 mesi": f"/backoffice/fondo?fondo={fund}&mesi=36",
        "ricerca per numero": "/backoffice/cerca?q=B0000505",
    }


def timed(client: Any, path: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return times


def recount_ms(system: System, fund: str, repeat: int = 5) -> float:
    """What the dashboard pays once after each change: the portfolio counted afresh."""
    times = []
    with system.engine.connect() as conn:
        for _ in range(repeat):
            start = time.perf_counter()
            fund_dashboard.count_portfolio(conn, fund)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--small", type=int, default=1_000, help="guarantees, small")
    parser.add_argument("--large", type=int, default=100_000, help="guarantees, large")
    parser.add_argument("--entries-per-guarantee", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=10, help="requests per page per round")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    sizes = (args.small, args.large)
    with ExitStack() as stack:
        clients = {
            n: stack.enter_context(world(args.database_url, n, n * args.entries_per_guarantee))
            for n in sizes
        }
        measured: dict[int, dict[str, list[float]]] = {n: {} for n in sizes}
        for client, fund, _ in clients.values():  # warm-up: plans, caches, templates
            for path in pages(fund).values():
                timed(client, path, 2)
        for round_number in range(args.rounds):
            order = sizes if round_number % 2 == 0 else sizes[::-1]
            for n in order:
                client, fund, _ = clients[n]
                for name, path in pages(fund).items():
                    measured[n].setdefault(name, []).extend(timed(client, path, args.repeat))
        recount = {n: recount_ms(system, fund) for n, (_, fund, system) in clients.items()}
    small, large = sizes
    print(
        f"\nmedian ms per page, {args.rounds} interleaved rounds × {args.repeat} requests "
        f"({small:,} guarantees / {small * args.entries_per_guarantee:,} entries vs "
        f"{large:,} / {large * args.entries_per_guarantee:,})"
    )
    print(f"{'page':<24}{'small':>10}{'large':>10}{'ratio':>8}  goal ≤ {GOAL}")
    worst = 0.0
    for name in measured[small]:
        a = statistics.median(measured[small][name])
        b = statistics.median(measured[large][name])
        ratio = b / a
        worst = max(worst, ratio)
        mark = "ok" if ratio <= GOAL else "OVER"
        print(f"{name:<24}{a:>10.1f}{b:>10.1f}{ratio:>8.2f}  {mark}")
    print(f"\nworst ratio {worst:.2f} (goal ≤ {GOAL})")
    print(
        "the dashboard's live portfolio by state and municipality is counted again only "
        f"after a change: that recount takes {recount[small]:.1f} ms with {small:,} "
        f"guarantees, {recount[large]:.1f} ms with {large:,} "
        f"(ratio {recount[large] / recount[small]:.1f})"
    )


if __name__ == "__main__":
    main()
