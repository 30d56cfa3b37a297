"""Anonymised statistics for the governance table: what is counted, how, and what is shown.

Records come in already stripped to bands and categories (no person, no free text); this
module counts them into one table per breakdown, protects every table (``disclosure``) and
turns the result into published rows. Money is summed per cell and shown only where the
cell's count is shown; durations are averaged the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from guarantee.domain.disclosure import CountTable, protect_family
from guarantee.domain.money import ZERO

TOTAL = "Totale"
NOT_STATED = "non indicato"

# The breakdowns, in the order they are published: code → Italian label.
DIMENSIONS: dict[str, str] = {
    "trimestre": "trimestre",
    "comune": "comune (codice ISTAT)",
    "tipo_contratto": "tipo di contratto",
    "nucleo": "componenti del nucleo",
    "isee": "fascia ISEE",
    "invio": "canale di invio",
}


def quarter(day: date) -> str:
    return f"{day.year}-T{(day.month - 1) // 3 + 1}"


def household_band(size: int | None) -> str:
    if not size:
        return NOT_STATED
    if size <= 2:
        return str(size)
    return "3-4" if size <= 4 else "5 e più"


_ISEE_BANDS = (
    (Decimal("6000"), "fino a 6.000 €"),
    (Decimal("12000"), "6.000-12.000 €"),
    (Decimal("20000"), "12.000-20.000 €"),
)


def isee_band(isee: Decimal | None) -> str:
    if isee is None:
        return NOT_STATED
    for limit, label in _ISEE_BANDS:
        if isee <= limit:
            return label
    return "oltre 20.000 €"


@dataclass(frozen=True)
class Record:
    """One counted household event: its breakdown values, its category, its figures."""

    dims: dict[str, str]
    category: str
    amounts: dict[str, Decimal] = field(default_factory=dict)
    durations: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Family:
    """A kind of statistic: its file, categories, what its count is called and its figures."""

    name: str
    title: str
    count_name: str
    categories: Sequence[str]
    # Whether one record counts in one category only (then a total per row is published).
    additive: bool = True
    amounts: Sequence[str] = ()
    durations: Sequence[str] = ()


@dataclass
class PublishedRow:
    dimension: str
    value: str
    category: str
    count: int | None
    amounts: dict[str, Decimal | None]
    durations: dict[str, Decimal | None]


@dataclass
class Cellstats:
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    duration_sum: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    duration_n: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, record: Record) -> None:
        self.count += 1
        for name, amount in record.amounts.items():
            self.amounts[name] += amount
        for name, days in record.durations.items():
            if days is not None:
                self.duration_sum[name] += days
                self.duration_n[name] += 1

    def mean(self, name: str) -> Decimal | None:
        n = self.duration_n[name]
        if not n:
            return None
        return (Decimal(self.duration_sum[name]) / n).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


Built = dict[str, tuple[CountTable, dict[tuple[str, str], Cellstats]]]


def publish(family: Family, records: Iterable[Record], k: int) -> list[PublishedRow]:
    """Count, protect and lay out every breakdown of one family."""
    return publish_together([(family, records)], k)[0]


def publish_together(
    families: Sequence[tuple[Family, Iterable[Record]]], k: int
) -> list[list[PublishedRow]]:
    """Families that count the same records by different categories (applications by
    outcome and by deciding rule) publish the same row totals: a total hidden in one is
    hidden in the others, or it could be read there."""
    built = [_build(family, records) for family, records in families]
    while True:
        for tables in built:
            protect_family([t for t, _ in tables.values()], k)
        changed = False
        for dimension in DIMENSIONS:
            linked = [tables[dimension][0] for tables in built]
            hidden = {_row_label(t, r) for t in linked for r, c in t.hidden if c == t.shape[1]}
            for table in linked:
                if not table.row_totals:
                    continue
                labels = [*table.rows, TOTAL]
                wanted = {(labels.index(v), table.shape[1]) for v in hidden if v in labels}
                if not wanted <= table.hidden:
                    table.hidden |= wanted
                    changed = True
        if not changed or len(built) == 1:
            return [
                _layout(family, tables) for (family, _), tables in zip(families, built, strict=True)
            ]


def _row_label(table: CountTable, row: int) -> str:
    return TOTAL if row == table.shape[0] else table.rows[row]


def _build(family: Family, records: Iterable[Record]) -> Built:
    listed = list(records)
    tables: Built = {}
    for dimension in DIMENSIONS:
        cells: dict[tuple[str, str], Cellstats] = defaultdict(Cellstats)
        for record in listed:
            value = record.dims.get(dimension) or NOT_STATED
            for key in (
                (value, record.category),
                (value, TOTAL),
                (TOTAL, record.category),
                (TOTAL, TOTAL),
            ):
                cells[key].add(record)
        values = sorted({v for v, _ in cells if v != TOTAL})
        counts = [[cells[(v, c)].count for c in family.categories] for v in values]
        table = CountTable(
            rows=values,
            columns=list(family.categories),
            counts=counts,
            row_totals=family.additive or len(family.categories) == 1,
        )
        tables[dimension] = (table, cells)
    return tables


def _layout(family: Family, tables: Built) -> list[PublishedRow]:
    published: list[PublishedRow] = []
    for dimension, (table, cells) in tables.items():
        n_rows, n_cols = table.shape
        for r, c in table.entries():
            value = TOTAL if r == n_rows else table.rows[r]
            category = TOTAL if c == n_cols else table.columns[c]
            stats = cells.get((value, category), Cellstats())
            shown = (r, c) not in table.hidden
            published.append(
                PublishedRow(
                    dimension=dimension,
                    value=value,
                    category=category,
                    count=stats.count if shown else None,
                    amounts={
                        name: (stats.amounts[name] if shown else None) for name in family.amounts
                    },
                    durations={
                        name: (stats.mean(name) if shown else None) for name in family.durations
                    },
                )
            )
    return published
