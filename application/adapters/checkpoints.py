"""Signed checkpoints in their two forms, and the copies someone outside kept.

A checkpoint signs (tree size, root hash) with the ledger's Ed25519 key twice over: the
original JSON form (``hoctap-ledger/checkpoint/v1`` body, with the signing time), and a
C2SP signed note (``<origin>\\n<size>\\n<base64 root>\\n``, signed under the origin) that
witnesses cosign and tools nobody here wrote can check. Checkpoints signed before the note
form existed have only the first.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from application.adapters.notary import ed25519_verify
from domain.errors import InvalidInput
from domain.notes import (
    ED25519,
    BadSignature,
    CheckpointText,
    MalformedNote,
    Note,
    Vkey,
    split_notes,
    verified_by,
)


@dataclass(frozen=True)
class Checkpoint:
    tree_size: int
    root_hash: bytes
    signed_at: datetime
    signature: bytes
    #: The same tree head as a C2SP signed note, with the log's signature only ("" if older).
    note: str = ""

    def body(self) -> bytes:
        return checkpoint_body(self.tree_size, self.root_hash, self.signed_at)

    def as_dict(self) -> dict[str, Any]:
        data = {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "signed_at": self.signed_at.isoformat(),
            "signature": base64.b64encode(self.signature).decode(),
        }
        return data | ({"note": self.note} if self.note else {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        return cls(
            int(data["tree_size"]),
            bytes.fromhex(data["root_hash"]),
            datetime.fromisoformat(data["signed_at"]),
            base64.b64decode(data["signature"]),
            str(data.get("note") or ""),
        )


def checkpoint_body(tree_size: int, root_hash: bytes, signed_at: datetime) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return (
        f"hoctap-ledger/checkpoint/v1\n{tree_size}\n{root_hash.hex()}\n{signed_at.isoformat()}\n"
    ).encode()


def verify_signature(public_key: bytes, checkpoint: Checkpoint) -> bool:
    """Both forms hold: the JSON body's signature, and the note's (when there is one)."""
    if not ed25519_verify(public_key, checkpoint.signature, checkpoint.body()):
        return False
    return not checkpoint.note or note_holds(public_key, checkpoint.note, checkpoint)


def note_holds(public_key: bytes, message: str, checkpoint: Checkpoint | None = None) -> bool:
    """``message`` is a checkpoint note signed by ``public_key`` under its own origin (and,
    given ``checkpoint``, names the same tree size and root)."""
    try:
        note = Note.parse(message)
        head = CheckpointText.parse(note.text)
        signed = verified_by(note, [Vkey(head.origin, ED25519, public_key)], ed25519_verify)
    except (MalformedNote, BadSignature):
        return False
    same = checkpoint is None or (head.tree_size, head.root_hash) == (
        checkpoint.tree_size,
        checkpoint.root_hash,
    )
    return bool(signed) and same


@dataclass(frozen=True)
class KeptCheckpoints:
    """Checkpoints someone outside kept, with the key that signed them: a log rewritten
    since no longer matches them, whatever the operator did to the checkpoints beside the
    events.

    Either an export (``hoctap checkpoints export``: JSON with the public key) or checkpoint
    notes (``GET /audit/checkpoint``, one after another): these name no key, so they are
    checked with the log's own (``public_key`` is empty).
    """

    public_key: bytes
    checkpoints: list[Checkpoint]
    source: str = ""
    notes: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.checkpoints) + len(self.notes)

    @classmethod
    def parse(cls, text: str, source: str = "") -> KeptCheckpoints:
        """Read an export or notes; a file that is neither is refused, naming what is wrong."""
        where = source or "tệp điểm kiểm"
        if text.lstrip()[:1] not in ("{", "[", ""):
            return cls._notes(text, source)
        try:
            data = json.loads(text)
            key = base64.b64decode(data["public_key"], validate=True)
            kept = [Checkpoint.from_dict(c) for c in data["checkpoints"]]
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidInput(
                f"{where}: không phải bản xuất điểm kiểm hợp lệ ({error})", source=source
            ) from error
        if len(key) != 32 or any(len(c.root_hash) != 32 for c in kept):
            raise InvalidInput(f"{where}: khóa hoặc gốc không đủ 32 byte", source=source)
        return cls(key, kept, source)

    @classmethod
    def _notes(cls, text: str, source: str) -> KeptCheckpoints:
        try:
            notes = split_notes(text)
            for note in notes:
                CheckpointText.parse(note.text)
        except MalformedNote as error:
            raise InvalidInput(
                f"{source or 'tệp điểm kiểm'}: không phải bản xuất điểm kiểm hay ghi chú điểm kiểm ({error})",
                source=source,
            ) from error
        return cls(b"", [], source, tuple(str(n) for n in notes))
