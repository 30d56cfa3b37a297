from __future__ import annotations

import json
import pickle
import random
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guarantee.domain.eligibility import (
    ANY_KEY,
    BandLookup,
    Evaluation,
    ImpactCase,
    MemberOf,
    RuleExample,
    RuleSet,
    RuleSetCatalog,
    RuleSpec,
    SizeBand,
    VerdictResult,
    changed_rules,
    impact,
    outcome_of,
    outcome_rank,
    run_examples,
)
from guarantee.domain.errors import InvalidDefinition, InvalidFacts, NotFound
from tests.rules_support import default_facts, default_ruleset, household

D = Decimal

# --- the default rules at their boundaries ------------------------------------------

BOUNDARIES: list[tuple[str, dict[str, object], VerdictResult]] = [
    ("isee", {"isee": D("26000.00")}, "pass"),
    ("isee", {"isee": D("26000.01")}, "review"),
    ("isee", {"isee": D("35000.00")}, "review"),
    ("isee", {"isee": D("35000.01")}, "fail"),
    ("rent_to_income", {"net_monthly_income": D("1700.00")}, "pass"),  # 680/1700 = 40.00%
    ("rent_to_income", {"net_monthly_income": D("1699.00")}, "review"),  # 40.02%
    (
        "rent_to_income",
        {"monthly_rent": D("700.00"), "monthly_charges": D("150.00"), "net_monthly_income": 1700},
        "review",
    ),  # 50.00%
    (
        "rent_to_income",
        {"monthly_rent": D("700.00"), "monthly_charges": D("151.00"), "net_monthly_income": 1700},
        "fail",
    ),  # 50.06%
    ("rent_to_income", {"net_monthly_income": D("0")}, "fail"),
    ("lease_minimum_term", {"lease_months": 12}, "pass"),
    ("lease_minimum_term", {"lease_months": 11}, "fail"),
    ("lease_registered", {"lease_registered": True}, "pass"),
    ("lease_registered", {"lease_registered": False}, "fail"),
    ("lease_type_allowed", {"lease_type": "canone_libero_4_4"}, "pass"),
    ("lease_type_allowed", {"lease_type": "canone_concordato_3_2"}, "pass"),
    ("lease_type_allowed", {"lease_type": "transitorio"}, "fail"),
    ("lease_type_allowed", {"lease_type": "studenti"}, "fail"),
    ("dwelling_in_consortium", {"municipality_istat_code": "001125"}, "pass"),
    ("dwelling_in_consortium", {"municipality_istat_code": "001318"}, "pass"),
    ("dwelling_in_consortium", {"municipality_istat_code": "001272"}, "fail"),
    ("rent_within_cap", {"monthly_rent": D("720.00")}, "pass"),  # Ivrea, 75 m² (L)
    ("rent_within_cap", {"monthly_rent": D("720.01")}, "fail"),
    ("rent_within_cap", {"floor_area_m2": 45, "monthly_rent": D("450.00")}, "pass"),
    ("rent_within_cap", {"floor_area_m2": 45, "monthly_rent": D("450.01")}, "fail"),
    ("rent_within_cap", {"floor_area_m2": 46, "monthly_rent": D("450.01")}, "pass"),
    ("rent_within_cap", {"floor_area_m2": 96, "monthly_rent": D("820.00")}, "pass"),
    ("rent_within_cap", {"municipality_istat_code": "001020", "monthly_rent": 620}, "pass"),
    ("rent_within_cap", {"municipality_istat_code": "001020", "monthly_rent": D("620.01")}, "fail"),
    ("partner_referral", {"referral_source": "help_desk"}, "pass"),
    ("partner_referral", {"referral_source": "social_services"}, "pass"),
    ("partner_referral", {"referral_source": "self"}, "fail"),
    ("partner_referral", {"referral_source": "other"}, "fail"),
    ("no_other_live_guarantee", {"other_live_guarantees": 0}, "pass"),
    ("no_other_live_guarantee", {"other_live_guarantees": 1}, "fail"),
    ("not_relatives", {"declared_relatives": False}, "pass"),
    ("not_relatives", {"declared_relatives": True}, "review"),
]


@pytest.mark.parametrize(("code", "changes", "expected"), BOUNDARIES)
def test_default_rule_at_its_boundary(
    code: str, changes: dict[str, object], expected: VerdictResult
) -> None:
    evaluation = default_ruleset().evaluate(household(**changes))
    assert evaluation.verdict(code).result == expected
    others = [v.result for v in evaluation.verdicts if v.code != code]
    assert set(others) == {"pass"}, "only the rule under test may move"


def test_rule_kinds_of_the_default_set() -> None:
    kinds = {spec.code: spec.kind for spec in default_ruleset().specs}
    assert kinds.pop("not_relatives") == "review"
    assert set(kinds.values()) == {"blocking"}


# --- outcome and explanation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("results", "outcome"),
    [
        ([], "eligible"),
        (["pass", "pass"], "eligible"),
        (["pass", "review"], "needs_review"),
        (["review", "review"], "needs_review"),
        (["review", "fail"], "ineligible"),
        (["pass", "fail", "pass"], "ineligible"),
    ],
)
def test_outcome_aggregation(results: list[VerdictResult], outcome: str) -> None:
    assert outcome_of(results) == outcome


def test_blocking_fail_wins_over_review() -> None:
    evaluation = default_ruleset().evaluate(
        household(isee=D("30000"), declared_relatives=True, lease_months=6)
    )
    assert evaluation.outcome == "ineligible"
    assert evaluation.results()["isee"] == "review"
    assert evaluation.results()["not_relatives"] == "review"


def test_every_rule_is_explained_with_the_facts_it_read() -> None:
    ruleset = default_ruleset()
    evaluation = ruleset.evaluate(household(lease_months=6, referral_source="self"))
    assert [v.code for v in evaluation.verdicts] == list(ruleset.codes)
    assert evaluation.ruleset_version == "2026-01"
    assert len(evaluation.ruleset_digest) == 64
    failed = [v.code for v in evaluation.verdicts if v.result == "fail"]
    assert failed == ["lease_minimum_term", "partner_referral"], "not only the first failure"
    by_code = {v.code: v for v in evaluation.verdicts}
    assert by_code["isee"].facts_seen == {"isee": D("18000.00")}
    assert by_code["rent_to_income"].facts_seen == {
        "monthly_rent": D("600.00"),
        "monthly_charges": D("80.00"),
        "net_monthly_income": D("2500.00"),
    }
    assert by_code["rent_within_cap"].facts_seen == {
        "monthly_rent": D("600.00"),
        "rent_cap": D("720.00"),
        "municipality_istat_code": "001125",
        "floor_area_m2": 75,
    }
    assert by_code["dwelling_in_consortium"].facts_seen == {
        "municipality_in_consortium": True,
        "municipality_istat_code": "001125",
    }
    assert by_code["lease_minimum_term"].message == "Il contratto deve durare almeno 12 mesi"
    assert by_code["lease_minimum_term"].kind == "blocking"


def test_whole_euros_are_accepted_and_seen_as_decimals() -> None:
    evaluation = default_ruleset().evaluate(household(isee=26000))
    seen = evaluation.verdict("isee").facts_seen["isee"]
    assert isinstance(seen, Decimal)
    assert seen == D("26000")


# --- facts refused at evaluation -------------------------------------------------------


def test_missing_fact_is_named() -> None:
    facts = household()
    del facts["isee"]
    with pytest.raises(InvalidFacts) as caught:
        default_ruleset().evaluate(facts)
    assert caught.value.field == "isee"
    assert caught.value.problems == {"isee": "dato mancante"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("isee", 18000.0),
        ("isee", "18000"),
        ("isee", True),
        ("floor_area_m2", D("75")),
        ("floor_area_m2", True),
        ("lease_registered", 1),
        ("municipality_istat_code", 1125),
        ("municipality_istat_code", "1125"),
        ("referral_source", "friend"),
        ("other_live_guarantees", -1),
        ("monthly_rent", D("-1")),
        ("monthly_rent", D("NaN")),
    ],
)
def test_mistyped_fact_is_named(name: str, value: object) -> None:
    with pytest.raises(InvalidFacts) as caught:
        default_ruleset().evaluate(household(**{name: value}))
    assert list(caught.value.problems) == [name]
    assert caught.value.code == "invalid_facts"


def test_all_wrong_facts_are_reported_together() -> None:
    facts = household(isee=1.5, lease_months="dodici")
    del facts["declared_relatives"]
    with pytest.raises(InvalidFacts) as caught:
        default_ruleset().evaluate(facts)
    assert set(caught.value.problems) == {"isee", "lease_months", "declared_relatives"}


def test_facts_must_be_a_mapping() -> None:
    with pytest.raises(TypeError):
        default_ruleset().evaluate([("isee", 1)])  # type: ignore[arg-type]


def test_extra_facts_are_ignored() -> None:
    assert default_ruleset().evaluate(household(note="x")).outcome == "eligible"


# --- stored evaluations ---------------------------------------------------------------


def test_evaluation_round_trips_through_plain_json() -> None:
    evaluation = default_ruleset().evaluate(household(isee=D("26000.01")))
    stored = evaluation.to_dict()
    text = json.dumps(stored)  # plain JSON: no custom encoder needed
    assert '"isee": "26000.01"' in text
    again = Evaluation.from_dict(json.loads(text))
    assert again == evaluation
    assert isinstance(again.verdict("isee").facts_seen["isee"], Decimal)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("verdicts"),
        lambda d: d.update(outcome="maybe"),
        lambda d: d.update(outcome="eligible"),  # does not follow from a review verdict
        lambda d: d["verdicts"][0].update(result="ok"),
        lambda d: d["fact_types"].update(isee="money"),
    ],
)
def test_malformed_stored_evaluation_is_refused(damage: object) -> None:
    stored = default_ruleset().evaluate(household(isee=D("30000"))).to_dict()
    damage(stored)  # type: ignore[operator]
    with pytest.raises(ValueError):
        Evaluation.from_dict(stored)


# --- properties -------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=100_000, places=2)


@settings(max_examples=60, deadline=None)
@given(low=money, high=money)
def test_a_higher_isee_never_improves_the_outcome(low: Decimal, high: Decimal) -> None:
    low, high = sorted((low, high))
    ruleset = default_ruleset()
    better = ruleset.evaluate(household(isee=low)).outcome
    worse = ruleset.evaluate(household(isee=high)).outcome
    assert outcome_rank(better) <= outcome_rank(worse)


@settings(max_examples=60, deadline=None)
@given(income=money, other=money)
def test_a_higher_income_never_worsens_the_outcome(income: Decimal, other: Decimal) -> None:
    low, high = sorted((income, other))
    ruleset = default_ruleset()
    poorer = ruleset.evaluate(household(net_monthly_income=low)).outcome
    richer = ruleset.evaluate(household(net_monthly_income=high)).outcome
    assert outcome_rank(richer) <= outcome_rank(poorer)


@settings(max_examples=60, deadline=None)
@given(rent=st.decimals(min_value=0, max_value=2000, places=2), income=money)
def test_rent_to_income_matches_exact_percentages(rent: Decimal, income: Decimal) -> None:
    result = default_ruleset().evaluate(
        household(monthly_rent=rent, monthly_charges=D("0"), net_monthly_income=income)
    )
    expected = "pass" if rent <= income * D("0.4") else "review" if rent <= income / 2 else "fail"
    assert result.verdict("rent_to_income").result == expected


# --- building rule sets: everything refused at load -----------------------------------


def build(*rules: RuleSpec, derived: tuple[MemberOf | BandLookup, ...] = ()) -> RuleSet:
    return RuleSet(
        facts=default_facts(),
        version="t",
        effective_from=date(2026, 1, 1),
        effective_to=None,
        rules=rules,
        derived=derived,
    )


def rule(**changes: object) -> RuleSpec:
    values: dict[str, object] = {
        "code": "isee_max",
        "message": "ISEE entro la soglia",
        "kind": "blocking",
        "reads": ("isee",),
        "pass_when": "isee <= 26000",
        "review_when": None,
    }
    values.update(changes)
    return RuleSpec(**values)  # type: ignore[arg-type]


def reasons(*rules: RuleSpec, derived: tuple[MemberOf | BandLookup, ...] = ()) -> list[str]:
    with pytest.raises(InvalidDefinition) as caught:
        build(*rules, derived=derived)
    return [f"{'.'.join(map(str, p.where))}: {p.reason}" for p in caught.value.problems]


def test_unknown_fact_in_a_condition_is_refused_with_a_suggestion() -> None:
    assert reasons(rule(pass_when="isse <= 26000")) == [
        "rules.0.pass_when: regola 'isee_max': il dato 'isse' non è nel catalogo "
        "(rules/facts.yaml): forse 'isee'?",
    ]


def test_fact_listed_in_reads_but_unused_is_refused() -> None:
    assert reasons(rule(reads=("isee", "lease_months"))) == [
        "rules.0.reads: regola 'isee_max': 'lease_months' è in reads ma nessuna condizione "
        "lo usa: toglierlo o usarlo",
    ]


def test_unknown_fact_in_reads_is_refused() -> None:
    assert reasons(rule(reads=("isee", "income"))) == [
        "rules.0.reads: regola 'isee_max': il dato 'income' non è nel catalogo "
        "(rules/facts.yaml): correggere il nome o dichiararlo nel catalogo"
    ]


def test_fact_used_but_not_listed_in_reads_is_refused() -> None:
    found = reasons(rule(pass_when="isee <= 26000 and lease_months >= 12"))
    assert found == [
        "rules.0.reads: regola 'isee_max': una condizione legge 'lease_months', "
        "che manca in reads: aggiungerlo"
    ]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("isee <=", "la condizione «isee <=» è scritta male: è incompleta"),
        ("isee <= 26000 &&", "la condizione «isee <= 26000 &&» è scritta male: '&' inatteso"),
        ("isee <= 'tanto'", "la condizione «isee <= 'tanto'» mette insieme dati di tipo"),
        ("isee + 1", "la condizione «isee + 1» dà un numero invece di vero o falso"),
        ("isee <= $today", "la condizione «isee <= $today» mette insieme dati di tipo"),
        ("isee == '0'", "la condizione «isee == '0'» confronta un numero con un testo, mai uguali"),
        ("isee != 0 and (isee == true)", "la condizione «isee != 0 and (isee == true)» confronta"),
        ("isee in ['a', 'b']", "la condizione «isee in ['a', 'b']» cerca un numero fra valori"),
    ],
)
def test_bad_conditions_are_refused(condition: str, expected: str) -> None:
    found = reasons(rule(pass_when=condition))
    assert found[0].startswith(f"rules.0.pass_when: regola 'isee_max': {expected}")


def test_builtin_symbols_are_refused() -> None:
    found = reasons(rule(reads=("lease_registered",), pass_when="lease_registered or $today"))
    assert any("'$today' non ammesso" in reason for reason in found)


def test_review_when_is_for_blocking_rules_only() -> None:
    found = reasons(rule(kind="review", review_when="isee <= 35000"))
    assert found[0].startswith(
        "rules.0.review_when: regola 'isee_max': review_when vale solo per le regole blocking"
    )


def test_unknown_kind_and_bad_code_are_refused() -> None:
    found = reasons(rule(kind="advisory", code="Isee-Max"))
    assert any(".code:" in r for r in found)
    assert any("kind 'advisory' non previsto: scrivere blocking oppure review" in r for r in found)


def test_duplicate_rule_code_is_refused() -> None:
    assert reasons(rule(), rule()) == [
        "rules.1.code: regola 'isee_max': codice già usato da un'altra regola, sceglierne un altro"
    ]


def test_every_problem_of_a_rule_set_is_reported() -> None:
    found = reasons(rule(pass_when="isse <= 1"), rule(code="b", pass_when="isee <="))
    assert len(found) == 2


def test_derived_facts_are_checked() -> None:
    found = reasons(
        rule(),
        derived=(
            MemberOf("isee", "municipality_istat_code", frozenset({"001125"})),
            MemberOf("in_list", "floor_area_m2", frozenset({"1"})),
            BandLookup(
                "cap",
                "municipality_istat_code",
                "floor_area_m2",
                bands=(SizeBand("S", 0, 45), SizeBand("L", 50, None)),
                rows=((ANY_KEY, "S", D("400")), ("001125", "L", D("700"))),
            ),
        ),
    )
    assert any(r.startswith("derived.isee: dato calcolato 'isee': c'è già un dato") for r in found)
    assert (
        "derived.in_list: dato calcolato 'in_list': il dato 'floor_area_m2' è un intero, qui "
        "serve un testo o codice"
    ) in found
    assert any("fascia 'L' comincia da 50, dovrebbe cominciare da 46" in r for r in found)
    assert any("fascia 'L' non ha la riga predefinita" in r for r in found)


def test_a_fact_read_through_a_derived_fact_is_required() -> None:
    ruleset = build(
        rule(code="in_ivrea", reads=("in_ivrea",), pass_when="in_ivrea"),
        derived=(MemberOf("in_ivrea", "municipality_istat_code", frozenset({"001125"})),),
    )
    assert ruleset.inputs == ("municipality_istat_code",)
    assert ruleset.evaluate({"municipality_istat_code": "001125"}).outcome == "eligible"
    assert ruleset.evaluate({"municipality_istat_code": "001020"}).outcome == "ineligible"


def test_a_rule_set_survives_pickling() -> None:
    copy = pickle.loads(pickle.dumps(default_ruleset()))
    assert copy.evaluate(household()) == default_ruleset().evaluate(household())


# --- catalog by date -------------------------------------------------------------------


def dated(version: str, start: date, end: date | None) -> RuleSet:
    return RuleSet(
        facts=default_facts(),
        version=version,
        effective_from=start,
        effective_to=end,
        rules=(rule(),),
    )


def test_catalog_effective_on_a_date() -> None:
    catalog = RuleSetCatalog(
        [
            dated("2027-01", date(2027, 1, 1), None),
            dated("2026-01", date(2026, 1, 1), date(2026, 12, 31)),
        ]
    )
    assert catalog.effective(date(2026, 12, 31)).version == "2026-01"
    assert catalog.effective(date(2027, 1, 1)).version == "2027-01"
    assert catalog.get("2026-01").effective_to == date(2026, 12, 31)
    assert catalog.versions == ("2026-01", "2027-01")
    with pytest.raises(NotFound):
        catalog.effective(date(2025, 12, 31))
    with pytest.raises(NotFound):
        catalog.get("2030-01")


def test_catalog_refuses_overlapping_rule_sets() -> None:
    with pytest.raises(InvalidDefinition) as caught:
        RuleSetCatalog([dated("a", date(2026, 1, 1), None), dated("b", date(2026, 6, 1), None)])
    assert caught.value.problems[0].where == (1, "effective_from")


# --- impact ------------------------------------------------------------------------------


def with_isee_threshold(limit: str) -> RuleSet:
    base = default_ruleset()
    specs = [
        spec
        if spec.code != "isee"
        else rule(
            code="isee",
            message=spec.message,
            pass_when=f"isee <= {limit}",
            review_when=spec.review_when,
        )
        for spec in base.specs
    ]
    return RuleSet(
        facts=default_facts(),
        version="draft",
        effective_from=date(2026, 7, 1),
        effective_to=None,
        rules=specs,
        derived=base.derived,
    )


def population(size: int, seed: int = 7) -> list[tuple[str, dict[str, object]]]:
    rng = random.Random(seed)
    return [
        (
            f"A{i}",
            household(
                isee=D(rng.randint(15_000_00, 40_000_00)) / 100,
                net_monthly_income=D(rng.randint(1_000, 3_000)),
                declared_relatives=rng.random() < 0.1,
                lease_months=rng.choice([6, 12, 36, 48]),
            ),
        )
        for i in range(size)
    ]


def test_impact_lists_the_applications_that_move_and_why() -> None:
    apps = [
        ("at-26000", household(isee=D("26000.00"))),
        ("at-27000", household(isee=D("27000.00"))),
        ("at-27000-relatives", household(isee=D("27000.00"), declared_relatives=True)),
        ("at-27000-short", household(isee=D("27000.00"), lease_months=6)),
        ("at-28000", household(isee=D("28000.00"))),
    ]
    report = impact(default_ruleset(), with_isee_threshold("27000"), apps)
    assert report.changed_rules == ("isee",)
    assert report.examined == 5
    assert [(c.key, c.before, c.after, c.rules) for c in report.changes] == [
        ("at-27000", "needs_review", "eligible", ("isee",))
    ]
    assert report.counts() == {("needs_review", "eligible"): 1}


def test_impact_equals_evaluating_both_rule_sets_in_full() -> None:
    current, draft = default_ruleset(), with_isee_threshold("30000")
    apps = population(300)
    expected = []
    for key, facts in apps:
        before, after = current.evaluate(facts), draft.evaluate(facts)
        if before.outcome != after.outcome:
            expected.append((key, before.outcome, after.outcome))
    report = impact(current, draft, apps)
    assert [(c.key, c.before, c.after) for c in report.changes] == expected
    assert expected, "the sample must contain some changes"
    evaluations = [current.evaluate(facts) for _, facts in apps]
    stored = [ImpactCase(k, f, e) for (k, f), e in zip(apps, evaluations, strict=True)]
    assert impact(current, draft, stored) == report
    from_db = [json.loads(json.dumps(e.to_dict())) for e in evaluations]
    as_json = [ImpactCase(k, f, d) for (k, f), d in zip(apps, from_db, strict=True)]
    assert impact(current, draft, as_json) == report


def test_impact_uses_the_stored_results_when_they_match_the_rule_set() -> None:
    current, draft = default_ruleset(), with_isee_threshold("30000")
    facts = household(isee=D("29000"))
    # A stored result wins over the facts: proof that the rules were not run again.
    stored = current.evaluate(household(isee=D("40000"))).to_dict()
    report = impact(current, draft, [ImpactCase("A", facts, stored)])
    assert [(c.before, c.after) for c in report.changes] == [("ineligible", "eligible")]


@pytest.mark.parametrize(
    "stale",
    [
        Evaluation("2025-01", "eligible", (), ""),
        {"ruleset_version": "2025-01", "ruleset_digest": "", "verdicts": []},
        {"ruleset_version": "2026-01", "verdicts": "broken"},
    ],
)
def test_impact_ignores_a_stored_evaluation_of_another_rule_set(stale: object) -> None:
    current, draft = default_ruleset(), with_isee_threshold("30000")
    facts = household(isee=D("29000"))
    report = impact(current, draft, [ImpactCase("A", facts, stale)])  # type: ignore[arg-type]
    assert [(c.before, c.after) for c in report.changes] == [("needs_review", "eligible")]


def test_impact_of_an_identical_or_reworded_rule_set_is_empty() -> None:
    base = default_ruleset()
    reworded = RuleSet(
        facts=default_facts(),
        version="reworded",
        effective_from=date(2027, 1, 1),
        effective_to=None,
        rules=[
            rule(
                code="isee",
                message="nuovo testo",
                pass_when="isee <= 26000",
                review_when="isee <= 35000",
            )
            if s.code == "isee"
            else s
            for s in base.specs
        ],
        derived=base.derived,
    )
    assert changed_rules(base, reworded) == ()
    assert impact(base, reworded, population(20)).changes == ()


def test_impact_of_added_and_removed_rules() -> None:
    base = default_ruleset()
    without_relatives = RuleSet(
        facts=default_facts(),
        version="fewer",
        effective_from=date(2027, 1, 1),
        effective_to=None,
        rules=[s for s in base.specs if s.code != "not_relatives"]
        + [rule(code="isee_floor", reads=("isee",), pass_when="isee >= 1000")],
        derived=base.derived,
    )
    apps = [
        ("relatives", household(declared_relatives=True)),
        ("tiny-isee", household(isee=D("500"))),
        ("plain", household()),
    ]
    report = impact(base, without_relatives, apps)
    assert set(report.changed_rules) == {"not_relatives", "isee_floor"}
    assert [(c.key, c.before, c.after) for c in report.changes] == [
        ("relatives", "needs_review", "eligible"),
        ("tiny-isee", "eligible", "ineligible"),
    ]
    assert report.changes[0].rules == ("not_relatives",)
    assert report.changes[1].rules == ("isee_floor",)


def test_impact_reports_applications_it_cannot_evaluate() -> None:
    broken = household()
    del broken["isee"]
    report = impact(default_ruleset(), with_isee_threshold("30000"), [("bad", broken)])
    assert report.refused == (("bad", "isee: dato mancante"),)


# --- rule examples -----------------------------------------------------------------------


def test_run_examples_names_failing_examples_with_their_line() -> None:
    examples = [
        RuleExample("ok", household(), "eligible", {"isee": "pass"}, "x.yaml", 3),
        RuleExample("wrong", household(isee=D("30000")), "eligible", {"isee": "pass"}, "x.yaml", 9),
        RuleExample("ghost", household(), "eligible", {"nope": "pass"}, "x.yaml", 12),
    ]
    failures = run_examples(default_ruleset(), examples)
    assert [str(f) for f in failures] == [
        "x.yaml:9: esempio 'wrong': esito atteso ammissibile (eligible), risulta da "
        "verificare (needs_review); regola 'isee': attesa «passa (pass)», risulta «da "
        "verificare (review)»",
        "x.yaml:12: esempio 'ghost': la regola 'nope' non è nelle regole 2026-01",
    ]


def test_the_fact_contract_is_the_one_integrators_rely_on() -> None:
    # The catalogue (rules/facts.yaml) may grow; these facts keep their names and types.
    facts = default_facts()
    assert {name: facts[name].type for name in _CONTRACT} == {
        "isee": "decimal",
        "net_monthly_income": "decimal",
        "monthly_rent": "decimal",
        "monthly_charges": "decimal",
        "municipality_istat_code": "string",
        "floor_area_m2": "integer",
        "lease_type": "string",
        "lease_registered": "boolean",
        "lease_months": "integer",
        "referral_source": "string",
        "other_live_guarantees": "integer",
        "declared_relatives": "boolean",
    }


_CONTRACT = (
    "isee",
    "net_monthly_income",
    "monthly_rent",
    "monthly_charges",
    "municipality_istat_code",
    "floor_area_m2",
    "lease_type",
    "lease_registered",
    "lease_months",
    "referral_source",
    "other_live_guarantees",
    "declared_relatives",
)
