"""What a guarantee still covers: per line (arrears, damages, legal costs) and overall.

Caps come from the product and the monthly rent; what was paid so far comes from the
claims paid on the guarantee. Money recovered from the tenant does not restore cover
(SPEC §3), so only payments count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from guarantee.domain.money import ZERO, money
from guarantee.domain.products import Product


class ItemKind(StrEnum):
    """What a claim item asks to be paid for."""

    ARREARS = "arrears"
    CHARGES = "charges"
    DAMAGES = "damages"
    LEGAL_COSTS = "legal_costs"


class CoverLine(StrEnum):
    """A cap of the product: unpaid rent and charges share one (SPEC §3)."""

    ARREARS = "arrears"
    DAMAGES = "damages"
    LEGAL_COSTS = "legal_costs"


LINE_OF: dict[ItemKind, CoverLine] = {
    ItemKind.ARREARS: CoverLine.ARREARS,
    ItemKind.CHARGES: CoverLine.ARREARS,
    ItemKind.DAMAGES: CoverLine.DAMAGES,
    ItemKind.LEGAL_COSTS: CoverLine.LEGAL_COSTS,
}
# How a decision letter names each cap: "oltre il massimale per spese legali".
LINE_NAMES: dict[CoverLine, str] = {
    CoverLine.ARREARS: "morosità",
    CoverLine.DAMAGES: "danni all'alloggio",
    CoverLine.LEGAL_COSTS: "spese legali",
}


@dataclass(frozen=True)
class CoverState:
    overall_cap: Decimal
    arrears_cap: Decimal
    damages_cap: Decimal
    legal_costs_cap: Decimal
    covers_charges: bool
    paid_arrears: Decimal = ZERO  # rent and charges together
    paid_damages: Decimal = ZERO
    paid_legal_costs: Decimal = ZERO

    @classmethod
    def of(
        cls,
        product: Product,
        monthly_rent: Decimal,
        paid: Mapping[ItemKind, Decimal] | None = None,
    ) -> CoverState:
        """Cover of a guarantee with ``monthly_rent``, after ``paid`` (gross, per kind)."""
        state = cls(
            overall_cap=product.overall_cap(monthly_rent),
            arrears_cap=product.arrears_cap(monthly_rent),
            damages_cap=money(product.damages_cap),
            legal_costs_cap=money(product.legal_costs_cap),
            covers_charges=product.arrears_include_charges,
        )
        return state.after(paid or {})

    def after(self, paid: Mapping[ItemKind, Decimal]) -> CoverState:
        """The cover once ``paid`` more has gone out."""
        more = {line: ZERO for line in CoverLine}
        for kind, amount in paid.items():
            more[LINE_OF[kind]] += money(amount)
        return CoverState(
            overall_cap=self.overall_cap,
            arrears_cap=self.arrears_cap,
            damages_cap=self.damages_cap,
            legal_costs_cap=self.legal_costs_cap,
            covers_charges=self.covers_charges,
            paid_arrears=self.paid_arrears + more[CoverLine.ARREARS],
            paid_damages=self.paid_damages + more[CoverLine.DAMAGES],
            paid_legal_costs=self.paid_legal_costs + more[CoverLine.LEGAL_COSTS],
        )

    @property
    def paid_total(self) -> Decimal:
        return self.paid_arrears + self.paid_damages + self.paid_legal_costs

    @property
    def overall_remaining(self) -> Decimal:
        return max(ZERO, self.overall_cap - self.paid_total)

    @property
    def arrears_remaining(self) -> Decimal:
        return max(ZERO, self.arrears_cap - self.paid_arrears)

    @property
    def damages_remaining(self) -> Decimal:
        return max(ZERO, self.damages_cap - self.paid_damages)

    @property
    def legal_costs_remaining(self) -> Decimal:
        return max(ZERO, self.legal_costs_cap - self.paid_legal_costs)

    def cap(self, line: CoverLine) -> Decimal:
        return {
            CoverLine.ARREARS: self.arrears_cap,
            CoverLine.DAMAGES: self.damages_cap,
            CoverLine.LEGAL_COSTS: self.legal_costs_cap,
        }[line]

    def paid(self, line: CoverLine) -> Decimal:
        return {
            CoverLine.ARREARS: self.paid_arrears,
            CoverLine.DAMAGES: self.paid_damages,
            CoverLine.LEGAL_COSTS: self.paid_legal_costs,
        }[line]

    def remaining(self, line: CoverLine) -> Decimal:
        """What the line's own cap still allows (the overall cap may allow less)."""
        return max(ZERO, self.cap(line) - self.paid(line))

    def covers(self, kind: ItemKind) -> bool:
        return kind is not ItemKind.CHARGES or self.covers_charges

    def available_for(self, kind: ItemKind) -> Decimal:
        """What one more item of ``kind`` could be paid: its line and the overall cap."""
        if not self.covers(kind):
            return ZERO
        return min(self.remaining(LINE_OF[kind]), self.overall_remaining)
