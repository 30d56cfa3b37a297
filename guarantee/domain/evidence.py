"""Evidence attached to a claim, as metadata: the bytes are kept by a storage adapter.

The hash identifies the stored file and proves it was not changed; the limits keep
uploads to documents a fund manager can open (PDF, photos) of a sensible size.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from guarantee.domain.errors import InvalidField

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Control characters and path separators: a file name, never a path.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")
MAX_NAME_LENGTH = 200
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}


@dataclass(frozen=True)
class EvidenceLimits:
    max_bytes: int = 10 * 1024 * 1024
    max_files: int = 20
    media_types: frozenset[str] = field(default_factory=lambda: frozenset(EXTENSIONS))

    def check(self, new: EvidenceFile, attached: Sequence[EvidenceFile], index: int = 0) -> None:
        """Refuse ``new`` if it breaks a limit or repeats a file already ``attached``."""
        where = f"evidence[{index}]"
        if new.media_type not in self.media_types:
            allowed = ", ".join(sorted(self.media_types))
            raise InvalidField(
                f"{where}.media_type", f"tipo di file non ammesso: {new.media_type} ({allowed})"
            )
        if not new.file_name.lower().endswith(EXTENSIONS.get(new.media_type, ())):
            raise InvalidField(
                f"{where}.file_name",
                f"il nome '{new.file_name}' non corrisponde al tipo {new.media_type}",
            )
        if new.size_bytes > self.max_bytes:
            raise InvalidField(
                f"{where}.size_bytes",
                f"il file '{new.file_name}' supera {self.max_bytes // (1024 * 1024)} MB",
            )
        if len(attached) >= self.max_files:
            raise InvalidField("evidence", f"al massimo {self.max_files} file per richiesta")
        if any(old.sha256 == new.sha256 for old in attached):
            raise InvalidField(f"{where}", f"il file '{new.file_name}' è già allegato")


DEFAULT_EVIDENCE_LIMITS = EvidenceLimits()


@dataclass(eq=False)
class EvidenceFile:
    file_name: str
    media_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str
    description: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or str(uuid.uuid4())
        self.file_name = self.file_name.strip()
        if not self.file_name or len(self.file_name) > MAX_NAME_LENGTH:
            raise InvalidField("file_name", f"nome del file da 1 a {MAX_NAME_LENGTH} caratteri")
        if _UNSAFE.search(self.file_name):
            raise InvalidField("file_name", "il nome del file non può contenere percorsi")
        self.media_type = self.media_type.strip().lower()
        if self.size_bytes <= 0:
            raise InvalidField("size_bytes", "il file è vuoto")
        self.sha256 = self.sha256.strip().lower()
        if not _SHA256.match(self.sha256):
            raise InvalidField("sha256", "impronta SHA-256 non valida (64 cifre esadecimali)")
