"""`garanzia audit verify`: the chain, the books and the archived files, each checked.

Reads only. Every difference becomes a Finding naming what does not match, in Italian.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Connection, case, func, select, type_coerce

from guarantee.adapters.db import tables
from guarantee.adapters.db.evidence_chain import head, verify_chain
from guarantee.adapters.db.types import Cents
from guarantee.domain.evidence_chain import Finding, Link
from guarantee.domain.fund_figures import DayTotals
from guarantee.domain.guarantees import LIVE_STATES
from guarantee.domain.ledger import DEBIT_NORMAL, Account
from guarantee.domain.money import ZERO, from_cents
from guarantee.domain.reconciliation import FundBooks, UnbalancedEntry, reconcile
from guarantee.read.funds import figures_of_row

j, p, f, g = tables.journal_entries.c, tables.postings.c, tables.funds.c, tables.guarantees.c
daily, docs = tables.fund_daily_totals.c, tables.documents.c


@dataclass
class Verification:
    findings: list[Finding] = field(default_factory=list)
    head: Link | None = None
    funds: int = 0
    documents: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


def verify_all(
    conn: Connection, storage_dir: Path, expected_head: tuple[int, str] | None = None
) -> Verification:
    result = Verification(head=head(conn))
    result.findings.extend(verify_chain(conn, expected_head))
    fund_ids = list(conn.execute(select(f.id, f.name).order_by(f.created_at, f.id)))
    for fund_id, name in fund_ids:
        result.findings.extend(reconcile(fund_books(conn, str(fund_id), str(name))))
    result.funds = len(fund_ids)
    document_findings, result.documents = check_document_files(conn, storage_dir)
    result.findings.extend(document_findings)
    return result


def fund_books(conn: Connection, fund_id: str, name: str) -> FundBooks:
    row = conn.execute(select(tables.funds).where(f.id == fund_id)).mappings().one()
    from_postings = {account: ZERO for account in Account}
    by_day: dict[date, dict[Account, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    statement = (
        select(j.occurred_on, p.account, p.side, func.sum(p.amount, type_=Cents()))
        .select_from(tables.postings.join(tables.journal_entries, p.entry_id == j.id))
        .where(p.fund_id == fund_id)
        .group_by(j.occurred_on, p.account, p.side)
    )
    for day, account, side, amount in conn.execute(statement):
        natural = "debit" if account in DEBIT_NORMAL else "credit"
        signed = amount if side.value == natural else -amount
        from_postings[account] += signed
        by_day[day][account] += signed
    stored = {
        r["day"]: DayTotals(
            day=r["day"],
            accounts={account: r[account.value] for account in Account},
            exposure=r["exposure"],
            live_guarantees=int(r["live_guarantees"]),
            entries=int(r["entries"]),
        )
        for r in conn.execute(
            select(tables.fund_daily_totals).where(daily.fund_id == fund_id)
        ).mappings()
    }
    live = [s.value for s in LIVE_STATES]
    reserved, at_risk, count = conn.execute(
        select(
            func.coalesce(func.sum(g.reserve_amount), 0, type_=Cents()),
            func.coalesce(func.sum(g.maximum_exposure - g.paid_amount), 0, type_=Cents()),
            func.count(),
        ).where(g.fund_id == fund_id, g.status.in_(live))
    ).one()
    return FundBooks(
        fund_id=fund_id,
        name=name,
        row=figures_of_row(row),
        from_postings=from_postings,
        days_from_postings=by_day,
        days_stored=stored,
        unbalanced=_unbalanced(conn, fund_id),
        live_reserved=reserved,
        live_at_risk=at_risk,
        live_count=int(count),
    )


def _unbalanced(conn: Connection, fund_id: str) -> list[UnbalancedEntry]:
    cents = type_coerce(p.amount, BigInteger)  # raw cents: sums stay integers
    debit = func.coalesce(func.sum(case((p.side == "debit", cents), else_=0)), 0)
    credit = func.coalesce(func.sum(case((p.side == "credit", cents), else_=0)), 0)
    statement = (
        select(j.id, debit, credit, j.posted, func.count(p.id))
        .select_from(tables.journal_entries.outerjoin(tables.postings, p.entry_id == j.id))
        .where(j.fund_id == fund_id)
        .group_by(j.id, j.posted)
        .having((debit != credit) | ~j.posted | (func.count(p.id) < 2))
    )
    return [
        UnbalancedEntry(
            entry_id=str(row[0]),
            debits=from_cents(int(row[1])),
            credits=from_cents(int(row[2])),
            posted=bool(row[3]),
        )
        for row in conn.execute(statement)
    ]


def check_document_files(conn: Connection, storage_dir: Path) -> tuple[list[Finding], int]:
    """Every archived document's stored file against the SHA-256 recorded at archiving."""
    findings = []
    count = 0
    rows = conn.execute(
        select(
            docs.id, docs.protocol_year, docs.protocol_sequence, docs.storage_key, docs.sha256
        ).order_by(docs.protocol_year, docs.protocol_sequence)
    )
    for row in rows:
        count += 1
        problem = file_problem(storage_dir, row.storage_key, row.sha256)
        if problem:
            findings.append(
                Finding(
                    "document_file",
                    f"documento prot. {row.protocol_year}/{row.protocol_sequence} ({row.id})",
                    problem,
                )
            )
    return findings, count


def file_problem(storage_dir: Path, storage_key: str, expected: str) -> str | None:
    """None when the stored file is there and matches its hash; else what is wrong."""
    path = (storage_dir / storage_key).resolve()
    if storage_dir.resolve() not in path.parents:
        return "chiave di archivio non valida"
    try:
        digest = _sha256_file(path)
    except OSError:
        return "file archiviato mancante"
    if digest != expected:
        return "il file archiviato non corrisponde alla sua impronta SHA-256"
    return None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def as_rows(result: Verification) -> list[dict[str, Any]]:
    return [{"tipo": x.kind, "oggetto": x.subject, "problema": x.message} for x in result.findings]
