"""Evidence files, stored content-addressed by SHA-256 outside the event log.

``var/blobs/ab/cd/<sha256>``: the event holds the digest; reading a file back checks it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from domain.errors import DomainError, NotFound


class EvidenceCorrupted(DomainError):
    """The stored bytes no longer match the digest recorded in the log."""

    code = "evidence-corrupted"


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        target = self.path_of(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes:
        path = self.path_of(digest)
        if not path.exists():
            raise NotFound("không tìm thấy tệp minh chứng", digest=digest)
        content = path.read_bytes()
        found = hashlib.sha256(content).hexdigest()
        if found != digest:
            raise EvidenceCorrupted(
                "tệp minh chứng đã bị thay đổi: mã băm không khớp", expected=digest, found=found
            )
        return content
