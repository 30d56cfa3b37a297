"""Attestations: a household judged before it has a lease, the attestation turned into an
application when a landlord offers one, or withdrawn.

A help desk reaches only the attestations it issued (others look like they do not exist);
fund managers reach all of them.
"""

from __future__ import annotations

import uuid
from datetime import date

from guarantee.domain.actors import Role
from guarantee.domain.attestations import Attestation
from guarantee.domain.documents import CertificateCode
from guarantee.domain.eligibility.partial import evaluate_household
from guarantee.domain.errors import DomainError, InvalidField, NotFound
from guarantee.domain.guarantees import Guarantee
from guarantee.domain.leases import add_months
from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.handlers.applications import (
    application_facts,
    check_lease_type,
    declared_facts,
    household_of,
    judge,
    lease_of,
    with_declared,
)
from guarantee.services.unit_of_work import UnitOfWork


def valid_until(issued_on: date, months: int) -> date:
    """``months`` from the day of issue, the last day included (1 March + 6 → 31 August)."""
    return date.fromordinal(add_months(issued_on, months).toordinal() - 1)


def issue_attestation(cmd: c.IssueAttestation, uow: UnitOfWork, deps: Dependencies) -> Attestation:
    with uow:
        now, today = deps.clock.now(), deps.clock.today()
        if cmd.contacts is None:
            # No dwelling yet: the attestation letter needs the household's own address.
            raise InvalidField("contacts", "indicare dove il nucleo riceve le lettere")
        declared = declared_facts(deps.eligibility.facts(), None, cmd.facts)
        household = household_of(cmd, now)
        uow.households.add(household)
        # The query flushes the household first (the attestation refers to it).
        other_live = uow.guarantees.live_for_tenant(household.main_tenant_tax_code)
        product = deps.products.current(cmd.product_code, today).product
        facts = application_facts(
            deps.eligibility.facts(),
            today=today,
            household=household,
            other_live_guarantees=other_live,
            declared_relatives=None,
        )
        partial = evaluate_household(
            deps.eligibility.ruleset(today, product.scheme), {**facts, **declared}
        )
        if partial.outcome != "eligible":
            failed = "; ".join(str(v["message"]) for v in partial.verdicts if v["result"] != "pass")
            raise DomainError(
                f"il nucleo non può avere l'attestazione ({partial.outcome}): {failed}",
                code="household_not_eligible",
            )
        if partial.maximum_rent is None:
            raise DomainError(
                f"le regole {partial.ruleset_version} non confrontano canone e reddito: "
                "l'attestazione non può indicare un canone massimo",
                code="no_income_rule",
            )
        attestation = Attestation(
            number=f"ATT-{today.year}-{uow.counters.next('attestation', today.year):06d}",
            code=str(CertificateCode.generate()),
            household_id=household.id,
            maximum_rent=partial.maximum_rent,
            issued_on=today,
            valid_until=valid_until(today, product.attestation_valid_months),
            product_code=product.code,
            product_version=str(product.version),
            ruleset_version=partial.ruleset_version,
            eligibility=with_declared(partial.to_dict(), declared),
            created_at=now,
            created_by=uow.actor.user_id,
        )
        uow.attestations.add(attestation)
        uow.commit()
        return attestation


def _attestation(uow: UnitOfWork, number: str) -> Attestation:
    attestation = uow.attestations.by_number(number, for_update=True)
    if uow.actor.role is Role.OPERATOR and attestation.created_by != uow.actor.user_id:
        raise NotFound("attestazione", number)
    return attestation


def apply_with_attestation(
    cmd: c.ApplyWithAttestation, uow: UnitOfWork, deps: Dependencies
) -> Guarantee:
    """The lease is known: an application for the attested household, every rule judged on
    today's facts (a rent above the attested maximum goes to review or is refused, as the
    income rule says), and the attestation used up — all or nothing."""
    with uow:
        now, today = deps.clock.now(), deps.clock.today()
        attestation = _attestation(uow, cmd.number)
        attestation.check_usable(today)  # before a number is spent
        declared = declared_facts(deps.eligibility.facts(), attestation.eligibility, cmd.facts)
        dwelling = uow.properties.get(cmd.property_id)
        household = uow.households.get(attestation.household_id)
        check_lease_type(deps.eligibility.facts(), cmd.lease.lease_type)
        lease = lease_of(cmd.lease)
        product = deps.products.current(attestation.product_code, today)
        sequence = uow.counters.next("application", today.year)
        application = Guarantee(
            id=str(uuid.uuid4()),
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
        # The query flushes the new application (a draft: not counted) before the
        # attestation points at it.
        other_live = uow.guarantees.live_for_tenant(household.main_tenant_tax_code)
        attestation.use(
            guarantee_id=application.id,
            application_number=application.application_number,
            today=today,
            now=now,
        )
        application.submit(now)
        facts = application_facts(
            deps.eligibility.facts(),
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


def withdraw_attestation(
    cmd: c.WithdrawAttestation, uow: UnitOfWork, deps: Dependencies
) -> Attestation:
    with uow:
        attestation = _attestation(uow, cmd.number)
        attestation.withdraw(deps.clock.now(), cmd.reason)
        uow.commit()
        return attestation
