"""Reference tables (CSV) that derived facts read: sets, bands and banded values.

Every error names the CSV file and line, in Italian, since these are files a fund manager
edits, usually in a spreadsheet: the two things a spreadsheet does silently — saving with
';' as separator and dropping the leading zeros of codes — are recognised and told, never
read as something else (a ';' file is refused rather than guessed, so there is one format
to document and the Italian decimal comma that comes with it never slips through).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from guarantee.adapters.data_files._numbers import code_problem, number_problem
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
    """Read a UTF-8, comma-separated file with a header holding at least ``columns``.

    Code columns (ISTAT, CAP) must keep their leading zeros: a shortened code is refused
    with its line rather than never matching anything.
    """
    display = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = f"file illeggibile: {exc.strerror}"
        raise DataFileError([FileProblem(display, None, reason)]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = "il file non è testo UTF-8: salvarlo come «CSV UTF-8»"
        raise DataFileError([FileProblem(display, None, reason)]) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [column for column in columns if column not in header]
    if missing and len(header) <= 1 and ";" in (header[0] if header else ""):
        reason = (
            "il file usa ';' come separatore: usare ',' (dal foglio di calcolo salvare come "
            "«CSV UTF-8 (delimitato da virgole)»)"
        )
        raise DataFileError([FileProblem(display, 1, reason)])
    if missing:
        reason = (
            f"mancano le colonne {', '.join(repr(c) for c in missing)} nella prima riga "
            f"(intestazione trovata: {', '.join(header) or 'vuota'})"
        )
        raise DataFileError([FileProblem(display, 1, reason)])
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[FileProblem] = []
    for row in reader:
        line = reader.line_num
        if None in row or any(value is None for value in row.values()):
            reason = f"la riga ha un numero di campi diverso dall'intestazione ({len(header)})"
            problems.append(FileProblem(display, line, reason))
            continue
        cells = {key: value.strip() for key, value in row.items()}
        for key, value in cells.items():
            found = code_problem(key, value)
            if found:
                problems.append(FileProblem(display, line, found))
        rows.append((line, cells))
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
            problems.append(table.problem(line, f"'{column}' è vuoto"))
        elif value in members:
            problems.append(table.problem(line, f"'{value}' compare due volte"))
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
            problems.append(table.problem(line, f"'{band}' è vuoto"))
        elif lower is None or (row[high] and upper is None):
            problems.append(
                table.problem(
                    line,
                    f"'{low}' e '{high}' devono essere numeri interi senza separatori "
                    f"(es. 45), trovato '{row[low]}' e '{row[high]}'",
                )
            )
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
        misread = number_problem(row[value], quoted=True)
        amount = None if misread else _decimal(row[value])
        if not row[key] or not row[band]:
            problems.append(table.problem(line, f"'{key}' o '{band}' è vuoto"))
        elif misread:
            problems.append(table.problem(line, f"colonna '{value}': {misread}"))
        elif amount is None:
            problems.append(
                table.problem(
                    line, f"'{value}' deve essere un importo come 650.00, trovato '{row[value]}'"
                )
            )
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
