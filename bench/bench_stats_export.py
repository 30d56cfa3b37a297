"""The anonymised statistics export over 100,000 guarantees with their histories (goal < 30 s).

    python -m bench.bench_stats_export
    python -m bench.bench_stats_export --guarantees 100000 --database-url postgresql://…

Generated rows (tests/support/population.py: households, members, guarantees, claims with
items, mediation cases) are bulk-inserted into a throwaway database (SQLite file by
default, PostgreSQL with --database-url); then the whole export is timed: the read model,
disclosure control of every table, CSV and datapackage.json. For scale, a bare query that
only reads the same guarantee rows is timed too.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import select

from bench._postgres import throwaway_database
from guarantee.adapters.db import migrate, tables
from guarantee.adapters.db.engine import build_engine
from guarantee.read.stats_export import export_statistics
from tests.support.population import populate

GOAL_SECONDS = 30.0


def bench(url: str, guarantees: int) -> None:
    engine = build_engine(url)
    try:
        started = time.perf_counter()
        populate(engine, guarantees)
        print(f"dati generati: {guarantees} garanzie in {time.perf_counter() - started:.1f} s")
        with tempfile.TemporaryDirectory() as out, engine.connect() as conn:
            started = time.perf_counter()
            rows = len(conn.execute(select(tables.guarantees)).all())
            bare = time.perf_counter() - started
            started = time.perf_counter()
            files = export_statistics(
                conn,
                date(2024, 1, 1),
                date(2025, 12, 31),
                Path(out),
                k=5,
                code_version="bench",
            )
            elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    lines = sum(f.rows for f in files)
    print(f"lettura nuda delle {rows} righe di garanzia: {bare:.2f} s")
    print(
        f"esportazione statistiche: {elapsed:.2f} s ({len(files)} file, {lines} righe) — "
        f"obiettivo < {GOAL_SECONDS:.0f} s: {'raggiunto' if elapsed < GOAL_SECONDS else 'NO'}; "
        f"{elapsed / bare:.1f}× la lettura nuda"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--guarantees", type=int, default=100_000)
    parser.add_argument("--database-url", help="server PostgreSQL (default: file SQLite)")
    args = parser.parse_args()
    if args.database_url:
        with throwaway_database(args.database_url, "bench_stats") as url:
            bench(url, args.guarantees)
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/stats.db"
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        bench(url, args.guarantees)


if __name__ == "__main__":
    main()
