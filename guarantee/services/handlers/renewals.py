"""Renewing a guarantee: the next term on new lease terms, eligibility judged again on
today's facts, and the reserve following the new exposure in one balanced entry.

Asked before the end by the guarantee's landlord (another's guarantee does not exist for
it) or by the fund. Rules that ask for a review stop a landlord's request; a fund manager
may accept them with a reason. Everything is checked before anything changes, so a refusal
(too late, renewed already, not eligible, cover below what was paid, no free capacity)
writes nothing.
"""

from __future__ import annotations

from guarantee.domain.actors import Role
from guarantee.domain.claims import committed_by_kind, paid_by_kind
from guarantee.domain.cover import CoverState
from guarantee.domain.documents import CertificateCode
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.domain.formats import amount_it
from guarantee.domain.funds import reserve_at_risk
from guarantee.domain.guarantees import Guarantee
from guarantee.domain.leases import Lease
from guarantee.domain.money import ZERO
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.handlers.applications import (
    application_facts,
    check_lease_type,
    declared_facts,
    with_declared,
)
from guarantee.services.handlers.mediation import check_own_guarantee
from guarantee.services.unit_of_work import UnitOfWork


def renew_guarantee(cmd: c.RenewGuarantee, uow: UnitOfWork, deps: Dependencies) -> Guarantee:
    with uow:
        now, today = deps.clock.now(), deps.clock.today()
        guarantee = uow.guarantees.by_number(cmd.number, for_update=True)
        check_own_guarantee(uow.actor, guarantee)
        # The guarantee keeps the product version it was issued under, renewals included.
        product = deps.products.get(guarantee.product_code, guarantee.product_version).product
        guarantee.check_renewable(product.renewals, today)
        if cmd.lease is None:
            raise InvalidField("lease", "indicare i termini del contratto rinnovato")
        if cmd.lease.lease_type is not None:
            check_lease_type(deps.eligibility.facts(), cmd.lease.lease_type)
        old = guarantee.lease
        lease = Lease(
            lease_type=cmd.lease.lease_type or old.lease_type,
            start=old.start,
            end=cmd.lease.end,
            monthly_rent=cmd.lease.monthly_rent,
            monthly_charges=cmd.lease.monthly_charges,
            registered=cmd.lease.registered,
            registration_reference=cmd.lease.registration_reference,
            rent_due_day=cmd.lease.rent_due_day or old.rent_due_day,
        )
        decision = _eligibility(cmd, uow, deps, guarantee, lease)
        claims = uow.claims.for_guarantee(guarantee.id)
        cover = CoverState.of(
            product, lease.monthly_rent, paid_by_kind(claims), committed_by_kind(claims)
        )
        for line in cover.figures():
            if line.paid + line.committed > line.cap:
                raise DomainError(
                    f"con il canone di {amount_it(lease.monthly_rent)} € il massimale "
                    f"({amount_it(line.cap)} €) sarebbe inferiore a quanto già pagato o "
                    f"impegnato sulla garanzia ({amount_it(line.paid + line.committed)} €)",
                    code="renewal_below_cover_used",
                )
        exposure = product.maximum_exposure(lease.monthly_rent)
        reserve = reserve_at_risk(exposure, guarantee.paid_amount, product.reserve_ratio)
        reserve_before, at_risk_before = guarantee.reserve_amount, guarantee.at_risk
        assert guarantee.fund_id is not None and guarantee.number is not None
        # Guarantee, then fund: the order every issue and payment locks them in.
        fund = uow.funds.get(guarantee.fund_id, for_update=True)
        fund.ensure_books_agree(uow.fund_days.sums(fund.id))
        fund.ensure_capacity(max(reserve - reserve_before, ZERO))
        guarantee.renew(
            lease=lease,
            renewals_allowed=product.renewals,
            maximum_exposure=exposure,
            reserve_amount=reserve,
            max_term_months=product.max_term_months,
            certificate_code=str(CertificateCode.generate()),
            today=today,
            now=now,
            reason=cmd.reason,
            decision=decision,
        )
        fund.adjust_reserve_for(
            guarantee_id=guarantee.id,
            guarantee_number=guarantee.number,
            reserve_before=reserve_before,
            reserve_after=reserve,
            exposure_change=guarantee.at_risk - at_risk_before,
            on=today,
            now=now,
            by=uow.actor.user_id,
        )
        uow.commit()
        return guarantee


def _eligibility(
    cmd: c.RenewGuarantee,
    uow: UnitOfWork,
    deps: Dependencies,
    guarantee: Guarantee,
    lease: Lease,
) -> dict[str, object]:
    """Every rule on today's facts (the household as it is now, the new lease); refuses an
    ineligible renewal, and one the rules send to review unless a fund manager accepts it."""
    declared = declared_facts(deps.eligibility.facts(), guarantee.eligibility, cmd.facts)
    household = uow.households.get(guarantee.household_id)
    dwelling = uow.properties.get(guarantee.property_id)
    others = uow.guarantees.live_for_tenant(household.main_tenant_tax_code, excluding=guarantee.id)
    today = deps.clock.today()
    facts = application_facts(
        deps.eligibility.facts(),
        today=today,
        household=household,
        other_live_guarantees=others,
        declared_relatives=cmd.declared_relatives,
        lease=lease,
        dwelling=dwelling,
    )
    scheme = deps.products.get(
        guarantee.product_code, str(guarantee.product_version)
    ).product.scheme
    result = deps.eligibility.evaluate({**facts, **declared}, today, scheme)
    explanation = with_declared(result.to_dict(), declared)
    verdicts = explanation.get("verdicts", [])
    assert isinstance(verdicts, list)
    not_passed = "; ".join(str(v["message"]) for v in verdicts if v.get("result") != "pass")
    if result.outcome == "ineligible":
        raise DomainError(f"il rinnovo non è ammissibile: {not_passed}", code="renewal_ineligible")
    staff = uow.actor.role in (Role.FUND_MANAGER, Role.SYSTEM)
    if result.outcome == "needs_review" and not (staff and (cmd.reason or "").strip()):
        raise DomainError(
            f"il rinnovo richiede la verifica del fondo ({not_passed}): un gestore può "
            "accettarlo indicando la motivazione",
            code="renewal_needs_review",
        )
    guarantee.eligibility = explanation
    guarantee.ruleset_version = result.ruleset_version
    return {"eligibility": result.outcome, "ruleset": result.ruleset_version}
