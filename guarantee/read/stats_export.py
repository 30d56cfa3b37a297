"""Writing the governance statistics: CSV an Italian spreadsheet opens (UTF-8 with BOM, `;`,
decimal comma) and a Frictionless data package describing every column of every file.

The package records k, the period, the code version and the SHA-256 of each file.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from guarantee.domain.calendar import WorkingCalendar
from guarantee.domain.statistics import (
    DIMENSIONS,
    Family,
    PublishedRow,
    Record,
    publish_together,
)
from guarantee.read import statistics as read

ENCODING = "utf-8-sig"
DELIMITER = ";"


@dataclass(frozen=True)
class ExportedFile:
    name: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class PublishedTable:
    """One statistic as it may be shown or published: cells below k already suppressed."""

    family: Family
    description: str
    rows: list[PublishedRow]


def published_statistics(
    conn: Connection,
    start: date,
    end: date,
    *,
    k: int,
    calendar: WorkingCalendar | None = None,
) -> list[PublishedTable]:
    """Every table of the period after disclosure control; the export and the back office
    show exactly these (so the page never shows what the files would not)."""
    working = calendar or WorkingCalendar()
    applications = list(read.application_facts(conn, start, end))
    rules = sorted({rule for _, _, rule in applications})
    by_outcome = read.FAMILIES["domande"]
    by_rule = Family("domande_per_regola", "Domande per regola decisiva", "domande", rules)
    # Each group is published together: the two application files count the same
    # applications, so they share their row totals.
    groups: list[list[tuple[Family, Iterable[Record], str]]] = [
        [
            (
                by_outcome,
                (Record(dims, outcome) for dims, outcome, _ in applications),
                "Domande presentate nel periodo, per esito",
            ),
            (
                by_rule,
                (Record(dims, rule) for dims, _, rule in applications),
                "Domande presentate nel periodo, per la regola che ne ha deciso l'esito",
            ),
        ],
        [
            (
                read.FAMILIES["garanzie"],
                read.guarantee_records(conn, start, end),
                "Garanzie emesse nel periodo, in essere alla fine e concluse per motivo",
            )
        ],
        [
            (
                read.FAMILIES["sinistri"],
                read.claim_records(conn, start, end),
                "Richieste di escussione presentate nel periodo, per tipo prevalente, con importi",
            )
        ],
        [
            (
                read.FAMILIES["mediazioni"],
                read.mediation_records(conn, start, end, working),
                "Pratiche di mediazione aperte nel periodo, per esito, con giorni lavorativi",
            )
        ],
    ]
    tables: list[PublishedTable] = []
    for group in groups:
        published = publish_together([(family, records) for family, records, _ in group], k)
        for (family, _, description), rows in zip(group, published, strict=True):
            tables.append(PublishedTable(family, description, rows))
    return tables


def export_statistics(
    conn: Connection,
    start: date,
    end: date,
    out: Path,
    *,
    k: int,
    code_version: str,
    calendar: WorkingCalendar | None = None,
) -> list[ExportedFile]:
    out.mkdir(parents=True, exist_ok=True)
    files, resources = [], []
    for table in published_statistics(conn, start, end, k=k, calendar=calendar):
        name = f"{table.family.name}.csv"
        count = _write_csv(out / name, table.family, table.rows)
        digest = _sha256(out / name)
        files.append(ExportedFile(name, count, digest))
        resources.append(_resource(table.family, name, table.description, digest))
    package = {
        "profile": "tabular-data-package",
        "name": "garanzia-casa-statistiche",
        "title": "Garanzia Casa: statistiche anonime per il tavolo di governo",
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "garanzia_casa": {
            "k": k,
            "periodo": {"dal": start.isoformat(), "al": end.isoformat()},
            "versione_codice": code_version,
            "regola": (
                f"ogni cella che conta meno di {k} nuclei è soppressa, con soppressione "
                "secondaria perché nessuna cella soppressa si ricavi dai totali; gli importi "
                "e le durate sono pubblicati solo dove lo è il conteggio"
            ),
        },
        "resources": resources,
    }
    (out / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return files


def columns_of(family: Family) -> list[tuple[str, str, str]]:
    """(name, Frictionless type, Italian description) of each column of a family's file."""
    dims = ", ".join(f"{code} ({label})" for code, label in DIMENSIONS.items())
    return [
        ("dimensione", "string", f"la ripartizione: {dims}"),
        ("valore", "string", "il valore della ripartizione; «Totale» per il totale"),
        ("categoria", "string", "esito, stato o tipo contato; «Totale» per il totale"),
        (family.count_name, "integer", f"numero di {family.count_name}; vuoto se soppresso"),
        *((name, "number", f"{name.replace('_', ' ')} in euro") for name in family.amounts),
        *(
            (name, "number", f"media dei {name.replace('_', ' ')} (lavorativi)")
            for name in family.durations
        ),
    ]


def _resource(family: Family, name: str, description: str, digest: str) -> dict[str, Any]:
    fields = []
    for column, kind, text in columns_of(family):
        field: dict[str, Any] = {"name": column, "type": kind, "description": text}
        if kind == "number":
            field["decimalChar"] = ","
            field["groupChar"] = ""
        fields.append(field)
    return {
        "name": family.name,
        "path": name,
        "title": family.title,
        "description": description,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": ENCODING,
        "dialect": {"delimiter": DELIMITER, "header": True},
        "hash": f"sha256:{digest}",
        "schema": {"fields": fields, "missingValues": [""]},
    }


def _write_csv(path: Path, family: Family, rows: list[PublishedRow]) -> int:
    with path.open("w", encoding=ENCODING, newline="") as handle:
        writer = csv.writer(handle, delimiter=DELIMITER)
        writer.writerow([name for name, _, _ in columns_of(family)])
        for row in rows:
            writer.writerow(
                [
                    row.dimension,
                    row.value,
                    row.category,
                    "" if row.count is None else row.count,
                    *(_number(row.amounts[name]) for name in family.amounts),
                    *(_number(row.durations[name]) for name in family.durations),
                ]
            )
    return len(rows)


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f").replace(".", ",")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
