"""Funds and the money donors put in."""

from __future__ import annotations

from guarantee.domain.funds import Fund
from guarantee.domain.ledger import JournalEntry
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.unit_of_work import UnitOfWork


def create_fund(cmd: c.CreateFund, uow: UnitOfWork, deps: Dependencies) -> Fund:
    with uow:
        fund = Fund(name=cmd.name, territory=cmd.territory, created_at=deps.clock.now())
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
