"""What an attacker does with a published table: every suppressed cell it can work out
exactly from the published cells and totals (exact Gaussian elimination over the
rationals) or from non-negativity (hidden entries of a line that must sum to zero)."""

from __future__ import annotations

from fractions import Fraction

TOTAL = "Totale"


def attack(
    grid: dict[tuple[str, str], int | None],
    row_totals: bool,
    known_totals: dict[str, int],
    known_row_totals: dict[str, int] | None = None,
) -> dict[tuple[str, str], Fraction]:
    """Every suppressed cell an attacker can work out exactly from the published cells, the
    published totals of any breakdown of the same file, and the lines they form (exact
    Gaussian elimination over the rationals), plus non-negativity (a line whose hidden
    entries must sum to zero gives them all away)."""
    values = sorted({v for v, _ in grid if v != TOTAL})
    categories = sorted({c for _, c in grid if c != TOTAL})
    known: dict[tuple[str, str], int] = {k: v for k, v in grid.items() if v is not None}
    for category, total in known_totals.items():
        known.setdefault((TOTAL, category), total)
    for value, total in (known_row_totals or {}).items():
        if (value, TOTAL) in grid:
            known.setdefault((value, TOTAL), total)
    unknown = sorted(
        {
            key
            for key in [(v, c) for v in [*values, TOTAL] for c in [*categories, TOTAL]]
            if key in grid and key not in known
        }
    )
    if not unknown:
        return {}
    index = {key: i for i, key in enumerate(unknown)}
    lines: list[tuple[list[tuple[str, str]], tuple[str, str]]] = []
    if row_totals:
        lines += [([(v, c) for c in categories], (v, TOTAL)) for v in [*values, TOTAL]]
        lines.append(([(v, TOTAL) for v in values], (TOTAL, TOTAL)))
    lines += [([(v, c) for v in values], (TOTAL, c)) for c in categories]
    matrix: list[list[Fraction]] = []
    found: dict[tuple[str, str], Fraction] = {}
    for parts, total in lines:
        if total not in grid:
            continue
        row = [Fraction(0)] * (len(unknown) + 1)
        for key in parts:
            if key in index:
                row[index[key]] += 1
            else:
                row[-1] -= known.get(key, 0)
        if total in index:
            row[index[total]] -= 1
        else:
            row[-1] += known[total]
        hidden = [i for i, x in enumerate(row[:-1]) if x != 0]
        if hidden and total not in index and row[-1] == 0:
            found.update({unknown[i]: Fraction(0) for i in hidden})
        matrix.append(row)
    # Reduced row echelon form: a row with a single unknown left fixes it.
    pivot_row = 0
    for col in range(len(unknown)):
        pick = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if pick is None:
            continue
        matrix[pivot_row], matrix[pick] = matrix[pick], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [x / lead for x in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [
                    a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)
                ]
        pivot_row += 1
    for row in matrix:
        nonzero = [i for i, x in enumerate(row[:-1]) if x != 0]
        if len(nonzero) == 1:
            found[unknown[nonzero[0]]] = row[-1] / row[nonzero[0]]
    return found
