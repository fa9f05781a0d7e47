#!/usr/bin/env python3
"""Check a Hoctap Ledger inspector bundle offline: no database, no network.

    python3 ops/verifier/verify_bundle.py bundle.json

Needs only the standard library and the ``cryptography`` package, plus this repository's
``domain/integrity.py`` (the one definition of leaf bytes and of the Merkle proofs, which
uses the standard library only). It checks, and says plainly what holds and what does not:

1. the checkpoint's Ed25519 signature, with the bundle's public key;
2. each event's leaf hash, recomputed from its stored bytes;
3. each event's inclusion proof, against the signed root;
4. each evidence item: its digest is the one recorded in an EvidenceAttached event of the
   case, and, when the file is included, SHA-256 of the file equals that digest.

Exit code 0 when everything holds, 1 otherwise. Compare the checkpoint with copies you
obtained independently (GET /audit/checkpoints) to rule out a bundle signed with a
different key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.integrity import leaf_bytes, leaf_hash, verify_inclusion


def check(bundle: dict) -> list[tuple[bool, str]]:
    results: list[tuple[bool, str]] = []
    cp = bundle["checkpoint"]
    body = (
        f"hoctap-ledger/checkpoint/v1\n{cp['tree_size']}\n{cp['root_hash']}\n{cp['signed_at']}\n"
    ).encode()
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(bundle["public_key"])).verify(
            base64.b64decode(cp["signature"]), body
        )
        results.append((True, f"chữ ký điểm kiểm hợp lệ ({cp['tree_size']} sự kiện)"))
    except (InvalidSignature, ValueError):
        results.append((False, "chữ ký điểm kiểm KHÔNG hợp lệ"))
    top = bytes.fromhex(cp["root_hash"])
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
            recorded_digests.add(json.loads(state)["digest"])
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


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("Cách dùng: verify_bundle.py bundle.json", file=sys.stderr)
        return 2
    try:
        bundle = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        results = check(bundle)
    except (OSError, ValueError, KeyError) as error:
        print(f"Lỗi: không đọc được gói kiểm tra ({error})", file=sys.stderr)
        return 2
    for ok, message in results:
        print(("ĐÚNG  " if ok else "SAI   ") + message)
    failed = sum(1 for ok, _ in results if not ok)
    print(f"{len(results) - failed} đạt, {failed} không đạt")
    return 0 if failed == 0 and results else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
