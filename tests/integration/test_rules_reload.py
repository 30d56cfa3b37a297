"""A running server picks up a changed rule set without a restart; a broken one is refused
and the rules in force stay, with the reason in the log."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from guarantee.adapters.db.account_store import Tokens
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.settings import PROJECT_ROOT
from tests.support.accounts import open_account
from tests.support.servers import app_server

FACTS: dict[str, Any] = {
    "isee": "26500.00",
    "net_monthly_income": "1700.00",
    "monthly_rent": "600.00",
    "monthly_charges": "80.00",
    "municipality_istat_code": "001125",
    "floor_area_m2": 75,
    "lease_type": "canone_concordato_3_2",
    "lease_registered": True,
    "lease_months": 36,
    "referral_source": "social_services",
}


def bearer(system: System) -> dict[str, str]:
    # The server runs on the real clock: a token written for ten years from now.
    manager = open_account(system, "gestore-regole", Role.FUND_MANAGER)
    assert manager.account_id is not None
    with system.session_factory() as session:
        token = Tokens(session).issue(manager.account_id, datetime.now(UTC), timedelta(days=3650))
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def outcome(base: str, headers: dict[str, str]) -> str:
    answer = httpx.post(f"{base}/api/v1/eligibility/check", json=FACTS, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["outcome"])


def wait_for(check: Any, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def raise_isee_threshold(rules: Path, old: str, new: str) -> None:
    """The change a fund manager makes: the threshold and the examples at its boundary."""
    ruleset = rules / "eligibility" / "2026-01.yaml"
    examples = rules / "eligibility" / "2026-01.examples.yaml"
    text = ruleset.read_text(encoding="utf-8")
    ruleset.write_text(text.replace(f"pass_when: isee <= {old}", f"pass_when: isee <= {new}"))
    text = examples.read_text(encoding="utf-8")
    examples.write_text(
        text.replace(f"isee: {old}.00}}", f"isee: {new}.00}}").replace(
            f"isee: {old}.01}}", f"isee: {new}.01}}"
        )
    )


def test_a_changed_rule_set_is_in_force_without_restart_and_a_broken_one_is_not(
    system: System, tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    headers = bearer(system)
    with app_server(
        system.settings.database_url,
        tmp_path,
        rules_dir=str(rules),
        rules_reload_seconds="0.2",
        argon2_time_cost="1",
        argon2_memory_kib="1024",
    ) as (base, _):
        log = tmp_path / f"serve-{base.rsplit(':', 1)[1]}.log"
        assert outcome(base, headers) == "needs_review"  # ISEE 26,500 > 26,000

        raise_isee_threshold(rules, "26000", "27000")
        assert wait_for(lambda: outcome(base, headers) == "eligible"), log.read_text()

        ruleset = rules / "eligibility" / "2026-01.yaml"
        text = ruleset.read_text(encoding="utf-8")
        ruleset.write_text(text.replace("pass_when: isee <= 27000", "pass_when: isee <= 25.000"))
        # The next evaluation looks at the files, refuses them and keeps the rules in force.
        assert wait_for(
            lambda: (
                outcome(base, headers) == "eligible" and "rules_reload_refused" in log.read_text()
            )
        ), log.read_text()
        logged = log.read_text()
        assert "2026-01.yaml" in logged and "il numero '25.000' verrebbe letto come 25" in logged
        # Still in force, and told once (not at every evaluation).
        assert outcome(base, headers) == "eligible"
        assert log.read_text().count("rules_reload_refused") == 1
