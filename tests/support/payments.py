"""Money out on a guarantee the only way it can go: a claim, decided and paid.

Tests of the books need payments of a given amount on a given guarantee. There is no
command that moves money without a claim (nor should there be), so these helpers file a
claim for damages (up to the damages cap, with a photo) and legal costs (the rest), decide
it in full and pay it — with two fund managers when the amount is above the threshold.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.cover import ItemKind
from guarantee.domain.guarantees import GuaranteeStatus
from guarantee.services import commands as c

PROPOSER = Actor("gestore", Role.FUND_MANAGER)
AUTHORISER = Actor("gestore-due", Role.FUND_MANAGER)
DAMAGES_CAP = Decimal("3000.00")
LEGAL_CAP = Decimal("2000.00")


def past_lease(**overrides: Any) -> c.LeaseData:
    """A lease that started before the tests' today (2026-11-25), so losses can be claimed."""
    from tests.support.builders import lease

    fields: dict[str, Any] = {"start": date(2026, 6, 1), "end": date(2029, 5, 31)}
    fields.update(overrides)
    return lease(**fields)


def claim_items(amount: Decimal, loss_on: date) -> tuple[c.ClaimItemData, ...]:
    damages = min(amount, DAMAGES_CAP)
    items = [c.ClaimItemData(ItemKind.DAMAGES, loss_on, damages, "danni all'alloggio")]
    if amount > damages:
        items.append(c.ClaimItemData(ItemKind.LEGAL_COSTS, loss_on, amount - damages, "sfratto"))
    return tuple(items)


def file_and_decide(
    system: System, guarantee_number: str, amount: Decimal, *, loss_on: date | None = None
) -> str:
    """A claim of ``amount`` (at most 5.000,00 €) filed by the fund and approved in full."""
    g = tables.guarantees.c
    with system.engine.connect() as conn:
        status = conn.scalar(select(g.status).where(g.number == guarantee_number))
    if status == GuaranteeStatus.ISSUED:
        system.bus.handle(c.ActivateGuarantee(number=guarantee_number), PROPOSER)
    loss = loss_on or system.deps.clock.today() - timedelta(days=1)
    photo = c.EvidenceUpload(
        f"danno-{guarantee_number}-{amount}.jpg",
        "image/jpeg",
        f"{guarantee_number} {amount}".encode(),
    )
    claim = system.bus.handle(
        c.FileClaim(guarantee_number, claim_items(amount, loss), (photo,)), PROPOSER
    )
    system.bus.handle(c.StartClaimReview(claim.number), PROPOSER)
    decided = system.bus.handle(
        c.DecideClaim(
            claim.number, tuple(c.ItemDecisionData(i.id, i.claimed) for i in claim.items)
        ),
        PROPOSER,
    )
    assert decided.approved_total == amount
    number: str = claim.number
    return number


def pay_decided(
    system: System, claim_number: str, *, on: date | None = None, reference: str | None = None
) -> dict[str, Any]:
    """Pay a decided claim: proposed and authorised by two fund managers when needed."""
    claim_row = tables.claims.c
    with system.engine.connect() as conn:
        guarantee_id = conn.scalar(
            select(claim_row.guarantee_id).where(claim_row.number == claim_number)
        )
        g = tables.guarantees.c
        code, version = conn.execute(
            select(g.product_code, g.product_version).where(g.id == guarantee_id)
        ).one()
        items = tables.claim_items.c
        approved = sum(
            conn.scalars(
                select(items.approved)
                .select_from(tables.claim_items.join(tables.claims, items.claim_id == claim_row.id))
                .where(claim_row.number == claim_number)
            ),
            Decimal(0),
        )
    product = system.deps.products.get(code, version).product
    payer = PROPOSER
    if product.needs_four_eyes(approved):
        system.bus.handle(c.ProposeClaimPayment(claim_number), PROPOSER)
        payer = AUTHORISER
    result: dict[str, Any] = system.bus.handle(
        c.PayClaim(claim_number, f"pagamento-{claim_number}", reference, on), payer
    )
    return result


def pay_on(
    system: System,
    guarantee_number: str,
    amount: Decimal,
    *,
    on: date | None = None,
    reference: str | None = None,
) -> dict[str, Any]:
    """``amount`` paid on the guarantee through a claim; returns the payment's answer."""
    claim = file_and_decide(system, guarantee_number, amount)
    return pay_decided(system, claim, on=on, reference=reference)
