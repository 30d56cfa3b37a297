"""A suggested decision on a claim: pay what the cover allows, explain the rest.

The fund manager sees the suggestion, may change it, and ``Claim.decide`` checks whatever
is finally decided. Items are taken in the claim's order (oldest loss first), so when a
cap runs out it is the latest items that are cut.
"""

from __future__ import annotations

from guarantee.domain.claim_items import ARREARS_KINDS, ItemDecision
from guarantee.domain.claims import Claim
from guarantee.domain.cover import LINE_NAMES, LINE_OF, CoverLine, CoverState
from guarantee.domain.formats import amount_it
from guarantee.domain.money import ZERO

MEDIATION_PENDING = (
    "morosità non ancora pagabile: serve una mediazione chiusa senza accordo "
    "o un accordo non rispettato"
)
CHARGES_NOT_COVERED = "spese non coperte da questo prodotto"


def suggest_decision(
    claim: Claim, cover: CoverState, *, arrears_payable: bool
) -> list[ItemDecision]:
    """One decision per item, never above the remaining cover, with the landlord's reasons.

    ``cover`` is the guarantee's cover before this claim (what other claims paid or
    committed already taken out); ``arrears_payable`` comes from
    ``claims.arrears_payable`` (the mediation rule).
    """
    left = {line: cover.remaining(line) for line in CoverLine}
    left_overall = cover.overall_remaining
    decisions: list[ItemDecision] = []
    for item in claim.items:
        if item.kind in ARREARS_KINDS and not arrears_payable:
            decisions.append(ItemDecision(item.id, ZERO, MEDIATION_PENDING))
            continue
        if not cover.covers(item.kind):
            decisions.append(ItemDecision(item.id, ZERO, CHARGES_NOT_COVERED))
            continue
        line = LINE_OF[item.kind]
        approved = min(item.claimed, left[line], left_overall)
        reason = None
        if approved < item.claimed:
            reason = beyond_line(line, cover) if left[line] <= left_overall else beyond_all(cover)
        left[line] -= approved
        left_overall -= approved
        decisions.append(ItemDecision(item.id, approved, reason))
    return decisions


def beyond_line(line: CoverLine, cover: CoverState) -> str:
    """'oltre il massimale per spese legali (2.000,00 €)', or what is left of it."""
    name, cap = LINE_NAMES[line], amount_it(cover.cap(line))
    if cover.paid(line) == 0 and cover.committed(line) == 0:
        return f"oltre il massimale per {name} ({cap} €)"
    left = amount_it(cover.remaining(line))
    return f"oltre la copertura residua per {name} ({left} € del massimale di {cap} €)"


def beyond_all(cover: CoverState) -> str:
    cap = amount_it(cover.overall_cap)
    if cover.paid_total == 0 and cover.committed_total == 0:
        return f"oltre il massimale complessivo della garanzia ({cap} €)"
    left = amount_it(cover.overall_remaining)
    return f"oltre la copertura residua della garanzia ({left} € del massimale di {cap} €)"
