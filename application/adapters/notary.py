"""Ed25519 under the C2SP formats of :mod:`domain.notes`: the log's note signatures (type
0x01) and a witness's cosignatures (type 0x04), and the key file a witness keeps.

The key file is the Go ``golang.org/x/mod/sumdb/note`` signer key,
``PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || seed)``, so a witness key made here can be
used by the transparency-dev tools and the reverse.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain.notes import (
    COSIGNATURE_V1,
    ED25519,
    MalformedNote,
    Signature,
    Vkey,
    cosignature_message,
    key_id,
)


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class NoteSigner:
    """Signs note texts as ``name`` (a log signs its checkpoints under its origin)."""

    name: str
    seed: bytes = field(repr=False)

    @property
    def vkey(self) -> Vkey:
        return Vkey(self.name, ED25519, _public(Ed25519PrivateKey.from_private_bytes(self.seed)))

    def sign(self, text: str) -> Signature:
        key = Ed25519PrivateKey.from_private_bytes(self.seed)
        return Signature(self.name, self.vkey.key_id, key.sign(text.encode()))


@dataclass(frozen=True)
class Cosigner:
    """Cosigns checkpoint texts as ``name`` (tlog-cosignature v1, Ed25519)."""

    name: str
    seed: bytes = field(repr=False)

    @property
    def vkey(self) -> Vkey:
        return Vkey(
            self.name, COSIGNATURE_V1, _public(Ed25519PrivateKey.from_private_bytes(self.seed))
        )

    def cosign(self, text: str, timestamp: int) -> Signature:
        key = Ed25519PrivateKey.from_private_bytes(self.seed)
        signed = key.sign(cosignature_message(text, timestamp))
        return Signature(self.name, self.vkey.key_id, timestamp.to_bytes(8, "big") + signed)

    def skey(self) -> str:
        """The key file's text (secret)."""
        public = self.vkey.public_key
        material = base64.b64encode(bytes([ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{key_id(self.name, ED25519, public).hex()}+{material}"

    @classmethod
    def generate(cls, name: str) -> Cosigner:
        if not name or "+" in name or any(c.isspace() for c in name):
            raise MalformedNote(f"tên nhân chứng không được rỗng, có dấu cách hay '+': {name!r}")
        return cls(name, secrets.token_bytes(32))

    @classmethod
    def from_skey(cls, text: str) -> Cosigner:
        """Read a key file; one that is not a valid Ed25519 signer key is refused."""
        parts = text.strip().split("+", 4)
        try:
            material = base64.b64decode(parts[4], validate=True) if len(parts) == 5 else b""
        except (binascii.Error, ValueError):
            material = b""
        if parts[:2] != ["PRIVATE", "KEY"] or len(material) != 33 or material[0] != ED25519:
            raise MalformedNote("tệp khóa không phải khóa ký Ed25519 (PRIVATE+KEY+...)")
        signer = cls(parts[2], material[1:])
        if parts[3] != key_id(signer.name, ED25519, signer.vkey.public_key).hex():
            raise MalformedNote("tệp khóa hỏng: mã khóa không khớp")
        return signer
