"""Evidence files, stored content-addressed by SHA-256 outside the event log.

``var/blobs/ab/cd/<sha256>``: the event holds the digest; reading a file back checks it.
A file is written before the event that names it (so every recorded digest has its file),
and removed again if that command is refused (so a refused upload leaves nothing behind).

Files that belong to a subject (evidence, complaint attachments) go through
:class:`PersonalFiles`: encrypted under a key derived from the subject's data key before they
touch disk, addressed by the digest of the ciphertext, their plaintext digest sealed in the
event. Erasing the subject's key shreds them; reading one then answers :class:`FileErased`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from application.adapters.vault import PersonalDataVault
from domain.errors import DomainError, Gone, NotFound


class EvidenceCorrupted(DomainError):
    """The stored bytes no longer match the digest recorded in the log."""

    code = "evidence-corrupted"


class FileErased(Gone):
    """The file belonged to a subject whose key was destroyed: it can never be read again."""

    code = "evidence-erased"


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        self._write(content, digest)
        return digest

    @contextmanager
    def kept_if_recorded(self, contents: Sequence[bytes]) -> Iterator[list[str]]:
        """Store ``contents`` for the command run inside the block, which names their
        digests; if it fails (a refusal, a lost race, a store error), remove the files this
        call created.

        Files are shared by content: one that was already there may be named by another
        event and is never removed. Uploads of the same content wait for each other (a lock
        per digest prefix, across processes), so no other event can come to name a file this
        call created before this call's own command is recorded or refused.
        """
        digests = [hashlib.sha256(content).hexdigest() for content in contents]
        with ExitStack() as locks:
            for prefix in sorted({digest[:2] for digest in digests}):
                locks.enter_context(self._locked(prefix))
            created: list[str] = []
            try:
                for content, digest in zip(contents, digests, strict=True):
                    if self._write(content, digest):
                        created.append(digest)
                yield digests
            except BaseException:
                for digest in created:
                    self.path_of(digest).unlink(missing_ok=True)
                raise

    @contextmanager
    def _locked(self, prefix: str) -> Iterator[None]:
        folder = self.root / prefix
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _write(self, content: bytes, digest: str) -> bool:
        """Write the file unless it is there already; whether this call wrote it."""
        target = self.path_of(digest)
        if target.exists():
            return False
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
        return True

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


@dataclass(frozen=True)
class StoredFile:
    """Where a subject's file is (the digest of its ciphertext) and its sealed plaintext digest."""

    address: str
    sealed: str


@dataclass(frozen=True)
class PersonalFiles:
    """A subject's files, encrypted under a key derived from the subject's own (HKDF, one
    per file, AES-GCM) before they reach the blob store."""

    blobs: BlobStore
    vault: PersonalDataVault

    @contextmanager
    def kept_if_recorded(
        self, subject_id: UUID, contents: Sequence[bytes]
    ) -> Iterator[list[StoredFile]]:
        """As :meth:`BlobStore.kept_if_recorded`, for the encrypted files."""
        sealed = [self.vault.seal_blob(subject_id, content) for content in contents]
        digests = [
            self.vault.seal(subject_id, {"sha256": hashlib.sha256(content).hexdigest()})
            for content in contents
        ]
        with self.blobs.kept_if_recorded(sealed) as addresses:
            yield [StoredFile(a, d) for a, d in zip(addresses, digests, strict=True)]

    def read(self, subject_id: UUID, address: str, sealed: str | None) -> bytes:
        """The file's content, checked against the address and the sealed digest.
        ``sealed`` None: a file stored in clear before files were encrypted."""
        stored = self.blobs.get(address)
        if sealed is None:
            return stored
        content = self.vault.open_blob(subject_id, stored)
        digest = self.vault.unseal(subject_id, sealed)
        if content is None or digest is None:
            raise FileErased(
                "tệp đã bị xóa vĩnh viễn cùng dữ liệu cá nhân của đối tượng", digest=address
            )
        found = hashlib.sha256(content).hexdigest()
        if found != digest["sha256"]:
            raise EvidenceCorrupted(
                "tệp minh chứng đã bị thay đổi: mã băm không khớp", digest=address
            )
        return content
