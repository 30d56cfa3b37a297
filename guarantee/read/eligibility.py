"""Open applications as impact cases: the facts and the evaluation stored when they were decided."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.eligibility import ImpactCase
from guarantee.domain.guarantees import GuaranteeStatus as S
from guarantee.domain.products import Product
from guarantee.services.ports import ProductCatalog, ProductTerms

# Applications whose outcome a rule change could still alter.
OPEN_STATES = (S.SUBMITTED, S.ELIGIBLE, S.NEEDS_REVIEW, S.INELIGIBLE, S.APPROVED)


def open_applications(
    conn: Connection, products: ProductCatalog | None = None
) -> Iterator[ImpactCase]:
    """Open applications with their stored evaluation and, given the products, the reserve
    issuing each would take (its product version's reserve for its rent; the reserve stored
    on the row is only set at issue)."""
    g = tables.guarantees.c
    terms: dict[tuple[str, str], ProductTerms] = {}

    def reserve_of(
        code: str, version: str, rent: Decimal, stored: Decimal
    ) -> Decimal | Reserve | None:
        if stored > 0 or products is None:
            return stored if stored > 0 else None
        found = terms.get((code, version))
        if found is None:
            found = terms[(code, version)] = products.get(code, version)
        return Reserve(found.product, rent)

    rows = conn.execute(
        select(
            g.application_number,
            g.eligibility,
            g.reserve_amount,
            g.product_code,
            g.product_version,
            g.monthly_rent,
        )
        .where(g.status.in_([s.value for s in OPEN_STATES]), g.eligibility.is_not(None))
        .order_by(g.application_number)
        .execution_options(yield_per=5_000)
    )
    for number, stored, reserve, code, version, rent in rows:
        # The stored dict as it is (the impact reads its per-rule results directly), and the
        # facts rebuilt from what the rules saw, amounts back to Decimal.
        yield ImpactCase(
            key=number,
            facts=_facts_of(stored),
            stored=stored,
            reserve=reserve_of(code, version, rent, reserve),
        )


@dataclass(frozen=True)
class Reserve:
    """The reserve issuing an application would take, worked out only when asked (the
    impact asks for the applications that change outcome); picklable for worker processes."""

    product: Product
    monthly_rent: Decimal

    def __call__(self) -> Decimal:
        return self.product.reserve_for(self.monthly_rent)


def free_capacity(conn: Connection, scheme: str) -> Decimal:
    """The free capacity now of the funds applying ``scheme``: balance less what is
    reserved. Only they issue guarantees on applications judged under that scheme, so a
    draft of one scheme is priced against them alone."""
    f = tables.funds.c
    rows = conn.execute(select(f.balance, f.reserved).where(f.scheme == scheme)).all()
    return sum((balance - reserved for balance, reserved in rows), Decimal("0.00"))


def _facts_of(stored: dict[str, Any]) -> dict[str, object]:
    kinds: dict[str, str] = stored.get("fact_types", {})
    facts: dict[str, object] = {}
    # Derived facts come back too; evaluating recomputes them from the supplied ones.
    for verdict in stored.get("verdicts", []):
        for name, value in verdict.get("facts_seen", {}).items():
            if name in facts:
                continue
            kind = kinds.get(name)
            if kind == "decimal":
                facts[name] = Decimal(value)
            elif kind == "date":
                facts[name] = date.fromisoformat(value)
            else:
                facts[name] = value
    return facts
