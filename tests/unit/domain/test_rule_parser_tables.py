"""The ready-made rule-engine parser tables are the installed grammar's, and are the ones used.

PLY silently builds its own tables when ours do not match: nothing would fail, every process
would just start half a second slower. This says so, and how to regenerate them.
"""

from __future__ import annotations

import subprocess
import sys

import guarantee.domain.eligibility  # noqa: F401  (offers the tables before rule-engine loads)
from guarantee.domain.eligibility import _rule_parser_tables
from tests.support.parser_tables import grammar_signature


def test_the_tables_are_for_the_installed_rule_engine_grammar() -> None:
    assert grammar_signature() == _rule_parser_tables.SIGNATURE, (
        "rule-engine's grammar changed: run `python -m tests.support.parser_tables`"
    )


def test_a_process_reading_rules_parses_with_the_ready_tables() -> None:
    # A fresh interpreter, as `garanzia serve` starts: PLY's parser holds the very tables
    # offered (it would hold tables of its own had it built them), and parses with them.
    script = """
import sys
from guarantee.domain.eligibility import RuleSetCatalog
import rule_engine
offered = sys.modules["rule_engine.parser.parsetab"]
assert rule_engine.Rule.parser._parser.action is offered._lr_action, "PLY built its own"
rule = rule_engine.Rule('isee <= 26000 and not (city in ["Torino", "Milano"])')
assert rule.matches({"isee": 25000, "city": "Asti"})
assert not rule.matches({"isee": 25000, "city": "Torino"})
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
