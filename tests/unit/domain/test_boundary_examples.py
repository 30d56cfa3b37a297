"""Every numeric limit of a rule needs an example on it and one where the answer changes."""

from __future__ import annotations

from pathlib import Path

from guarantee.adapters.data_files import load_examples, load_ruleset
from guarantee.domain.eligibility import missing_boundaries
from tests.rules_support import copy_rules


def missing_after(tmp_path: Path, old: str, new: str) -> list[str]:
    rules = copy_rules(tmp_path)
    path = rules / "eligibility" / "2026-01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    examples = load_examples(rules / "eligibility" / "2026-01.examples.yaml").examples
    return [str(m) for m in missing_boundaries(load_ruleset(path), examples)]


def test_the_project_examples_cover_every_limit(tmp_path: Path) -> None:
    assert missing_after(tmp_path, "", "") == []


def test_a_strict_limit_turns_on_its_near_side(tmp_path: Path) -> None:
    # "> 11": 11 fails and 12 passes — the examples of 11 and 12 months cover it.
    assert missing_after(tmp_path, "lease_months >= 12", "lease_months > 11") == []


def test_a_moved_limit_asks_for_the_examples_it_lacks(tmp_path: Path) -> None:
    # "> 12": 12 fails and 13 would pass; there is no example of 13 months.
    assert missing_after(tmp_path, "lease_months >= 12", "lease_months > 12") == [
        "regola 'lease_minimum_term': nessun esempio appena oltre il limite di "
        "'lease_months > 12' (condizione 'lease_months > 12'); aggiungere uno con "
        "lease_months = 13"
    ]


def test_a_limit_between_two_computed_sides(tmp_path: Path) -> None:
    # 45% instead of 40%: no example has rent and charges at exactly 45% of the income.
    found = missing_after(
        tmp_path,
        "pass_when: (monthly_rent + monthly_charges) * 100 <= 40 * net_monthly_income",
        "pass_when: (monthly_rent + monthly_charges) * 100 <= 45 * net_monthly_income",
    )
    assert found == [
        "regola 'rent_to_income': nessun esempio al limite e appena oltre il limite di "
        "'((monthly_rent + monthly_charges) * 100) <= (45 * net_monthly_income)' (condizione "
        "'(monthly_rent + monthly_charges) * 100 <= 45 * net_monthly_income'); aggiungere un "
        "esempio in cui i due lati sono uguali e uno in cui la condizione cambia risposta di "
        "poco (entro l'1%)"
    ]
