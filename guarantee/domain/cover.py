"""What a guarantee still covers: per line (arrears, damages, legal costs) and overall.

Caps come from the product and the monthly rent; what was paid so far comes from the
claims paid on the guarantee, and what is committed from the claims decided but not yet
paid. Money recovered from the tenant does not restore cover (SPEC §3), so only payments
and commitments count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
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
class LineFigures:
    """One cap of a guarantee, as the fund manager and the landlord see it."""

    line: CoverLine | None  # None: the overall cap
    cap: Decimal
    paid: Decimal
    committed: Decimal
    remaining: Decimal


def _per_line(amounts: Mapping[ItemKind, Decimal]) -> dict[CoverLine, Decimal]:
    totals = {line: ZERO for line in CoverLine}
    for kind, amount in amounts.items():
        totals[LINE_OF[kind]] += money(amount)
    return totals


@dataclass(frozen=True)
class CoverState:
    """What a guarantee covers: caps, what was paid, and what decided claims have committed.

    A decision commits its approved amounts until they are paid (or the decision is revoked,
    or the claim withdrawn): every later decision sees what is left after both, so two
    claims decided before either is paid can never promise more than a cap.
    """

    overall_cap: Decimal
    arrears_cap: Decimal
    damages_cap: Decimal
    legal_costs_cap: Decimal
    covers_charges: bool
    paid_arrears: Decimal = ZERO  # rent and charges together
    paid_damages: Decimal = ZERO
    paid_legal_costs: Decimal = ZERO
    committed_arrears: Decimal = ZERO
    committed_damages: Decimal = ZERO
    committed_legal_costs: Decimal = ZERO

    @classmethod
    def of(
        cls,
        product: Product,
        monthly_rent: Decimal,
        paid: Mapping[ItemKind, Decimal] | None = None,
        committed: Mapping[ItemKind, Decimal] | None = None,
    ) -> CoverState:
        """Cover of a guarantee with ``monthly_rent``, after ``paid`` and ``committed``
        (gross, per kind)."""
        state = cls(
            overall_cap=product.overall_cap(monthly_rent),
            arrears_cap=product.arrears_cap(monthly_rent),
            damages_cap=money(product.damages_cap),
            legal_costs_cap=money(product.legal_costs_cap),
            covers_charges=product.arrears_include_charges,
        )
        return state.after(paid or {}).committing(committed or {})

    def after(self, paid: Mapping[ItemKind, Decimal]) -> CoverState:
        """The cover once ``paid`` more has gone out."""
        more = _per_line(paid)
        return replace(
            self,
            paid_arrears=self.paid_arrears + more[CoverLine.ARREARS],
            paid_damages=self.paid_damages + more[CoverLine.DAMAGES],
            paid_legal_costs=self.paid_legal_costs + more[CoverLine.LEGAL_COSTS],
        )

    def committing(self, committed: Mapping[ItemKind, Decimal]) -> CoverState:
        """The cover once ``committed`` more has been promised by a decision."""
        more = _per_line(committed)
        return replace(
            self,
            committed_arrears=self.committed_arrears + more[CoverLine.ARREARS],
            committed_damages=self.committed_damages + more[CoverLine.DAMAGES],
            committed_legal_costs=self.committed_legal_costs + more[CoverLine.LEGAL_COSTS],
        )

    @property
    def paid_total(self) -> Decimal:
        return self.paid_arrears + self.paid_damages + self.paid_legal_costs

    @property
    def committed_total(self) -> Decimal:
        return self.committed_arrears + self.committed_damages + self.committed_legal_costs

    @property
    def overall_remaining(self) -> Decimal:
        return max(ZERO, self.overall_cap - self.paid_total - self.committed_total)

    @property
    def arrears_remaining(self) -> Decimal:
        return self.remaining(CoverLine.ARREARS)

    @property
    def damages_remaining(self) -> Decimal:
        return self.remaining(CoverLine.DAMAGES)

    @property
    def legal_costs_remaining(self) -> Decimal:
        return self.remaining(CoverLine.LEGAL_COSTS)

    @property
    def used_up(self) -> bool:
        """Everything the guarantee promised has been paid: nothing more can ever go out."""
        return self.paid_total >= self.overall_cap

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

    def committed(self, line: CoverLine) -> Decimal:
        return {
            CoverLine.ARREARS: self.committed_arrears,
            CoverLine.DAMAGES: self.committed_damages,
            CoverLine.LEGAL_COSTS: self.committed_legal_costs,
        }[line]

    def remaining(self, line: CoverLine) -> Decimal:
        """What the line's own cap still allows (the overall cap may allow less)."""
        return max(ZERO, self.cap(line) - self.paid(line) - self.committed(line))

    def covers(self, kind: ItemKind) -> bool:
        return kind is not ItemKind.CHARGES or self.covers_charges

    def available_for(self, kind: ItemKind) -> Decimal:
        """What one more item of ``kind`` could be paid: its line and the overall cap."""
        if not self.covers(kind):
            return ZERO
        return min(self.remaining(LINE_OF[kind]), self.overall_remaining)

    def figures(self) -> list[LineFigures]:
        """The overall cap first, then each line: cap, paid, committed and remaining."""
        overall = LineFigures(
            None, self.overall_cap, self.paid_total, self.committed_total, self.overall_remaining
        )
        return [overall] + [
            LineFigures(
                line, self.cap(line), self.paid(line), self.committed(line), self.remaining(line)
            )
            for line in CoverLine
        ]
