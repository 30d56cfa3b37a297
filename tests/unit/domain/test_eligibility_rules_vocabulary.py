"""Dates, decision tables, alternatives (OR), "applies only when", schemes and parameters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from guarantee.domain.eligibility import (
    Cell,
    DateDifference,
    DatedParameter,
    DecisionTable,
    Evaluation,
    Percentage,
    RuleSet,
    RuleSetCatalog,
    RuleSpec,
    TableRow,
    depends_on,
    rule_needs,
)
from guarantee.domain.eligibility._computed import whole_months_between
from guarantee.domain.errors import InvalidDefinition, InvalidFacts, NotFound
from tests.rules_support import default_catalogue, default_facts, default_ruleset

D = Decimal


def ruleset(*rules: RuleSpec, derived: tuple[object, ...] = (), scheme: str = "prova") -> RuleSet:
    return RuleSet(
        facts=default_facts(),
        version="t",
        effective_from=date(2026, 1, 1),
        effective_to=None,
        rules=rules,
        derived=(*default_catalogue().computed, *derived),  # type: ignore[arg-type]
        scheme=scheme,
    )


def rule(code: str, reads: tuple[str, ...], pass_when: str = "", **more: object) -> RuleSpec:
    return RuleSpec(code, f"regola {code}", "blocking", reads, pass_when, **more)  # type: ignore[arg-type]


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 6, 1), date(2026, 5, 31), 17),
        (date(2008, 6, 1), date(2026, 6, 1), 18),  # the birthday itself
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),  # born on 29 February
    ],
)
def test_age_is_whole_years_at_the_application_date(born: date, on: date, age: int) -> None:
    rules = ruleset(rule("adult", ("age",), "age >= 18"))
    evaluation = rules.evaluate({"applicant_birth_date": born, "application_date": on})
    assert evaluation.verdict("adult").facts_seen["age"] == age
    assert evaluation.verdict("adult").result == ("pass" if age >= 18 else "fail")


def test_months_since_and_days_before() -> None:
    assert whole_months_between(date(2026, 1, 31), date(2026, 2, 28)) == 0
    assert whole_months_between(date(2026, 1, 31), date(2026, 3, 31)) == 2
    assert whole_months_between(date(2026, 3, 1), date(2026, 1, 1)) == -2
    days = DateDifference("d", "application_date", "lease_start", "days")
    facts = {"application_date": date(2026, 6, 1), "lease_start": date(2026, 8, 30)}
    assert days.value(facts) == 90
    assert days.value({**facts, "lease_start": date(2026, 5, 31)}) == -1


def test_dates_come_as_iso_text_and_anything_else_is_refused() -> None:
    rules = ruleset(rule("adult", ("age",), "age >= 18"))
    evaluation = rules.evaluate(
        {"applicant_birth_date": "2000-01-01", "application_date": "2026-01-01"}
    )
    assert evaluation.verdict("adult").facts_seen["age"] == 26
    with pytest.raises(InvalidFacts) as caught:
        rules.evaluate({"applicant_birth_date": "01/01/2000", "application_date": 20260101})
    assert caught.value.problems == {
        "applicant_birth_date": "'01/01/2000' non è una data nel formato AAAA-MM-GG",
        "application_date": "attesa una data (AAAA-MM-GG), ricevuto numero intero",
    }


def test_a_stored_evaluation_keeps_its_dates() -> None:
    rules = ruleset(rule("adult", ("age",), "age >= 18"))
    evaluation = rules.evaluate(
        {"applicant_birth_date": date(2000, 1, 1), "application_date": date(2026, 1, 1)}
    )
    assert Evaluation.from_dict(evaluation.to_dict()) == evaluation


def test_a_date_computation_needs_date_facts() -> None:
    with pytest.raises(InvalidDefinition) as caught:
        ruleset(
            rule("x", ("wrong_age",), "wrong_age >= 18"),
            derived=(DateDifference("wrong_age", "isee", "application_date", "years"),),
        )
    assert "il dato 'isee' è un numero o importo, qui serve una data" in str(caught.value)


def test_rent_to_income_share_is_exact() -> None:
    share = Percentage("s", ("monthly_rent", "monthly_charges"), "net_monthly_income")
    values = {"monthly_rent": D("600"), "monthly_charges": D("80"), "net_monthly_income": D("1700")}
    assert share.value(values) == 40
    assert share.value({**values, "net_monthly_income": D("1699")}) > 40
    assert share.value({**values, "net_monthly_income": D("0")}) == D("Infinity")


# --- dated parameters ----------------------------------------------------------------------


def test_a_dated_parameter_gives_the_value_in_force_on_the_application_date() -> None:
    ceiling = DatedParameter(
        "ceiling",
        "application_date",
        ((date(2025, 1, 1), D("30000")), (date(2026, 7, 1), D("32000"))),
    )
    rules = ruleset(rule("isee", ("isee", "ceiling"), "isee <= ceiling"), derived=(ceiling,))

    def result(on: date, isee: str) -> str:
        facts = {"application_date": on, "isee": D(isee)}
        return rules.evaluate(facts).verdict("isee").result

    assert result(date(2026, 6, 30), "30000.00") == "pass"
    assert result(date(2026, 6, 30), "30000.01") == "fail"
    assert result(date(2026, 7, 1), "32000.00") == "pass"
    with pytest.raises(InvalidFacts) as caught:
        result(date(2024, 12, 31), "1")
    assert "solo dal 2025-01-01" in caught.value.problems["application_date"]


def test_a_parameter_history_must_be_in_order() -> None:
    backwards = DatedParameter(
        "p", "application_date", ((date(2026, 1, 1), D(1)), (date(2025, 1, 1), D(2)))
    )
    assert backwards.problems(default_facts()) == [
        "parametro 'p': le date vanno in ordine, ognuna una volta sola"
    ]


# --- decision tables -----------------------------------------------------------------------


def cells(*written: object) -> tuple[Cell, ...]:
    found: list[Cell] = []
    for item in written:
        if item == "any":
            found.append(Cell(any=True))
        elif isinstance(item, tuple):
            found.append(Cell(low=item[0], high=item[1]))
        else:
            found.append(Cell(values=frozenset(item if isinstance(item, list) else [item])))
    return tuple(found)


def share_table(policy: str, aggregate: str | None = None) -> DecisionTable:
    return DecisionTable(
        name="max_share",
        inputs=("age", "employment_status"),
        rows=(
            TableRow(cells((None, D(29)), "any"), D(40)),
            TableRow(cells((D(30), D(35)), "any"), D(35)),
            TableRow(cells((D(30), None), "dipendente_tempo_indeterminato"), D(33)),
        ),
        output_type="decimal",
        default=D(30),
        hit_policy=policy,  # type: ignore[arg-type]
        aggregate=aggregate,  # type: ignore[arg-type]
    )


def share_for(table: DecisionTable, age: int, status: str) -> object:
    return table.value({"age": age, "employment_status": status})


def test_first_hit_takes_the_first_matching_row_else_the_default() -> None:
    table = share_table("first")
    assert share_for(table, 29, "autonomo") == 40
    assert share_for(table, 30, "dipendente_tempo_indeterminato") == 35  # rows 2 and 3 match
    assert share_for(table, 36, "dipendente_tempo_indeterminato") == 33
    assert share_for(table, 36, "autonomo") == 30  # no row: the default


def test_collect_aggregates_every_matching_row() -> None:
    assert share_for(share_table("collect", "max"), 30, "dipendente_tempo_indeterminato") == 35
    assert share_for(share_table("collect", "min"), 30, "dipendente_tempo_indeterminato") == 33
    assert share_for(share_table("collect", "sum"), 30, "dipendente_tempo_indeterminato") == 68
    assert share_for(share_table("collect", "count"), 30, "dipendente_tempo_indeterminato") == 2
    assert share_for(share_table("collect", "count"), 40, "autonomo") == 0
    assert share_for(share_table("collect", "max"), 40, "autonomo") == 30  # none: default


def test_unique_refuses_overlapping_rows_naming_both() -> None:
    assert share_table("unique").row_problems(_with_table_inputs()) == [
        (
            2,
            "le righe 2 e 3 si sovrappongono: con hit_policy 'unique' al massimo una riga "
            "può applicarsi",
        )
    ]


def test_unique_accepts_rows_that_only_touch() -> None:
    table = DecisionTable(
        name="band",
        inputs=("age",),
        rows=(
            TableRow((Cell(low=D(18), high=D(30), high_inclusive=False),), "young"),
            TableRow((Cell(low=D(30), high=None),), "adult"),
        ),
        output_type="string",
        default="minor",
        hit_policy="unique",
    )
    assert table.row_problems(_with_table_inputs()) == []
    assert [table.value({"age": age}) for age in (17, 18, 29, 30)] == [
        "minor",
        "young",
        "young",
        "adult",
    ]


def test_a_table_is_checked_when_the_rule_set_is_built() -> None:
    with pytest.raises(InvalidDefinition) as caught:
        ruleset(
            rule(
                "share", ("rent_to_income_share", "max_share"), "rent_to_income_share <= max_share"
            ),
            derived=(share_table("unique"),),
        )
    problem = caught.value.problems[0]
    assert problem.where == ("derived", "max_share", "table", "rows", 2)
    assert "le righe 2 e 3 si sovrappongono" in problem.reason


def test_collect_needs_an_aggregate_and_every_table_a_default() -> None:
    table = DecisionTable(
        name="t",
        inputs=("age",),
        rows=(TableRow((Cell(any=True),), D(1)),),
        output_type="decimal",
        default=None,
        hit_policy="collect",
    )
    assert table.problems(_with_table_inputs()) == [
        "tabella 't': con hit_policy 'collect' scrivere aggregate: sum, min, max, count",
        "tabella 't': scrivere default (il valore quando nessuna riga si applica)",
    ]


def _with_table_inputs() -> dict[str, object]:
    facts: dict[str, object] = dict(default_facts())
    facts["age"] = default_catalogue().computed_specs["age"]
    return facts


# --- OR and "applies only when" --------------------------------------------------------------


def young_or_stable() -> RuleSet:
    return ruleset(
        rule(
            "young_or_stable",
            ("age", "employment_status"),
            pass_when_any=("age <= 35", "employment_status == 'dipendente_tempo_indeterminato'"),
        ),
        rule(
            "free_market_term",
            ("lease_type", "lease_months"),
            "lease_months >= 48",
            applies_when="lease_type == 'canone_libero_4_4'",
        ),
    )


def applicant(born: date, status: str, lease_type: str, months: int) -> dict[str, object]:
    return {
        "applicant_birth_date": born,
        "application_date": date(2026, 6, 1),
        "employment_status": status,
        "lease_type": lease_type,
        "lease_months": months,
    }


def test_any_alternative_lets_the_rule_pass_and_the_explanation_says_which() -> None:
    rules = young_or_stable()
    young = rules.evaluate(applicant(date(1995, 1, 1), "autonomo", "transitorio", 12))
    assert young.verdict("young_or_stable").result == "pass"
    assert young.verdict("young_or_stable").detail == "soddisfatta l'alternativa 1: «age <= 35»"
    stable = rules.evaluate(
        applicant(date(1970, 1, 1), "dipendente_tempo_indeterminato", "transitorio", 12)
    )
    assert "alternativa 2" in stable.verdict("young_or_stable").detail
    neither = rules.evaluate(applicant(date(1970, 1, 1), "autonomo", "transitorio", 12))
    assert neither.verdict("young_or_stable").result == "fail"
    assert neither.verdict("young_or_stable").detail == "nessuna delle alternative è soddisfatta"


def test_a_rule_that_does_not_apply_is_skipped_shown_and_does_not_count() -> None:
    rules = young_or_stable()
    other = rules.evaluate(applicant(date(1995, 1, 1), "autonomo", "canone_concordato_3_2", 12))
    verdict = other.verdict("free_market_term")
    assert (verdict.result, other.outcome) == ("skipped", "eligible")
    assert verdict.detail == "non si applica: non vale «lease_type == 'canone_libero_4_4'»"
    assert verdict.facts_seen == {"lease_type": "canone_concordato_3_2", "lease_months": 12}
    short = rules.evaluate(applicant(date(1995, 1, 1), "autonomo", "canone_libero_4_4", 47))
    assert (short.verdict("free_market_term").result, short.outcome) == ("fail", "ineligible")
    assert Evaluation.from_dict(other.to_dict()) == other


def test_pass_when_and_pass_when_any_exclude_each_other() -> None:
    with pytest.raises(InvalidDefinition) as caught:
        ruleset(rule("x", ("age",), "age > 1", pass_when_any=("age > 2", "age > 3")))
    assert "scrivere pass_when oppure pass_when_any" in str(caught.value)


def test_a_fact_read_only_by_applies_when_must_be_listed() -> None:
    with pytest.raises(InvalidDefinition) as caught:
        ruleset(
            rule("x", ("lease_months",), "lease_months >= 48", applies_when="lease_type == 'a'")
        )
    assert "una condizione legge 'lease_type', che manca in reads: aggiungerlo" in str(caught.value)


# --- schemes and what a rule needs ---------------------------------------------------------


def test_schemes_live_side_by_side() -> None:
    other = ruleset(rule("adult", ("age",), "age >= 18"), scheme="casa-giovani")
    catalog = RuleSetCatalog([default_ruleset(), other])
    assert catalog.schemes == ("casa-giovani", "garanzia-casa")
    assert catalog.effective(date(2026, 6, 1)).scheme == "garanzia-casa"
    assert catalog.effective(date(2026, 6, 1), "casa-giovani") is other
    assert catalog.get("t", "casa-giovani") is other
    with pytest.raises(NotFound):
        catalog.effective(date(2026, 6, 1), "nessuna")


def test_a_scheme_key_is_lower_case() -> None:
    with pytest.raises(InvalidDefinition) as caught:
        ruleset(rule("adult", ("age",), "age >= 18"), scheme="Casa Giovani")
    assert caught.value.problems[0].where == ("scheme",)


def test_what_a_rule_needs_and_whether_it_reads_the_lease_or_the_dwelling() -> None:
    rules = default_ruleset()
    assert [spec.name for spec in rule_needs(rules, "rent_within_cap")] == [
        "monthly_rent",
        "municipality_istat_code",
        "floor_area_m2",
    ]
    assert depends_on(rules, "rent_within_cap")
    assert not depends_on(rules, "isee")
    assert depends_on(rules, "isee", ("household",))
    young = young_or_stable()
    assert {s.name: s.source for s in rule_needs(young, "young_or_stable")} == {
        "employment_status": "declared",
        "applicant_birth_date": "applicant.birth_date",
        "application_date": "application.date",
    }
