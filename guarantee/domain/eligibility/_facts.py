"""The facts an application supplies to an eligibility evaluation, and their checks.

This is the contract with the rest of the system: the application layer builds a mapping
with these names and types; rule-set files may read them but never invent new ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

FactType = Literal["decimal", "integer", "string", "boolean"]

# A checker turns a raw value into the value rules see, or returns an Italian reason.
Checker = Callable[[object], "tuple[object, None] | tuple[None, str]"]


@dataclass(frozen=True)
class FactSpec:
    """One fact: its type and the limits any valid value respects (Italian description)."""

    name: str
    type: FactType
    description: str
    minimum: int | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None

    def checker(self) -> Checker:
        """A fast validating converter for this fact, built once per rule set."""
        if self.type == "decimal":
            return _decimal_checker(self.minimum)
        if self.type == "integer":
            return _integer_checker(self.minimum)
        if self.type == "boolean":
            return _boolean_checker
        return _string_checker(self.choices, self.pattern)


ELIGIBILITY_FACTS: Mapping[str, FactSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            FactSpec("isee", "decimal", "ISEE del nucleo familiare, in euro", minimum=0),
            FactSpec(
                "net_monthly_income",
                "decimal",
                "reddito netto mensile del nucleo familiare, in euro",
                minimum=0,
            ),
            FactSpec("monthly_rent", "decimal", "canone mensile, in euro", minimum=0),
            FactSpec(
                "monthly_charges", "decimal", "spese condominiali mensili, in euro", minimum=0
            ),
            FactSpec(
                "municipality_istat_code",
                "string",
                "codice ISTAT (6 cifre) del comune dell'alloggio",
                pattern=r"[0-9]{6}",
            ),
            FactSpec("floor_area_m2", "integer", "superficie dell'alloggio in m²", minimum=1),
            FactSpec("lease_type", "string", "tipo di contratto di locazione"),
            FactSpec(
                "lease_registered", "boolean", "contratto registrato all'Agenzia delle Entrate"
            ),
            FactSpec("lease_months", "integer", "durata del contratto in mesi", minimum=0),
            FactSpec(
                "referral_source",
                "string",
                "chi ha inviato il nucleo",
                choices=("help_desk", "social_services", "self", "other"),
            ),
            FactSpec(
                "other_live_guarantees",
                "integer",
                "altre garanzie attive per lo stesso nucleo",
                minimum=0,
            ),
            FactSpec(
                "declared_relatives",
                "boolean",
                "locatore e conduttore si dichiarano parenti",
            ),
        )
    }
)
"""The facts the application supplies, by name (see the module docstring)."""


def _decimal_checker(minimum: int | None) -> Checker:
    def check(value: object) -> tuple[object, None] | tuple[None, str]:
        if isinstance(value, Decimal):
            amount = value
        elif isinstance(value, int) and not isinstance(value, bool):
            amount = Decimal(value)
        elif isinstance(value, float):
            return None, "importo in virgola mobile non ammesso: usare un decimale esatto"
        else:
            return None, f"atteso un importo decimale, ricevuto {_kind(value)}"
        if not amount.is_finite():
            return None, "importo non finito"
        if minimum is not None and amount < minimum:
            return None, f"non può essere inferiore a {minimum}"
        return amount, None

    return check


def _integer_checker(minimum: int | None) -> Checker:
    def check(value: object) -> tuple[object, None] | tuple[None, str]:
        if not isinstance(value, int) or isinstance(value, bool):
            return None, f"atteso un numero intero, ricevuto {_kind(value)}"
        if minimum is not None and value < minimum:
            return None, f"non può essere inferiore a {minimum}"
        return value, None

    return check


def _boolean_checker(value: object) -> tuple[object, None] | tuple[None, str]:
    if not isinstance(value, bool):
        return None, f"atteso vero/falso, ricevuto {_kind(value)}"
    return value, None


def _string_checker(choices: tuple[str, ...], pattern: str | None) -> Checker:
    compiled = re.compile(pattern) if pattern else None

    def check(value: object) -> tuple[object, None] | tuple[None, str]:
        if not isinstance(value, str):
            return None, f"atteso un testo, ricevuto {_kind(value)}"
        if choices and value not in choices:
            return None, f"valore '{value}' non ammesso (ammessi: {', '.join(choices)})"
        if compiled is not None and not compiled.fullmatch(value):
            return None, f"valore '{value}' non nel formato atteso"
        return value, None

    return check


def _kind(value: object) -> str:
    names = {
        bool: "vero/falso",
        int: "numero intero",
        float: "numero in virgola mobile",
        str: "testo",
        Decimal: "importo decimale",
    }
    return names.get(type(value), type(value).__name__)
