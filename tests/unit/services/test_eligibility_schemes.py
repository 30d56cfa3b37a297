"""Impact per scheme: a draft of one scheme is compared with that scheme's rules only."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from guarantee.adapters.data_files import DataFiles
from guarantee.domain.eligibility import ImpactCase
from guarantee.services.eligibility import impact_of_draft, run_rule_examples
from tests.rules_support import copy_rules, household

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "schemes"
FILES = DataFiles()


def with_schemes(tmp_path: Path) -> Path:
    rules = copy_rules(tmp_path)
    for sub in ("eligibility", "reference", "parameters"):
        (rules / sub).mkdir(exist_ok=True)
        for path in (FIXTURES / sub).iterdir():
            shutil.copy(path, rules / sub / path.name)
    return rules


def test_rules_test_runs_every_scheme_s_examples(tmp_path: Path) -> None:
    rules = with_schemes(tmp_path)
    assert run_rule_examples(rules, FILES) == []
    # a boundary moved in one scheme is caught by that scheme's examples
    path = rules / "eligibility" / "valle-2026.yaml"
    path.write_text(path.read_text("utf-8").replace("lease_months >= 48", "lease_months >= 47"))
    failures = [str(f) for f in run_rule_examples(rules, FILES)]
    assert len(failures) == 1 and "canone libero 4+4 di 47 mesi" in failures[0]


def test_a_draft_is_compared_with_its_own_scheme_over_its_own_applications(
    tmp_path: Path,
) -> None:
    rules = with_schemes(tmp_path)
    draft = rules / "drafts" / "valle-draft.yaml"
    draft.parent.mkdir()
    text = (rules / "eligibility" / "valle-2026.yaml").read_text("utf-8")
    draft.write_text(
        text.replace('version: "2026-01"', 'version: "2026-07"')
        .replace("effective_from: 2026-01-01", "effective_from: 2026-07-01")
        .replace("lease_months >= 48", "lease_months >= 36"),
        "utf-8",
    )
    facts = household(
        residence_istat_code="001125", lease_type="canone_libero_4_4", lease_months=40
    )
    cases = [
        ImpactCase("VALLE-1", facts, {"scheme": "residenti-valle"}),
        # judged under Garanzia Casa: not this draft's business
        ImpactCase("CASA-1", facts, {"scheme": "garanzia-casa"}),
    ]
    report = impact_of_draft(draft, rules, cases, FILES, on=date(2026, 6, 1))
    assert (report.current_version, report.draft_version) == ("2026-01", "2026-07")
    assert [(c.key, c.before, c.after, c.rules) for c in report.changes] == [
        ("VALLE-1", "ineligible", "eligible", ("free_market_term",))
    ]
