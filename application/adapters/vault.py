"""Personal data is sealed before it reaches an aggregate, and CCCD numbers are hashed.

``seal(subject_id, fields)`` encrypts with AES-GCM under the subject's own data key; the keys
live in their own table, outside the event store, wrapped by the master key from settings.
Erasing a subject destroys its key: the ciphertext in the log stays (the log and its hash chain
still verify) but can never be read again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.errors import InvalidInput
from domain.text import ascii_digits, nfc
from projections.connections import PerThreadSQLite

_SEALED_PREFIX = "v1."


class KeyStore(Protocol):
    """Subjects' data keys, wrapped by the master key (chosen in :mod:`application.adapters.backends`)."""

    def create_table(self) -> None: ...
    def get(self, subject_id: UUID) -> bytes | None: ...
    def put_if_absent(self, subject_id: UUID, wrapped: bytes) -> bytes: ...
    def destroy(self, subject_id: UUID) -> bool: ...


class MemoryKeyStore:
    def __init__(self) -> None:
        self._keys: dict[UUID, bytes | None] = {}
        self._lock = threading.Lock()

    def create_table(self) -> None:
        return None

    def get(self, subject_id: UUID) -> bytes | None:
        return self._keys.get(subject_id)

    def put_if_absent(self, subject_id: UUID, wrapped: bytes) -> bytes:
        with self._lock:
            if subject_id not in self._keys:
                self._keys[subject_id] = wrapped
            return self._keys[subject_id] or wrapped

    def destroy(self, subject_id: UUID) -> bool:
        with self._lock:
            existed = self._keys.get(subject_id) is not None
            self._keys[subject_id] = None
            return existed


class SQLiteKeyStore:
    """Keys in their own SQLite file, so that the event store's file never holds them."""

    def __init__(self, path: Path) -> None:
        self._conn = PerThreadSQLite(path)

    def create_table(self) -> None:
        self._conn().execute(
            "CREATE TABLE IF NOT EXISTS subject_keys ("
            " subject_id TEXT PRIMARY KEY, wrapped BLOB, destroyed_at TEXT)"
        )

    def get(self, subject_id: UUID) -> bytes | None:
        row = (
            self._conn()
            .execute("SELECT wrapped FROM subject_keys WHERE subject_id = ?", (str(subject_id),))
            .fetchone()
        )
        return row[0] if row else None

    def put_if_absent(self, subject_id: UUID, wrapped: bytes) -> bytes:
        conn = self._conn()
        conn.execute(
            "INSERT OR IGNORE INTO subject_keys (subject_id, wrapped) VALUES (?, ?)",
            (str(subject_id), wrapped),
        )
        row = conn.execute(
            "SELECT wrapped FROM subject_keys WHERE subject_id = ?", (str(subject_id),)
        ).fetchone()
        return row[0] or wrapped

    def destroy(self, subject_id: UUID) -> bool:
        cursor = self._conn().execute(
            "UPDATE subject_keys SET wrapped = NULL, destroyed_at = datetime('now')"
            " WHERE subject_id = ? AND wrapped IS NOT NULL",
            (str(subject_id),),
        )
        return cursor.rowcount > 0


class PostgresKeyStore:
    """Keys in ``<schema>.subject_keys``, a table the event store never reads."""

    def __init__(self, transaction: Callable[..., AbstractContextManager[Any]], schema: str):
        self._transaction = transaction
        self._table = f'"{schema}".subject_keys'

    def create_table(self) -> None:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} ("
                " subject_id uuid PRIMARY KEY, wrapped bytea, destroyed_at timestamptz)"
            )

    def get(self, subject_id: UUID) -> bytes | None:
        with self._transaction(commit=False) as cur:
            cur.execute(f"SELECT wrapped FROM {self._table} WHERE subject_id = %s", (subject_id,))
            row = cur.fetchone()
        return bytes(row["wrapped"]) if row and row["wrapped"] is not None else None

    def put_if_absent(self, subject_id: UUID, wrapped: bytes) -> bytes:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"INSERT INTO {self._table} (subject_id, wrapped) VALUES (%s, %s)"
                " ON CONFLICT (subject_id) DO NOTHING",
                (subject_id, wrapped),
            )
            cur.execute(f"SELECT wrapped FROM {self._table} WHERE subject_id = %s", (subject_id,))
            row = cur.fetchone()
        return bytes(row["wrapped"]) if row and row["wrapped"] is not None else wrapped

    def destroy(self, subject_id: UUID) -> bool:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"UPDATE {self._table} SET wrapped = NULL, destroyed_at = now()"
                " WHERE subject_id = %s AND wrapped IS NOT NULL",
                (subject_id,),
            )
            return bool(cur.rowcount)


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
    def __init__(self, keys: KeyStore, master_key: bytes, lookup_secret: bytes) -> None:
        self._keys = keys
        self._master = AESGCM(master_key)
        self._lookup_secret = lookup_secret

    def lookup_hash(self, cccd: str) -> str:
        """A keyed hash of a CCCD number: stable for look-up, useless without the secret."""
        digits = normalise_cccd(cccd)
        return hmac.new(self._lookup_secret, digits.encode(), hashlib.sha256).hexdigest()

    def seal(self, subject_id: UUID, fields: dict[str, Any]) -> str:
        key = self._data_key(subject_id, create=True)
        assert key is not None  # created above
        nonce = os.urandom(12)
        plaintext = json.dumps(nfc(fields), ensure_ascii=False, sort_keys=True).encode()
        sealed = nonce + AESGCM(key).encrypt(nonce, plaintext, subject_id.bytes)
        return _SEALED_PREFIX + base64.urlsafe_b64encode(sealed).decode()

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

    def erase(self, subject_id: UUID) -> bool:
        return self._keys.destroy(subject_id)

    def _data_key(self, subject_id: UUID, *, create: bool) -> bytes | None:
        wrapped = self._keys.get(subject_id)
        if wrapped is None and create:
            nonce = os.urandom(12)
            fresh = nonce + self._master.encrypt(nonce, AESGCM.generate_key(256), subject_id.bytes)
            wrapped = self._keys.put_if_absent(subject_id, fresh)
        if wrapped is None:
            return None
        return self._master.decrypt(wrapped[:12], wrapped[12:], subject_id.bytes)
