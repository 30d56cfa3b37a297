"""Read side of the archive and of certificate checks."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.documents import CertificateCode, DocumentKind
from guarantee.domain.errors import InvalidField, NotFound
from guarantee.domain.guarantees import LIVE_STATES

d, g = tables.documents.c, tables.guarantees.c


def documents_of(conn: Connection, guarantee_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            d.id,
            d.kind,
            d.title,
            d.revision,
            d.protocol_year,
            d.protocol_sequence,
            d.template_version,
            d.sha256,
            d.size,
            d.media_type,
            d.created_at,
        )
        .where(d.guarantee_id == guarantee_id)
        .order_by(d.protocol_year, d.protocol_sequence)
    ).mappings()
    return [
        {**row, "protocol_number": f"{row['protocol_year']}/{row['protocol_sequence']:06d}"}
        for row in rows
    ]


def document_file(conn: Connection, document_id: str) -> dict[str, Any]:
    row = (
        conn.execute(
            select(
                d.id,
                d.guarantee_id,
                d.kind,
                d.title,
                d.protocol_year,
                d.protocol_sequence,
                d.storage_key,
                d.media_type,
                d.sha256,
            ).where(d.id == document_id)
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound("documento", document_id)
    return dict(row)


def verify_certificate(conn: Connection, code: str, today: date) -> dict[str, Any]:
    """Valid or not, status, dates, number — nothing personal, nothing else."""
    try:
        canonical = str(CertificateCode.parse(code))
    except InvalidField as exc:
        raise NotFound("certificato", code) from exc
    row = conn.execute(
        select(g.number, g.status, g.starts_on, g.ends_on).where(g.certificate_code == canonical)
    ).one_or_none()
    if row is None:
        return _earlier_term(conn, canonical) or _attestation(conn, canonical, today)
    valid = (
        row.status in {s.value for s in LIVE_STATES}
        and row.starts_on is not None
        and row.ends_on is not None
        and today <= row.ends_on
    )
    return {
        "code": canonical,
        "kind": "certificate",
        "valid": valid,
        "certificate_files": _certificate_files(conn, canonical),
        "guarantee_number": row.number,
        "status": str(row.status),
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
    }


def _earlier_term(conn: Connection, canonical: str) -> dict[str, Any] | None:
    """The certificate of a term that ended by renewal: not valid any more (the renewed
    guarantee has a new certificate), with that term's dates."""
    t = tables.guarantee_terms.c
    row = conn.execute(
        select(g.number, t.starts_on, t.ends_on)
        .select_from(tables.guarantee_terms.join(tables.guarantees, g.id == t.guarantee_id))
        .where(t.certificate_code == canonical)
    ).one_or_none()
    if row is None:
        return None
    return {
        "code": canonical,
        "kind": "certificate",
        "valid": False,
        "certificate_files": [],
        "guarantee_number": row.number,
        "status": "superseded",
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
    }


def _attestation(conn: Connection, canonical: str, today: date) -> dict[str, Any]:
    """An eligibility attestation: valid or not, until when, the maximum rent plus charges."""
    a = tables.attestations.c
    row = conn.execute(
        select(a.number, a.status, a.valid_until, a.maximum_rent).where(a.code == canonical)
    ).one_or_none()
    if row is None:
        raise NotFound("certificato", canonical)
    status = str(row.status)
    if status == "issued" and today > row.valid_until:
        status = "expired"
    return {
        "code": canonical,
        "kind": "attestation",
        "valid": status == "issued",
        "certificate_files": [],
        "status": status,
        "attestation_number": row.number,
        "valid_until": row.valid_until,
        "maximum_rent": row.maximum_rent,
    }


def _certificate_files(conn: Connection, canonical: str) -> list[tuple[str, str]]:
    """(storage key, SHA-256) of each archived certificate of the guarantee behind a code."""
    rows = conn.execute(
        select(d.storage_key, d.sha256)
        .select_from(tables.documents.join(tables.guarantees, g.id == d.guarantee_id))
        .where(g.certificate_code == canonical, d.kind == DocumentKind.CERTIFICATE.value)
    )
    return [(row.storage_key, row.sha256) for row in rows]
