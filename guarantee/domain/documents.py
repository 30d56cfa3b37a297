"""The documents the fund issues: their kinds, identifiers and archive metadata.

Pure values only: no templates, no files. Rendering lives in ``adapters``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from guarantee.domain.errors import InvalidField


class DocumentKind(StrEnum):
    """Every document the fund sends; the value is the stable name used in storage."""

    GUARANTEE_CONTRACT = "guarantee_contract"
    CERTIFICATE = "certificate"
    ELIGIBILITY_OUTCOME = "eligibility_outcome"
    CLAIM_ACKNOWLEDGEMENT = "claim_acknowledgement"
    CLAIM_DECISION = "claim_decision"
    PAYMENT_NOTICE = "payment_notice"
    MEDIATION_CONVOCATION = "mediation_convocation"
    REPAYMENT_PLAN = "repayment_plan"
    EXPIRY_REMINDER = "expiry_reminder"
    # What else a landlord must know of its guarantee: a claim withdrawn, a decision
    # revoked, the cover used up.
    GUARANTEE_NOTICE = "guarantee_notice"
    # What the tenant household must know: an ended guarantee, a mediation, a write-off.
    HOUSEHOLD_NOTICE = "household_notice"
    # Before a lease: the household is eligible up to a rent; landlords check it online.
    ELIGIBILITY_ATTESTATION = "eligibility_attestation"


# Documents carrying a verification code and its QR code (checked at /verify/{code}).
VERIFIABLE = frozenset({DocumentKind.CERTIFICATE, DocumentKind.ELIGIBILITY_ATTESTATION})


# Crockford's base32: no I, L, O, U, so a code read aloud or copied by hand survives.
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CODE_SEPARATORS = re.compile(r"[\s\-_.]+")


@dataclass(frozen=True, slots=True)
class CertificateCode:
    """The public verification code printed on a certificate.

    80 random bits from ``secrets`` (16 Crockford characters), unrelated to the
    guarantee number so that nobody can guess the code of another certificate.
    """

    value: str  # 16 canonical characters, no separators

    BITS: ClassVar[int] = 80
    LENGTH: ClassVar[int] = 16  # 80 bits / 5 bits per character
    GROUP: ClassVar[int] = 4

    def __post_init__(self) -> None:
        if len(self.value) != self.LENGTH or any(
            char not in CROCKFORD_ALPHABET for char in self.value
        ):
            raise InvalidField(
                "codice di verifica",
                f"deve essere di {self.LENGTH} caratteri dell'alfabeto Crockford base32",
            )

    @classmethod
    def generate(cls) -> CertificateCode:
        number = secrets.randbits(cls.BITS)
        chars = [
            CROCKFORD_ALPHABET[(number >> shift) & 0b11111] for shift in range(cls.BITS - 5, -1, -5)
        ]
        return cls("".join(chars))

    @classmethod
    def parse(cls, text: str) -> CertificateCode:
        """Read a code as a person typed it: any case, dashes or spaces optional,
        and the look-alike letters O, I, L taken for 0, 1, 1 as Crockford prescribes."""
        compact = _CODE_SEPARATORS.sub("", text).upper().translate(_CROCKFORD_LOOKALIKES)
        return cls(compact)

    def __str__(self) -> str:
        return "-".join(
            self.value[start : start + self.GROUP] for start in range(0, self.LENGTH, self.GROUP)
        )


_PROTOCOL_PATTERN = re.compile(r"(\d{4})/(\d{6,})")


@dataclass(frozen=True, slots=True, order=True)
class ProtocolNumber:
    """The registry number of an issued document, ``2027/000123``: gapless within a year."""

    year: int
    sequence: int

    def __post_init__(self) -> None:
        if not 1000 <= self.year <= 9999:
            raise InvalidField("numero di protocollo", f"anno non valido: {self.year}")
        if self.sequence < 1:
            raise InvalidField("numero di protocollo", "il progressivo parte da 1")

    @classmethod
    def parse(cls, text: str) -> ProtocolNumber:
        match = _PROTOCOL_PATTERN.fullmatch(text.strip())
        if match is None:
            raise InvalidField("numero di protocollo", f"formato atteso AAAA/NNNNNN: {text!r}")
        parsed = cls(int(match[1]), int(match[2]))
        # Only the canonical spelling is accepted, so one number has one text.
        if str(parsed) != text.strip():
            raise InvalidField("numero di protocollo", f"zeri iniziali in eccesso: {text!r}")
        return parsed

    def __str__(self) -> str:
        return f"{self.year}/{self.sequence:06d}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class MediaType(StrEnum):
    PDF = "application/pdf"
    HTML = "text/html"


_SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class ArchivedDocumentMeta:
    """What the archive records about one issued document; the bytes live in storage."""

    kind: DocumentKind
    template_version: str
    sha256: str
    protocol_number: ProtocolNumber
    created_at: datetime
    size: int
    media_type: MediaType

    def __post_init__(self) -> None:
        if not _SHA256_PATTERN.fullmatch(self.sha256):
            raise ValueError(f"not a lowercase hex SHA-256: {self.sha256!r}")
        if self.size < 0:
            raise ValueError(f"negative size: {self.size}")
        if self.created_at.utcoffset() is None:
            raise ValueError("created_at must carry a time zone")
        if not self.template_version:
            raise ValueError("template_version is empty")

    @classmethod
    def describe(
        cls,
        content: bytes,
        *,
        kind: DocumentKind,
        template_version: str,
        protocol_number: ProtocolNumber,
        created_at: datetime,
        media_type: MediaType,
    ) -> ArchivedDocumentMeta:
        """Metadata of ``content`` with hash and size computed from the bytes themselves."""
        return cls(
            kind=kind,
            template_version=template_version,
            sha256=sha256_hex(content),
            protocol_number=protocol_number,
            created_at=created_at,
            size=len(content),
            media_type=media_type,
        )

    def matches(self, content: bytes) -> bool:
        """Whether stored bytes are still the ones archived (integrity check)."""
        return len(content) == self.size and sha256_hex(content) == self.sha256


def file_name(title: str, year: int, sequence: int) -> str:
    """The name a person sees for an archived PDF, in Italian, with its protocol number:
    'Contratto di garanzia', 2026/000001 → 'contratto-di-garanzia-2026-000001.pdf'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return f"{slug}-{year}-{sequence:06d}.pdf"
