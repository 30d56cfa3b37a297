"""Shared file storage for archived documents and evidence: content-addressed, write-once."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class FileStore:
    """A folder all processes share; a file's key is its SHA-256, so a rewrite changes nothing."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def key_of(self, sha256: str) -> str:
        """Where the bytes with this SHA-256 are kept (what ``put`` returned for them)."""
        return f"{sha256[:2]}/{sha256}"

    def put(self, data: bytes) -> str:
        key = self.key_of(hashlib.sha256(data).hexdigest())
        path = self.root / key
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file, even if this process dies.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"chiave di archivio non valida: {key}")
        return path.read_bytes()
