#!/usr/bin/env python3
"""Check a Hoctap Ledger inspector bundle offline: no database, no network.

    python3 ops/verifier/verify_bundle.py bundle.json [--trusted FILE]... [--witness VKEY]...

Needs only the standard library and the ``cryptography`` package, plus this repository's
``domain/integrity.py`` and ``domain/notes.py`` (the one definition of leaf bytes, of the
Merkle proofs and of the C2SP note formats, which use the standard library only). It
checks, and says plainly what holds and what does not:

1. the checkpoint's Ed25519 signature, with the bundle's public key, in both its JSON and
   its C2SP note form (same size and root);
2. each event's leaf hash, recomputed from its stored bytes;
3. each event's inclusion proof, against the signed root;
4. each evidence item: its digest is the one recorded in an EvidenceAttached event of the
   case, and, when the file is included, SHA-256 of the file equals that digest;
5. with ``--witness VKEY`` (repeatable): that witness's cosignature on the checkpoint note
   is present and valid (a witness vouches the log showed it no other history);
6. with ``--trusted FILE`` (repeatable; a ``hoctap checkpoints export`` or checkpoint notes
   kept earlier): every kept checkpoint is signed by the bundle's key and the bundle's tree
   extends it (same root at the same size, or the consistency proof the bundle carries).

Exit code 0 when everything holds, 1 otherwise. Compare the checkpoint with copies you
obtained independently (GET /audit/checkpoint) to rule out a bundle signed with a
different key.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.integrity import leaf_bytes, leaf_hash, verify_consistency, verify_inclusion
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


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def json_checkpoint_holds(public_key: bytes, cp: dict[str, Any]) -> bool:
    body = (
        f"hoctap-ledger/checkpoint/v1\n{cp['tree_size']}\n{cp['root_hash']}\n{cp['signed_at']}\n"
    ).encode()
    return ed25519_verify(public_key, base64.b64decode(cp["signature"]), body)


def note_head(public_key: bytes, message: str) -> CheckpointText | None:
    """The checkpoint a note names, if the key signed it under its origin; else None."""
    try:
        note = Note.parse(message)
        head = CheckpointText.parse(note.text)
        signed = verified_by(note, [Vkey(head.origin, ED25519, public_key)], ed25519_verify)
    except (MalformedNote, BadSignature):
        return None
    return head if signed else None


def stored_state(event: dict[str, Any]) -> dict[str, Any]:
    """A bundle event's state as the ledger stored it: base64 of its JSON."""
    state: dict[str, Any] = json.loads(base64.b64decode(event["state"]))
    return state


def stored_uuid(value: Any) -> UUID:
    """A UUID in a stored state, as the ledger's transcoder writes it:
    ``{"_type_": "uuid_hex", "_data_": …}`` (or plain text)."""
    if isinstance(value, dict) and value.get("_type_") == "uuid_hex":
        return UUID(hex=str(value["_data_"]))
    return UUID(str(value))


def check(
    bundle: dict, trusted: Sequence[tuple[str, str]] = (), witnesses: Sequence[str] = ()
) -> list[tuple[bool, str]]:
    results: list[tuple[bool, str]] = []
    cp = bundle["checkpoint"]
    key = base64.b64decode(bundle["public_key"])
    top = bytes.fromhex(cp["root_hash"])
    head = note_head(key, bundle["checkpoint_note"]) if bundle.get("checkpoint_note") else None
    if not json_checkpoint_holds(key, cp):
        results.append((False, "chữ ký điểm kiểm KHÔNG hợp lệ"))
    elif bundle.get("checkpoint_note") and (
        head is None or (head.tree_size, head.root_hash) != (cp["tree_size"], top)
    ):
        results.append((False, "ghi chú điểm kiểm KHÔNG khớp chữ ký hoặc điểm kiểm của gói"))
    else:
        results.append((True, f"chữ ký điểm kiểm hợp lệ ({cp['tree_size']} sự kiện)"))
    results += check_witnesses(bundle, witnesses)
    results += check_trusted(bundle, key, trusted)
    recorded_digests = set()
    for event in bundle["events"]:
        state = base64.b64decode(event["state"])
        where = f"sự kiện vị trí {event['position']} ({event['topic']})"
        computed = leaf_hash(
            leaf_bytes(
                event["position"], event["originator_id"], event["version"], event["topic"], state
            )
        )
        if not hmac.compare_digest(computed.hex(), event["leaf_hash"]):
            results.append(
                (
                    False,
                    f"{where}: nội dung không khớp mã băm lá"
                    f" (cần {event['leaf_hash']}, tính được {computed.hex()})",
                )
            )
            continue
        proof = [bytes.fromhex(p) for p in event["audit_path"]]
        if verify_inclusion(event["position"] - 1, cp["tree_size"], computed, proof, top):
            results.append((True, f"{where}: có trong điểm kiểm đã ký"))
        else:
            results.append((False, f"{where}: bằng chứng bao hàm KHÔNG khớp gốc đã ký"))
        if event["topic"].endswith(".EvidenceAttached"):
            recorded_digests.add(stored_state(event)["digest"])
    for item in bundle["evidence"]:
        where = f"minh chứng {item['evidence_id']}"
        if item["digest"] not in recorded_digests:
            results.append((False, f"{where}: mã băm {item['digest']} không có trong nhật ký"))
            continue
        if "content" in item:
            found = hashlib.sha256(base64.b64decode(item["content"])).hexdigest()
            if not hmac.compare_digest(found, item["digest"]):
                results.append(
                    (
                        False,
                        f"{where}: tệp không khớp mã băm (cần {item['digest']}, tính được {found})",
                    )
                )
                continue
        results.append((True, f"{where}: mã băm khớp nhật ký"))
    return results


def check_witnesses(bundle: dict, witnesses: Sequence[str]) -> list[tuple[bool, str]]:
    """Each required witness's cosignature on the checkpoint note."""
    results = []
    for text in witnesses:
        vkey = Vkey.parse(text)
        try:
            note = Note.parse(bundle.get("checkpoint_note") or "")
            signed = verified_by(note, [vkey], ed25519_verify)
        except MalformedNote:
            signed = []
        except BadSignature:
            results.append((False, f"đồng ký của nhân chứng {vkey.name} KHÔNG hợp lệ"))
            continue
        if signed:
            results.append((True, f"nhân chứng {vkey.name} đã đồng ký điểm kiểm"))
        else:
            results.append((False, f"THIẾU đồng ký của nhân chứng {vkey.name}"))
    return results


def kept_checkpoints(text: str, bundle_key: bytes) -> list[tuple[int, bytes, bool]]:
    """(size, root, signed by the bundle's key) of each checkpoint in a kept file."""
    if text.lstrip()[:1] == "{":
        data = json.loads(text)
        key = base64.b64decode(data["public_key"])
        return [
            (
                int(c["tree_size"]),
                bytes.fromhex(c["root_hash"]),
                key == bundle_key and json_checkpoint_holds(key, c),
            )
            for c in data["checkpoints"]
        ]
    kept = []
    for note in split_notes(text):
        head = CheckpointText.parse(note.text)
        holds = note_head(bundle_key, str(note)) is not None
        kept.append((head.tree_size, head.root_hash, holds))
    return kept


def check_trusted(
    bundle: dict, key: bytes, trusted: Sequence[tuple[str, str]]
) -> list[tuple[bool, str]]:
    """The bundle's tree extends every checkpoint kept elsewhere."""
    cp = bundle["checkpoint"]
    size, top = int(cp["tree_size"]), bytes.fromhex(cp["root_hash"])
    proofs = {int(p["from_size"]): p["proof"] for p in bundle.get("consistency") or []}
    results = []
    for source, text in trusted:
        for kept_size, kept_root, holds in kept_checkpoints(text, key):
            where = f"{source}: điểm kiểm {kept_size} sự kiện"
            if not holds:
                results.append((False, f"{where} không được ký bằng khóa của gói"))
            elif kept_size > size:
                results.append(
                    (False, f"{where} mới hơn điểm kiểm của gói ({size}): cần gói mới hơn")
                )
            elif kept_size == size and not hmac.compare_digest(kept_root, top):
                results.append(
                    (False, f"{where}: gốc KHÁC (giữ {kept_root.hex()}, gói {top.hex()})")
                )
            elif 0 < kept_size < size and (
                kept_size not in proofs
                or not verify_consistency(
                    kept_size, size, kept_root, top, [bytes.fromhex(h) for h in proofs[kept_size]]
                )
            ):
                results.append(
                    (
                        False,
                        f"{where}: cây của gói KHÔNG mở rộng điểm kiểm đã giữ"
                        f" (thiếu hoặc sai bằng chứng nhất quán đến {size})",
                    )
                )
            else:
                results.append((True, f"{where}: cây của gói mở rộng điểm kiểm đã giữ"))
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Kiểm tra gói kiểm tra ngoại tuyến.")
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--trusted", type=Path, action="append", default=[])
    parser.add_argument("--witness", action="append", default=[])
    args = parser.parse_args(argv[1:])
    try:
        bundle = json.loads(args.bundle.read_text(encoding="utf-8"))
        trusted = [(str(p), p.read_text(encoding="utf-8")) for p in args.trusted]
        results = check(bundle, trusted, args.witness)
    except (OSError, ValueError, KeyError) as error:
        print(
            f"Lỗi: không đọc được gói kiểm tra, tệp điểm kiểm hoặc khóa ({error})", file=sys.stderr
        )
        return 2
    for ok, message in results:
        print(("ĐÚNG  " if ok else "SAI   ") + message)
    failed = sum(1 for ok, _ in results if not ok)
    print(f"{len(results) - failed} đạt, {failed} không đạt")
    return 0 if failed == 0 and results else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
