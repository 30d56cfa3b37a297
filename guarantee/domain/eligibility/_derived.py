"""Facts the engine derives from reference data (municipality list, rent caps, ...).

Callers never supply these: a rule-set file declares them, pointing at its reference
tables, and the engine computes them before the conditions run. Conditions then read a
plain boolean or amount, which keeps them short, type-checked and fast (a membership
test over a 42-element set inside rule-engine costs ~20× a boolean symbol).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from guarantee.domain.eligibility._facts import FactSpec, FactType

TYPE_WORDS: dict[FactType, str] = {
    "decimal": "un numero o importo",
    "integer": "un intero",
    "string": "un testo o codice",
    "boolean": "un sì/no",
    "date": "una data",
}
"""How a message names a fact's type to the people who write rules."""

ANY_KEY = "*"
"""Key of the default rows of a banded table: they apply to every key without its own row."""


class DerivedFact(Protocol):
    """What the engine needs of a derived fact."""

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> FactType: ...

    @property
    def reads(self) -> tuple[str, ...]: ...

    def value(self, facts: Mapping[str, object]) -> object: ...

    def problems(self, facts: Mapping[str, FactSpec]) -> list[str]: ...


@dataclass(frozen=True)
class MemberOf:
    """True when a string fact is one of a reference set (e.g. the consortium's municipalities)."""

    name: str
    fact: str
    members: frozenset[str]
    description: str = ""

    @property
    def type(self) -> FactType:
        return "boolean"

    @property
    def reads(self) -> tuple[str, ...]:
        return (self.fact,)

    def value(self, facts: Mapping[str, object]) -> object:
        return facts[self.fact] in self.members

    def problems(self, facts: Mapping[str, FactSpec]) -> list[str]:
        found = _fact_problem(self.name, self.fact, "string", facts)
        if not self.members:
            found.append(
                f"dato calcolato '{self.name}': l'elenco di riferimento è vuoto, riempirlo"
            )
        return found


@dataclass(frozen=True)
class SizeBand:
    """A band of a measure, inclusive of both ends; ``upper`` None means no upper limit."""

    code: str
    lower: int
    upper: int | None

    def contains(self, measure: int) -> bool:
        return self.lower <= measure and (self.upper is None or measure <= self.upper)


@dataclass(frozen=True)
class BandLookup:
    """An amount looked up by a key fact and the band a measure falls in.

    The rent cap: key = municipality ISTAT code, measure = floor area. Rows with key
    ``*`` are the default for municipalities without their own row.
    """

    name: str
    key_fact: str
    measure_fact: str
    bands: tuple[SizeBand, ...]
    rows: tuple[tuple[str, str, Decimal], ...]
    description: str = ""
    _table: dict[tuple[str, str], Decimal] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_table", {(key, band): v for key, band, v in self.rows})

    @property
    def type(self) -> FactType:
        return "decimal"

    @property
    def reads(self) -> tuple[str, ...]:
        return (self.key_fact, self.measure_fact)

    def band_of(self, measure: int) -> SizeBand:
        for band in self.bands:
            if band.contains(measure):
                return band
        # Unreachable once problems() is empty: the bands cover every non-negative measure.
        raise LookupError(f"{self.name}: no band contains {measure}")

    def value(self, facts: Mapping[str, object]) -> object:
        measure = facts[self.measure_fact]
        assert isinstance(measure, int)
        band = self.band_of(measure).code
        key = facts[self.key_fact]
        found = self._table.get((str(key), band))
        return found if found is not None else self._table[(ANY_KEY, band)]

    def problems(self, facts: Mapping[str, FactSpec]) -> list[str]:
        found = _fact_problem(self.name, self.key_fact, "string", facts)
        found += _fact_problem(self.name, self.measure_fact, "integer", facts)
        found += _band_problems(self.name, self.bands)
        codes = {band.code for band in self.bands}
        seen: set[tuple[str, str]] = set()
        for key, band, amount in self.rows:
            if band not in codes:
                found.append(
                    f"dato calcolato '{self.name}': la fascia '{band}' (chiave '{key}') non è "
                    f"tra le fasce definite ({', '.join(sorted(codes))})"
                )
            if (key, band) in seen:
                found.append(
                    f"dato calcolato '{self.name}': due valori per '{key}', fascia '{band}': "
                    "tenerne uno"
                )
            seen.add((key, band))
            if amount < 0:
                found.append(
                    f"dato calcolato '{self.name}': valore negativo per '{key}', fascia "
                    f"'{band}': scrivere un importo da 0 in su"
                )
        for code in sorted(codes - {band for key, band in seen if key == ANY_KEY}):
            found.append(
                f"dato calcolato '{self.name}': la fascia '{code}' non ha la riga "
                f"predefinita: aggiungere una riga con chiave '{ANY_KEY}'"
            )
        return found


def _fact_problem(
    name: str, fact: str, wanted: FactType | tuple[FactType, ...], facts: Mapping[str, FactSpec]
) -> list[str]:
    spec = facts.get(fact)
    allowed = wanted if isinstance(wanted, tuple) else (wanted,)
    if spec is None:
        return [
            f"dato calcolato '{name}': il dato '{fact}' non è nel catalogo "
            "(rules/facts.yaml): correggere il nome o dichiararlo"
        ]
    if spec.type not in allowed:
        return [
            f"dato calcolato '{name}': il dato '{fact}' è {TYPE_WORDS[spec.type]}, qui serve "
            f"{' oppure '.join(TYPE_WORDS[kind] for kind in allowed)}"
        ]
    return []


def _band_problems(name: str, bands: Iterable[SizeBand]) -> list[str]:
    # Bands must tile 0..∞ without gaps or overlaps, so every measure finds exactly one.
    ordered = sorted(bands, key=lambda band: band.lower)
    if not ordered:
        return [f"dato calcolato '{name}': nessuna fascia, scriverne almeno una"]
    found: list[str] = []
    codes = [band.code for band in ordered]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        found.append(f"dato calcolato '{name}': la fascia '{code}' è definita due volte")
    expected_lower = 0
    for band in ordered:
        if band.lower != expected_lower:
            found.append(
                f"dato calcolato '{name}': la fascia '{band.code}' comincia da {band.lower}, "
                f"dovrebbe cominciare da {expected_lower} (le fasce vanno una dopo l'altra, "
                "senza sovrapporsi né lasciare buchi)"
            )
        if band.upper is not None and band.upper < band.lower:
            found.append(
                f"dato calcolato '{name}': la fascia '{band.code}' finisce prima di cominciare"
            )
        if band.upper is None:
            if band is not ordered[-1]:
                found.append(
                    f"dato calcolato '{name}': solo l'ultima fascia può restare senza limite "
                    "superiore"
                )
            break
        expected_lower = band.upper + 1
    else:
        found.append(
            f"dato calcolato '{name}': l'ultima fascia va lasciata senza limite superiore "
            "(max vuoto)"
        )
    return found
