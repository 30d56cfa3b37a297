"""Funds: the money donors put in, and the money claims take out and tenants bring back.

``pay_on_guarantee``, ``recover_on_guarantee`` and ``write_off_on_guarantee`` are the doors
the claims and recovery handlers use into the books, inside their own transaction: money
never moves on a guarantee without a claim or a plan behind it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from guarantee.domain.errors import Conflict, DomainError, InvalidField
from guarantee.domain.funds import Fund
from guarantee.domain.guarantees import Guarantee
from guarantee.domain.ledger import JournalEntry
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.unit_of_work import UnitOfWork


def create_fund(cmd: c.CreateFund, uow: UnitOfWork, deps: Dependencies) -> Fund:
    with uow:
        if cmd.scheme not in deps.eligibility.schemes():
            raise InvalidField(
                "scheme",
                f"nessuna regola di ammissibilità per la misura «{cmd.scheme}» "
                f"(misure: {', '.join(deps.eligibility.schemes())})",
            )
        fund = Fund(
            name=cmd.name,
            territory=cmd.territory,
            created_at=deps.clock.now(),
            scheme=cmd.scheme,
        )
        if uow.funds.name_taken(fund.name):
            raise Conflict(f"esiste già un fondo di nome «{fund.name}»")
        uow.funds.add(fund)
        uow.commit()
        return fund


def record_contribution(
    cmd: c.RecordContribution, uow: UnitOfWork, deps: Dependencies
) -> JournalEntry:
    with uow:
        fund = uow.funds.get(cmd.fund_id, for_update=True)
        entry = fund.record_contribution(
            amount=cmd.amount,
            donor=cmd.donor,
            on=cmd.on,
            reference=cmd.reference,
            now=deps.clock.now(),
            by=uow.actor.user_id,
        )
        uow.commit()
        return entry


# -- the doors into the books, for handlers that change a claim or a plan in the same
# transaction (the caller opens the unit of work and commits it) ------------------------------


def pay_on_guarantee(
    uow: UnitOfWork,
    deps: Dependencies,
    guarantee: Guarantee,
    amount: Decimal,
    *,
    reference: str | None,
    on: date | None = None,
) -> JournalEntry:
    """Money out on a guarantee the caller has locked, then its fund locked (the order every
    issue and release uses), so the capacity check and the entry cannot interleave with
    another writer of that fund; the guarantee's reserve follows what is still at risk."""
    now = deps.clock.now()
    fund = uow.funds.get(_fund_of(guarantee), for_update=True)
    ratio = deps.products.get(guarantee.product_code, guarantee.product_version).reserve_ratio
    entry = fund.pay_claim(
        guarantee_id=guarantee.id,
        guarantee_number=guarantee.number or guarantee.application_number,
        amount=amount,
        maximum_exposure=guarantee.maximum_exposure,
        paid_before=guarantee.paid_amount,
        reserve_before=guarantee.reserve_amount,
        reserve_ratio=ratio,
        live=guarantee.is_live,
        on=on or deps.clock.today(),
        now=now,
        by=uow.actor.user_id,
        reference=reference,
    )
    guarantee.record_payment(amount, ratio, now)
    return entry


def recover_on_guarantee(
    uow: UnitOfWork,
    deps: Dependencies,
    guarantee: Guarantee,
    amount: Decimal,
    *,
    reference: str,
    on: date | None = None,
) -> JournalEntry:
    fund = uow.funds.get(_fund_of(guarantee), for_update=True)
    # Read what is owed only once the fund is locked: no concurrent recovery can slip in.
    return fund.record_recovery(
        guarantee_id=guarantee.id,
        guarantee_number=guarantee.number or guarantee.application_number,
        amount=amount,
        outstanding=uow.ledger.owed_on(guarantee.id),
        on=on or deps.clock.today(),
        reference=reference,
        now=deps.clock.now(),
        by=uow.actor.user_id,
    )


def write_off_on_guarantee(
    uow: UnitOfWork,
    deps: Dependencies,
    guarantee: Guarantee,
    amount: Decimal,
    *,
    reason: str,
    on: date | None = None,
) -> JournalEntry:
    fund = uow.funds.get(_fund_of(guarantee), for_update=True)
    return fund.write_off(
        guarantee_id=guarantee.id,
        guarantee_number=guarantee.number or guarantee.application_number,
        amount=amount,
        outstanding=uow.ledger.owed_on(guarantee.id),
        reason=reason,
        on=on or deps.clock.today(),
        now=deps.clock.now(),
        by=uow.actor.user_id,
    )


def _fund_of(guarantee: Guarantee) -> str:
    if guarantee.fund_id is None:
        raise DomainError(
            f"la domanda {guarantee.application_number} non è una garanzia emessa: "
            "nessun movimento sul fondo"
        )
    return guarantee.fund_id
