"""The ledger as a CSV an Italian accountant opens in a spreadsheet.

``;`` between fields, decimal comma without thousands separators (a spreadsheet reads
``1234,50`` as a number), ISO dates, UTF-8 with a byte-order mark so Excel picks the encoding,
one row per posting: the entry, its date, kind, description and reference, the account, and
the amount under *dare* (debit) or *avere* (credit).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, TextIO

from guarantee.domain.ledger import Account, EntryKind, Side

BOM = "\ufeff"
HEADER = (
    "scrittura",
    "data",
    "tipo",
    "descrizione",
    "riferimento",
    "conto",
    "dare",
    "avere",
)

KIND_LABELS: dict[EntryKind, str] = {
    EntryKind.CONTRIBUTION: "contributo",
    EntryKind.RESERVE: "accantonamento",
    EntryKind.RELEASE: "svincolo accantonamento",
    EntryKind.CLAIM_PAYMENT: "pagamento sinistro",
    EntryKind.RECOVERY: "recupero (rivalsa)",
    EntryKind.WRITE_OFF: "stralcio",
}

ACCOUNT_LABELS: dict[Account, str] = {
    Account.CASH: "disponibilità del fondo",
    Account.CONTRIBUTIONS: "contributi ricevuti",
    Account.CAPITAL: "capitale impegnato",
    Account.RESERVES: "accantonamenti",
    Account.CLAIMS_PAID: "sinistri pagati",
    Account.RECOVERIES: "recuperi da conduttori",
    Account.WRITE_OFFS: "crediti di rivalsa stralciati",
    Account.RECOVERIES_RECEIVABLE: "crediti di rivalsa verso conduttori",
    Account.RECOVERABLE_CLAIMS: "sinistri pagati da recuperare",
}

# A cell starting with one of these is a formula to a spreadsheet: donors' names and
# references are typed by people, so such text is quoted with a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def amount_cell(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def text_cell(value: str | None) -> str:
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def row_of(line: dict[str, Any]) -> list[str]:
    amount: Decimal = line["amount"]
    debit = Side(line["side"]) is Side.DEBIT
    return [
        str(line["entry_id"]),
        line["occurred_on"].isoformat(),
        KIND_LABELS[EntryKind(line["kind"])],
        text_cell(line["description"]),
        text_cell(line["reference"]),
        ACCOUNT_LABELS[Account(line["account"])],
        amount_cell(amount) if debit else "",
        "" if debit else amount_cell(amount),
    ]


def write_ledger_csv(lines: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write the header and one row per posting to a text stream opened with newline="";
    return the number of rows. The caller opens files with encoding "utf-8-sig"."""
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    count = 0
    for line in lines:
        writer.writerow(row_of(line))
        count += 1
    return count


def ledger_csv_chunks(lines: Iterable[dict[str, Any]], rows_per_chunk: int = 1000) -> Iterator[str]:
    """The same CSV, BOM first, in chunks of text for a streamed HTTP answer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(HEADER)
    for index, line in enumerate(lines, start=1):
        writer.writerow(row_of(line))
        if index % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
