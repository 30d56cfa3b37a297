"""What makes a claim admissible when filed, and payable when decided (SPEC §3).

At filing: every loss while the guarantee was in force; arrears after the waiting period
and reported in time; damages within the deadline after the lease end, with evidence.
At the decision: arrears only after mediation, and never more than the remaining cover.
Each check raises a ``DomainError`` with a code and an Italian message, or returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from guarantee.domain.arrears import (
    ArrearsReport,
    check_reported_in_time,
    first_covered_day,
    is_in_waiting_period,
)
from guarantee.domain.claim_items import ARREARS_KINDS, ClaimItem
from guarantee.domain.cover import LINE_NAMES, LINE_OF, CoverLine, CoverState, ItemKind
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.domain.evidence import EvidenceFile
from guarantee.domain.formats import amount_it, date_it
from guarantee.domain.guarantee_facts import GuaranteeFacts
from guarantee.domain.money import ZERO
from guarantee.domain.products import Product


class MediationView(Protocol):
    """What a claim reads of a mediation case (``MediationCase`` is one)."""

    @property
    def guarantee_id(self) -> str: ...

    @property
    def opens_claim_path(self) -> bool: ...


def arrears_payable(
    product: Product, guarantee_id: str, mediation_cases: Iterable[MediationView]
) -> bool:
    """SPEC §3: arrears are payable once a mediation case on the guarantee closed without
    agreement or its agreement was broken (if the product asks for mediation at all)."""
    if not product.arrears_claim_requires_mediation:
        return True
    return any(c.opens_claim_path for c in mediation_cases if c.guarantee_id == guarantee_id)


# -- at filing -------------------------------------------------------------------------------


def check_items(
    items: list[ClaimItem], guarantee: GuaranteeFacts, product: Product, filed_on: date
) -> None:
    if not items:
        raise InvalidField("items", "indicare almeno una voce")
    seen: set[tuple[ItemKind, date]] = set()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if item.claimed <= 0:
            raise InvalidField(f"{where}.claimed", "l'importo richiesto deve essere positivo")
        if item.loss_on > filed_on:
            raise InvalidField(f"{where}.loss_on", f"{item.label} è successivo alla richiesta")
        if item.kind in ARREARS_KINDS and (item.kind, item.loss_on) in seen:
            raise InvalidField(f"{where}.loss_on", f"{item.label} è richiesto due volte")
        seen.add((item.kind, item.loss_on))
        if item.kind is ItemKind.CHARGES and not product.arrears_include_charges:
            raise DomainError(
                f"{item.label}: le spese non pagate non sono coperte da questo prodotto",
                code="charges_not_covered",
            )
        guarantee.check_live_on(item.loss_on, item.label)


def check_arrears(
    items: list[ClaimItem],
    guarantee: GuaranteeFacts,
    product: Product,
    report: ArrearsReport | None,
) -> None:
    arrears = [i for i in items if i.kind in ARREARS_KINDS]
    for item in arrears:
        if is_in_waiting_period(item.loss_on, guarantee.lease_start, product):
            last = first_covered_day(guarantee.lease_start, product) - timedelta(days=1)
            raise DomainError(
                f"{item.label} cade nel periodo di carenza (i primi "
                f"{product.waiting_period_days} giorni del contratto, fino al {date_it(last)}) "
                "e non è coperto",
                code="arrears_in_waiting_period",
            )
    if report is None or report.guarantee_id != guarantee.guarantee_id:
        raise DomainError(
            "la richiesta per morosità richiede la segnalazione della morosità sulla garanzia "
            f"{guarantee.label}",
            code="arrears_not_reported",
        )
    # Every unpaid rent counts, reported or claimed: a rent left out of a report cannot
    # move the deadline.
    dates = [*report.covered_due_dates, *(i.loss_on for i in arrears)]
    check_reported_in_time(dates, report.reported_on, product)


def check_damages(
    guarantee: GuaranteeFacts, product: Product, filed_on: date, evidence: list[EvidenceFile]
) -> None:
    deadline = guarantee.lease_end + timedelta(days=product.damages_claim_days)
    if filed_on > deadline:
        raise DomainError(
            f"richiesta per danni tardiva: andava presentata entro il {date_it(deadline)}, "
            f"{product.damages_claim_days} giorni dalla fine del contratto "
            f"({date_it(guarantee.lease_end)})",
            code="damages_claimed_late",
        )
    if not evidence:
        raise DomainError(
            "la richiesta per danni va documentata: allegare almeno una prova "
            "(fotografie, verbale di riconsegna, preventivo o fattura)",
            code="damages_without_evidence",
        )


# -- at the decision ---------------------------------------------------------------------------


def check_within_cover(
    items: list[ClaimItem],
    amounts: Mapping[str, tuple[Decimal, str | None]],
    cover: CoverState,
) -> None:
    per_line = {line: ZERO for line in CoverLine}
    for item in items:
        approved = amounts[item.id][0]
        if approved > 0 and not cover.covers(item.kind):
            raise DomainError(
                f"{item.label}: le spese non sono coperte da questo prodotto",
                code="above_remaining_cover",
            )
        per_line[LINE_OF[item.kind]] += approved
    for line, approved in per_line.items():
        if approved > cover.remaining(line):
            raise DomainError(
                f"oltre la copertura residua per {LINE_NAMES[line]}: richiesti "
                f"{amount_it(approved)} €, residui {amount_it(cover.remaining(line))} €"
                + _committed_note(cover.committed(line)),
                code="above_remaining_cover",
            )
    total = sum(per_line.values(), ZERO)
    if total > cover.overall_remaining:
        raise DomainError(
            f"oltre la copertura residua complessiva della garanzia: richiesti "
            f"{amount_it(total)} €, residui {amount_it(cover.overall_remaining)} €"
            + _committed_note(cover.committed_total),
            code="above_remaining_cover",
        )


def _committed_note(committed: Decimal) -> str:
    if committed == 0:
        return ""
    return f" ({amount_it(committed)} € già impegnati da decisioni non ancora pagate)"
