"""One guarantee's audit trail as a signed-off file: a CSV and the SHA-256 that seals it.

Every row carries its place in the hash chain (position, record hash, chain hash) so the
auditor can check the file against `garanzia audit verify`. Personal data is left out as
``guarantee.domain.personal_data`` says: the file may travel.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.errors import NotFound
from guarantee.domain.evidence_chain import AUDIT_EVENT
from guarantee.domain.personal_data import redact

HEADER = [
    "posizione",
    "quando",
    "ruolo",
    "account",
    "oggetto",
    "id oggetto",
    "azione",
    "prima",
    "dopo",
    "impronta evento",
    "impronta catena",
]


def write_trail(conn: Connection, number: str, out: Path) -> tuple[int, str]:
    g, a, ch = tables.guarantees.c, tables.audit_events.c, tables.evidence_chain.c
    found = conn.execute(
        select(g.id).where((g.number == number) | (g.application_number == number))
    ).scalar()
    if found is None:
        raise NotFound("garanzia", number)
    related = [found]
    for table in (tables.claims, tables.mediation_cases, tables.recovery_plans):
        related += list(conn.scalars(select(table.c.id).where(table.c.guarantee_id == found)))
    rows = conn.execute(
        select(tables.audit_events, ch.position, ch.record_hash, ch.chain_hash)
        .select_from(
            tables.audit_events.outerjoin(
                tables.evidence_chain,
                (ch.record_type == AUDIT_EVENT) & (ch.record_id == a.id),
            )
        )
        .where(a.entity_id.in_(related))
        .order_by(ch.position, a.seq)
    ).mappings()
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for row in rows:
            count += 1
            writer.writerow(
                [
                    row["position"] or "",
                    row["occurred_at"].isoformat(),
                    row["actor_role"],
                    row["actor_account_id"] or "",
                    row["entity_type"],
                    row["entity_id"],
                    row["action"],
                    json.dumps(redact(row["before"]), ensure_ascii=False, sort_keys=True),
                    json.dumps(redact(row["after"]), ensure_ascii=False, sort_keys=True),
                    row["record_hash"] or "",
                    row["chain_hash"] or "",
                ]
            )
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    out.with_name(out.name + ".sha256").write_text(f"{digest}  {out.name}\n", encoding="utf-8")
    return count, digest
