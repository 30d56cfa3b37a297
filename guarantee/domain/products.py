"""Coverage products (Garanzia Casa and its future versions) as immutable values.

The numbers live in ``policies/``; this module only gives them meaning. A guarantee keeps
the product version it was issued under, so a catalog answers both "which version is
this?" (``get``) and "which version is on sale on that day?" (``current``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from guarantee.domain.errors import DefinitionProblem, InvalidDefinition, NotFound
from guarantee.domain.formats import date_it
from guarantee.domain.money import ZERO, money


@dataclass(frozen=True)
class Product:
    """One version of a coverage plan; validity is inclusive of both ends."""

    code: str
    version: int
    name: str
    valid_from: date
    valid_to: date | None
    # term
    max_term_months: int
    renewals: int
    # cover
    arrears_cap_rents: int
    arrears_include_charges: bool
    damages_cap: Decimal
    legal_costs_cap: Decimal
    overall_cap_rents: int
    overall_cap_extra: Decimal
    deductible: Decimal
    # timing
    waiting_period_days: int
    arrears_report_days: int
    arrears_claim_requires_mediation: bool
    damages_claim_days: int
    # fund
    reserve_ratio: Decimal
    # recovery
    recovery_max_instalments: int
    recovery_instalment_income_share: Decimal
    # payments above this need a second fund manager (four eyes)
    four_eyes_threshold: Decimal = Decimal("1000.00")
    # for these days after a landlord's IBAN changes, every payment needs a second fund manager
    iban_change_hold_days: int = 5
    # the scheme whose eligibility rules decide the applications for this product
    scheme: str = "garanzia-casa"
    # an eligibility attestation given before a lease is valid this many months
    attestation_valid_months: int = 6

    def __post_init__(self) -> None:
        problems = _product_problems(self)
        if problems:
            raise InvalidDefinition(problems)

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def maximum_exposure(self, monthly_rent: Decimal) -> Decimal:
        """What the fund can lose on one guarantee: arrears cap in rents + damages + legal.

        Charges are not part of the rent here: they count against the arrears cap but do
        not raise it (SPEC §3).
        """
        rent = _amount("monthly_rent", monthly_rent)
        return money(self.arrears_cap_rents * rent + self.damages_cap + self.legal_costs_cap)

    def overall_cap(self, monthly_rent: Decimal) -> Decimal:
        """The cap on everything paid under one guarantee (12 rents + 5,000 by default)."""
        rent = _amount("monthly_rent", monthly_rent)
        return money(self.overall_cap_rents * rent + self.overall_cap_extra)

    def arrears_cap(self, monthly_rent: Decimal) -> Decimal:
        rent = _amount("monthly_rent", monthly_rent)
        return money(self.arrears_cap_rents * rent)

    def reserve_for(self, monthly_rent: Decimal, paid: Decimal = ZERO) -> Decimal:
        """Reserve for a live guarantee: ratio × what is still at risk, half-up to the cent.

        Money recovered from the tenant does not restore cover, so ``paid`` is the gross
        amount paid out on the guarantee.
        """
        already_paid = _amount("paid", paid)
        at_risk = self.maximum_exposure(monthly_rent) - already_paid
        if at_risk < ZERO:
            at_risk = ZERO
        return money(self.reserve_ratio * at_risk)

    def needs_four_eyes(self, amount: Decimal) -> bool:
        """A payment above the threshold is proposed by one fund manager, authorised by another."""
        return _amount("amount", amount) > self.four_eyes_threshold

    def recovery_instalment_cap(self, net_monthly_income: Decimal) -> Decimal:
        """Largest monthly instalment a repayment plan may ask of the household."""
        income = _amount("net_monthly_income", net_monthly_income)
        return money(self.recovery_instalment_income_share * income)


def _amount(name: str, value: Decimal) -> Decimal:
    # Guard the boundary: a float or a negative amount here is a programming error.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name} must be a non-negative amount, got {value}")
    return amount


def _product_problems(product: Product) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []

    def need(ok: bool, where: str, reason: str) -> None:
        if not ok:
            problems.append(DefinitionProblem((where,), f"{where}: {reason}"))

    need(bool(product.code), "code", "manca il codice del prodotto")
    need(product.version >= 1, "version", "deve essere un intero da 1 in su")
    need(
        product.valid_to is None or product.valid_to >= product.valid_from,
        "valid_to",
        "viene prima di valid_from: la fine della validità va scritta uguale o dopo l'inizio",
    )
    for name in (
        "max_term_months",
        "arrears_cap_rents",
        "overall_cap_rents",
        "recovery_max_instalments",
        "attestation_valid_months",
    ):
        need(getattr(product, name) >= 1, name, "deve essere un intero da 1 in su")
    for name in (
        "renewals",
        "waiting_period_days",
        "arrears_report_days",
        "damages_claim_days",
        "iban_change_hold_days",
    ):
        need(getattr(product, name) >= 0, name, "non può essere negativo: scrivere 0 o più")
    for name in (
        "damages_cap",
        "legal_costs_cap",
        "overall_cap_extra",
        "deductible",
        "four_eyes_threshold",
    ):
        value = getattr(product, name)
        need(isinstance(value, Decimal), name, "deve essere un importo, es. 4000.00")
        need(isinstance(value, Decimal) and value >= 0, name, "non può essere negativo")
    for name in ("reserve_ratio", "recovery_instalment_income_share"):
        value = getattr(product, name)
        need(
            isinstance(value, Decimal) and Decimal(0) < value <= Decimal(1),
            name,
            "deve essere una frazione sopra 0 e al massimo 1 (0.30 = 30%)",
        )
    return problems


class ProductCatalog:
    """Every version of every product; validity periods of one code never overlap.

    Problems found at construction are located as ``(index, field)`` where ``index`` is
    the position in the iterable given, so a loader can name the file.
    """

    def __init__(self, products: Iterable[Product]) -> None:
        given = tuple(products)
        problems = _catalog_problems(given)
        if problems:
            raise InvalidDefinition(problems)
        self.products: tuple[Product, ...] = tuple(sorted(given, key=lambda p: (p.code, p.version)))

    def get(self, code: str, version: int) -> Product:
        for product in self.products:
            if product.code == code and product.version == version:
                return product
        raise NotFound("prodotto", f"{code} versione {version}")

    def current(self, code: str, on: date) -> Product:
        for product in self.products:
            if product.code == code and product.is_valid_on(on):
                return product
        raise NotFound("prodotto in vigore", f"{code} al {date_it(on)}")

    def versions(self, code: str) -> tuple[Product, ...]:
        return tuple(p for p in self.products if p.code == code)


def _catalog_problems(products: tuple[Product, ...]) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    seen: dict[tuple[str, int], int] = {}
    for index, product in enumerate(products):
        key = (product.code, product.version)
        if key in seen:
            problems.append(
                DefinitionProblem(
                    (index, "version"),
                    f"il prodotto '{product.code}' versione {product.version} è definito due "
                    "volte: dare alla copia una versione nuova",
                )
            )
        seen[key] = index
    for index, product in enumerate(products):
        for later in range(index + 1, len(products)):
            other = products[later]
            if other.code == product.code and _overlap(product, other):
                problems.append(
                    DefinitionProblem(
                        (later, "valid_from"),
                        f"il prodotto '{other.code}' versione {other.version} vale in giorni "
                        f"in cui vale anche la versione {product.version}: correggere "
                        "valid_from o valid_to perché i periodi non si sovrappongano",
                    )
                )
    return problems


def _overlap(a: Product, b: Product) -> bool:
    a_end = a.valid_to or date.max
    b_end = b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end
