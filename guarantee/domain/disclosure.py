"""Disclosure control for published counts: primary and secondary cell suppression.

A table counts households by a row dimension (municipality, quarter…) and a column category
(outcome, kind…), and publishes its margins: a total per row (when the categories add up),
a total per column, and the grand total. Every line of the table (a row with its total, a
column with its total, the totals row with the grand total) is one linear equation an
attacker can use.

Primary suppression hides every cell and margin counting fewer than k households (zero
included: "nobody in this municipality was refused" is a statement about its households).
Secondary suppression then hides more cells until no hidden value can be worked out:

1. in every line with a hidden entry, at least two entries are hidden and the hidden ones
   add up to at least k (so no "these two are both zero" and no tight bound);
2. no hidden entry is determined by the published ones: the linear system of all lines has
   that entry's unit vector outside its row space (checked exactly, by ranks).

Tables of one family share their totals row (the same households counted by another
dimension), so a total hidden in one is hidden in all (``protect_family``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

Cell = tuple[int, int]  # (row, column); row == R is the totals row, column == C the totals column


@dataclass
class CountTable:
    """Counts with margins; ``hidden`` holds what must not be published."""

    rows: list[str]
    columns: list[str]
    counts: list[list[int]]
    row_totals: bool = True
    hidden: set[Cell] = field(default_factory=set)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.columns)

    def value(self, cell: Cell) -> int:
        r, c = cell
        n_rows, n_cols = self.shape
        if r == n_rows and c == n_cols:
            return sum(sum(row) for row in self.counts)
        if r == n_rows:
            return sum(self.counts[i][c] for i in range(n_rows))
        if c == n_cols:
            return sum(self.counts[r])
        return self.counts[r][c]

    def entries(self) -> list[Cell]:
        """Every published position: inner cells, row totals (if any), column totals, grand."""
        n_rows, n_cols = self.shape
        cols = range(n_cols + 1) if self.row_totals else range(n_cols)
        cells = [(r, c) for r in range(n_rows) for c in cols]
        cells += [(n_rows, c) for c in range(n_cols)]
        if self.row_totals or n_cols == 1:
            cells.append((n_rows, n_cols))
        return cells

    def lines(self) -> list[tuple[list[Cell], Cell]]:
        """Each equation: the entries that add up, and the total they add up to."""
        n_rows, n_cols = self.shape
        found: list[tuple[list[Cell], Cell]] = []
        if self.row_totals:
            found += [([(r, c) for c in range(n_cols)], (r, n_cols)) for r in range(n_rows + 1)]
        elif n_cols == 1:
            found.append(([(n_rows, 0)], (n_rows, n_cols)))
        found += [([(r, c) for r in range(n_rows)], (n_rows, c)) for c in range(n_cols)]
        if self.row_totals:
            found.append(([(r, n_cols) for r in range(n_rows)], (n_rows, n_cols)))
        return found


def protect(table: CountTable, k: int) -> CountTable:
    """Suppress (primary and secondary) in place and return the table."""
    table.hidden |= {cell for cell in table.entries() if table.value(cell) < k}
    _secondary(table, k)
    return table


def protect_family(tables: Sequence[CountTable], k: int) -> None:
    """Protect tables that share their totals row, hiding the same totals in all of them."""
    for table in tables:
        protect(table, k)
    while True:
        shared = {c for t in tables for (r, c) in t.hidden if r == t.shape[0]}
        changed = False
        for table in tables:
            wanted = {(table.shape[0], c) for c in shared}
            if not wanted <= table.hidden:
                table.hidden |= wanted
                _secondary(table, k)
                changed = True
        if not changed:
            return


def determined(table: CountTable) -> list[Cell]:
    """Hidden entries whose value follows from the published ones (should be none)."""
    hidden = sorted(table.hidden)
    if not hidden:
        return []
    index = {cell: i for i, cell in enumerate(hidden)}
    rows = []
    for cells, total in table.lines():
        row = np.zeros(len(hidden))
        for cell in cells:
            if cell in index:
                row[index[cell]] += 1
        if total in index:
            row[index[total]] -= 1
        if row.any():
            rows.append(row)
    if not rows:
        return []
    system = np.array(rows)
    # An entry is determined exactly when every solution of the homogeneous system leaves
    # it unchanged: its coordinate is zero across a basis of the null space.
    _, singular, vt = np.linalg.svd(system)
    tolerance = max(system.shape) * np.finfo(float).eps * (singular[0] if singular.size else 0)
    rank = int((singular > tolerance).sum())
    null_space = vt[rank:]
    found = [cell for cell, i in index.items() if np.allclose(null_space[:, i], 0, atol=1e-9)]
    return found


def _secondary(table: CountTable, k: int) -> None:
    while True:
        changed = _protect_lines(table, k)
        for cell in determined(table):
            changed |= _hide_partner(table, cell, k)
        if not changed:
            return


def _protect_lines(table: CountTable, k: int) -> bool:
    changed = False
    again = True
    while again:
        again = False
        for cells, total in table.lines():
            line = [*cells, total]
            hidden = [c for c in line if c in table.hidden]
            if not hidden:
                continue
            inner_hidden = [c for c in cells if c in table.hidden]
            hidden_sum = sum(table.value(c) for c in inner_hidden)
            # The total hidden, the parts all shown: the total is their sum. Hide a part.
            needs_more = len(hidden) < 2 or (
                total not in table.hidden and (len(inner_hidden) < 2 or hidden_sum < k)
            )
            if needs_more and _hide_smallest(table, cells):
                changed = again = True
    return changed


def _hide_smallest(table: CountTable, cells: list[Cell]) -> bool:
    """Hide the smallest shown cell of a line (non-zero first: zeros protect nothing)."""
    shown = [c for c in cells if c not in table.hidden]
    if not shown:
        return False
    choice = min(shown, key=lambda c: (table.value(c) == 0, table.value(c), c))
    table.hidden.add(choice)
    return True


def _hide_partner(table: CountTable, cell: Cell, k: int) -> bool:
    """A hidden entry still determined: hide another shown entry of one of its lines."""
    for cells, total in table.lines():
        line = [*cells, total]
        if cell in line and _hide_smallest(table, [c for c in line if c != cell]):
            return True
    return False
