"""Reference tables (CSV) that derived facts read: sets, bands and banded values.

Every error names the CSV file and line, since these are files a fund manager edits.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from guarantee.adapters.data_files._yaml import display_path
from guarantee.domain.eligibility import SizeBand
from guarantee.services.data_files import DataFileError, FileProblem


@dataclass(frozen=True)
class CsvTable:
    path: Path
    display: str
    raw: bytes
    rows: tuple[tuple[int, dict[str, str]], ...]  # (line, row)

    def problem(self, line: int | None, reason: str) -> FileProblem:
        return FileProblem(self.display, line, reason)


def read_csv(path: Path, columns: tuple[str, ...]) -> CsvTable:
    """Read a UTF-8, comma-separated file with a header holding at least ``columns``."""
    display = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError([FileProblem(display, None, f"cannot read: {exc.strerror}")]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError([FileProblem(display, None, "not UTF-8 text")]) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [column for column in columns if column not in header]
    if missing:
        raise DataFileError([FileProblem(display, 1, f"missing column(s): {', '.join(missing)}")])
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[FileProblem] = []
    for row in reader:
        line = reader.line_num
        if None in row or any(value is None for value in row.values()):
            problems.append(FileProblem(display, line, "wrong number of fields"))
            continue
        rows.append((line, {key: value.strip() for key, value in row.items()}))
    if problems:
        raise DataFileError(problems)
    return CsvTable(path, display, raw, tuple(rows))


def read_set(table: CsvTable, column: str, where: dict[str, str]) -> frozenset[str]:
    """Values of ``column`` in the rows matching ``where`` (read_csv checked the columns)."""
    members: set[str] = set()
    problems: list[FileProblem] = []
    for line, row in table.rows:
        if any(row[name] != value for name, value in where.items()):
            continue
        value = row[column]
        if not value:
            problems.append(table.problem(line, f"empty '{column}'"))
        elif value in members:
            problems.append(table.problem(line, f"'{value}' is listed twice"))
        members.add(value)
    if problems:
        raise DataFileError(problems)
    return frozenset(members)


def read_bands(table: CsvTable, band: str, low: str, high: str) -> tuple[SizeBand, ...]:
    bands: list[SizeBand] = []
    problems: list[FileProblem] = []
    for line, row in table.rows:
        lower = _integer(row[low])
        upper = _integer(row[high]) if row[high] else None
        if not row[band]:
            problems.append(table.problem(line, f"empty '{band}'"))
        elif lower is None or (row[high] and upper is None):
            problems.append(table.problem(line, f"'{low}' and '{high}' must be whole numbers"))
        else:
            bands.append(SizeBand(row[band], lower, upper))
    if problems:
        raise DataFileError(problems)
    return tuple(bands)


def read_banded_values(
    table: CsvTable, key: str, band: str, value: str
) -> tuple[tuple[str, str, Decimal], ...]:
    rows: list[tuple[str, str, Decimal]] = []
    problems: list[FileProblem] = []
    for line, row in table.rows:
        amount = _decimal(row[value])
        if not row[key] or not row[band]:
            problems.append(table.problem(line, f"empty '{key}' or '{band}'"))
        elif amount is None:
            problems.append(table.problem(line, f"'{value}' must be an amount like 650.00"))
        else:
            rows.append((row[key], row[band], amount))
    if problems:
        raise DataFileError(problems)
    return tuple(rows)


def _integer(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _decimal(text: str) -> Decimal | None:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
