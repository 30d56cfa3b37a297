"""The facts an evaluation may read, as the fact catalogue (``rules/facts.yaml``) declares them.

The catalogue is data: each fact has a name, a kind (money, number, integer, text, code
from a list, date, yes/no), an Italian label, a unit, where the intake finds it and
whether the applicant must provide it. This module only gives the shape of a declared
fact and the fast checkers built from it; no fact name is written in Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

FactType = Literal["decimal", "integer", "string", "boolean", "date"]
"""How the engine holds a value (and how a stored evaluation records it)."""

FactKind = Literal["money", "number", "integer", "text", "code", "date", "yes_no"]
"""How the catalogue describes a fact to the people who write rules."""

FACT_KINDS: dict[FactKind, FactType] = {
    "money": "decimal",
    "number": "decimal",
    "integer": "integer",
    "text": "string",
    "code": "string",
    "date": "date",
    "yes_no": "boolean",
}

KIND_LABELS: dict[FactKind, str] = {
    "money": "importo",
    "number": "numero",
    "integer": "intero",
    "text": "testo",
    "code": "codice da elenco",
    "date": "data",
    "yes_no": "sì/no",
}

# A checker turns a raw value into the value rules see, or returns an Italian reason.
Checker = Callable[[object], "tuple[object, None] | tuple[None, str]"]


@dataclass(frozen=True)
class FactSpec:
    """One declared fact: its type and the limits any valid value respects.

    ``description`` is the Italian label; ``source`` says where the intake reads it
    (``household.isee``, ``lease.months``, ``declared`` for a fact the applicant states
    on the application, ``computed`` for one derived from others); ``provided`` is true
    when the applicant must give it.
    """

    name: str
    type: FactType
    description: str
    minimum: int | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    kind: FactKind | None = None
    unit: str = ""
    source: str = ""
    provided: bool = False

    @property
    def label(self) -> str:
        return self.description

    def checker(self) -> Checker:
        """A fast validating converter for this fact, built once per rule set."""
        if self.type == "decimal":
            return _decimal_checker(self.minimum)
        if self.type == "integer":
            return _integer_checker(self.minimum)
        if self.type == "boolean":
            return _boolean_checker
        if self.type == "date":
            return _date_checker
        return _string_checker(self.choices, self.pattern)


def check_declared(
    facts: Mapping[str, FactSpec], given: Mapping[str, object]
) -> tuple[dict[str, object], dict[str, str]]:
    """Values the applicant declared, checked against the catalogue: (converted, problems).

    A name the catalogue does not declare as provided by the applicant is refused, so a
    form or API client cannot slip in a fact the rules would trust.
    """
    values: dict[str, object] = {}
    problems: dict[str, str] = {}
    for name, raw in given.items():
        spec = facts.get(name)
        if spec is None:
            problems[name] = "dato non previsto dal catalogo dei dati (rules/facts.yaml)"
            continue
        if spec.source != "declared":
            problems[name] = "dato che il sistema ricava da sé: non va dichiarato"
            continue
        value, reason = spec.checker()(raw)
        if reason is None:
            values[name] = value
        else:
            problems[name] = reason
    return values, problems


def check_any(
    facts: Mapping[str, FactSpec], given: Mapping[str, object]
) -> tuple[dict[str, object], dict[str, str]]:
    """Like ``check_declared`` for a what-if check: any supplied fact of the catalogue."""
    values: dict[str, object] = {}
    problems: dict[str, str] = {}
    for name, raw in given.items():
        spec = facts.get(name)
        if spec is None:
            problems[name] = "dato non previsto dal catalogo dei dati (rules/facts.yaml)"
            continue
        value, reason = spec.checker()(raw)
        if reason is None:
            values[name] = value
        else:
            problems[name] = reason
    return values, problems


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


def _date_checker(value: object) -> tuple[object, None] | tuple[None, str]:
    # A stored evaluation and a JSON body carry dates as ISO text (AAAA-MM-GG).
    if isinstance(value, datetime):
        return None, "attesa una data (AAAA-MM-GG), ricevuto data e ora"
    if isinstance(value, date):
        return value, None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value), None
        except ValueError:
            return None, f"'{value}' non è una data nel formato AAAA-MM-GG"
    return None, f"attesa una data (AAAA-MM-GG), ricevuto {_kind(value)}"


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
        date: "data",
    }
    return names.get(type(value), type(value).__name__)
