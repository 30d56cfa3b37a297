"""The coverage checks of a claim's product version, each with its result, in Italian.

What the fund manager reads before deciding: the checks made when the claim was filed (a
claim on file passed them: a refused one is never recorded), and those judged at the
decision and at payment — mediation, remaining cover per line, four eyes, a new IBAN. The
rules themselves stay in ``domain.claim_rules`` and ``Claim``: this only tells them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from guarantee.domain.cover import LINE_NAMES, LINE_OF, CoverLine, ItemKind
from guarantee.domain.formats import amount_it, date_it
from guarantee.domain.products import Product

PASSED, FAILED, WAITING, NOT_APPLICABLE = "passed", "failed", "waiting", "not_applicable"
RESULT_LABELS = {
    PASSED: "Soddisfatto",
    FAILED: "Non soddisfatto",
    WAITING: "In attesa",
    NOT_APPLICABLE: "Non pertinente",
}
_ARREARS = {ItemKind.ARREARS.value, ItemKind.CHARGES.value}


@dataclass(frozen=True)
class Check:
    rule: str
    result: str
    detail: str

    @property
    def label(self) -> str:
        return RESULT_LABELS[self.result]


def coverage_checks(
    claim: Mapping[str, Any], product: Product, *, mediation_ended: bool
) -> list[Check]:
    """``claim`` is ``read.claims.claim_detail``'s row; ``mediation_ended``: a mediation
    case on the guarantee closed without agreement, or its agreement was broken."""
    kinds = {str(item["kind"]) for item in claim["items"]}
    has_arrears = bool(kinds & _ARREARS)
    has_damages = ItemKind.DAMAGES.value in kinds
    checks = [
        Check(
            "Perdite avvenute mentre la garanzia era in vigore",
            PASSED,
            "verificato alla presentazione della richiesta",
        ),
        _waiting_period(product, has_arrears),
        _reported_in_time(product, has_arrears),
        _charges(product, kinds),
        _damages(product, has_damages, len(claim["evidence"])),
        _mediation(product, has_arrears, mediation_ended),
        *_cover(claim["items"], claim["cover"], decided=claim["decided_at"] is not None),
        _four_eyes(product, claim),
    ]
    if claim.get("iban_held_until") is not None:
        checks.append(
            Check(
                f"IBAN del locatore cambiato da meno di {product.iban_change_hold_days} giorni",
                WAITING,
                f"fino al {date_it(claim['iban_held_until'])} ogni pagamento richiede un "
                "secondo gestore",
            )
        )
    return checks


def _waiting_period(product: Product, has_arrears: bool) -> Check:
    rule = f"Periodo di carenza: canoni scaduti nei primi {product.waiting_period_days} giorni"
    if not has_arrears:
        return Check(rule, NOT_APPLICABLE, "nessuna voce di morosità")
    return Check(rule, PASSED, "nessun canone richiesto cade nel periodo di carenza")


def _reported_in_time(product: Product, has_arrears: bool) -> Check:
    rule = (
        f"Morosità segnalata entro {product.arrears_report_days} giorni dal secondo canone "
        "non pagato"
    )
    if not has_arrears:
        return Check(rule, NOT_APPLICABLE, "nessuna voce di morosità")
    return Check(rule, PASSED, "segnalazione nei termini, verificata alla presentazione")


def _charges(product: Product, kinds: set[str]) -> Check:
    rule = "Spese condominiali coperte dal prodotto"
    if ItemKind.CHARGES.value not in kinds:
        return Check(rule, NOT_APPLICABLE, "nessuna voce per spese")
    if product.arrears_include_charges:
        return Check(rule, PASSED, "le spese rientrano nel massimale per morosità")
    return Check(rule, FAILED, "le spese non sono coperte da questo prodotto")


def _damages(product: Product, has_damages: bool, evidence: int) -> Check:
    rule = (
        f"Danni richiesti entro {product.damages_claim_days} giorni dalla fine del contratto, "
        "con prove"
    )
    if not has_damages:
        return Check(rule, NOT_APPLICABLE, "nessuna voce per danni")
    files = "1 prova allegata" if evidence == 1 else f"{evidence} prove allegate"
    return Check(rule, PASSED, f"nei termini; {files}")


def _mediation(product: Product, has_arrears: bool, ended: bool) -> Check:
    rule = (
        "Morosità pagabile solo dopo una mediazione chiusa senza accordo o un accordo "
        "non rispettato"
    )
    if not has_arrears or not product.arrears_claim_requires_mediation:
        why = "nessuna voce di morosità" if not has_arrears else "il prodotto non la richiede"
        return Check(rule, NOT_APPLICABLE, why)
    if ended:
        return Check(rule, PASSED, "la mediazione sulla garanzia si è conclusa senza accordo")
    return Check(rule, WAITING, "la mediazione sulla garanzia non si è ancora conclusa")


def _cover(
    items: Sequence[Mapping[str, Any]], cover: Sequence[Mapping[str, Any]], *, decided: bool
) -> list[Check]:
    """Per line: what is asked (or approved) against what the cover still has. Once decided,
    the cover already counts this claim's commitment."""
    asked: dict[str, Decimal] = {}
    for item in items:
        line = LINE_OF[ItemKind(item["kind"])].value
        amount = (item["approved"] or Decimal(0)) if decided else item["claimed"]
        asked[line] = asked.get(line, Decimal(0)) + amount
    checks = []
    for figures in cover:
        line = figures["line"]
        if line == "overall" or line not in asked:
            continue
        name = LINE_NAMES[CoverLine(line)]
        remaining = figures["remaining"] + (asked[line] if decided else Decimal(0))
        within = asked[line] <= remaining
        verb = "approvati" if decided else "richiesti"
        checks.append(
            Check(
                f"Entro la copertura residua per {name}",
                PASSED if within else FAILED,
                f"{verb} {amount_it(asked[line])} €, residui {amount_it(remaining)} €"
                + ("" if within or decided else ": la decisione può accogliere solo il residuo"),
            )
        )
    return checks


def _four_eyes(product: Product, claim: Mapping[str, Any]) -> Check:
    threshold = amount_it(product.four_eyes_threshold)
    rule = f"Pagamento oltre {threshold} €: lo propone un gestore, lo autorizza un altro"
    approved = claim["approved_total"]
    if claim["decided_at"] is None:
        return Check(rule, WAITING, "si valuta sull'importo accolto")
    if not product.needs_four_eyes(approved):
        return Check(rule, NOT_APPLICABLE, f"{amount_it(approved)} € accolti: basta un gestore")
    if claim["paid_at"] is not None:
        return Check(rule, PASSED, "pagamento proposto e autorizzato da due gestori diversi")
    return Check(rule, WAITING, f"{amount_it(approved)} € accolti: servono due gestori diversi")
