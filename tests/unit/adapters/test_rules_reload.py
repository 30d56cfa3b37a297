"""The rules in force follow their files: looked at no more often than set, put in force
only when they pass every check, and a refused change keeps the rules in force."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from guarantee.adapters.data_files import DataFiles
from guarantee.adapters.reference_data import RuleSetChecker
from tests.rules_support import copy_rules, household

ON = date(2026, 5, 1)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def threshold(rules: Path, old: str, new: str) -> None:
    ruleset = rules / "eligibility" / "2026-01.yaml"
    text = ruleset.read_text(encoding="utf-8")
    ruleset.write_text(text.replace(f"pass_when: isee <= {old}", f"pass_when: isee <= {new}"))
    # Move the modification time on: two saves within the file system's resolution count.
    stat = ruleset.stat()
    os.utime(ruleset, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    rules = copy_rules(tmp_path)
    examples = rules / "eligibility" / "2026-01.examples.yaml"
    text = examples.read_text(encoding="utf-8")
    # Examples of the new threshold, so that the change passes `rules test`.
    examples.write_text(
        text.replace("isee: 26000.00}", "isee: 27000.00}").replace(
            "isee: 26000.01}", "isee: 27000.01}"
        )
    )
    return rules


def test_a_valid_change_is_in_force_after_the_interval_not_before(rules: Path) -> None:
    clock = Clock()
    checker = RuleSetChecker(
        DataFiles().load_rulesets(rules), rules_dir=rules, reload_seconds=5, monotonic=clock
    )
    facts = household(isee=Decimal("26500.00"))
    assert checker.evaluate(facts, ON).outcome == "needs_review"
    threshold(rules, "26000", "27000")
    clock.now = 4.9
    assert checker.evaluate(facts, ON).outcome == "needs_review", "not looked at yet"
    clock.now = 5.0
    with capture_logs() as logs:
        assert checker.evaluate(facts, ON).outcome == "eligible"
    assert [entry["event"] for entry in logs] == ["rules_reloaded"]


def test_a_broken_change_keeps_the_rules_in_force_and_is_logged_once(rules: Path) -> None:
    clock = Clock()
    checker = RuleSetChecker(
        DataFiles().load_rulesets(rules), rules_dir=rules, reload_seconds=1, monotonic=clock
    )
    facts = household(isee=Decimal("26500.00"))
    threshold(rules, "26000", "26.500")
    with capture_logs() as logs:
        for second in range(1, 4):
            clock.now = second
            assert checker.evaluate(facts, ON).outcome == "needs_review"
    [refused] = logs
    assert refused["event"] == "rules_reload_refused"
    assert refused["log_level"] == "error"
    assert any("il numero '26.500' verrebbe letto come 26.5" in p for p in refused["problems"])


def test_a_change_whose_examples_fail_is_not_put_in_force(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    clock = Clock()
    checker = RuleSetChecker(
        DataFiles().load_rulesets(rules), rules_dir=rules, reload_seconds=1, monotonic=clock
    )
    # Social services no longer count as a partner: every example sent by them now fails.
    ruleset = rules / "eligibility" / "2026-01.yaml"
    text = ruleset.read_text(encoding="utf-8")
    ruleset.write_text(text.replace("in ['help_desk', 'social_services']", "in ['help_desk']"))
    clock.now = 1
    with capture_logs() as logs:
        assert checker.evaluate(household(), ON).outcome == "eligible"
    assert logs[0]["event"] == "rules_reload_refused"
    problems = logs[0]["problems"]
    assert any(
        "esito atteso ammissibile (eligible), risulta non ammissibile" in p for p in problems
    ), problems
