"""Money out and back: paying claims, recoveries and write-offs keep the books balanced,
the reserve following what is still at risk, and never overcommit the fund (EXAMPLES §D)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guarantee.domain.errors import DomainError, InsufficientCapacity, InvalidField
from guarantee.domain.fund_figures import DayTotals, Figures
from guarantee.domain.funds import Fund, reserve_at_risk
from guarantee.domain.ledger import Account, EntryKind, Side, balances

NOW = datetime(2027, 7, 25, tzinfo=UTC)
DAY = date(2027, 7, 25)
RATIO = Decimal("0.30")
EXPOSURE = Decimal("12800.00")
RESERVE = Decimal("3840.00")


def fund_holding(amount: str) -> Fund:
    fund = Fund(name="Fondo Garanzia Casa Eporediese", territory="Eporediese", created_at=NOW)
    fund.record_contribution(
        amount=Decimal(amount), donor="Fondazione", on=DAY, reference="d", now=NOW, by="g"
    )
    return fund


def reserve(fund: Fund, gid: str = "g1", amount: Decimal = RESERVE) -> None:
    fund.reserve_for(
        guarantee_id=gid,
        guarantee_number=f"GC-{gid}",
        reserve=amount,
        exposure=EXPOSURE,
        on=DAY,
        now=NOW,
        by="g",
    )


def pay(
    fund: Fund,
    amount: str,
    *,
    paid_before: str = "0.00",
    reserve_before: Decimal = RESERVE,
    live: bool = True,
    gid: str = "g1",
) -> None:
    fund.pay_claim(
        guarantee_id=gid,
        guarantee_number=f"GC-{gid}",
        amount=Decimal(amount),
        maximum_exposure=EXPOSURE,
        paid_before=Decimal(paid_before),
        reserve_before=reserve_before,
        reserve_ratio=RATIO,
        live=live,
        on=DAY,
        now=NOW,
        by="g",
    )


def recover(fund: Fund, amount: str, outstanding: Decimal) -> None:
    fund.record_recovery(
        guarantee_id="g1",
        guarantee_number="GC-g1",
        amount=Decimal(amount),
        outstanding=outstanding,
        on=DAY,
        reference="rata",
        now=NOW,
        by="g",
    )


def write_off(fund: Fund, amount: str, outstanding: Decimal, reason: str = "inesigibile") -> None:
    fund.write_off(
        guarantee_id="g1",
        guarantee_number="GC-g1",
        amount=Decimal(amount),
        outstanding=outstanding,
        reason=reason,
        on=DAY,
        now=NOW,
        by="g",
    )


def test_example_d_paying_4190_lowers_balance_and_reserve_in_one_entry() -> None:
    fund = fund_holding("100000.00")
    reserve(fund)
    pay(fund, "4190.00")
    entry = fund.new_entries[-1]
    assert entry.kind is EntryKind.CLAIM_PAYMENT and entry.guarantee_id == "g1"
    legs = {(p.account, p.side): p.amount for p in entry.postings}
    assert legs == {
        (Account.CLAIMS_PAID, Side.DEBIT): Decimal("4190.00"),
        (Account.CASH, Side.CREDIT): Decimal("4190.00"),
        (Account.RESERVES, Side.DEBIT): Decimal("1257.00"),
        (Account.CAPITAL, Side.CREDIT): Decimal("1257.00"),
        (Account.RECOVERIES_RECEIVABLE, Side.DEBIT): Decimal("4190.00"),
        (Account.RECOVERABLE_CLAIMS, Side.CREDIT): Decimal("4190.00"),
    }
    assert fund.balance == Decimal("95810.00")
    assert fund.reserved == Decimal("2583.00")
    assert fund.exposure == Decimal("8610.00"), "what is still at risk on the guarantee"
    assert fund.figures.loss_ratio == Decimal("0.0419")
    assert fund.live_guarantees == 1


def test_example_d_recoveries_come_back_without_restoring_cover_or_reserve() -> None:
    fund = fund_holding("100000.00")
    reserve(fund)
    pay(fund, "4190.00")
    owed = Decimal("4190.00")
    for instalment in ("116.39", "116.39", "116.39"):
        recover(fund, instalment, owed)
        owed -= Decimal(instalment)
    assert fund.balance == Decimal("96159.17")
    assert fund.recoveries == Decimal("349.17")
    assert fund.figures.loss_ratio == Decimal("0.0384")
    assert fund.reserved == Decimal("2583.00") and fund.exposure == Decimal("8610.00")
    truth = balances(fund.new_entries)
    assert truth[Account.RECOVERIES_RECEIVABLE] == owed == Decimal("3840.83")


def test_a_write_off_closes_what_will_not_come_back_without_touching_cash() -> None:
    fund = fund_holding("100000.00")
    reserve(fund)
    pay(fund, "4190.00")
    write_off(fund, "590.00", Decimal("4190.00"), "oltre le 36 rate sostenibili")
    entry = fund.new_entries[-1]
    assert entry.kind is EntryKind.WRITE_OFF
    assert {(p.account, p.side) for p in entry.postings} == {
        (Account.WRITE_OFFS, Side.DEBIT),
        (Account.RECOVERIES_RECEIVABLE, Side.CREDIT),
    }
    assert fund.write_offs == Decimal("590.00")
    assert fund.balance == Decimal("95810.00")
    assert fund.changes[-1].reason == "oltre le 36 rate sostenibili"
    truth = balances(fund.new_entries)
    assert truth[Account.RECOVERIES_RECEIVABLE] == Decimal("3600.00")


def test_descriptions_fit_the_ledger_and_the_audit_keeps_the_whole_reason() -> None:
    fund = fund_holding("100000.00")
    fund.record_contribution(
        amount=Decimal("1.00"), donor="D" * 300, on=DAY, reference="r", now=NOW, by="g"
    )
    reserve(fund)
    pay(fund, "100.00")
    write_off(fund, "100.00", Decimal("100.00"), "motivo " * 60)
    assert all(len(entry.description) <= 300 for entry in fund.new_entries)
    assert fund.changes[-1].reason == ("motivo " * 60).strip()


@pytest.mark.parametrize(
    ("action", "field", "message"),
    [
        (lambda f: pay(f, "0.00"), "amount", "positivo"),
        (lambda f: pay(f, "10.001"), "amount", "importo non valido"),
        (lambda f: recover(f, "100.01", Decimal("100.00")), "amount", "ancora dovuto"),
        (lambda f: write_off(f, "100.01", Decimal("100.00")), "amount", "ancora dovuto"),
        (lambda f: write_off(f, "10.00", Decimal("100.00"), " "), "reason", "motivazione"),
    ],
)
def test_wrong_amounts_are_refused_and_change_nothing(
    action: object, field: str, message: str
) -> None:
    fund = fund_holding("100000.00")
    reserve(fund)
    before = (fund.figures, len(fund.new_entries), len(fund.changes))
    with pytest.raises(InvalidField) as refused:
        action(fund)  # type: ignore[operator]
    assert refused.value.field == field and message in refused.value.message
    assert (fund.figures, len(fund.new_entries), len(fund.changes)) == before


def test_a_payment_above_the_cover_left_is_a_conflict_not_a_field_error() -> None:
    # The client sends no amount (the claim's decision sets it): naming a field would lie.
    fund = fund_holding("100000.00")
    reserve(fund)
    before = (fund.figures, len(fund.new_entries), len(fund.changes))
    with pytest.raises(DomainError) as refused:
        pay(fund, "8610.01", paid_before="4190.00")
    assert not isinstance(refused.value, InvalidField)
    assert refused.value.code == "above_remaining_cover"
    assert "supera la copertura residua" in refused.value.message
    assert (fund.figures, len(fund.new_entries), len(fund.changes)) == before


def test_a_payment_that_would_leave_other_reserves_uncovered_is_refused() -> None:
    # 4.000 held; two guarantees reserve 3.840 + 150 = 3.990. Paying 1.000 on the first
    # releases 300 of its reserve: 4.000 − 1.000 = 3.000 < 3.990 − 300 = 3.690.
    fund = fund_holding("4000.00")
    reserve(fund, "g1")
    reserve(fund, "g2", Decimal("150.00"))
    with pytest.raises(InsufficientCapacity) as refused:
        pay(fund, "1000.00")
    assert "capienza del fondo insufficiente" in refused.value.message
    assert "1.000,00" in refused.value.message and "310,00" in refused.value.message
    assert fund.balance == Decimal("4000.00") and fund.reserved == Decimal("3990.00")
    # 14,30 releases 4,29: 4.000 − 14,30 = 3.985,70 < 3.990 − 4,29 = 3.985,71.
    with pytest.raises(InsufficientCapacity):
        pay(fund, "14.30")
    pay(fund, "14.29")  # 3.985,71 ≥ 3.985,71: every other reserve still covered, to the cent
    assert fund.free_capacity == Decimal("0.00")


def test_paying_on_an_ended_guarantee_moves_no_reserve_and_no_exposure() -> None:
    fund = fund_holding("100000.00")
    pay(fund, "2000.00", reserve_before=Decimal("0.00"), live=False)
    entry = fund.new_entries[-1]
    assert Account.RESERVES not in {p.account for p in entry.postings}
    assert fund.exposure == Decimal("0.00") and fund.reserved == Decimal("0.00")
    assert fund.balance == Decimal("98000.00")


def test_the_reserve_never_grows_on_a_payment() -> None:
    # A guarantee whose reserve is already below the formula (rounded down by an older
    # product, say) keeps it: a payment only ever releases.
    fund = fund_holding("100000.00")
    reserve(fund, "g1", Decimal("1000.00"))
    pay(fund, "100.00", reserve_before=Decimal("1000.00"))
    assert fund.reserved == Decimal("1000.00")
    assert reserve_at_risk(EXPOSURE, Decimal("100.00"), RATIO) == Decimal("3810.00")


def test_day_totals_hold_the_changes_of_each_day() -> None:
    fund = fund_holding("100000.00")
    reserve(fund)
    pay(fund, "4190.00")
    totals = fund.new_day_totals[DAY]
    assert totals.entries == 3
    assert totals.accounts == balances(fund.new_entries)
    assert totals.exposure == fund.exposure and totals.live_guarantees == 1
    assert Figures.from_totals(totals) == fund.figures


@dataclass
class Cover:
    """What the test knows of one guarantee, to check the fund against."""

    exposure: Decimal
    paid: Decimal = Decimal("0.00")
    reserve: Decimal = Decimal("0.00")
    live: bool = True
    owed: Decimal = Decimal("0.00")


events = st.lists(
    st.tuples(
        st.sampled_from(["contribute", "issue", "end", "pay", "recover", "write_off"]),
        st.integers(min_value=1, max_value=2_000_000),
        st.integers(min_value=0, max_value=30),
    ),
    max_size=40,
)


@settings(max_examples=80, deadline=None)
@given(events)
def test_books_keep_their_identities_whatever_happens(steps: list[tuple[str, int, int]]) -> None:
    fund = Fund(name="Fondo", territory="Eporediese", created_at=NOW)
    book: dict[str, Cover] = {}
    days: dict[date, DayTotals] = {}
    for n, (kind, cents, pick) in enumerate(steps):
        amount = Decimal(cents) / 100
        on = date(2027, 1, 1 + n % 28)
        chosen = sorted(book)[pick % len(book)] if book else None
        try:
            if kind == "contribute":
                fund.record_contribution(
                    amount=amount, donor="d", on=on, reference="r", now=NOW, by="t"
                )
            elif kind == "issue":
                cover = Cover(amount * 3)
                cover.reserve = reserve_at_risk(cover.exposure, Decimal(0), RATIO)
                fund.reserve_for(
                    guarantee_id=f"g{n}",
                    guarantee_number=f"g{n}",
                    reserve=cover.reserve,
                    exposure=cover.exposure,
                    on=on,
                    now=NOW,
                    by="t",
                )
                book[f"g{n}"] = cover
            elif chosen is not None:
                act_on(fund, kind, chosen, book[chosen], amount, on)
        except DomainError:  # a refusal (capacity, cover, amount) changes nothing
            pass
        truth = balances(fund.new_entries)
        assert fund.balance == truth[Account.CASH]
        assert fund.balance == fund.contributions - fund.claims_paid + fund.recoveries
        assert fund.reserved == truth[Account.RESERVES] == truth[Account.CAPITAL]
        live = [cover for cover in book.values() if cover.live]
        assert fund.reserved == sum((c.reserve for c in live), Decimal(0))
        assert fund.exposure == sum((c.exposure - c.paid for c in live), Decimal(0))
        assert fund.live_guarantees == len(live)
        assert fund.free_capacity >= 0
        assert (
            truth[Account.RECOVERABLE_CLAIMS]
            == fund.claims_paid - fund.recoveries
            == truth[Account.RECOVERIES_RECEIVABLE] + truth[Account.WRITE_OFFS]
        )
        assert truth[Account.RECOVERIES_RECEIVABLE] == sum((c.owed for c in book.values()), 0)
        for day, totals in fund.new_day_totals.items():
            days.setdefault(day, DayTotals(day)).add(totals)
        fund.new_day_totals.clear()
        summed = DayTotals(date.max)
        for totals in days.values():
            summed.add(totals)
        assert summed.accounts == truth and summed.entries == len(fund.new_entries)
        assert Figures.from_totals(summed) == fund.figures


def act_on(fund: Fund, kind: str, gid: str, cover: Cover, amount: Decimal, on: date) -> None:
    """Apply one event to one guarantee; update the test's own view only if the fund agreed."""
    if kind == "end" and cover.live:
        fund.release_for(
            guarantee_id=gid,
            guarantee_number=gid,
            reserve=cover.reserve,
            exposure=cover.exposure - cover.paid,
            on=on,
            now=NOW,
            by="t",
        )
        cover.reserve, cover.live = Decimal(0), False
    elif kind == "pay":
        fund.pay_claim(
            guarantee_id=gid,
            guarantee_number=gid,
            amount=amount,
            maximum_exposure=cover.exposure,
            paid_before=cover.paid,
            reserve_before=cover.reserve,
            reserve_ratio=RATIO,
            live=cover.live,
            on=on,
            now=NOW,
            by="t",
        )
        cover.paid += amount
        cover.owed += amount
        if cover.live:
            target = reserve_at_risk(cover.exposure, cover.paid, RATIO)
            cover.reserve = min(cover.reserve, target)
    elif kind in {"recover", "write_off"}:
        if kind == "recover":
            fund.record_recovery(
                guarantee_id=gid,
                guarantee_number=gid,
                amount=amount,
                outstanding=cover.owed,
                on=on,
                reference="r",
                now=NOW,
                by="t",
            )
        else:
            fund.write_off(
                guarantee_id=gid,
                guarantee_number=gid,
                amount=amount,
                outstanding=cover.owed,
                reason="inesigibile",
                on=on,
                now=NOW,
                by="t",
            )
        cover.owed -= amount
