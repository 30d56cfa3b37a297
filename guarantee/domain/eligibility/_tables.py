"""Decision tables (after DMN and GoRules): rows of input cells and one output.

Each row has one cell per input: "any" (matches everything), a list of values, or a
range of numbers or dates with inclusive/exclusive ends. The hit policy says what the
table gives when several rows match:

- ``first``: the first matching row, in the order written;
- ``unique``: rows must never overlap — checked when the file is loaded, so two rows that
  could both match are refused with both row numbers;
- ``collect``: every matching row, aggregated (``sum``, ``min``, ``max`` or ``count``).

When no row matches, the table gives its ``default``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from guarantee.domain.eligibility._derived import _fact_problem
from guarantee.domain.eligibility._facts import FactSpec, FactType

HitPolicy = Literal["first", "unique", "collect"]
Aggregate = Literal["sum", "min", "max", "count"]
HIT_POLICIES: tuple[HitPolicy, ...] = ("first", "unique", "collect")
AGGREGATES: tuple[Aggregate, ...] = ("sum", "min", "max", "count")

Scalar = Decimal | int | str | bool | date


@dataclass(frozen=True)
class Cell:
    """One input cell: ``any``; ``values`` (one of them); or a range ``low``..``high``."""

    any: bool = False
    values: frozenset[Scalar] = frozenset()
    low: Decimal | date | None = None
    high: Decimal | date | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True

    @property
    def is_range(self) -> bool:
        return not self.any and not self.values

    def matches(self, value: object) -> bool:
        if self.any:
            return True
        if self.values:
            return value in self.values
        return _in_range(self, value)

    def overlaps(self, other: Cell) -> bool:
        """Could one value match both cells?"""
        if self.any or other.any:
            return True
        if self.values and other.values:
            return bool(self.values & other.values)
        if self.values or other.values:
            listed, ranged = (self, other) if self.values else (other, self)
            return any(_in_range(ranged, value) for value in listed.values)
        return _ranges_meet(self, other)

    def text(self) -> str:
        if self.any:
            return "qualsiasi"
        if self.values:
            return ", ".join(sorted(str(v) for v in self.values))
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        low = "" if self.low is None else str(self.low)
        high = "" if self.high is None else str(self.high)
        return f"{left}{low}..{high}{right}"


@dataclass(frozen=True)
class TableRow:
    cells: tuple[Cell, ...]
    output: Scalar

    def matches(self, values: tuple[object, ...]) -> bool:
        return all(cell.matches(value) for cell, value in zip(self.cells, values, strict=True))


@dataclass(frozen=True)
class DecisionTable:
    """A derived fact given by a decision table over some facts."""

    name: str
    inputs: tuple[str, ...]
    rows: tuple[TableRow, ...]
    output_type: FactType
    default: Scalar | None
    hit_policy: HitPolicy = "first"
    aggregate: Aggregate | None = None
    description: str = ""

    @property
    def type(self) -> FactType:
        return "integer" if self.aggregate == "count" else self.output_type

    @property
    def reads(self) -> tuple[str, ...]:
        return self.inputs

    def value(self, facts: Mapping[str, object]) -> object:
        values = tuple(facts[name] for name in self.inputs)
        if self.hit_policy == "collect":
            hits = [row.output for row in self.rows if row.matches(values)]
            return self._aggregate(hits)
        for row in self.rows:
            if row.matches(values):
                return row.output
        return self.default

    def _aggregate(self, hits: list[Scalar]) -> object:
        if self.aggregate == "count":
            return len(hits)
        if not hits:
            return self.default
        numbers = [_decimal(hit) for hit in hits]
        if self.aggregate == "min":
            return min(numbers)
        if self.aggregate == "max":
            return max(numbers)
        return sum(numbers, Decimal(0))

    def problems(self, facts: Mapping[str, FactSpec]) -> list[str]:
        """Table-wide problems; row problems carry the row number (1 = first row)."""
        found: list[str] = []
        label = f"tabella '{self.name}'"
        if not self.inputs:
            found.append(f"{label}: nessun dato in inputs")
        for name in self.inputs:
            found += _fact_problem(self.name, name, _TYPES, facts)
        if self.hit_policy not in HIT_POLICIES:
            found.append(
                f"{label}: hit_policy '{self.hit_policy}' sconosciuta (first, unique, collect)"
            )
        if self.hit_policy == "collect":
            if self.aggregate not in AGGREGATES:
                found.append(
                    f"{label}: con hit_policy 'collect' scrivere aggregate: {', '.join(AGGREGATES)}"
                )
            elif self.aggregate != "count" and self.output_type not in ("decimal", "integer"):
                found.append(
                    f"{label}: '{self.aggregate}' combina numeri, l'output è {self.output_type}"
                )
        elif self.aggregate is not None:
            found.append(f"{label}: aggregate vale solo con hit_policy 'collect'")
        if self.default is None and self.aggregate != "count":
            found.append(f"{label}: scrivere default (il valore quando nessuna riga si applica)")
        if not self.rows:
            found.append(f"{label}: nessuna riga")
        return found

    def row_problems(self, facts: Mapping[str, FactSpec]) -> list[tuple[int, str]]:
        """(row index, reason): wrong cell counts or types, and overlaps under 'unique'."""
        found: list[tuple[int, str]] = []
        types = [facts[name].type if name in facts else None for name in self.inputs]
        for index, row in enumerate(self.rows):
            if len(row.cells) != len(self.inputs):
                found.append(
                    (
                        index,
                        f"riga {index + 1}: {len(row.cells)} celle, "
                        f"ne servono {len(self.inputs)} ({', '.join(self.inputs)})",
                    )
                )
                continue
            for cell, name, kind in zip(row.cells, self.inputs, types, strict=True):
                reason = _cell_problem(cell, kind)
                if reason:
                    found.append((index, f"riga {index + 1}, '{name}': {reason}"))
            if not _value_fits(row.output, self.output_type):
                found.append((index, f"riga {index + 1}: il valore non è {self.output_type}"))
        if self.hit_policy == "unique" and not found:
            for index, row in enumerate(self.rows):
                for earlier_index, earlier in enumerate(self.rows[:index]):
                    if all(a.overlaps(b) for a, b in zip(earlier.cells, row.cells, strict=True)):
                        found.append(
                            (
                                index,
                                f"le righe {earlier_index + 1} e {index + 1} si sovrappongono: "
                                "con hit_policy 'unique' al massimo una riga può applicarsi",
                            )
                        )
        return found


_TYPES: tuple[FactType, ...] = ("decimal", "integer", "string", "boolean", "date")


def _cell_problem(cell: Cell, kind: FactType | None) -> str:
    if kind is None or cell.any:
        return ""
    if cell.values:
        if not all(_value_fits(value, kind) for value in cell.values):
            return f"i valori devono essere {kind}"
        return ""
    if kind not in ("decimal", "integer", "date"):
        return f"un intervallo vuole numeri o date, questo dato è {kind}"
    for end in (cell.low, cell.high):
        if end is not None and (isinstance(end, date) != (kind == "date")):
            return f"gli estremi devono essere {'date' if kind == 'date' else 'numeri'}"
    if cell.low is None and cell.high is None:
        return "un intervallo vuole almeno un estremo (oppure scrivere any)"
    if cell.low is not None and cell.high is not None and _after(cell.low, cell.high):
        return "l'intervallo finisce prima di cominciare"
    return ""


def _value_fits(value: object, kind: FactType) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "date":
        return isinstance(value, date)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


def _in_range(cell: Cell, value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | date):
        return False
    low, high = cell.low, cell.high
    if low is not None and (_after(low, value) or (not cell.low_inclusive and low == value)):
        return False
    return not (
        high is not None and (_after(value, high) or (not cell.high_inclusive and high == value))
    )


def _ranges_meet(a: Cell, b: Cell) -> bool:
    # Two intervals meet unless one ends before the other starts.
    return not (_ends_before(a, b) or _ends_before(b, a))


def _ends_before(a: Cell, b: Cell) -> bool:
    if a.high is None or b.low is None:
        return False
    if _after(b.low, a.high):
        return True
    return a.high == b.low and not (a.high_inclusive and b.low_inclusive)


def _after(a: object, b: object) -> bool:
    return bool(a > b)  # type: ignore[operator]


def _decimal(value: Scalar) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
