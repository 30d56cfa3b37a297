"""Our guarantee detail endpoint against a bare Litestar endpoint over the same row.

    python -m bench.bench_api            # 2,000 requests each, SQLite demo-sized data
    python -m bench.bench_api --n 500

Both apps run in this process behind Litestar's test client (no network, so the figures
isolate what our stack adds: token check, read model with audit history, schema
validation and serialization). The baseline answers the same guarantee by number with one
raw sqlite3 query and returns the row as JSON. Prints requests/s, p50/p99 and the ratio.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litestar import Litestar, get  # noqa: E402
from litestar.testing import TestClient  # noqa: E402

from guarantee.adapters.clock import FixedClock  # noqa: E402
from guarantee.adapters.db import migrate  # noqa: E402
from guarantee.bootstrap import bootstrap  # noqa: E402
from guarantee.domain.actors import Role  # noqa: E402
from guarantee.settings import Settings  # noqa: E402
from guarantee.web.app import create_app  # noqa: E402
from tests.support import builders  # noqa: E402
from tests.support.http import login_as  # noqa: E402


def timed(call: Callable[[], Any], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def report(name: str, samples: list[float]) -> float:
    rate = len(samples) / sum(samples)
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(
        f"{name:<44} {rate:8.0f} req/s  p50 {statistics.median(samples) * 1000:6.2f} ms  "
        f"p99 {p99 * 1000:6.2f} ms"
    )
    return rate


def bare_app(db_path: str) -> Litestar:
    @get("/g/{number:str}", sync_to_thread=False)
    def detail(number: str) -> dict[str, Any]:
        conn = sqlite3.connect(db_path)
        conn.row_factory = sqlite3.Row
        try:
            row = conn.execute("SELECT * FROM guarantees WHERE number = ?", (number,)).fetchone()
            return dict(row)
        finally:
            conn.close()

    return Litestar([detail])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = f"{folder}/bench.db"
        settings = Settings(database_url=f"sqlite:///{db_path}", storage_dir=Path(folder) / "s")
        system = bootstrap(settings, clock=FixedClock(datetime(2026, 11, 25, 9, tzinfo=UTC)))
        migrate.upgrade(system.engine)
        fund = builders.fund_with(system, builders.money("1000000"))
        numbers = [builders.issued_guarantee(system, fund.id).number for _ in range(50)]
        number = numbers[25]
        with TestClient(app=create_app(system)) as ours, TestClient(app=bare_app(db_path)) as bare:
            headers = login_as(ours, system, Role.FUND_MANAGER)
            assert ours.get(f"/api/v1/guarantees/{number}", headers=headers).status_code == 200
            assert bare.get(f"/g/{number}").status_code == 200
            for _ in range(50):  # warm both
                ours.get(f"/api/v1/guarantees/{number}", headers=headers)
                bare.get(f"/g/{number}")
            ours_samples = timed(
                lambda: ours.get(f"/api/v1/guarantees/{number}", headers=headers), args.n
            )
            bare_samples = timed(lambda: bare.get(f"/g/{number}"), args.n)
        print(f"GET one guarantee by number, {args.n} requests each, in-process test client")
        ours_rate = report("ours (token, read model, history, pydantic)", ours_samples)
        bare_rate = report("bare Litestar + raw sqlite3 row", bare_samples)
        print(f"ratio ours/bare: {ours_rate / bare_rate:.2f}")
        system.close()


if __name__ == "__main__":
    main()
