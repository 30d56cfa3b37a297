"""Disclosure control on random tables: nothing published below k, and an independent
attacker (exact rational elimination plus non-negativity) recovers no suppressed cell."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guarantee.domain.disclosure import CountTable, determined, protect
from tests.support.disclosure_attack import TOTAL, attack

K = 5


def grid_of(table: CountTable) -> dict[tuple[str, str], int | None]:
    n_rows, n_cols = table.shape
    grid: dict[tuple[str, str], int | None] = {}
    for r, c in table.entries():
        value = TOTAL if r == n_rows else table.rows[r]
        category = TOTAL if c == n_cols else table.columns[c]
        grid[(value, category)] = None if (r, c) in table.hidden else table.value((r, c))
    return grid


counts = st.integers(min_value=1, max_value=7).flatmap(
    lambda rows: st.integers(min_value=1, max_value=5).flatmap(
        lambda cols: st.lists(
            st.lists(
                st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30]),
                min_size=cols,
                max_size=cols,
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(counts, st.booleans())
def test_random_tables_publish_nothing_small_and_nothing_recoverable(
    values: list[list[int]], row_totals: bool
) -> None:
    table = CountTable(
        rows=[f"r{i}" for i in range(len(values))],
        columns=[f"c{j}" for j in range(len(values[0]))],
        counts=values,
        row_totals=row_totals or len(values[0]) == 1,
    )
    protect(table, K)
    for cell in table.entries():
        assert cell in table.hidden or table.value(cell) >= K
    assert determined(table) == []
    assert attack(grid_of(table), table.row_totals, {}) == {}
