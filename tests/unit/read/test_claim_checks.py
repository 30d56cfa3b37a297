"""The coverage checks a fund manager reads on a claim, each with its result."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from guarantee.domain.cover import CoverState, ItemKind
from guarantee.read.claim_checks import FAILED, NOT_APPLICABLE, PASSED, WAITING, coverage_checks
from guarantee.read.cover import cover_lines
from tests.support.products import product

RENT = Decimal("650.00")


def claim(*items: tuple[ItemKind, str, str | None], decided: bool = False, **extra: Any) -> Any:
    rows = [
        {
            "kind": kind.value,
            "claimed": Decimal(claimed),
            "approved": Decimal(approved) if approved is not None else None,
        }
        for kind, claimed, approved in items
    ]
    return {
        "items": rows,
        "evidence": [],
        "cover": cover_lines(CoverState.of(product(), RENT, {}, {})),
        "decided_at": datetime(2027, 7, 20, tzinfo=UTC) if decided else None,
        "approved_total": sum((r["approved"] or Decimal(0) for r in rows), Decimal(0)),
        "paid_at": None,
        "iban_held_until": None,
        **extra,
    }


def results(checks: list[Any]) -> dict[str, str]:
    return {check.rule: check.result for check in checks}


def test_arrears_wait_for_the_mediation_and_charges_follow_the_product() -> None:
    row = claim((ItemKind.ARREARS, "650", None), (ItemKind.CHARGES, "80", None))
    waiting = results(coverage_checks(row, product(), mediation_ended=False))
    mediation = next(rule for rule in waiting if rule.startswith("Morosità pagabile"))
    assert waiting[mediation] == WAITING
    assert waiting["Spese condominiali coperte dal prodotto"] == PASSED
    assert waiting["Entro la copertura residua per morosità"] == PASSED
    ended = results(coverage_checks(row, product(), mediation_ended=True))
    assert ended[mediation] == PASSED
    without_charges = results(
        coverage_checks(row, product(arrears_include_charges=False), mediation_ended=True)
    )
    assert without_charges["Spese condominiali coperte dal prodotto"] == FAILED


def test_more_than_the_cover_left_is_told_and_damages_alone_need_no_mediation() -> None:
    row = claim((ItemKind.DAMAGES, "3500", None))
    checks = coverage_checks(row, product(), mediation_ended=False)
    found = {check.rule: check for check in checks}
    damages = found["Entro la copertura residua per danni all'alloggio"]
    assert damages.result == FAILED
    assert damages.detail.startswith("richiesti 3.500,00 €, residui 3.000,00 €")
    mediation = next(c for rule, c in found.items() if rule.startswith("Morosità pagabile"))
    assert mediation.result == NOT_APPLICABLE


def test_four_eyes_follows_the_amount_accepted_and_the_payment() -> None:
    small = claim((ItemKind.DAMAGES, "900", "900"), decided=True)
    large = claim((ItemKind.DAMAGES, "2500", "1500"), decided=True)
    paid = claim((ItemKind.DAMAGES, "2500", "1500"), decided=True, paid_at=datetime.now(UTC))
    held = claim((ItemKind.DAMAGES, "900", "900"), decided=True, iban_held_until=date(2027, 7, 25))

    def four_eyes(row: Any) -> str:
        checks = coverage_checks(row, product(), mediation_ended=False)
        return next(c.result for c in checks if "lo autorizza un altro" in c.rule)

    assert four_eyes(small) == NOT_APPLICABLE
    assert four_eyes(large) == WAITING
    assert four_eyes(paid) == PASSED
    iban = coverage_checks(held, product(), mediation_ended=False)[-1]
    assert iban.result == WAITING and "25 luglio 2027" in iban.detail
