"""Mediation cases: every action from every state, first contact, agreements (EXAMPLES §D, §E)."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest

from guarantee.domain.errors import DomainError, IllegalTransition, InvalidField
from guarantee.domain.instalments import InstalmentStatus
from guarantee.domain.mediation import (
    MEDIATION_LIFECYCLE,
    AgreementInstalment,
    MediationCase,
    MediationOutcome,
    MediationStatus,
    RepaymentTerms,
)
from guarantee.domain.mediators import Mediator, open_cases_by_mediator, pick_mediator_by_workload
from tests.support.claims import OFFICE, at, report

M = MediationStatus
REPORTED = date(2027, 6, 21)
NOW = at(date(2027, 7, 15))

# The moves that change the state (SPEC §5, plus the broken agreement).
EXPECTED: dict[str, dict[M, M]] = {
    "assign": {M.OPENED: M.ASSIGNED},
    "record_first_contact": {M.ASSIGNED: M.IN_PROGRESS},
    "reach_agreement": {M.IN_PROGRESS: M.AGREEMENT},
    "record_no_agreement": {M.IN_PROGRESS: M.NO_AGREEMENT},
    "withdraw": {s: M.WITHDRAWN for s in (M.OPENED, M.ASSIGNED, M.IN_PROGRESS)},
    "record_instalment_missed": {
        M.AGREEMENT: M.AGREEMENT_BROKEN,
        M.AGREEMENT_BROKEN: M.AGREEMENT_BROKEN,
    },
    "close": {s: M.CLOSED for s in (M.AGREEMENT, M.NO_AGREEMENT, M.WITHDRAWN, M.AGREEMENT_BROKEN)},
}
# The actions that keep the state, and where they are allowed.
STAYING: dict[str, set[M]] = {
    "reassign": {M.ASSIGNED, M.IN_PROGRESS, M.AGREEMENT, M.AGREEMENT_BROKEN},
    "schedule_meeting": {M.ASSIGNED, M.IN_PROGRESS, M.AGREEMENT},
    "add_note": set(M) - {M.CLOSED},
    "record_instalment_paid": {M.AGREEMENT, M.AGREEMENT_BROKEN},
}


def opened() -> MediationCase:
    return MediationCase.for_arrears(
        report(date(2027, 5, 5), date(2027, 6, 5), reported_on=REPORTED),
        OFFICE,
        now=at(REPORTED),
        by="system",
    )


def make_case(status: M) -> MediationCase:
    """A case put in ``status`` by hand, with a one-instalment agreement due 5 August."""
    case = opened()
    case.status = status
    case.mediator_id = None if status is M.OPENED else "med-anna"
    case.outcome = MediationOutcome.AGREEMENT
    case.instalments = [AgreementInstalment(1, date(2027, 8, 5), Decimal("1460.00"))]
    case.changes.clear()
    case.events.clear()
    return case


def perform(case: MediationCase, action: str) -> None:
    if action in ("assign", "reassign"):
        case.assign("med-bruno", now=NOW)
    elif action == "record_first_contact":
        case.record_first_contact(date(2027, 6, 24), now=NOW, by="med-anna")
    elif action == "reach_agreement":
        case.reach_agreement(
            on=date(2027, 7, 15),
            reason="piano di rientro concordato",
            now=NOW,
            repayment=RepaymentTerms(Decimal("1460.00"), 6, date(2027, 8, 5)),
        )
    elif action == "record_no_agreement":
        case.record_no_agreement(on=date(2027, 7, 15), reason="nessuna proposta", now=NOW)
    elif action == "withdraw":
        case.withdraw(on=date(2027, 7, 1), reason="il conduttore ha pagato", now=NOW)
    elif action == "record_instalment_missed":
        case.record_instalment_missed(case.instalments[0].id, today=date(2027, 8, 20), now=NOW)
    elif action == "record_instalment_paid":
        case.record_instalment_paid(case.instalments[0].id, paid_on=date(2027, 8, 5), now=NOW)
    elif action == "close":
        if case.status is M.AGREEMENT:
            case.instalments[0].status = InstalmentStatus.PAID  # the plan was kept
        case.close(now=NOW)
    elif action == "schedule_meeting":
        case.schedule_meeting(
            on=date(2027, 7, 8),
            at=time(10, 30),
            place="Sportello casa, Ivrea",
            participants="conduttore, locatore, mediatrice",
            by="med-anna",
            now=NOW,
        )
    elif action == "add_note":
        case.add_note("telefonata al locatore", by="med-anna", now=NOW)
    else:
        raise AssertionError(action)


def snapshot(case: MediationCase) -> tuple[Any, ...]:
    return (
        case.status,
        case.mediator_id,
        case.outcome,
        case.first_contact_on,
        case.agreement_broken_on,
        len(case.meetings),
        len(case.notes),
        [(i.status, i.amount) for i in case.instalments],
        len(case.changes),
        len(case.events),
    )


CASES = [(action, state) for action in [*EXPECTED, *STAYING] for state in M]


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_every_action_from_every_state(action: str, state: M) -> None:
    case = make_case(state)
    if action in STAYING:
        expected: M | None = state if state in STAYING[action] else None
    else:
        expected = EXPECTED[action].get(state)
    # assign() is one method: on a case with a mediator it is a reassignment, and vice versa
    if action == "assign" and state in STAYING["reassign"]:
        expected = state
    if action == "reassign" and state is M.OPENED:
        expected = M.ASSIGNED
    if expected is None:
        before = snapshot(case)
        with pytest.raises(IllegalTransition) as refused:
            perform(case, action)
        assert state.value in refused.value.message
        assert snapshot(case) == before, "a refused move changes nothing"
    else:
        perform(case, action)
        assert case.status is expected
        assert case.changes, "every move is recorded for the audit trail"


def test_the_table_in_the_domain_is_the_table_of_the_spec() -> None:
    for action, moves in EXPECTED.items():
        assert MEDIATION_LIFECYCLE.moves[action].sources == frozenset(moves)
        assert MEDIATION_LIFECYCLE.moves[action].targets == frozenset(moves.values())
    for action, states in STAYING.items():
        assert MEDIATION_LIFECYCLE.moves[action].sources == frozenset(states)
    assert set(MEDIATION_LIFECYCLE.moves) == set(EXPECTED) | set(STAYING)


def test_examples_d_an_arrears_report_opens_a_case_with_first_contact_in_5_working_days() -> None:
    case = opened()
    assert case.status is M.OPENED
    assert case.guarantee_id == "g-1"
    assert case.arrears_report_id is not None
    assert case.opened_on == REPORTED
    assert case.first_contact_due == date(2027, 6, 28)
    assert case.reason == "morosità segnalata il 21 giugno 2027: 2 canoni non pagati (1.460,00 €)"
    assert case.events[0].name == "mediation_opened"
    assert case.allowed_actions == ["add_note", "assign", "withdraw"]


def test_first_contact_is_overdue_the_day_after_it_was_due() -> None:
    case = opened()
    assert not case.is_overdue(date(2027, 6, 28))
    assert case.is_overdue(date(2027, 6, 29))
    case.assign("med-anna", now=at(REPORTED))
    assert case.is_overdue(date(2027, 6, 29))
    case.record_first_contact(date(2027, 6, 29), now=at(date(2027, 6, 29)), by="med-anna")
    assert not case.is_overdue(date(2027, 7, 30))
    assert case.changes[-1].after["late"] is True


def test_a_withdrawn_case_is_never_overdue() -> None:
    case = opened()
    case.withdraw(on=date(2027, 6, 22), reason="saldato", now=NOW)
    assert not case.is_overdue(date(2027, 12, 31))


def test_examples_d_no_agreement_opens_the_path_to_a_claim_once_closed() -> None:
    case = opened()
    case.assign("med-anna", now=at(date(2027, 6, 22)))
    case.record_first_contact(
        date(2027, 6, 24), now=at(date(2027, 6, 24)), by="med-anna", note="telefonata"
    )
    meeting = case.schedule_meeting(
        on=date(2027, 7, 8),
        at=time(10, 30),
        place="Sportello casa, Ivrea",
        participants="conduttore, locatore, mediatrice",
        by="med-anna",
        now=at(date(2027, 6, 25)),
    )
    case.record_meeting_notes(
        meeting.id, "il conduttore non può pagare: perso il lavoro", now=at(date(2027, 7, 8))
    )
    case.record_no_agreement(on=date(2027, 7, 15), reason="nessuna proposta sostenibile", now=NOW)
    assert case.status is M.NO_AGREEMENT
    assert not case.opens_claim_path, "SPEC §3: the case must have closed"
    case.close(now=NOW)
    assert case.status is M.CLOSED
    assert case.opens_claim_path
    assert case.outcome is MediationOutcome.NO_AGREEMENT
    assert case.outcome_reason == "nessuna proposta sostenibile"
    assert case.meetings[0].notes.startswith("il conduttore")
    assert [n.text for n in case.notes] == ["telefonata"]
    assert case.events[-1].data == {
        "guarantee_id": "g-1",
        "outcome": "no_agreement",
        "opens_claim_path": True,
    }
    assert [c.action for c in case.changes] == [
        "opened",
        "assign",
        "record_first_contact",
        "schedule_meeting",
        "add_note",
        "record_no_agreement",
        "close",
    ]


def agreed() -> MediationCase:
    case = opened()
    case.assign("med-anna", now=NOW)
    case.record_first_contact(date(2027, 6, 24), now=NOW, by="med-anna")
    case.reach_agreement(
        on=date(2027, 7, 15),
        reason="il conduttore restituisce gli arretrati in sei mesi",
        now=NOW,
        repayment=RepaymentTerms(Decimal("1460.00"), 6, date(2027, 8, 5)),
    )
    return case


def test_examples_e_agreement_in_6_instalments_all_paid_closes_without_a_claim() -> None:
    case = agreed()
    assert case.agreement_total == Decimal("1460.00")
    assert [i.amount for i in case.instalments] == [Decimal("243.33")] * 5 + [Decimal("243.35")]
    assert [i.due_on for i in case.instalments] == [
        date(2027, month, 5) for month in (8, 9, 10, 11, 12)
    ] + [date(2028, 1, 5)]
    for instalment in case.instalments:
        assert not case.agreement_fulfilled
        case.record_instalment_paid(instalment.id, paid_on=instalment.due_on, now=NOW)
    assert case.agreement_fulfilled
    assert case.agreement_paid == Decimal("1460.00")
    assert case.events[-1].name == "mediation_agreement_fulfilled"
    case.close(now=NOW)
    assert case.status is M.CLOSED
    assert case.outcome is MediationOutcome.AGREEMENT
    assert not case.opens_claim_path


def test_examples_e_a_missed_instalment_breaks_the_agreement_and_reopens_the_claim_path() -> None:
    case = agreed()
    first, second = case.instalments[:2]
    case.record_instalment_paid(first.id, paid_on=date(2027, 8, 5), now=NOW, amount=first.amount)
    assert not case.opens_claim_path
    case.record_instalment_missed(second.id, today=date(2027, 9, 20), now=NOW, reason="nessun")
    assert case.status is M.AGREEMENT_BROKEN
    assert case.agreement_broken_on == date(2027, 9, 20)
    assert case.opens_claim_path, "no need to wait for the close"
    assert case.events[-1].name == "mediation_agreement_broken"
    assert case.events[-1].data == {"guarantee_id": "g-1", "instalment": 2}
    # a later missed instalment adds to the record but the breach stays the first one
    case.record_instalment_missed(case.instalments[2].id, today=date(2027, 10, 20), now=NOW)
    assert case.agreement_broken_on == date(2027, 9, 20)
    case.close(now=NOW)
    assert case.opens_claim_path


def test_an_instalment_cannot_be_missed_before_it_is_due() -> None:
    case = agreed()
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:
        case.record_instalment_missed(case.instalments[0].id, today=date(2027, 8, 5), now=NOW)
    assert refused.value.code == "instalment_not_yet_due"
    assert snapshot(case) == before


def test_a_payment_of_another_amount_is_refused() -> None:
    case = agreed()
    with pytest.raises(InvalidField, match="non corrisponde"):
        case.record_instalment_paid(
            case.instalments[0].id, paid_on=date(2027, 8, 5), now=NOW, amount=Decimal("200")
        )
    assert case.instalments[0].status is InstalmentStatus.DUE


def test_an_agreement_with_instalments_to_pay_does_not_close() -> None:
    case = agreed()
    with pytest.raises(DomainError) as refused:
        case.close(now=NOW)
    assert refused.value.code == "agreement_running"
    assert "6 rate" in refused.value.message
    assert case.status is M.AGREEMENT


def test_an_agreement_without_a_plan_closes_at_once() -> None:
    case = opened()
    case.assign("med-anna", now=NOW)
    case.record_first_contact(date(2027, 6, 24), now=NOW, by="med-anna")
    case.reach_agreement(on=date(2027, 7, 15), reason="il conduttore lascia l'alloggio", now=NOW)
    assert case.instalments == []
    case.close(now=NOW)
    assert case.status is M.CLOSED
    assert not case.opens_claim_path


def test_a_withdrawn_case_never_opens_the_claim_path() -> None:
    case = opened()
    case.withdraw(on=date(2027, 6, 25), reason="il conduttore ha saldato", now=NOW)
    case.close(now=NOW)
    assert not case.opens_claim_path


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        (RepaymentTerms(Decimal("1460"), 0, date(2027, 8, 5)), "repayment.instalments"),
        (RepaymentTerms(Decimal("0"), 6, date(2027, 8, 5)), "repayment.total"),
        (RepaymentTerms(Decimal("1460"), 6, date(2027, 7, 1)), "repayment.first_due_on"),
        (RepaymentTerms(Decimal("0.05"), 6, date(2027, 8, 5)), "repayment.instalments"),
    ],
)
def test_wrong_repayment_terms_change_nothing(terms: RepaymentTerms, field: str) -> None:
    case = opened()
    case.assign("med-anna", now=NOW)
    case.record_first_contact(date(2027, 6, 24), now=NOW, by="med-anna")
    before = snapshot(case)
    with pytest.raises(InvalidField) as refused:
        case.reach_agreement(on=date(2027, 7, 15), reason="accordo", now=NOW, repayment=terms)
    assert refused.value.field == field
    assert snapshot(case) == before


def test_outcomes_and_notes_need_words() -> None:
    case = opened()
    case.assign("med-anna", now=NOW)
    case.record_first_contact(date(2027, 6, 24), now=NOW, by="med-anna")
    with pytest.raises(InvalidField):
        case.record_no_agreement(on=date(2027, 7, 15), reason="  ", now=NOW)
    with pytest.raises(InvalidField):
        case.add_note("", by="med-anna", now=NOW)
    with pytest.raises(InvalidField):
        case.record_no_agreement(on=date(2027, 6, 1), reason="prima dell'apertura", now=NOW)
    assert case.status is M.IN_PROGRESS
    assert case.outcome is None


def test_first_contact_cannot_precede_the_report() -> None:
    case = opened()
    case.assign("med-anna", now=NOW)
    with pytest.raises(InvalidField):
        case.record_first_contact(date(2027, 6, 20), now=NOW, by="med-anna")
    assert case.status is M.ASSIGNED


def test_reassignment_keeps_the_state_and_is_recorded() -> None:
    case = opened()
    case.assign("med-anna", now=NOW)
    with pytest.raises(DomainError, match="già assegnata"):
        case.assign("med-anna", now=NOW)
    case.assign("med-bruno", now=NOW, reason="ferie")
    assert case.status is M.ASSIGNED
    assert case.mediator_id == "med-bruno"
    change = case.changes[-1]
    assert (change.action, change.before["mediator_id"], change.after["mediator_id"]) == (
        "reassign",
        "med-anna",
        "med-bruno",
    )
    assert change.reason == "ferie"


# -- choosing a mediator by workload ---------------------------------------------------------

ANNA = Mediator("u-anna", "Anna Bertolino")
BRUNO = Mediator("u-bruno", "Bruno Chiono")
CARLA = Mediator("u-carla", "carla Actis")


def test_the_mediator_with_fewest_open_cases_is_picked() -> None:
    assert pick_mediator_by_workload([ANNA, BRUNO, CARLA], {"u-anna": 3, "u-carla": 2}) == BRUNO


def test_a_tie_goes_to_the_first_name_alphabetically_whatever_the_case() -> None:
    assert pick_mediator_by_workload([BRUNO, ANNA, CARLA], {}) == ANNA
    assert pick_mediator_by_workload([BRUNO, ANNA, CARLA], {"u-anna": 1}) == BRUNO
    assert pick_mediator_by_workload([BRUNO, CARLA], {}) == BRUNO  # "Bruno" < "carla"


def test_without_mediators_nobody_is_picked() -> None:
    with pytest.raises(DomainError) as refused:
        pick_mediator_by_workload([], {})
    assert refused.value.code == "no_mediator"


def test_open_cases_are_counted_per_mediator_closed_ones_not() -> None:
    a, b, c, d = opened(), opened(), opened(), opened()
    for case, mediator in ((a, "u-anna"), (b, "u-anna"), (c, "u-bruno")):
        case.assign(mediator, now=NOW)
    c.withdraw(on=date(2027, 6, 25), reason="saldato", now=NOW)
    c.close(now=NOW)
    assert open_cases_by_mediator([a, b, c, d]) == {"u-anna": 2}


def test_after_a_meeting_who_came_replaces_who_was_invited_and_the_trail_keeps_both() -> None:
    case = make_case(M.IN_PROGRESS)
    meeting = case.schedule_meeting(
        on=date(2027, 7, 8),
        at=time(10, 30),
        place="Sportello casa, Ivrea",
        participants="conduttore, locatore, mediatrice",
        by="med-anna",
        now=NOW,
    )
    case.record_meeting_held(
        meeting.id, attended="conduttore, mediatrice", notes=" il locatore non è venuto ", now=NOW
    )
    assert (meeting.participants, meeting.notes) == (
        "conduttore, mediatrice",
        "il locatore non è venuto",
    )
    change = case.changes[-1]
    assert change.before["participants"] == "conduttore, locatore, mediatrice"
    assert change.after["attended"] == "conduttore, mediatrice"
    assert case.status is M.IN_PROGRESS
    with pytest.raises(InvalidField) as refused:
        case.record_meeting_held(meeting.id, attended="  ", notes="", now=NOW)
    assert refused.value.field == "attended"
    closed = make_case(M.CLOSED)
    with pytest.raises(IllegalTransition):
        closed.record_meeting_held(meeting.id, attended="conduttore", notes="", now=NOW)
