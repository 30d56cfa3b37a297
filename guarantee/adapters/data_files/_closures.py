"""The office's own closing days (CSV) that the working calendar skips.

A row is either a recurring day, ``MM-DD`` (07-07, the patron saint of Ivrea), or a
one-off date, ``YYYY-MM-DD``. Every error names the file and the line.
"""

from __future__ import annotations

import re
from pathlib import Path

from guarantee.adapters.data_files._reference import read_csv
from guarantee.domain.calendar import ClosingDay
from guarantee.services.data_files import DataFileError, FileProblem

OFFICE_CLOSURES_FILE = Path("reference") / "office-closures.csv"
_COLUMNS = ("date_or_month_day", "description")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_FULL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def office_closures_path(rules_dir: Path) -> Path:
    return rules_dir / OFFICE_CLOSURES_FILE


def load_office_closures(path: Path) -> tuple[ClosingDay, ...]:
    table = read_csv(path, _COLUMNS)
    closures: list[ClosingDay] = []
    problems: list[FileProblem] = []
    seen: dict[tuple[int | None, int, int], int] = {}
    for line, row in table.rows:
        text, description = row["date_or_month_day"], row["description"]
        if not description:
            problems.append(
                table.problem(line, "'description' è vuoto: scrivere perché l'ufficio è chiuso")
            )
            continue
        closure = _closing_day(text, description)
        if closure is None:
            problems.append(
                table.problem(
                    line,
                    f"'{text}' non è né un giorno dell'anno (MM-GG, es. 07-07) "
                    "né una data (AAAA-MM-GG, es. 2027-04-26)",
                )
            )
            continue
        key = (closure.year, closure.month, closure.day)
        if key in seen:
            problems.append(
                table.problem(line, f"'{text}' compare due volte (anche alla riga {seen[key]})")
            )
            continue
        seen[key] = line
        closures.append(closure)
    if problems:
        raise DataFileError(problems)
    return tuple(closures)


def _closing_day(text: str, description: str) -> ClosingDay | None:
    year: int | None
    if match := _MONTH_DAY.match(text):
        year, month, day = None, int(match[1]), int(match[2])
    elif match := _FULL_DATE.match(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        return None
    try:
        return ClosingDay(month=month, day=day, description=description, year=year)
    except ValueError:
        return None
