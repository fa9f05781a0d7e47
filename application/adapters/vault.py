"""Personal data is sealed before it reaches an aggregate, and CCCD numbers are hashed.

``seal(subject_id, fields)`` encrypts with AES-GCM under the subject's own data key; the keys
live in their own table (:mod:`application.adapters.keys`), outside the event store, each
wrapped under a key-encryption key from settings (:class:`~application.settings.KeyRing`).
Files that belong to a subject are encrypted under a key derived from the same data key
(HKDF, one per file). Erasing a subject destroys its key: the ciphertext in the log and the
blob store stays (the log and its hash chain still verify) but can never be read again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from application.adapters.keys import KeyStore, NewKey, WrappedKey
from application.settings import KeyRing, SettingsError
from domain.errors import InvalidInput
from domain.text import ascii_digits, nfc

_SEALED_PREFIX = "v1."
_BLOB_INFO = b"hoctap blob v1 "
#: How long an erasure waits for older transactions before rewriting the key table.
SCRUB_WAIT_SECONDS = 5.0


class KeyEncryptionKeyMissing(SettingsError):
    """A data key is wrapped under a key-encryption key this process was not given."""


def normalise_cccd(cccd: str) -> str:
    """A CCCD has 12 ASCII digits (the older CMND 9); spaces and dots are ignored.

    Digits of another script ('١٢٣', '１２３') are refused, not read as ASCII: the same
    number written twice must hash the same, and a second spelling would register the
    same person again.
    """
    digits = "".join(ch for ch in cccd if not ch.isspace() and ch != ".")
    if not ascii_digits(digits, 12) or len(digits) not in (9, 12):
        raise InvalidInput("số CCCD phải gồm 12 chữ số (hoặc CMND 9 chữ số)", field="cccd")
    return digits


class PersonalDataVault:
    def __init__(self, keys: KeyStore, ring: KeyRing, lookup_secret: bytes) -> None:
        self._keys = keys
        self._ring = ring
        self._lookup_secret = lookup_secret

    def lookup_hash(self, cccd: str) -> str:
        """A keyed hash of a CCCD number: stable for look-up, useless without the secret."""
        digits = normalise_cccd(cccd)
        return hmac.new(self._lookup_secret, digits.encode(), hashlib.sha256).hexdigest()

    def request_digest_key(self) -> bytes:
        """The HMAC key for digests of requests kept beside idempotent answers (their
        bodies may carry a CCCD), derived from the look-up secret."""
        return hmac.new(self._lookup_secret, b"hoctap request digest", hashlib.sha256).digest()

    # --- subjects and their keys ----------------------------------------------------------

    def enrol(self, subject_id: UUID, lookup_hash: str) -> UUID:
        """Give a new person a key held with their look-up hash; who holds the hash."""
        return self._keys.enrol(subject_id, self._fresh_key(subject_id), lookup_hash)

    def holder(self, lookup_hash: str) -> UUID | None:
        """The person registered with this look-up hash (never an erased one)."""
        return self._keys.holder(lookup_hash)

    def holders(self, lookup_hashes: Sequence[str]) -> dict[str, UUID]:
        """:meth:`holder` for many look-up hashes at once (those held)."""
        return self._keys.holders(lookup_hashes) if lookup_hashes else {}

    def seal_new(
        self, subjects: Sequence[tuple[UUID, str | None, dict[str, Any]]]
    ) -> dict[UUID, str]:
        """Give many new subjects (id, look-up hash or None, fields) a key each, stored in
        one transaction, and their fields sealed under it: :meth:`enrol` (or a first
        :meth:`seal`) and :meth:`seal` for a batch. A subject missing from the answer was
        not stored (it has a key already, or another subject holds its hash): ask again
        one by one."""
        keys, sealed = [], {}
        for subject_id, lookup_hash, fields in subjects:
            data_key = AESGCM.generate_key(256)
            keys.append(NewKey(subject_id, self._wrap(subject_id, data_key), lookup_hash))
            sealed[subject_id] = _sealed(data_key, subject_id, fields)
        stored = self._keys.insert_new(keys)
        return {s: sealed[s] for s in stored}

    def forget(self, subject_id: UUID) -> None:
        """Drop the key of a registration that was refused after :meth:`enrol`."""
        self._keys.forget(subject_id)

    def erase(self, subject_id: UUID) -> bool:
        """Destroy the subject's key (and look-up hash), then remove the copies the
        deletion leaves behind; whether there was a key."""
        destroyed = self._keys.destroy(subject_id)
        self._keys.scrub(SCRUB_WAIT_SECONDS)
        return destroyed

    def erased(self, subject_id: UUID) -> bool:
        return self._keys.erased(subject_id)

    # --- sealed fields --------------------------------------------------------------------

    def seal(self, subject_id: UUID, fields: dict[str, Any]) -> str:
        key = self._data_key(subject_id, create=True)
        assert key is not None  # created above
        return _sealed(key, subject_id, fields)

    def unseal(self, subject_id: UUID, sealed: str | None) -> dict[str, Any] | None:
        """The personal fields, or None when the subject's key was destroyed."""
        if not sealed:
            return None
        key = self._data_key(subject_id, create=False)
        if key is None:
            return None
        raw = base64.urlsafe_b64decode(sealed.removeprefix(_SEALED_PREFIX))
        try:
            plaintext = AESGCM(key).decrypt(raw[:12], raw[12:], subject_id.bytes)
        except InvalidTag:
            return None
        data: dict[str, Any] = json.loads(plaintext)
        return data

    # --- files ----------------------------------------------------------------------------

    def seal_blob(self, subject_id: UUID, content: bytes) -> bytes:
        """``content`` encrypted under a key of its own, derived from the subject's data key
        (HKDF with a random salt kept in front of the ciphertext)."""
        key = self._data_key(subject_id, create=True)
        assert key is not None  # created above
        salt, nonce = os.urandom(16), os.urandom(12)
        blob_key = _blob_key(key, salt, subject_id)
        return salt + nonce + AESGCM(blob_key).encrypt(nonce, content, subject_id.bytes)

    def open_blob(self, subject_id: UUID, blob: bytes) -> bytes | None:
        """The file's content, or None when the subject's key was destroyed."""
        key = self._data_key(subject_id, create=False)
        if key is None:
            return None
        salt, nonce, ciphertext = blob[:16], blob[16:28], blob[28:]
        try:
            return AESGCM(_blob_key(key, salt, subject_id)).decrypt(
                nonce, ciphertext, subject_id.bytes
            )
        except InvalidTag:
            return None

    # --- key-encryption keys --------------------------------------------------------------

    def keys_to_rewrap(self) -> int:
        """How many data keys are wrapped under another key than the active one."""
        counts = self._keys.count_by_kek()
        return sum(n for kek_id, n in counts.items() if kek_id != self._ring.active)

    def keys_by_kek(self) -> dict[str, int]:
        return self._keys.count_by_kek()

    def rewrap(self, batch: int = 500, progress: Callable[[int], None] | None = None) -> int:
        """Re-wrap every data key under the active key-encryption key, a batch at a time.

        Each key is replaced only if its row still holds what was read (a key erased or
        re-wrapped meanwhile is left alone), so a run cut off halfway is simply run again.
        Afterwards the deleted copies are scrubbed as after an erasure. How many were
        re-wrapped.
        """
        done = 0
        active = self._ring.active
        while True:
            found = self._keys.outside(active, batch)
            if not found:
                break
            for subject_id, old in found:
                data_key = self._unwrap(subject_id, old)
                if self._keys.rewrap(subject_id, old, self._wrap(subject_id, data_key)):
                    done += 1
            if progress is not None:
                progress(len(found))
        self._keys.scrub(SCRUB_WAIT_SECONDS)
        return done

    def scrub(self, wait_seconds: float) -> bool:
        """The maintenance step after erasures: see :meth:`KeyStore.scrub`."""
        return self._keys.scrub(wait_seconds)

    def _fresh_key(self, subject_id: UUID) -> WrappedKey:
        return self._wrap(subject_id, AESGCM.generate_key(256))

    def _wrap(self, subject_id: UUID, data_key: bytes) -> WrappedKey:
        nonce = os.urandom(12)
        kek = AESGCM(self._ring.keys[self._ring.active])
        return WrappedKey(self._ring.active, nonce + kek.encrypt(nonce, data_key, subject_id.bytes))

    def _unwrap(self, subject_id: UUID, key: WrappedKey) -> bytes:
        kek = self._ring.keys.get(key.kek_id)
        if kek is None:
            raise KeyEncryptionKeyMissing(
                f"khóa dữ liệu bọc bằng khóa bọc {key.kek_id}, khóa này không được cấu hình"
            )
        return AESGCM(kek).decrypt(key.wrapped[:12], key.wrapped[12:], subject_id.bytes)

    def _data_key(self, subject_id: UUID, *, create: bool) -> bytes | None:
        wrapped = self._keys.get(subject_id)
        if wrapped is None and create:
            wrapped = self._keys.put_if_absent(subject_id, self._fresh_key(subject_id))
        if wrapped is None:
            return None
        return self._unwrap(subject_id, wrapped)


def _sealed(key: bytes, subject_id: UUID, fields: dict[str, Any]) -> str:
    nonce = os.urandom(12)
    plaintext = json.dumps(nfc(fields), ensure_ascii=False, sort_keys=True).encode()
    sealed = nonce + AESGCM(key).encrypt(nonce, plaintext, subject_id.bytes)
    return _SEALED_PREFIX + base64.urlsafe_b64encode(sealed).decode()


def _blob_key(data_key: bytes, salt: bytes, subject_id: UUID) -> bytes:
    return HKDF(SHA256(), 32, salt, _BLOB_INFO + subject_id.bytes).derive(data_key)
