"""Wall time of `garanzia rules impact` over N open applications stored in a database.

    python bench/bench_rules_impact_cli.py              # 100,000 applications, SQLite
    python bench/bench_rules_impact_cli.py --n 10000 --database-url postgresql://…/db

Loads N applications with their stored evaluations (bulk insert, not through the bus), then
times the real CLI in a subprocess against a draft rule set that moves the ISEE thresholds
(26,000 → 27,000 € and 35,000 → 36,000 €: outcomes move both ways the money counts), writing
the CSV too. Baseline in the same run: the same CLI with the draft identical to the
rule set in force (reads and re-evaluates everything, finds no change).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_eligibility import applications  # noqa: E402
from guarantee.adapters.data_files import load_ruleset  # noqa: E402
from guarantee.adapters.db import migrate, tables  # noqa: E402
from guarantee.adapters.db.engine import build_engine  # noqa: E402

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)


def load(url: str, n: int) -> None:
    engine = build_engine(url)
    migrate.upgrade(engine)
    ruleset = load_ruleset(ROOT / "rules" / "eligibility" / "2026-01.yaml")
    landlord, dwelling, household = (str(uuid.uuid4()) for _ in range(3))
    with engine.begin() as conn:
        conn.execute(
            insert(tables.landlords).values(
                id=landlord,
                kind="person",
                name="Bench",
                tax_code="BNCBNC80A01E379Z",
                iban="IT60X0542811101000000123456",
                email="bench@example.it",
                created_at=NOW,
            )
        )
        conn.execute(
            insert(tables.properties).values(
                id=dwelling,
                landlord_id=landlord,
                address="Via Bench 1",
                municipality_istat_code="001125",
                cadastral_reference="F.1",
                floor_area_m2=75,
                created_at=NOW,
            )
        )
        conn.execute(
            insert(tables.households).values(
                id=household,
                main_tenant_tax_code="BNCBNC80A01E379Z",
                isee=0,
                net_monthly_income=0,
                referral_source="help_desk",
                created_at=NOW,
            )
        )
    batch: list[dict[str, object]] = []
    for number, (_, facts) in enumerate(applications(n, seed=7), start=1):
        evaluation = ruleset.evaluate(facts)
        batch.append(
            {
                "id": str(uuid.uuid4()),
                "application_number": f"DOM-2026-{number:06d}",
                "status": evaluation.outcome,
                "landlord_id": landlord,
                "property_id": dwelling,
                "household_id": household,
                "lease_type": "canone_concordato_3_2",
                "lease_start": date(2027, 1, 1),
                "lease_end": date(2029, 12, 31),
                "monthly_rent": Decimal("600.00"),  # euros: the Cents column stores cents
                "monthly_charges": Decimal("80.00"),
                "lease_registered": True,
                "rent_due_day": 5,
                "product_code": "garanzia-casa",
                "product_version": "1",
                "ruleset_version": evaluation.ruleset_version,
                "eligibility": evaluation.to_dict(),
                "maximum_exposure": 0,
                "reserve_amount": 0,
                "paid_amount": 0,
                "created_at": NOW,
                "created_by": "bench",
                "updated_at": NOW,
                "version": 1,
            }
        )
        if len(batch) == 5000:
            with engine.begin() as conn:
                conn.execute(insert(tables.guarantees), batch)
            batch = []
    if batch:
        with engine.begin() as conn:
            conn.execute(insert(tables.guarantees), batch)
    engine.dispose()


def timed_cli(url: str, draft: Path, csv_path: Path) -> tuple[float, str]:
    env = {
        **os.environ,
        "GARANZIA_DATABASE_URL": url,
        "GARANZIA_RULES_DIR": str(draft.parent.parent),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "guarantee.cli",
            "rules",
            "impact",
            str(draft),
            "--csv",
            str(csv_path),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"garanzia rules impact failed:\n{done.stderr}")
    lines = done.stdout.splitlines()
    money = [line for line in lines if line.startswith(("accantonamento", "capacità"))]
    return time.perf_counter() - started, "; ".join([lines[1], *money])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        started = time.perf_counter()
        load(url, args.n)
        elapsed = time.perf_counter() - started
        print(f"loaded {args.n} applications with stored evaluations in {elapsed:.1f} s")
        rules = Path(folder) / "rules"
        shutil.copytree(ROOT / "rules", rules)
        (rules / "drafts").mkdir()
        current = (rules / "eligibility" / "2026-01.yaml").read_text(encoding="utf-8")
        same = rules / "drafts" / "same.yaml"
        same.write_text(
            current.replace('version: "2026-01"', 'version: "2026-99"'), encoding="utf-8"
        )
        draft = rules / "drafts" / "draft.yaml"
        draft.write_text(
            current.replace('version: "2026-01"', 'version: "2026-07"')
            .replace("pass_when: isee <= 26000", "pass_when: isee <= 27000")
            .replace("review_when: isee <= 35000", "review_when: isee <= 36000"),
            encoding="utf-8",
        )
        base, base_line = timed_cli(url, same, Path(folder) / "same.csv")
        real, real_line = timed_cli(url, draft, Path(folder) / "draft.csv")
        print(f"unchanged draft: {base:.2f} s — {base_line}")
        print(f"ISEE 26,000/35,000 → 27,000/36,000 draft: {real:.2f} s — {real_line}")
        print(f"ratio changed / unchanged: {real / base:.2f}")


if __name__ == "__main__":
    main()
