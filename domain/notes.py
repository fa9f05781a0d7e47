"""C2SP signed notes, checkpoints and cosignatures: the byte formats, with no cryptography.

The formats other transparency tools verify (https://c2sp.org): a signed note is a text
ending in a newline, a blank line, then signature lines ``— <key name> base64(key ID ||
signature)``. A checkpoint (tlog-checkpoint) is a note whose text is ``<origin>\\n<tree
size>\\n<base64 root>\\n``. A cosignature (tlog-cosignature, Ed25519, type 0x04) signs
``cosignature/v1\\ntime <t>\\n`` + the checkpoint text, and its signature bytes start with
the 8-byte big-endian timestamp. A verifier key (vkey) is ``<name>+<hex key ID>+base64(type
|| public key)``, the key ID being ``SHA-256(name || 0x0A || type || public key)[:4]``.

Standard library only: the Ed25519 primitive is passed in (``Verify``), so the log, the
witness and the offline verifier share these functions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

#: Signature types of c2sp.org/signed-note.
ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014"
#: Verifiers must accept at least 16 signatures; more than this is a malformed note.
MAX_SIGNATURES = 100
#: tlog-witness: a client never sends more consistency proof lines than this.
MAX_PROOF_LINES = 63
#: (public key, signature, message) -> does the Ed25519 signature hold?
Verify = Callable[[bytes, bytes, bytes], bool]


class MalformedNote(ValueError):
    """Bytes that are not a note, a checkpoint, a vkey or a witness request."""


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()[:4]


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise MalformedNote(f"không phải base64: {text[:20]!r}") from error


@dataclass(frozen=True)
class Vkey:
    """A verifier key: who signs (name), which key (ID), with which algorithm."""

    name: str
    signature_type: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.signature_type, self.public_key)

    def __str__(self) -> str:
        material = base64.b64encode(bytes([self.signature_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    @classmethod
    def parse(cls, text: str) -> Vkey:
        """A vkey whose ID matches its name and key; Ed25519 and cosignature/v1 only."""
        parts = text.strip().split("+", 2)
        if len(parts) != 3 or not _valid_name(parts[0]) or len(parts[1]) != 8:
            raise MalformedNote(f"khóa xác minh không đúng dạng tên+mã+khóa: {text[:40]!r}")
        material = _b64(parts[2])
        vkey = cls(parts[0], material[0] if material else -1, material[1:])
        if vkey.signature_type not in (ED25519, COSIGNATURE_V1) or len(vkey.public_key) != 32:
            raise MalformedNote(f"khóa xác minh không phải Ed25519: {text[:40]!r}")
        if parts[1] != vkey.key_id.hex():
            raise MalformedNote(f"mã khóa không khớp tên và khóa: {text[:40]!r}")
        return vkey


@dataclass(frozen=True)
class Signature:
    """One signature line: the key's name, its 4-byte ID and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{DASH} {self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"

    @classmethod
    def parse(cls, line: str) -> Signature:
        parts = line.removesuffix("\n").split(" ")
        if len(parts) != 3 or parts[0] != DASH or not _valid_name(parts[1]):
            raise MalformedNote(f"dòng chữ ký không đúng dạng: {line[:40]!r}")
        raw = _b64(parts[2])
        if len(raw) < 5:
            raise MalformedNote(f"chữ ký quá ngắn: {line[:40]!r}")
        return cls(parts[1], raw[:4], raw[4:])


@dataclass(frozen=True)
class Note:
    """A text and its signatures, in the order they appear."""

    text: str
    signatures: tuple[Signature, ...] = ()

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def with_signatures(self, more: Iterable[Signature]) -> Note:
        """This note with ``more`` signatures appended (a line already present is kept once)."""
        lines = list(self.signatures)
        lines += [s for s in more if s not in lines]
        return Note(self.text, tuple(lines))

    @classmethod
    def parse(cls, message: str) -> Note:
        """One signed note; anything else is :class:`MalformedNote`."""
        if any(ord(c) < 0x20 and c != "\n" for c in message) or not message.endswith("\n"):
            raise MalformedNote("ghi chú có ký tự điều khiển hoặc không kết thúc bằng xuống dòng")
        text, separator, block = message.rpartition("\n\n")
        if not separator or not block:
            raise MalformedNote("ghi chú không có dòng trống và chữ ký")
        signatures = tuple(Signature.parse(line) for line in block.splitlines())
        if len(signatures) > MAX_SIGNATURES:
            raise MalformedNote("ghi chú có quá nhiều chữ ký")
        return cls(text + "\n", signatures)


def split_notes(message: str) -> list[Note]:
    """Several signed notes one after another (blank lines between them allowed). A note
    ends after its last signature line: the first line after it that is not one."""
    notes: list[Note] = []
    current: list[str] = []
    in_signatures = False
    for line in message.splitlines(keepends=True):
        signature = line.startswith(DASH + " ")
        if in_signatures and not signature:
            notes.append(Note.parse("".join(current)))
            current, in_signatures = [], False
        if not current and not line.strip():
            continue
        in_signatures = in_signatures or (signature and current[-1:] == ["\n"])
        current.append(line)
    if current:
        notes.append(Note.parse("".join(current)))
    return notes


def verified_by(note: Note, keys: Sequence[Vkey], verify: Verify) -> list[tuple[Vkey, int]]:
    """The known keys whose signature on ``note`` holds, each with its timestamp (0 for a
    plain Ed25519 signature).

    Signatures from unknown keys are ignored, as the spec requires; one from a known key
    (same name and ID) that does not verify makes the whole note :class:`BadSignature`.
    """
    found: list[tuple[Vkey, int]] = []
    for signature in note.signatures:
        for vkey in keys:
            if (signature.name, signature.key_id) != (vkey.name, vkey.key_id):
                continue
            stamp, message, raw = 0, note.text.encode(), signature.signature
            if vkey.signature_type == COSIGNATURE_V1:
                if len(raw) != 8 + 64:
                    raise BadSignature(vkey.name)
                stamp = int.from_bytes(raw[:8], "big")
                message, raw = cosignature_message(note.text, stamp), raw[8:]
            if stamp >= 2**63 or not verify(vkey.public_key, raw, message):
                raise BadSignature(vkey.name)
            if all(known != vkey for known, _ in found):
                found.append((vkey, stamp))
    return found


class BadSignature(ValueError):
    """A signature from a known key that does not hold: the note must be rejected."""

    def __init__(self, name: str) -> None:
        super().__init__(f"chữ ký của {name} không hợp lệ")
        self.name = name


def cosignature_message(text: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: a header, the time, then the checkpoint text."""
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


# --- checkpoints (c2sp.org/tlog-checkpoint) -------------------------------------------------


@dataclass(frozen=True)
class CheckpointText:
    origin: str
    tree_size: int
    root_hash: bytes

    def __str__(self) -> str:
        root = base64.b64encode(self.root_hash).decode()
        return f"{self.origin}\n{self.tree_size}\n{root}\n"

    @classmethod
    def parse(cls, text: str) -> CheckpointText:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or not all(lines[:-1]):
            raise MalformedNote("điểm kiểm cần ba dòng: nguồn gốc, kích thước, gốc")
        origin, size, root = lines[:3]
        if not size.isdigit() or (size != "0" and size.startswith("0")):
            raise MalformedNote(f"kích thước cây không hợp lệ: {size!r}")
        root_hash = _b64(root)
        if len(root_hash) != 32:
            raise MalformedNote("gốc cây không đủ 32 byte")
        return cls(origin, int(size), root_hash)


# --- the tlog-witness add-checkpoint request ------------------------------------------------


@dataclass(frozen=True)
class AddCheckpoint:
    """``old <size>``, the consistency proof lines, a blank line, the checkpoint note."""

    old_size: int
    proof: tuple[bytes, ...]
    note: Note

    def __str__(self) -> str:
        proof = "".join(base64.b64encode(h).decode() + "\n" for h in self.proof)
        return f"old {self.old_size}\n{proof}\n{self.note}"

    @classmethod
    def parse(cls, body: str) -> AddCheckpoint:
        head, separator, rest = body.partition("\n\n")
        lines = head.split("\n")
        if not separator or not lines[0].startswith("old "):
            raise MalformedNote("yêu cầu cần dòng `old <kích thước>`, bằng chứng, dòng trống")
        size = lines[0][4:]
        if not size.isdigit() or (size != "0" and size.startswith("0")):
            raise MalformedNote(f"kích thước cũ không hợp lệ: {size!r}")
        if len(lines) - 1 > MAX_PROOF_LINES:
            raise MalformedNote("bằng chứng nhất quán quá dài")
        return cls(int(size), tuple(_b64(line) for line in lines[1:]), Note.parse(rest))
