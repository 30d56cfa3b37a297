"""Recovery plans and instalment splitting: EXAMPLES §D steps 6–7, §E, properties."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from guarantee.domain.claims import ClaimStatus, paid_by_kind
from guarantee.domain.cover import CoverState
from guarantee.domain.errors import DomainError, IllegalTransition, InvalidField
from guarantee.domain.instalments import InstalmentStatus, monthly_due_dates, split_instalments
from guarantee.domain.recovery import RECOVERY_LIFECYCLE, RecoveryPlan, RecoveryStatus
from tests.support.claims import GARANZIA_CASA, at, examples_d_paid_claim, product

R = RecoveryStatus
D = Decimal
NOW = at(date(2027, 8, 1))
FIRST_DUE = date(2027, 9, 1)


def plan(
    income: str = "1400.00", amount: str = "4190.00", instalments: int | None = None
) -> RecoveryPlan:
    return RecoveryPlan(
        claim_id="claim-1",
        guarantee_id="g-1",
        household_id="h-1",
        amount=D(amount),
        net_monthly_income=D(income),
        product=GARANZIA_CASA,
        first_due_on=FIRST_DUE,
        created_at=NOW,
        created_by="gestore",
        instalments=instalments,
    )


def pay(recovery: RecoveryPlan, count: int) -> None:
    for instalment in recovery.instalments[:count]:
        recovery.record_payment(instalment.id, paid_on=instalment.due_on, now=NOW)


# -- EXAMPLES --------------------------------------------------------------------------------


def test_examples_d_step_6_income_1400_spreads_4190_over_36_instalments() -> None:
    recovery = plan("1400.00")
    assert recovery.instalment_cap == D("140.00")
    amounts = [i.amount for i in recovery.instalments]
    assert amounts == [D("116.39")] * 35 + [D("116.35")]
    assert recovery.planned_amount == D("4190.00")
    assert recovery.proposed_write_off == D("0.00")
    assert recovery.instalments[0].due_on == date(2027, 9, 1)
    assert recovery.instalments[-1].due_on == date(2030, 8, 1)
    assert recovery.status is R.ACTIVE
    assert recovery.events[0].name == "recovery_plan_created"


def test_examples_d_step_6_income_1000_proposes_590_for_write_off() -> None:
    recovery = plan("1000.00")
    assert recovery.instalment_cap == D("100.00")
    assert [i.amount for i in recovery.instalments] == [D("100.00")] * 36
    assert recovery.planned_amount == D("3600.00")
    assert recovery.proposed_write_off == D("590.00")
    assert not recovery.proposal_decided


def test_examples_d_step_7_three_paid_two_missed() -> None:
    recovery = plan("1400.00")
    pay(recovery, 3)
    for instalment in recovery.instalments[3:5]:
        recovery.record_missed(instalment.id, today=date(2028, 1, 20), now=NOW)
    assert recovery.recovered == D("349.17")
    assert recovery.balance == D("3840.83")
    assert recovery.missed_count == 2
    assert recovery.status is R.ACTIVE
    # money recovered goes back to the fund but does not restore cover
    claim = examples_d_paid_claim()
    claim.start_recovery(recovery.id, now=NOW)
    cover = CoverState.of(GARANZIA_CASA, D("650.00"), paid_by_kind([claim]))
    assert cover.overall_remaining == D("8610.00")
    paid_events = [e for e in recovery.events if e.name == "recovery_instalment_paid"]
    assert [e.data["amount"] for e in paid_events] == ["116.39"] * 3


def test_examples_e_the_same_split_serves_the_mediation_agreement() -> None:
    assert split_instalments(D("1460.00"), 6) == [D("243.33")] * 5 + [D("243.35")]


# -- lifecycle -------------------------------------------------------------------------------

EXPECTED: dict[str, dict[R, R]] = {
    "record_payment": {R.ACTIVE: R.ACTIVE},
    "record_missed": {R.ACTIVE: R.ACTIVE},
    "decide_proposed_write_off": {R.ACTIVE: R.ACTIVE},
    "write_off": {R.ACTIVE: R.WRITTEN_OFF},
    "replace": {R.ACTIVE: R.REPLACED},
}


def perform(recovery: RecoveryPlan, action: str) -> None:
    first = recovery.instalments[0]
    if action == "record_payment":
        recovery.record_payment(first.id, paid_on=first.due_on, now=NOW)
    elif action == "record_missed":
        recovery.record_missed(first.id, today=date(2027, 9, 20), now=NOW)
    elif action == "replace":
        recovery.replan(
            net_monthly_income=D("900.00"),
            product=GARANZIA_CASA,
            first_due_on=date(2027, 10, 1),
            reason="reddito diminuito",
            now=NOW,
            created_by="gestore",
        )
    else:
        getattr(recovery, action)(reason="reddito insufficiente", now=NOW)


def snapshot(recovery: RecoveryPlan) -> tuple[Any, ...]:
    return (
        recovery.status,
        [i.status for i in recovery.instalments],
        recovery.written_off,
        recovery.proposal_decided,
        len(recovery.changes),
        len(recovery.events),
    )


CASES = [(action, state) for action in EXPECTED for state in R]


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_every_action_from_every_state(action: str, state: R) -> None:
    recovery = plan("1000.00")  # with a write-off proposal, so every action applies
    recovery.status = state
    expected = EXPECTED[action].get(state)
    if expected is None:
        before = snapshot(recovery)
        with pytest.raises(IllegalTransition) as refused:
            perform(recovery, action)
        assert state.value in refused.value.message
        assert snapshot(recovery) == before, "a refused move changes nothing"
    else:
        perform(recovery, action)
        assert recovery.status is expected
        assert recovery.changes[-1].action == action


def test_the_table_in_the_domain() -> None:
    assert {a: set(m.sources) for a, m in RECOVERY_LIFECYCLE.moves.items()} == {
        "record_payment": {R.ACTIVE},
        "record_missed": {R.ACTIVE},
        "decide_proposed_write_off": {R.ACTIVE},
        "write_off": {R.ACTIVE},
        "replace": {R.ACTIVE},
    }
    assert RECOVERY_LIFECYCLE.moves["record_payment"].targets == {R.ACTIVE, R.COMPLETED}
    assert RECOVERY_LIFECYCLE.moves["write_off"].targets == {R.WRITTEN_OFF}


def test_paying_every_instalment_completes_the_plan_and_the_claim_is_recovered() -> None:
    claim = examples_d_paid_claim()
    recovery = plan("1400.00")
    claim.start_recovery(recovery.id, now=NOW)
    pay(recovery, 36)
    assert recovery.status is R.COMPLETED
    assert recovery.recovered == D("4190.00")
    assert recovery.balance == D("0.00")
    assert recovery.ended_at == NOW
    assert recovery.events[-1].name == "recovery_plan_ended"
    status = claim.end_recovery(
        recovered=recovery.recovered, written_off=recovery.written_off, now=NOW
    )
    assert status is ClaimStatus.RECOVERED


def test_the_proposed_write_off_is_a_decision_then_the_plan_runs_to_its_end() -> None:
    claim = examples_d_paid_claim()
    recovery = plan("1000.00")
    claim.start_recovery(recovery.id, now=NOW)
    with pytest.raises(InvalidField):
        recovery.decide_proposed_write_off(reason=" ", now=NOW)
    assert recovery.decide_proposed_write_off(reason="reddito del nucleo", now=NOW) == D("590.00")
    assert recovery.written_off == D("590.00")
    assert recovery.events[-1].data["amount"] == "590.00"
    with pytest.raises(DomainError) as twice:
        recovery.decide_proposed_write_off(reason="di nuovo", now=NOW)
    assert twice.value.code == "no_write_off_proposal"
    pay(recovery, 36)
    assert recovery.status is R.COMPLETED
    status = claim.end_recovery(
        recovered=recovery.recovered, written_off=recovery.written_off, now=NOW
    )
    assert status is ClaimStatus.WRITTEN_OFF
    assert (claim.recovered_amount, claim.written_off_amount) == (D("3600.00"), D("590.00"))


def test_all_paid_with_the_proposal_undecided_waits_for_the_decision() -> None:
    recovery = plan("1000.00")
    pay(recovery, 36)
    assert recovery.status is R.ACTIVE
    assert recovery.balance == D("590.00")
    recovery.decide_proposed_write_off(reason="reddito del nucleo", now=NOW)
    assert recovery.status is R.COMPLETED


def test_writing_off_the_rest_ends_the_plan() -> None:
    recovery = plan("1400.00")
    pay(recovery, 3)
    recovery.record_missed(recovery.instalments[3].id, today=date(2027, 12, 20), now=NOW)
    assert recovery.write_off(reason="il conduttore è irreperibile", now=NOW) == D("3840.83")
    assert recovery.status is R.WRITTEN_OFF
    assert recovery.balance == D("0.00")
    assert recovery.write_off_reason == "il conduttore è irreperibile"
    statuses = [i.status for i in recovery.instalments]
    assert statuses[:3] == [InstalmentStatus.PAID] * 3
    assert set(statuses[3:]) == {InstalmentStatus.CANCELLED}
    assert [e.name for e in recovery.events[-2:]] == ["recovery_written_off", "recovery_plan_ended"]


def test_a_missed_instalment_may_still_be_paid_late() -> None:
    recovery = plan("1400.00")
    first = recovery.instalments[0]
    recovery.record_missed(first.id, today=date(2027, 9, 20), now=NOW)
    recovery.record_payment(first.id, paid_on=date(2027, 10, 2), now=NOW)
    assert first.status is InstalmentStatus.PAID
    assert first.missed_on == date(2027, 9, 20)
    assert recovery.missed_count == 0


def test_an_instalment_is_missed_only_after_its_due_date_and_paid_in_full() -> None:
    recovery = plan("1400.00")
    first = recovery.instalments[0]
    with pytest.raises(DomainError):
        recovery.record_missed(first.id, today=first.due_on, now=NOW)
    with pytest.raises(InvalidField):
        recovery.record_payment(first.id, paid_on=first.due_on, now=NOW, amount=D("100"))
    assert first.status is InstalmentStatus.DUE
    with pytest.raises(DomainError) as unknown:
        recovery.record_payment("nessuna", paid_on=first.due_on, now=NOW)
    assert unknown.value.code == "not_found"


def test_fewer_instalments_may_be_chosen_and_the_rest_is_proposed() -> None:
    recovery = plan("1400.00", instalments=12)
    assert [i.amount for i in recovery.instalments] == [D("140.00")] * 12
    assert recovery.proposed_write_off == D("2510.00")


def test_no_income_no_instalments_everything_proposed() -> None:
    recovery = plan("0.00")
    assert recovery.instalments == []
    assert recovery.proposed_write_off == D("4190.00")
    recovery.decide_proposed_write_off(reason="nucleo senza reddito", now=NOW)
    assert recovery.status is R.COMPLETED


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"instalments": 0}, "instalments"),
        ({"instalments": 37}, "instalments"),
        ({"amount": "0"}, "amount"),
        ({"income": "-1"}, "net_monthly_income"),
    ],
)
def test_wrong_plans_are_refused(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        plan(**kwargs)
    assert refused.value.field == field


# -- splitting and dates ---------------------------------------------------------------------


def test_due_dates_keep_the_day_or_fall_on_the_last_of_the_month() -> None:
    assert monthly_due_dates(date(2027, 1, 31), 4) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]


def test_rounding_never_pushes_the_last_instalment_above_the_cap() -> None:
    # 5,039.81 / 36 = 139.9947… → 139.99 would leave 140.16 for the last one
    amounts = split_instalments(D("5039.81"), 36, D("140.00"))
    assert max(amounts) <= D("140.00")
    assert sum(amounts) == D("5039.81")


def test_a_tiny_total_gets_one_instalment_per_cent() -> None:
    assert split_instalments(D("0.05"), 36) == [D("0.01")] * 5
    assert split_instalments(D("0"), 36) == []


def test_a_cap_of_fewer_cents_than_instalments_spreads_the_cents_at_the_end() -> None:
    assert split_instalments(D("0.06"), 4, D("0.02")) == [D("0.01")] * 2 + [D("0.02")] * 2


def test_counting_needs_a_positive_count() -> None:
    with pytest.raises(ValueError):
        split_instalments(D("100"), 0)


TOTALS = st.decimals(min_value=D("0.00"), max_value=D("100000"), places=2)
CAPS = st.one_of(st.none(), st.decimals(min_value=D("0.00"), max_value=D("5000"), places=2))


@given(total=TOTALS, count=st.integers(min_value=1, max_value=60), cap=CAPS)
# A cap of fewer cents than instalments where an equal amount fits: the last one took the
# remaining 4 cents beside eighteen of 2 (found by Hypothesis).
@example(total=D("0.40"), count=19, cap=D("0.04"))
def test_split_properties(total: Decimal, count: int, cap: Decimal | None) -> None:
    amounts = split_instalments(total, count, cap)
    reachable = total if cap is None else min(total, count * cap)
    assert sum(amounts, D("0")) == reachable
    assert len(amounts) <= count
    assert all(a > 0 for a in amounts)
    if cap is not None:
        assert all(a <= cap for a in amounts)
    if cap is None or cap * 100 >= count:
        assert len(set(amounts[:-1])) <= 1, "all but the last are equal"
    else:  # a cap of a few cents: the amounts still differ by a cent at most
        assert not amounts or max(amounts) - min(amounts) <= D("0.01")
    if amounts and reachable == total and len(amounts) == count:
        # the regular amount is the half-up share, or a cent off it to respect the bounds
        share = (total / count).quantize(D("0.01"), rounding=ROUND_HALF_UP)
        assert abs(amounts[0] - share) <= D("0.01")


@given(
    amount=st.decimals(min_value=D("0.01"), max_value=D("20000"), places=2),
    income=st.decimals(min_value=D("0.00"), max_value=D("6000"), places=2),
    share=st.sampled_from([D("0.05"), D("0.10"), D("0.25")]),
    max_instalments=st.integers(min_value=1, max_value=48),
)
def test_plan_properties(
    amount: Decimal, income: Decimal, share: Decimal, max_instalments: int
) -> None:
    terms = product(
        recovery_instalment_income_share=share, recovery_max_instalments=max_instalments
    )
    recovery = RecoveryPlan(
        claim_id="c",
        guarantee_id="g",
        household_id="h",
        amount=amount,
        net_monthly_income=income,
        product=terms,
        first_due_on=FIRST_DUE,
        created_at=NOW,
        created_by="gestore",
    )
    amounts = [i.amount for i in recovery.instalments]
    assert sum(amounts, D("0")) + recovery.proposed_write_off == amount
    assert len(amounts) <= max_instalments
    assert all(a <= terms.recovery_instalment_cap(income) for a in amounts)
    assert recovery.proposed_write_off >= 0
    assert [i.number for i in recovery.instalments] == list(range(1, len(amounts) + 1))


# -- re-planning after an income change ------------------------------------------------------


def test_a_replan_closes_the_old_plan_and_plans_the_rest_at_the_new_income() -> None:
    old = plan("1400.00")
    pay(old, 3)  # 349,17 € back
    old.record_missed(old.instalments[3].id, today=date(2027, 12, 20), now=NOW)
    new = old.replan(
        net_monthly_income=D("900.00"),
        product=GARANZIA_CASA,
        first_due_on=date(2028, 1, 1),
        reason="perdita del lavoro",
        now=NOW,
        created_by="gestore",
        number="RIE-2027-000002",
    )
    assert old.status is R.REPLACED
    assert old.recovered == D("349.17")
    assert old.carried_over == D("3840.83")
    assert old.balance == D("0.00")
    statuses = [i.status for i in old.instalments]
    assert statuses[:3] == [InstalmentStatus.PAID] * 3
    assert set(statuses[3:]) == {InstalmentStatus.CANCELLED}
    assert old.replaced_by_plan_id == new.id
    assert old.changes[-1].action == "replace"
    assert old.changes[-1].after["carried_over"] == "3840.83"
    assert new.replaces_plan_id == old.id
    assert new.amount == D("3840.83")
    assert new.instalment_cap == D("90.00")
    assert max(i.amount for i in new.instalments) <= D("90.00")
    assert new.planned_amount == D("3240.00")  # 36 × 90,00 €
    assert new.proposed_write_off == D("600.83")
    assert new.status is R.ACTIVE


def test_a_replan_needs_a_changed_income_and_a_reason() -> None:
    old = plan("1400.00")
    with pytest.raises(DomainError, match="registrare prima la variazione del reddito"):
        old.replan(
            net_monthly_income=D("1400.00"),
            product=GARANZIA_CASA,
            first_due_on=date(2028, 1, 1),
            reason="nuovo piano",
            now=NOW,
            created_by="gestore",
        )
    with pytest.raises(InvalidField, match="reason"):
        old.replan(
            net_monthly_income=D("900.00"),
            product=GARANZIA_CASA,
            first_due_on=date(2028, 1, 1),
            reason=" ",
            now=NOW,
            created_by="gestore",
        )
    assert old.status is R.ACTIVE
    assert all(i.status is InstalmentStatus.DUE for i in old.instalments)
