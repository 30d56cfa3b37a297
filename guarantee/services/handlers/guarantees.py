"""Issuing a guarantee against the fund's capacity, and the rest of its life."""

from __future__ import annotations

from decimal import Decimal

from guarantee.domain.documents import CertificateCode
from guarantee.domain.errors import Conflict
from guarantee.domain.funds import Fund
from guarantee.domain.guarantees import Guarantee
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.unit_of_work import UnitOfWork


def issue_guarantee(cmd: c.IssueGuarantee, uow: UnitOfWork, deps: Dependencies) -> Guarantee:
    with uow:
        now, today = deps.clock.now(), deps.clock.today()
        guarantee = uow.guarantees.by_number(cmd.number, for_update=True)
        guarantee.check_can("issue")
        # The fund row is locked until commit: the capacity check and the reservation are one
        # step that no concurrent issue or payment can interleave with.
        fund = uow.funds.get(cmd.fund_id or uow.funds.default_id(), for_update=True)
        # The version on sale today, not the one the application was submitted under.
        product = deps.products.current(guarantee.product_code, today)
        # A fund backs only applications judged by the rules of the scheme it applies.
        judged_by = (guarantee.eligibility or {}).get("scheme", product.product.scheme)
        if judged_by != fund.scheme:
            raise Conflict(
                f"il fondo «{fund.name}» applica la misura «{fund.scheme}», la domanda "
                f"{guarantee.application_number} è stata valutata per «{judged_by}»"
            )
        rent = guarantee.lease.monthly_rent
        exposure = product.maximum_exposure(rent)
        reserve = product.reserve_for(rent)
        # One row per day, summed under the fund's lock: cheap, and it catches a fund row
        # edited behind the books' back before its balance is trusted.
        fund.ensure_books_agree(uow.fund_days.sums(fund.id))
        # Check capacity before spending a number, so a refusal writes nothing at all.
        fund.ensure_capacity(reserve)
        number = f"GC-{today.year}-{uow.counters.next('guarantee', today.year):06d}"
        guarantee.issue(
            number=number,
            fund_id=fund.id,
            maximum_exposure=exposure,
            reserve_amount=reserve,
            max_term_months=product.max_term_months,
            now=now,
            certificate_code=str(CertificateCode.generate()),
            product_version=product.version,
        )
        fund.reserve_for(
            guarantee_id=guarantee.id,
            guarantee_number=number,
            reserve=reserve,
            exposure=exposure,
            on=today,
            now=now,
            by=uow.actor.user_id,
        )
        uow.commit()
        return guarantee


def activate_guarantee(cmd: c.ActivateGuarantee, uow: UnitOfWork, deps: Dependencies) -> Guarantee:
    with uow:
        guarantee = uow.guarantees.by_number(cmd.number, for_update=True)
        guarantee.activate(deps.clock.now())
        uow.commit()
        return guarantee


def cancel_guarantee(cmd: c.CancelGuarantee, uow: UnitOfWork, deps: Dependencies) -> Guarantee:
    with uow:
        guarantee = uow.guarantees.by_number(cmd.number, for_update=True)
        was_live, exposure = guarantee.is_live, guarantee.at_risk
        released = guarantee.cancel(deps.clock.now(), cmd.reason or "")
        if was_live:
            release_reserve(uow, deps, guarantee, released, exposure)
        uow.commit()
        return guarantee


def terminate_guarantee(
    cmd: c.TerminateGuarantee, uow: UnitOfWork, deps: Dependencies
) -> Guarantee:
    with uow:
        guarantee = uow.guarantees.by_number(cmd.number, for_update=True)
        exposure = guarantee.at_risk
        released = guarantee.terminate(deps.clock.now(), cmd.reason or "")
        release_reserve(uow, deps, guarantee, released, exposure)
        uow.commit()
        return guarantee


def expire_guarantee(cmd: c.ExpireGuarantee, uow: UnitOfWork, deps: Dependencies) -> Guarantee:
    with uow:
        guarantee = uow.guarantees.by_number(cmd.number, for_update=True)
        exposure = guarantee.at_risk
        released = guarantee.expire(deps.clock.today(), deps.clock.now())
        release_reserve(uow, deps, guarantee, released, exposure)
        uow.commit()
        return guarantee


def expire_due_guarantees(
    cmd: c.ExpireDueGuarantees, uow: UnitOfWork, deps: Dependencies
) -> list[str]:
    """Expire each due guarantee in its own transaction, so one failure stops nothing else."""
    with uow:
        due = uow.guarantees.due_to_expire(deps.clock.today())
    expired: list[str] = []
    for guarantee_id in due:
        with uow:
            guarantee = uow.guarantees.get(guarantee_id, for_update=True)
            if not guarantee.is_live:
                continue
            exposure = guarantee.at_risk
            released = guarantee.expire(deps.clock.today(), deps.clock.now())
            release_reserve(uow, deps, guarantee, released, exposure)
            uow.commit()
            expired.append(guarantee.number or guarantee.id)
    return expired


def release_reserve(
    uow: UnitOfWork, deps: Dependencies, guarantee: Guarantee, reserve: Decimal, exposure: Decimal
) -> Fund:
    assert guarantee.fund_id is not None and guarantee.number is not None
    fund = uow.funds.get(guarantee.fund_id, for_update=True)
    fund.release_for(
        guarantee_id=guarantee.id,
        guarantee_number=guarantee.number,
        reserve=reserve,
        exposure=exposure,
        on=deps.clock.today(),
        now=deps.clock.now(),
        by=uow.actor.user_id,
    )
    return fund
