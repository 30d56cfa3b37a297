"""Applications: submitted with household and lease, evaluated by the rules, decided by staff."""

from __future__ import annotations

from guarantee.domain.guarantees import Guarantee
from guarantee.domain.households import Household, Member
from guarantee.domain.landlords import Property
from guarantee.domain.leases import Lease
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.handlers.households import contacts_of
from guarantee.services.unit_of_work import UnitOfWork


def submit_application(cmd: c.SubmitApplication, uow: UnitOfWork, deps: Dependencies) -> Guarantee:
    with uow:
        now = deps.clock.now()
        today = deps.clock.today()
        dwelling = uow.properties.get(cmd.property_id)
        household = Household(
            members=[
                Member(m.full_name, m.tax_code, m.birth_date, m.is_main_tenant) for m in cmd.members
            ],
            isee=cmd.isee,
            net_monthly_income=cmd.net_monthly_income,
            referral_source=cmd.referral_source,
            referrer=cmd.referrer,
            created_at=now,
            contacts=contacts_of(cmd.contacts) if cmd.contacts is not None else None,
        )
        lease = lease_of(cmd.lease)
        uow.households.add(household)
        # Counted before the new application exists (the query also flushes the household).
        other_live = uow.guarantees.live_for_tenant(household.main_tenant_tax_code)
        # The version on sale today; the guarantee takes the one on sale when it is issued.
        product = deps.products.current(cmd.product_code, today)
        sequence = uow.counters.next("application", today.year)
        application = Guarantee(
            application_number=f"DOM-{today.year}-{sequence:06d}",
            landlord_id=dwelling.landlord_id,
            property_id=dwelling.id,
            household_id=household.id,
            lease=lease,
            product_code=product.code,
            product_version=product.version,
            created_at=now,
            created_by=uow.actor.user_id,
        )
        uow.guarantees.add(application)
        if cmd.submit:
            application.submit(now)
            facts = application_facts(
                household, lease, dwelling, other_live, cmd.declared_relatives
            )
            result = deps.eligibility.evaluate(facts, today)
            application.record_eligibility(
                result.outcome, result.ruleset_version, result.to_dict(), now
            )
        uow.commit()
        return application


def household_facts(household: Household, other_live_guarantees: int) -> dict[str, object]:
    """The facts of the household alone (an attestation is judged on these)."""
    return {
        "isee": household.isee,
        "net_monthly_income": household.net_monthly_income,
        "referral_source": household.referral_source.value,
        "other_live_guarantees": other_live_guarantees,
    }


def application_facts(
    household: Household,
    lease: Lease,
    dwelling: Property,
    other_live_guarantees: int,
    declared_relatives: bool,
) -> dict[str, object]:
    """Every fact the rules read, from the household, the lease and the dwelling (one place
    for applications, applications from an attestation and renewals)."""
    return {
        **household_facts(household, other_live_guarantees),
        "monthly_rent": lease.monthly_rent,
        "monthly_charges": lease.monthly_charges,
        "municipality_istat_code": dwelling.municipality_istat_code,
        "floor_area_m2": dwelling.floor_area_m2,
        "lease_type": lease.lease_type.value,
        "lease_registered": lease.registered,
        "lease_months": lease.months,
        "declared_relatives": declared_relatives,
    }


def lease_of(data: c.LeaseData) -> Lease:
    return Lease(
        lease_type=data.lease_type,
        start=data.start,
        end=data.end,
        monthly_rent=data.monthly_rent,
        monthly_charges=data.monthly_charges,
        registered=data.registered,
        registration_reference=data.registration_reference,
        rent_due_day=data.rent_due_day,
    )


def approve_application(
    cmd: c.ApproveApplication, uow: UnitOfWork, deps: Dependencies
) -> Guarantee:
    with uow:
        application = uow.guarantees.by_number(cmd.number, for_update=True)
        application.approve(deps.clock.now(), cmd.reason)
        uow.commit()
        return application


def refuse_application(cmd: c.RefuseApplication, uow: UnitOfWork, deps: Dependencies) -> Guarantee:
    with uow:
        application = uow.guarantees.by_number(cmd.number, for_update=True)
        application.refuse(deps.clock.now(), cmd.reason or "")
        uow.commit()
        return application
