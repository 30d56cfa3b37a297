"""Claim items: what the landlord asks for, line by line, and what the fund decides on each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from guarantee.domain.cover import ItemKind
from guarantee.domain.formats import date_it
from guarantee.domain.money import money

# How a refusal names an item: singular, so "… è fuori copertura" reads right.
_ITEM_LABELS = {
    ItemKind.ARREARS: "il canone scaduto il {}",
    ItemKind.CHARGES: "l'importo per spese scaduto il {}",
    ItemKind.DAMAGES: "il danno del {}",
    ItemKind.LEGAL_COSTS: "l'importo per spese legali del {}",
}
ARREARS_KINDS = frozenset({ItemKind.ARREARS, ItemKind.CHARGES})


@dataclass(eq=False)
class ClaimItem:
    """One thing claimed. ``loss_on``: the rent's due date, the day the damage was found,
    the day the eviction costs were incurred. ``approved``/``refused`` stay None until the
    decision; ``reason`` says (in Italian) why anything was refused."""

    kind: ItemKind
    loss_on: date
    claimed: Decimal
    description: str = ""
    approved: Decimal | None = None
    refused: Decimal | None = None
    reason: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or str(uuid.uuid4())
        self.kind = ItemKind(self.kind)
        self.claimed = money(self.claimed)
        self.description = self.description.strip()

    @property
    def label(self) -> str:
        return _ITEM_LABELS[self.kind].format(date_it(self.loss_on))


@dataclass(frozen=True)
class ItemDecision:
    """What the fund pays on one item; ``reason`` is required when it pays less."""

    item_id: str
    approved: Decimal
    reason: str | None = None
