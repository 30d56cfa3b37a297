"""Applications: submitted with household and lease, evaluated by the rules, decided by staff."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from guarantee.domain.eligibility import FactSpec, check_declared, plain_fact
from guarantee.domain.errors import InvalidFacts, InvalidField
from guarantee.domain.guarantees import Guarantee
from guarantee.domain.households import Household, Member
from guarantee.domain.landlords import Property
from guarantee.domain.leases import Lease
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.handlers.households import contacts_of
from guarantee.services.unit_of_work import UnitOfWork


def submit_application(cmd: c.SubmitApplication, uow: UnitOfWork, deps: Dependencies) -> Guarantee:
    catalogue = deps.eligibility.facts()
    # Declared facts are checked before anything is written, against the catalogue.
    declared = declared_facts(catalogue, None, cmd.facts)
    check_lease_type(catalogue, cmd.lease.lease_type)
    with uow:
        now = deps.clock.now()
        today = deps.clock.today()
        dwelling = uow.properties.get(cmd.property_id)
        household = household_of(cmd, now)
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
                catalogue,
                today=today,
                household=household,
                other_live_guarantees=other_live,
                declared_relatives=cmd.declared_relatives,
                lease=lease,
                dwelling=dwelling,
            )
            judge(application, {**facts, **declared}, product.product.scheme, deps, declared)
        uow.commit()
        return application


def household_of(cmd: c.SubmitApplication | c.IssueAttestation, now: datetime) -> Household:
    """The household an application or an attestation describes (not yet stored)."""
    return Household(
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


def judge(
    application: Guarantee,
    facts: Mapping[str, object],
    scheme: str,
    deps: Dependencies,
    declared: Mapping[str, object],
) -> None:
    """The scheme's rules in force today judge the facts; the application keeps the verdict
    with its explanation, what the applicant declared, and the rule set's version."""
    result = deps.eligibility.evaluate(facts, deps.clock.today(), scheme)
    application.record_eligibility(
        result.outcome,
        result.ruleset_version,
        with_declared(result.to_dict(), declared),
        deps.clock.now(),
    )


# Where an explanation keeps the facts the applicant declared (rules/facts.yaml, source
# "declared"): an attestation's go into the application made from it, and a guarantee's
# into its renewal, unless declared again.
DECLARED = "declared"


def with_declared(explanation: dict[str, Any], declared: Mapping[str, object]) -> dict[str, Any]:
    """``explanation`` keeping the declared values (checked ones) as it keeps the facts
    seen by its rules."""
    if not declared:
        return explanation
    return {**explanation, DECLARED: {name: plain_fact(v) for name, v in declared.items()}}


def declared_facts(
    catalogue: Mapping[str, FactSpec],
    earlier: Mapping[str, Any] | None,
    given: Mapping[str, object],
) -> dict[str, object]:
    """The facts declared now, over those declared before if any (an earlier judgement's
    explanation, see ``with_declared``), as the rules read them. A new declaration is
    checked against the catalogue (``InvalidFacts``); an earlier one the catalogue no longer
    accepts is left out, so the rules needing it ask for a review instead of trusting it."""
    values, problems = check_declared(catalogue, given)
    if problems:
        raise InvalidFacts({f"facts.{name}": reason for name, reason in problems.items()})
    before = (earlier or {}).get(DECLARED) or {}
    again: dict[str, object] = {}
    for name, plain in before.items():
        spec = catalogue.get(name)
        if name in given or spec is None:
            continue
        if spec.type == "decimal" and isinstance(plain, str):
            try:
                plain = Decimal(plain)
            except InvalidOperation:
                continue
        again[name] = plain
    kept, _ = check_declared(catalogue, again)
    return {**kept, **values}


def eligibility_facts(
    catalogue: Mapping[str, FactSpec], records: Mapping[str, object]
) -> dict[str, object]:
    """The facts the catalogue reads from records (``lease.months`` → ``lease.months``).

    A field that is empty (a member without a birth date) is left out: if a rule needs it,
    the evaluation names it as missing.
    """
    facts: dict[str, object] = {}
    for name, spec in catalogue.items():
        origin, _, attribute = spec.source.partition(".")
        record = records.get(origin)
        if record is None or not attribute:
            continue
        if isinstance(record, Mapping):
            value = record.get(attribute)
        else:
            value = getattr(record, attribute, None)
        if value is None:
            continue
        facts[name] = value.value if isinstance(value, Enum) else value
    return facts


def application_facts(
    catalogue: Mapping[str, FactSpec],
    *,
    today: date,
    household: Household,
    other_live_guarantees: int,
    declared_relatives: bool | None,
    lease: Lease | None = None,
    dwelling: Property | None = None,
) -> dict[str, object]:
    """The facts the catalogue reads from the household, the lease and the dwelling (one
    place for applications, applications from an attestation and renewals). Without a
    lease and a dwelling (an attestation) only the household's facts are there, and
    ``declared_relatives`` (kinship with a landlord not yet known) is None: the rules
    needing a missing fact wait for the lease."""
    records: dict[str, object] = {
        "application": {
            "date": today,
            "other_live_guarantees": other_live_guarantees,
            "declared_relatives": declared_relatives,
        },
        "household": household,
        "applicant": household.main_tenant,
        "lease": lease,
        "dwelling": dwelling,
    }
    return eligibility_facts(catalogue, records)


def check_lease_type(catalogue: Mapping[str, FactSpec], code: str) -> None:
    """The lease type is a code of rules/reference/lease-types.csv, through the catalogue."""
    lease_type = catalogue.get("lease_type")
    if lease_type is not None:
        _, reason = lease_type.checker()(code)
        if reason is not None:
            raise InvalidField("lease.lease_type", reason)


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
